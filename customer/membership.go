package customer

import (
	"slices"
	"time"

	"github.com/portalkit/portalkit/portalerr"
)

// MembershipID identifies a membership ("mem_" + UUIDv7).
type MembershipID string

// Role is what a user may do in a customer (DynaRent's View, Maintain, Admin).
type Role string

// Roles, from least to most powerful. Each includes the rights of the ones before it.
const (
	RoleViewer     Role = "viewer"     // reads
	RoleMaintainer Role = "maintainer" // also orders, issues and returns stock, opens tickets, edits records
	RoleAdmin      Role = "admin"      // also invites and manages the customer's users
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r includes the rights of min.
func (r Role) AtLeast(min Role) bool { return r.rank() >= min.rank() && min.rank() > 0 }

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleMaintainer:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// MembershipStatus says whether a membership may be used to sign in.
type MembershipStatus string

// Membership statuses.
const (
	MembershipActive   MembershipStatus = "active"
	MembershipDisabled MembershipStatus = "disabled"
)

// Membership puts a user in a customer with a role, optionally limited to
// some of the customer's sites.
type Membership struct {
	ID         MembershipID
	UserID     UserID
	CustomerID ID
	Role       Role
	// SiteIDs limits the membership to these sites; empty means all sites.
	// Kept sorted and without duplicates.
	SiteIDs   []SiteID
	Status    MembershipStatus
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Active reports whether m may be used to sign in and act.
func (m Membership) Active() bool { return m.Status == MembershipActive }

// CheckActive returns nil for an active membership and otherwise a
// FailedPrecondition error naming it.
func (m Membership) CheckActive() error {
	if m.Active() {
		return nil
	}
	return portalerr.New(portalerr.FailedPrecondition, "membership %s is disabled", m.ID)
}

// ActiveAdmin reports whether m counts towards the customer's admins.
func (m Membership) ActiveAdmin() bool {
	return m.Active() && m.Role == RoleAdmin
}

// CheckStanding returns nil when a user may act through membership m: m,
// its user u and its customer c are all active. Otherwise it returns a
// PermissionDenied error addressed to that user, for the first of the three
// that is not active, in that order. That m belongs to u and c is the
// caller's to check.
func CheckStanding(m Membership, u User, c Customer) error {
	switch {
	case !m.Active():
		return portalerr.New(portalerr.PermissionDenied, "your membership is disabled")
	case !u.Active():
		return portalerr.New(portalerr.PermissionDenied, "your account is disabled")
	case !c.Active():
		return portalerr.New(portalerr.PermissionDenied, "your customer account is %s", c.Status)
	}
	return nil
}

// NewMemberRole returns the role a new member of a customer gets when role
// asked was asked for: a customer without a working admin (hasAdmin false)
// makes its new member admin whatever was asked, so that a customer with
// users always has an admin.
func NewMemberRole(asked Role, hasAdmin bool) Role {
	if !hasAdmin {
		return RoleAdmin
	}
	return asked
}

// CoversSite reports whether m may see site s: a membership without sites covers all.
func (m Membership) CoversSite(s SiteID) bool {
	return len(m.SiteIDs) == 0 || slices.Contains(m.SiteIDs, s)
}

// NormalizeSites returns ids sorted and without duplicates.
func NormalizeSites(ids []SiteID) []SiteID {
	out := slices.Clone(ids)
	slices.Sort(out)
	return slices.Compact(out)
}
