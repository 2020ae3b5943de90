// Package orders owns what a customer can order and its orders: Product
// (the provider's portfolio), Offer (a customer's price for a product),
// the resolution of a customer's catalogue from both, and Order with its
// lines and its state machine.
//
// A customer's catalogue is the global portfolio, when its
// inherit_global_portfolio feature is on, plus the products only it sees,
// plus its offers; an offer's price wins over the product's. Inactive
// products leave every catalogue but stay on the orders that hold them:
// lines keep the name and price they were ordered at.
//
// An order is submitted, then confirmed or rejected by the provider or
// cancelled by the customer; a confirmed order is fulfilled or cancelled by
// the provider. Every transition is kept in the order's history with who
// made it and when. A transition the state machine does not allow is a
// FailedPrecondition error; one from a status the order has already left
// (two staff members deciding on one order at once: the second) is a
// Conflict error naming the transition that won.
//
// The package is pure: it holds values and rules and does no I/O. Use cases
// that load, check and store these values live in package portal.
package orders
