package identity

import (
	"time"

	"github.com/portalkit/portalkit/customer"
)

// PasswordResetID identifies a password reset link ("pwr_" + UUIDv7).
type PasswordResetID string

// PasswordResetTTL is how long a password reset link works.
const PasswordResetTTL = 15 * time.Minute

// PasswordReset lets one person set a new password once, before ExpiresAt,
// without the old one: the link of a "forgot password" request. It belongs
// to a customer user (UserID) or to a staff member (StaffID), never both.
// A newer reset for the same person ends older ones. Its token is mailed
// once; only its hash is stored.
type PasswordReset struct {
	ID        PasswordResetID
	UserID    customer.UserID
	StaffID   StaffID
	TokenHash string
	ExpiresAt time.Time
	// UsedAt is set when the reset is used or superseded.
	UsedAt    time.Time
	CreatedAt time.Time
}

// Usable reports whether the reset still works at now: neither used nor
// superseded, and not expired. Storage translates this rule into the
// statement that consumes a reset, so that two uses cannot both succeed.
func (r PasswordReset) Usable(now time.Time) bool {
	return r.UsedAt.IsZero() && now.Before(r.ExpiresAt)
}
