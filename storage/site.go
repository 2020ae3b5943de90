package storage

import (
	"context"

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
}

// SiteFilter narrows a site list. CustomerID is required.
type SiteFilter struct {
	CustomerID customer.ID
	// IDs keeps only these sites (a membership limited to some sites sees those).
	// nil does not filter; a non-nil empty slice matches nothing.
	IDs []customer.SiteID
}
