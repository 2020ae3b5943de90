package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
)

// SSORepo stores customers' identity-provider configurations and the
// sign-ins started through them.
type SSORepo interface {
	// Put creates or replaces the configuration of c.CustomerID, its
	// domains included, as given: those in c.Pending pending, the others
	// active (the caller keeps Version). ErrNotFound when the customer
	// does not exist; ErrAlreadyExists when one of its active domains is
	// active for another customer. A pending domain may be listed by
	// several customers.
	Put(ctx context.Context, c identity.SSOConfig) error
	// Get returns the customer's configuration, or ErrNotFound.
	Get(ctx context.Context, cid customer.ID) (identity.SSOConfig, error)
	// GetByDomain returns the configuration for which the lower-case
	// e-mail domain is active, or ErrNotFound (also when it is only
	// pending).
	GetByDomain(ctx context.Context, domain string) (identity.SSOConfig, error)
	// Delete removes the customer's configuration. ErrNotFound when it has
	// none.
	Delete(ctx context.Context, cid customer.ID) error

	// CreateState stores a started sign-in. ErrAlreadyExists when its
	// state hash is taken; ErrNotFound when the customer does not exist.
	CreateState(ctx context.Context, s identity.SSOState) error
	// ConsumeState marks the unused, unexpired (ExpiresAt after now)
	// sign-in with this state hash as used, in one conditional write, and
	// returns it with UsedAt set to now. ErrNotFound when there is no such
	// sign-in: unknown, used or expired are not told apart.
	ConsumeState(ctx context.Context, hash string, now time.Time) (identity.SSOState, error)
	// DeleteExpiredStates removes sign-ins whose ExpiresAt is before
	// `before` (strictly), used or not, and returns how many.
	DeleteExpiredStates(ctx context.Context, before time.Time) (int, error)
}
