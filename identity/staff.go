package identity

import (
	"time"

	"github.com/portalkit/portalkit/portalerr"
)

// StaffID identifies a staff member ("stf_" + UUIDv7).
type StaffID string

// StaffStatus is where a staff member stands.
type StaffStatus string

// Staff statuses.
const (
	// StaffInvited: created, not yet signed in. The invitation link (or a
	// login link) activates the member on first use.
	StaffInvited StaffStatus = "invited"
	// StaffActive: may sign in.
	StaffActive StaffStatus = "active"
	// StaffDisabled: may not sign in; sessions end at their next request.
	StaffDisabled StaffStatus = "disabled"
)

// StaffMember is a provider person who signs in to the console: an owner,
// admin or agent. Integrations act through API keys instead.
type StaffMember struct {
	ID StaffID
	// Email is normalised and unique among staff members, compared ignoring case.
	Email  string
	Name   string
	Role   StaffRole
	Status StaffStatus
	// ServiceDesk is the service-desk capability: the member works the
	// ticket queue (transitions, assignment, internal notes). It is a flag
	// beside the role, not a role: an admin needs it as much as an agent.
	ServiceDesk bool
	// InvitedBy is the actor who invited the member ("staff:stf_…",
	// "api_key:key_…", "system:bootstrap"), kept as a record.
	InvitedBy string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Principal returns the principal of the member acting through session sid.
func (m StaffMember) Principal(sid SessionID, method Method) Principal {
	return Principal{Kind: KindStaff, ID: string(m.ID), StaffRole: m.Role, ServiceDesk: m.ServiceDesk, SessionID: sid, Method: method}
}

// ActiveOwner reports whether m counts towards the owners a deployment
// must keep.
func (m StaffMember) ActiveOwner() bool { return m.Status == StaffActive && m.Role == StaffOwner }

// CanSignIn reports whether m may open a session: not when disabled. An
// invited member signs in with a link, which activates it (Activate).
func (m StaffMember) CanSignIn() bool {
	return m.Status == StaffActive || m.Status == StaffInvited
}

// Activate makes an invited member active at now; other statuses stay.
func (m *StaffMember) Activate(now time.Time) {
	if m.Status == StaffInvited {
		m.Status, m.UpdatedAt = StaffActive, now
	}
}

// Disable disables m at now. FailedPrecondition when it is disabled already.
func (m *StaffMember) Disable(now time.Time) error {
	if m.Status == StaffDisabled {
		return portalerr.New(portalerr.FailedPrecondition, "staff member %s is disabled already", m.ID)
	}
	m.Status, m.UpdatedAt = StaffDisabled, now
	return nil
}

// Enable makes a disabled member active again at now. FailedPrecondition
// when it is not disabled.
func (m *StaffMember) Enable(now time.Time) error {
	if m.Status != StaffDisabled {
		return portalerr.New(portalerr.FailedPrecondition, "staff member %s is not disabled", m.ID)
	}
	m.Status, m.UpdatedAt = StaffActive, now
	return nil
}

var errOwnersOnly = portalerr.New(portalerr.PermissionDenied, "only owners may invite owners or change an owner")

// CheckStaffGrant fails with PermissionDenied unless a caller of role actor
// may give a member the role: only owners give the owner role.
func CheckStaffGrant(actor, role StaffRole) error {
	if role == StaffOwner && actor != StaffOwner {
		return errOwnersOnly
	}
	return nil
}

// CheckStaffManage fails with PermissionDenied unless a caller of role
// actor may change, disable or enable member m: only owners touch owners.
func CheckStaffManage(actor StaffRole, m StaffMember) error {
	if m.Role == StaffOwner && actor != StaffOwner {
		return errOwnersOnly
	}
	return nil
}

// CheckKeepsOwner fails with FailedPrecondition when changing before into
// after would leave no active owner; activeOwners counts the active owners
// before the change, before included.
func CheckKeepsOwner(before, after StaffMember, activeOwners int) error {
	if before.ActiveOwner() && !after.ActiveOwner() && activeOwners <= 1 {
		return portalerr.New(portalerr.FailedPrecondition, "staff member %s is the last active owner; make another member owner first", before.ID)
	}
	return nil
}

// StaffLinkID identifies a staff sign-in link ("stl_" + UUIDv7).
type StaffLinkID string

// StaffLinkPurpose says why a staff sign-in link was sent.
type StaffLinkPurpose string

// Staff link purposes. Both sign in once; they differ in lifetime and mail.
const (
	StaffLinkInvitation StaffLinkPurpose = "invitation"
	StaffLinkLogin      StaffLinkPurpose = "login"
)

// StaffLink signs a staff member in once, before ExpiresAt: the link of an
// invitation or of a login-link request. A newer link for the same member
// ends older ones. Its token is mailed once; only its hash is stored.
type StaffLink struct {
	ID        StaffLinkID
	StaffID   StaffID
	Purpose   StaffLinkPurpose
	TokenHash string
	ExpiresAt time.Time
	UsedAt    time.Time
	CreatedAt time.Time
}

// Method is the sign-in method a session opened with l records.
func (l StaffLink) Method() Method {
	if l.Purpose == StaffLinkInvitation {
		return MethodInvitation
	}
	return MethodLoginLink
}
