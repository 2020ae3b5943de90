package invite

import (
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// ID identifies an invitation ("inv_" + UUIDv7).
type ID string

// Invitation lifetimes: the default, and the bounds a caller may choose within.
const (
	DefaultInvitationTTL = 7 * 24 * time.Hour
	MinInvitationTTL     = time.Hour
	MaxInvitationTTL     = 30 * 24 * time.Hour
)

// State is where an invitation stands. Expired is derived from the time.
type State string

// Invitation states.
const (
	StatePending  State = "pending"
	StateAccepted State = "accepted"
	StateRevoked  State = "revoked"
	StateExpired  State = "expired"
)

// Valid reports whether s is a known state.
func (s State) Valid() bool {
	return s == StatePending || s == StateAccepted || s == StateRevoked || s == StateExpired
}

// Invitation asks a person, by e-mail address, to join a customer with a role.
type Invitation struct {
	ID         ID
	CustomerID customer.ID
	// Email is normalised (customer.NormalizeEmail).
	Email   string
	Role    customer.Role
	SiteIDs []customer.SiteID
	// Message is an optional personal note from the inviter.
	Message string
	// TokenHash is the hash of the current link's token; resending replaces it.
	TokenHash Hash
	// InvitedBy names the principal who invited ("staff:stf_1", "user:usr_…").
	InvitedBy string
	// FirstAdmin marks the invitation of a customer's first user, who becomes
	// admin whatever Role says.
	FirstAdmin bool
	ExpiresAt  time.Time
	SentCount  int // how many links have been issued: 1 + resends
	AcceptedAt time.Time
	// AcceptedBy is the user who accepted.
	AcceptedBy customer.UserID
	RevokedAt  time.Time
	Version    int64
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// State returns the invitation's state at now.
func (i Invitation) State(now time.Time) State {
	switch {
	case !i.AcceptedAt.IsZero():
		return StateAccepted
	case !i.RevokedAt.IsZero():
		return StateRevoked
	case !now.Before(i.ExpiresAt):
		return StateExpired
	}
	return StatePending
}

// CheckUsable returns nil when the invitation can be accepted, resent or
// revoked at now, and otherwise an error with portalerr.InvitationUsed,
// InvitationRevoked or InvitationExpired.
func (i Invitation) CheckUsable(now time.Time) error {
	switch i.State(now) {
	case StateAccepted:
		return portalerr.New(portalerr.InvitationUsed, "this invitation has already been accepted")
	case StateRevoked:
		return portalerr.New(portalerr.InvitationRevoked, "this invitation has been revoked")
	case StateExpired:
		return portalerr.New(portalerr.InvitationExpired, "this invitation expired at %s; ask for a new one", i.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// OfferedRole returns the role the invitation offers: admin for a
// customer's first user (FirstAdmin), else Role.
func (i Invitation) OfferedRole() customer.Role {
	if i.FirstAdmin {
		return customer.RoleAdmin
	}
	return i.Role
}

// MemberRole returns the role the invitee's membership gets on accepting:
// the offered role, or admin when the customer has no working admin then
// (hasAdmin false; see customer.NewMemberRole).
func (i Invitation) MemberRole(hasAdmin bool) customer.Role {
	return customer.NewMemberRole(i.OfferedRole(), hasAdmin)
}

// CheckResendable returns nil when the invitation may be sent again with a
// new link at now: it is pending or expired. InvitationUsed or
// InvitationRevoked otherwise.
func (i Invitation) CheckResendable(now time.Time) error {
	if i.State(now) == StateExpired {
		return nil
	}
	return i.CheckUsable(now)
}

// Revoke returns the invitation withdrawn at now. Revoking a revoked
// invitation changes nothing; InvitationUsed for an accepted one.
func (i Invitation) Revoke(now time.Time) (Invitation, error) {
	switch i.State(now) {
	case StateAccepted:
		return i, i.CheckUsable(now)
	case StatePending, StateExpired:
		i.RevokedAt = now
	}
	return i, nil
}

// TTL returns the lifetime asked for: DefaultInvitationTTL for zero, or an
// Invalid error on field "expires_in" outside the bounds.
func TTL(d time.Duration) (time.Duration, error) {
	return ttl(d, DefaultInvitationTTL, MinInvitationTTL, MaxInvitationTTL)
}

func ttl(d, def, lo, hi time.Duration) (time.Duration, error) {
	switch {
	case d == 0:
		return def, nil
	case d < lo || d > hi:
		return 0, portalerr.Invalidf("expires_in", "must be between %s and %s", lo, hi)
	}
	return d, nil
}
