package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
)

// PasswordResetRepo stores password reset links of customer users and
// staff members.
type PasswordResetRepo interface {
	// Create stores r as given; exactly one of UserID and StaffID is set.
	// ErrAlreadyExists when the ID or token hash is taken; ErrNotFound when
	// the user or staff member does not exist; Invalid when both or neither
	// owner is set.
	Create(ctx context.Context, r identity.PasswordReset) error
	// Consume marks the unused, unexpired (ExpiresAt after now) reset with
	// this token hash as used, in one conditional write, and returns it
	// with UsedAt set to now. ErrNotFound when there is no such usable
	// reset: unknown, used, superseded or expired are not told apart.
	Consume(ctx context.Context, hash string, now time.Time) (identity.PasswordReset, error)
	// Supersede marks every unused reset of one person as used at `at`:
	// the user's when user is set, else the staff member's. A person
	// without unused resets, or an unknown one, is no error.
	Supersede(ctx context.Context, user customer.UserID, staff identity.StaffID, at time.Time) error
	// DeleteExpired removes resets whose ExpiresAt is before `before`
	// (strictly), used or not, and returns how many.
	DeleteExpired(ctx context.Context, before time.Time) (int, error)
}
