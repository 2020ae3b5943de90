package storage

import (
	"context"

	"github.com/portalkit/portalkit/customer"
)

// CustomerRepo stores customers, their features included.
type CustomerRepo interface {
	// Create stores c as given (the caller sets ID, Version 1 and times).
	// ErrAlreadyExists when the ID or a non-empty ExternalRef is taken;
	// ErrNotFound when ParentID names no customer.
	Create(ctx context.Context, c customer.Customer) error
	// Get returns the customer with the given ID, or ErrNotFound.
	Get(ctx context.Context, id customer.ID) (customer.Customer, error)
	// Update reads the customer, lets fn change it, and writes it back with
	// Version increased by one; it returns what was written. An error from
	// fn is returned unchanged and nothing is written. ErrNotFound when there
	// is no such customer; ErrAlreadyExists when the new ExternalRef is taken;
	// ErrConflict when the row changed underneath (backends that can see that).
	// fn must not change ID or CreatedAt.
	Update(ctx context.Context, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error)
	// List returns one page of customers matching f, ordered by ID.
	List(ctx context.Context, f CustomerFilter, p Page) (List[customer.Customer], error)
}

// CustomerFilter narrows a customer list. Zero fields do not filter.
type CustomerFilter struct {
	// IDs keeps only these customers (used to scope a customer user's view).
	// nil does not filter; a non-nil empty slice matches nothing.
	IDs []customer.ID
	// Statuses keeps customers in any of these states.
	Statuses []customer.Status
	// ParentID keeps the direct children of this customer.
	ParentID customer.ID
	// TopLevel keeps customers without a parent. Not combined with ParentID.
	TopLevel bool
	// Search keeps customers whose name, contact e-mail or external reference
	// contains this text, compared case-insensitively (Unicode simple folding
	// is not promised: backends fold at least ASCII).
	Search string
}

// List is one page of results.
type List[T any] struct {
	Items []T
	// NextCursor continues the list; empty on the last page.
	NextCursor string
}
