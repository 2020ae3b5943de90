package customer

import (
	"time"

	"github.com/portalkit/portalkit/portalerr"
)

// Grant is a staff owner's decision about one paid capability of one
// customer.
type Grant string

// Grants.
const (
	// GrantDefault follows the provider-wide entitlement (portal.Config).
	GrantDefault Grant = "default"
	// GrantGranted licenses the customer whatever the provider default.
	GrantGranted Grant = "granted"
	// GrantRevoked withholds the capability whatever the provider default.
	GrantRevoked Grant = "revoked"
)

// Valid reports whether g is one of the grants.
func (g Grant) Valid() bool {
	return g == GrantDefault || g == GrantGranted || g == GrantRevoked
}

// decide returns what g means given the provider default def.
func (g Grant) decide(def bool) bool {
	switch g {
	case GrantGranted:
		return true
	case GrantRevoked:
		return false
	}
	return def
}

// Licenses are the per-customer grants of paid capabilities. A customer
// without stored licenses has every grant at GrantDefault.
type Licenses struct {
	CustomerID ID
	// HRSync decides whether the customer's hr_sync feature may be on.
	HRSync Grant
	// UpdatedBy names who changed them last, as identity.Principal.Actor
	// returns it; empty while nobody has.
	UpdatedBy string
	UpdatedAt time.Time
}

// DefaultLicenses are the licenses of a customer nobody has changed.
func DefaultLicenses(id ID) Licenses { return Licenses{CustomerID: id, HRSync: GrantDefault} }

// Entitlements returns the capabilities the customer holds when the
// provider-wide entitlements are def.
func (l Licenses) Entitlements(def Entitlements) Entitlements {
	return Entitlements{HRSync: l.HRSync.decide(def.HRSync)}
}

// Change returns l with hr_sync set to g, checked against the customer's
// features f and the provider default def: Invalid for an unknown grant,
// FailedPrecondition when the change would withdraw hr_sync while the
// customer's hr_sync feature is on (turn the feature off first, so that a
// licence change never silently stops a running sync).
func (l Licenses) Change(g Grant, f Features, def Entitlements) (Licenses, error) {
	if !g.Valid() {
		return l, portalerr.Invalidf("hr_sync", "must be one of: default, granted, revoked")
	}
	next := l
	next.HRSync = g
	if f.HRSync && !next.Entitlements(def).HRSync {
		return l, &portalerr.Error{Code: portalerr.FailedPrecondition,
			Message: "the customer's hr_sync feature is on: turn it off before withdrawing the licence",
			Fields:  []portalerr.FieldViolation{{Field: "hr_sync", Message: "the hr_sync feature is still on"}}}
	}
	return next, nil
}
