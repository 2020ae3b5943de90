package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
)

// SiteRepo stores the sites of customers.
type SiteRepo interface {
	// Create stores s as given. ErrAlreadyExists when the ID is taken or the
	// customer has a site of that name (compared case-insensitively);
	// ErrNotFound when the customer does not exist.
	Create(ctx context.Context, s customer.Site) error
	// Get returns the site with the given ID, or ErrNotFound.
	Get(ctx context.Context, id customer.SiteID) (customer.Site, error)
	// Update works like CustomerRepo.Update. fn must not change CustomerID.
	// ErrAlreadyExists when the new name is taken within the customer.
	Update(ctx context.Context, id customer.SiteID, fn func(*customer.Site) error) (customer.Site, error)
	// Delete removes the site, or returns ErrNotFound. It fails with
	// ErrConflict while a membership still names the site: callers check
	// first and say what holds it.
	Delete(ctx context.Context, id customer.SiteID) error
	// List returns one page of a customer's sites, ordered by ID. With IDs
	// set, only those sites are listed.
	List(ctx context.Context, f SiteFilter, p Page) (List[customer.Site], error)
	// Move gives the site to customer to and removes it from every
	// membership's site set, when its version is still version; the
	// version moves on by one and UpdatedAt becomes at. ErrNotFound when
	// the site or the customer does not exist; ErrConflict for another
	// version; ErrAlreadyExists when customer to has a site of its name.
	Move(ctx context.Context, id customer.SiteID, to customer.ID, version int64, at time.Time) (customer.Site, error)
}

// SiteFilter narrows a site list. CustomerID is required.
type SiteFilter struct {
	CustomerID customer.ID
	// IDs keeps only these sites (a membership limited to some sites sees those).
	// nil does not filter; a non-nil empty slice matches nothing.
	IDs []customer.SiteID
	// Search keeps sites whose name, city or external reference contains
	// this text, ignoring case.
	Search string
}
