package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
)

// ImpersonationRepo stores impersonations and each customer's choice to
// forbid them.
type ImpersonationRepo interface {
	// Create stores i as given. ErrAlreadyExists when the ID or the
	// session is taken; ErrNotFound when the customer or staff member does
	// not exist.
	Create(ctx context.Context, i identity.Impersonation) error
	// GetBySession returns the impersonation of session id, or ErrNotFound.
	GetBySession(ctx context.Context, id identity.SessionID) (identity.Impersonation, error)
	// End sets EndedAt of the impersonation of session id to at, unless it
	// ended already. A session without one is no error.
	End(ctx context.Context, id identity.SessionID, at time.Time) error
	// List returns one page of the customer's impersonations, newest
	// first (by ID, descending).
	List(ctx context.Context, cid customer.ID, p Page) (List[identity.Impersonation], error)
	// Forbidden reports whether the customer forbids impersonation; false
	// when it never chose.
	Forbidden(ctx context.Context, cid customer.ID) (bool, error)
	// SetForbidden records the customer's choice. ErrNotFound when the
	// customer does not exist.
	SetForbidden(ctx context.Context, cid customer.ID, forbidden bool, by string, at time.Time) error
}
