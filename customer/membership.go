package customer

import (
	"slices"
	"time"
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

// ActiveAdmin reports whether m counts towards the customer's admins.
func (m Membership) ActiveAdmin() bool {
	return m.Status == MembershipActive && m.Role == RoleAdmin
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
