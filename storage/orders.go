package storage

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
)

// ProductRepo stores the provider's products: the global portfolio and the
// products only one customer sees. Products are never deleted (orders hold
// them); they are deactivated.
type ProductRepo interface {
	// Create stores p as given. ErrAlreadyExists when the ID or the SKU
	// (ignoring ASCII case) is taken; ErrNotFound when CustomerID is set
	// and names no customer.
	Create(ctx context.Context, p orders.Product) error
	// Get returns the product with the given ID, or ErrNotFound.
	Get(ctx context.Context, id orders.ProductID) (orders.Product, error)
	// Update works like CustomerRepo.Update. fn must not change CustomerID.
	// ErrAlreadyExists when the new SKU is taken.
	Update(ctx context.Context, id orders.ProductID, fn func(*orders.Product) error) (orders.Product, error)
	// List returns one page of products matching f, ordered by ID.
	List(ctx context.Context, f ProductFilter, p Page) (List[orders.Product], error)
	// Catalogue returns one page of the candidates for customer
	// f.CustomerID's catalogue, ordered by product ID: every active product
	// that is the customer's own, that the customer has an offer for, or,
	// with f.Global, that is global; each with the customer's offer for it
	// (zero when none). orders.Resolve turns a row into a catalogue entry.
	// f.CustomerID is required (Invalid otherwise).
	Catalogue(ctx context.Context, f CatalogueFilter, p Page) (List[CatalogueRow], error)
}

// ProductFilter narrows a product list. Zero fields do not filter.
type ProductFilter struct {
	// Global keeps the products of the global portfolio.
	Global bool
	// CustomerID keeps the products only this customer sees. Not combined
	// with Global.
	CustomerID customer.ID
	// Active, when set, keeps active (true) or inactive (false) products.
	Active *bool
	// Category keeps products of this category (compared exactly).
	Category string
	// Search keeps products whose SKU or name contains this text, ignoring
	// ASCII case.
	Search string
}

// CatalogueFilter says whose catalogue to list.
type CatalogueFilter struct {
	CustomerID customer.ID
	// Global includes the global portfolio: the customer's
	// inherit_global_portfolio feature.
	Global bool
}

// CatalogueRow is a product that may be in a customer's catalogue, with the
// customer's offer for it.
type CatalogueRow struct {
	Product orders.Product
	// Offer is the customer's offer for Product; zero when there is none.
	Offer orders.Offer
}

// OfferRepo stores customers' offers. A customer has at most one offer per
// product.
type OfferRepo interface {
	// Create stores o as given. ErrAlreadyExists when the ID is taken or the
	// customer has an offer for the product; ErrNotFound when the customer
	// or the product does not exist.
	Create(ctx context.Context, o orders.Offer) error
	// Get returns the offer with the given ID, or ErrNotFound.
	Get(ctx context.Context, id orders.OfferID) (orders.Offer, error)
	// Find returns customer cid's offer for product pid, or ErrNotFound.
	Find(ctx context.Context, cid customer.ID, pid orders.ProductID) (orders.Offer, error)
	// Update works like CustomerRepo.Update. fn must not change CustomerID
	// or ProductID.
	Update(ctx context.Context, id orders.OfferID, fn func(*orders.Offer) error) (orders.Offer, error)
	// Delete removes the offer, or returns ErrNotFound.
	Delete(ctx context.Context, id orders.OfferID) error
	// List returns one page of offers matching f, ordered by ID.
	List(ctx context.Context, f OfferFilter, p Page) (List[orders.Offer], error)
}

// OfferFilter narrows an offer list. Zero fields do not filter.
type OfferFilter struct {
	CustomerID customer.ID
	ProductID  orders.ProductID
}

// OrderRepo stores orders with their lines and history. Orders are never
// deleted.
type OrderRepo interface {
	// NextNumber returns a new order number, greater than every number of
	// a committed transaction it returned before it was called. Numbers of
	// transactions that roll back may be given again, or skipped. Two
	// transactions that take numbers at once may commit in either order:
	// a backend need not make the second wait for the first.
	NextNumber(ctx context.Context) (orders.Number, error)
	// Create stores o with its lines and history as given. ErrAlreadyExists
	// when the ID or the Number is taken; ErrNotFound when the customer or
	// a line's product does not exist. SiteID and OrderedBy are stored as
	// given, not checked: an order outlives the site and the user it names.
	Create(ctx context.Context, o orders.Order) error
	// Get returns the order with the given ID, or ErrNotFound.
	Get(ctx context.Context, id orders.ID) (orders.Order, error)
	// Transition records ev, which orders.Order's transition methods
	// return, in one conditional write that succeeds only while the order's
	// status is ev.From: the status becomes ev.To, ev is appended to the
	// history, Version increases by one and UpdatedAt becomes ev.At. It
	// returns the order as written. ErrConflict when the order's status is
	// no longer ev.From (a concurrent transition won), and nothing is
	// written; ErrNotFound when there is no such order. This is what makes
	// two concurrent decisions on one order end with exactly one winner.
	Transition(ctx context.Context, id orders.ID, ev orders.Event) (orders.Order, error)
	// List returns one page of orders matching f, ordered by ID: oldest
	// first, or newest first with f.NewestFirst (its cursors continue in
	// that order).
	List(ctx context.Context, f OrderFilter, p Page) (List[orders.Order], error)
}

// OrderFilter narrows an order list. Zero fields do not filter.
type OrderFilter struct {
	CustomerID customer.ID
	Status     orders.Status
	// SiteIDs keeps orders placed for one of these sites (a membership
	// limited to some sites sees those). nil does not filter; a non-nil
	// empty slice matches nothing.
	SiteIDs []customer.SiteID
	// NewestFirst lists in descending ID order.
	NewestFirst bool
}
