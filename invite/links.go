package invite

import (
	"time"

	"github.com/portalkit/portalkit/customer"
)

// LoginLinkID identifies a one-time login link ("lnk_" + UUIDv7).
type LoginLinkID string

// LoginLinkTTL is how long a one-time e-mail login link works.
const LoginLinkTTL = 15 * time.Minute

// LoginLink signs a user in once, within LoginLinkTTL. A newer link for the
// same user ends older ones.
type LoginLink struct {
	ID        LoginLinkID
	UserID    customer.UserID
	TokenHash Hash
	ExpiresAt time.Time
	// UsedAt is set when the link is used or superseded.
	UsedAt    time.Time
	CreatedAt time.Time
}

// Usable reports whether the link still signs in at now: neither used nor
// superseded, and not expired. Storage translates this rule into the
// statement that consumes a link, so that two uses cannot both succeed.
func (l LoginLink) Usable(now time.Time) bool {
	return l.UsedAt.IsZero() && now.Before(l.ExpiresAt)
}

// AccessLinkID identifies an access link ("acl_" + UUIDv7).
type AccessLinkID string

// Access link lifetimes: the default (the field-service seed's six months) and the bounds.
const (
	DefaultAccessLinkTTL = 183 * 24 * time.Hour
	MinAccessLinkTTL     = 24 * time.Hour
	MaxAccessLinkTTL     = 366 * 24 * time.Hour
)

// AccessLink is a long-lived, reusable link that signs in as one membership
// (the field-service seed's "login via link"). It is weaker than a login, so
// a customer must allow access links, and a link may be read-only, which
// caps its sessions at viewer rights.
type AccessLink struct {
	ID           AccessLinkID
	MembershipID customer.MembershipID
	CustomerID   customer.ID
	TokenHash    Hash
	ReadOnly     bool
	TTL          time.Duration // the lifetime each refresh grants
	ExpiresAt    time.Time
	DisabledAt   time.Time
	CreatedBy    string // the principal who created it
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// AccessLinkTTL returns the lifetime asked for: DefaultAccessLinkTTL for
// zero, or an Invalid error on field "expires_in" outside the bounds.
func AccessLinkTTL(d time.Duration) (time.Duration, error) {
	return ttl(d, DefaultAccessLinkTTL, MinAccessLinkTTL, MaxAccessLinkTTL)
}

// Usable reports whether the link signs in at now.
func (l AccessLink) Usable(now time.Time) bool {
	return l.DisabledAt.IsZero() && now.Before(l.ExpiresAt)
}
