// Package warehouse owns the supplier warehouse: stock items held by the
// provider for a customer, one per device, the movement ledger that
// records every change to them, and the rules of those changes.
//
// An item enters the warehouse in stock (by hand, or when a confirmed
// pre-order is fulfilled: one item per unit), is issued to an employee,
// returned to stock and reused, and at last retired:
//
//	stock_in ─▶ in_stock ──issue──▶ issued
//	               ▲   └──return───────┘
//	               └─retire─▶ retired ◀─retire─ issued
//
// Every move appends a Movement saying from which status to which, who
// made it, when, and to or from whom; summed over the ledger, the
// movements give the stock levels (Level.Add). A move from a status that
// does not allow it is a FailedPrecondition error; storage makes each move
// a conditional write on the status it starts from, so an item is never
// issued twice.
//
// The package is pure: it holds values and rules and does no I/O. Use cases
// that load, check and store these values live in package portal.
package warehouse
