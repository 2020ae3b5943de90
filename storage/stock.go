package storage

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/warehouse"
)

// StockRepo stores the supplier warehouse: stock items and their movement
// ledger. Items are never deleted (retired ones are kept with their
// history); movements are only appended.
type StockRepo interface {
	// Create stores it as given and appends m, its stock-in, to the ledger.
	// ErrAlreadyExists when the item's ID, the movement's ID or the item's
	// serial number within its customer (compared exactly) is taken;
	// ErrNotFound when the customer, the product or the order named does
	// not exist. SiteID is stored as given, not checked.
	Create(ctx context.Context, it warehouse.Item, m warehouse.Movement) error
	// Get returns the item with the given ID, or ErrNotFound.
	Get(ctx context.Context, id warehouse.ItemID) (warehouse.Item, error)
	// Move stores it, the item after a move that warehouse.Item's methods
	// return, and appends m to the ledger, in one conditional write that
	// succeeds only while the stored item's status is m.From. Status,
	// Holder, Condition, SiteID and UpdatedAt are written from it; Version
	// increases by one. It returns the item as written. ErrConflict when
	// the item's status is no longer m.From (a concurrent move won), and
	// nothing is written; ErrNotFound when there is no such item;
	// ErrAlreadyExists when m's ID is taken. This is what keeps an item
	// from being issued twice.
	Move(ctx context.Context, it warehouse.Item, m warehouse.Movement) (warehouse.Item, error)
	// List returns one page of items matching f, ordered by ID.
	// f.CustomerID is required (Invalid otherwise).
	List(ctx context.Context, f ItemFilter, p Page) (List[warehouse.Item], error)
	// Movements returns one page of the ledger entries matching f, ordered
	// by ID (the order they were made in). f.CustomerID is required
	// (Invalid otherwise).
	Movements(ctx context.Context, f MovementFilter, p Page) (List[warehouse.Movement], error)
	// Levels returns one page of stock levels of the customer's products
	// that have items, ordered by product ID; the cursor continues after a
	// product. f.CustomerID is required (Invalid otherwise).
	Levels(ctx context.Context, f LevelFilter, p Page) (List[warehouse.Level], error)
}

// ItemFilter narrows an item list. Zero fields do not filter, except
// CustomerID, which is required.
type ItemFilter struct {
	CustomerID customer.ID
	ProductID  orders.ProductID
	Status     warehouse.Status
	// Held keeps items in stock or issued (not retired). Not combined with Status.
	Held bool
	// SerialNumber keeps the item with this serial number (compared exactly).
	SerialNumber string
	// OrderID keeps the items a pre-order stocked.
	OrderID orders.ID
	// HolderID keeps the items issued to this employee of the org
	// structure.
	HolderID org.EmployeeID
	// SiteIDs keeps items of one of these sites. nil does not filter; a
	// non-nil empty slice matches nothing.
	SiteIDs []customer.SiteID
}

// MovementFilter narrows the ledger. CustomerID is required.
type MovementFilter struct {
	CustomerID customer.ID
	// ItemID keeps one item's history.
	ItemID warehouse.ItemID
	// ProductID keeps the movements of one product's items.
	ProductID orders.ProductID
}

// LevelFilter says whose stock levels to count. CustomerID is required.
type LevelFilter struct {
	CustomerID customer.ID
	// ProductID counts one product only.
	ProductID orders.ProductID
	// SiteIDs counts the items of these sites only. nil does not filter; a
	// non-nil empty slice matches nothing.
	SiteIDs []customer.SiteID
}
