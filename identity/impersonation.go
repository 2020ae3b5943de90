package identity

import (
	"time"

	"github.com/portalkit/portalkit/customer"
)

// MethodImpersonation is the sign-in method of a session a staff member
// opened as a customer user (Impersonation).
const MethodImpersonation Method = "impersonation"

// MaxImpersonation is the longest an impersonation lasts.
const MaxImpersonation = 15 * time.Minute

// ImpersonationID identifies an impersonation ("imp_" + UUIDv7).
type ImpersonationID string

// Impersonation is a staff member acting as a customer user, for support:
// a session of the user's membership (SessionID), read-only unless the
// staff member chose otherwise, for at most MaxImpersonation, with a
// reason. Everything done in it is recorded as "staff X as user Y"; the
// customer's admins see that it happened, and may forbid it.
type Impersonation struct {
	ID           ImpersonationID
	SessionID    SessionID
	StaffID      StaffID
	UserID       customer.UserID
	MembershipID customer.MembershipID
	CustomerID   customer.ID
	Reason       string
	ReadOnly     bool
	StartedAt    time.Time
	ExpiresAt    time.Time
	// EndedAt is set when the staff member leaves it early.
	EndedAt time.Time
}

// Active reports whether the impersonation still lasts at now.
func (i Impersonation) Active(now time.Time) bool {
	return i.EndedAt.IsZero() && now.Before(i.ExpiresAt)
}
