package identity

import (
	"context"

	"github.com/portalkit/portalkit/customer"
)

// Kind says what sort of caller a principal is.
type Kind string

// Kinds of principals.
const (
	KindStaff  Kind = "staff"   // a provider person
	KindAPIKey Kind = "api_key" // a machine acting for the provider, such as an ERP
	KindUser   Kind = "user"    // a customer's person, acting through one membership
	// KindSCIM is a customer's identity provider provisioning its
	// employees over SCIM with a SCIM token (package hrsync): ID is the
	// token's, CustomerID the customer it belongs to.
	KindSCIM Kind = "scim"
)

// StaffRole is what a staff member or API key may do across all customers.
type StaffRole string

// Staff roles.
const (
	StaffOwner StaffRole = "owner" // everything, including the deployment's own settings
	StaffAdmin StaffRole = "admin" // manages customers, their settings and people
	StaffAgent StaffRole = "agent" // service desk: reads everything, looks after sites and people
)

// Valid reports whether r is a known staff role.
func (r StaffRole) Valid() bool {
	return r == StaffOwner || r == StaffAdmin || r == StaffAgent
}

// Principal is who is calling. Build one with Staff, APIKeyPrincipal or User.
type Principal struct {
	Kind Kind
	// ID is the staff member's, the API key's or the user's ID.
	ID string
	// StaffRole is set for KindStaff and KindAPIKey.
	StaffRole StaffRole
	// ServiceDesk is set for a staff member with the service-desk
	// capability (StaffMember.ServiceDesk), read at every request. API keys
	// count as service desk whatever this says: an integration that works
	// tickets (a helpdesk bridge) is made by an owner on purpose.
	ServiceDesk bool
	// MembershipID and CustomerID are set for KindUser (KindSCIM sets
	// CustomerID only): the membership the
	// user acts through. The role is read from the membership on every call,
	// so a changed or disabled membership takes effect at once.
	MembershipID customer.MembershipID
	CustomerID   customer.ID
	// ReadOnly caps a user principal at viewer rights (read-only access links).
	ReadOnly bool
	// SessionID is the session a user principal comes from, if any, and
	// Method how that session was opened.
	SessionID SessionID
	Method    Method
	// Impersonator is the staff member acting as this user principal
	// (an Impersonation), if any.
	Impersonator StaffID
}

// SCIMPrincipal is a customer's identity provider calling with the SCIM
// token tokenID of customer cid.
func SCIMPrincipal(tokenID string, cid customer.ID) Principal {
	return Principal{Kind: KindSCIM, ID: tokenID, CustomerID: cid}
}

// Actor names the principal in records of who did what: "staff:stf_1",
// "api_key:key_…", "user:usr_…"; a staff member acting as a user is
// "staff:stf_1 as user:usr_…".
func (p Principal) Actor() string {
	if p.Impersonator != "" {
		return string(KindStaff) + ":" + string(p.Impersonator) + " as " + string(p.Kind) + ":" + p.ID
	}
	return string(p.Kind) + ":" + p.ID
}

// Staff returns the principal of a staff member.
func Staff(id string, role StaffRole) Principal {
	return Principal{Kind: KindStaff, ID: id, StaffRole: role}
}

// ServiceDeskStaff returns the principal of a staff member with the
// service-desk capability.
func ServiceDeskStaff(id string, role StaffRole) Principal {
	return Principal{Kind: KindStaff, ID: id, StaffRole: role, ServiceDesk: true}
}

// IsServiceDesk reports whether p may work the ticket queue: a staff
// member with the service-desk capability, or an API key.
func (p Principal) IsServiceDesk() bool {
	return p.IsProvider() && (p.ServiceDesk || p.Kind == KindAPIKey)
}

// APIKeyPrincipal returns the principal of an API key acting as a staff role.
func APIKeyPrincipal(id string, role StaffRole) Principal {
	return Principal{Kind: KindAPIKey, ID: id, StaffRole: role}
}

// User returns the principal of a customer user acting through membership m.
func User(m customer.Membership) Principal {
	return Principal{Kind: KindUser, ID: string(m.UserID), MembershipID: m.ID, CustomerID: m.CustomerID}
}

// IsProvider reports whether p acts for the provider (staff or API key).
func (p Principal) IsProvider() bool {
	return (p.Kind == KindStaff || p.Kind == KindAPIKey) && p.StaffRole.Valid()
}

type ctxKey struct{}

// NewContext returns a copy of ctx carrying p.
func NewContext(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal carried by ctx, if any.
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok && p.Kind != ""
}
