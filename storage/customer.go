package storage

import (
	"context"
	"errors"

	"github.com/portalkit/portalkit/customer"
)

// CustomerRepo stores customers, their features included.
type CustomerRepo interface {
	// Create stores c as given (the caller sets ID, Version 1 and times).
	// ErrAlreadyExists when the ID, a non-empty ExternalRef or a non-empty
	// Branding.HostName is taken (for the host name, the error wraps
	// ErrHostNameTaken too); ErrNotFound when ParentID names no customer.
	Create(ctx context.Context, c customer.Customer) error
	// Get returns the customer with the given ID, or ErrNotFound.
	Get(ctx context.Context, id customer.ID) (customer.Customer, error)
	// GetByHostName returns the customer whose Branding.HostName is host
	// (compared as stored: the caller normalises), whatever its status, or
	// ErrNotFound; "" finds none.
	GetByHostName(ctx context.Context, host string) (customer.Customer, error)
	// Update reads the customer, lets fn change it, and writes it back with
	// Version increased by one; it returns what was written. An error from
	// fn is returned unchanged and nothing is written. ErrNotFound when there
	// is no such customer; ErrAlreadyExists when the new ExternalRef or
	// host name is taken (as for Create); ErrConflict when the row changed
	// underneath (backends that can see that).
	// fn must not change ID or CreatedAt.
	Update(ctx context.Context, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error)
	// List returns one page of customers matching f, ordered by ID.
	List(ctx context.Context, f CustomerFilter, p Page) (List[customer.Customer], error)
}

// ErrHostNameTaken is wrapped, with ErrAlreadyExists, by a customer write
// that breaks the uniqueness of Branding.HostName, so that callers can say
// which key is taken. It is a plain error: portalerr's sentinels match
// any error of their code.
var ErrHostNameTaken = errors.New("storage: host name taken")

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
