package customer

import (
	"strings"
	"time"

	"github.com/portalkit/portalkit/portalerr"
)

// ID identifies a customer ("cus_" + UUIDv7).
type ID string

// Status is a customer's lifecycle state.
type Status string

// Customer statuses. Only an active customer's users may use the portal.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended" // users are refused; reversible with reactivation
	StatusArchived  Status = "archived"  // final: kept for history, never active again
)

// MaxDepth is how deep customers may nest: a primary customer (depth 1) may
// have sub-customers down to depth MaxDepth.
const MaxDepth = 4

// Customer is a company account of the provider.
type Customer struct {
	ID           ID
	Name         string
	LegalName    string
	VATID        string
	ContactEmail string
	Phone        string
	Address      Address
	// ExternalRef is the customer's key in the provider's ERP or CRM; unique when set.
	ExternalRef string
	// ParentID is the primary customer of a sub-customer; empty for a top-level customer.
	ParentID ID
	Status   Status
	Features Features
	// Branding is the customer's own look and host name; zero for the
	// provider's.
	Branding Branding
	// Version increases with every stored change; updates must name the version they read.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Address is a postal address. Country is an ISO 3166-1 alpha-2 code.
type Address struct {
	Line1      string `json:"line1" validate:"max=200,singleline"`
	Line2      string `json:"line2" validate:"max=200,singleline"`
	PostalCode string `json:"postal_code" validate:"max=20,singleline"`
	City       string `json:"city" validate:"max=100,singleline"`
	Region     string `json:"region" validate:"max=100,singleline"`
	Country    string `json:"country" validate:"omitempty,iso3166_1_alpha2"`
}

// Normalize trims every field and upper-cases the country code.
func (a Address) Normalize() Address {
	return Address{
		Line1:      strings.TrimSpace(a.Line1),
		Line2:      strings.TrimSpace(a.Line2),
		PostalCode: strings.TrimSpace(a.PostalCode),
		City:       strings.TrimSpace(a.City),
		Region:     strings.TrimSpace(a.Region),
		Country:    strings.ToUpper(strings.TrimSpace(a.Country)),
	}
}

// Active reports whether c's users may use the portal.
func (c Customer) Active() bool { return c.Status == StatusActive }

// CheckActive returns nil for an active customer and otherwise a
// FailedPrecondition error naming its status: a suspended or archived
// customer's portal does nothing for anyone until it is active again.
func (c Customer) CheckActive() error {
	if c.Active() {
		return nil
	}
	return portalerr.New(portalerr.FailedPrecondition, "customer %s is %s", c.ID, c.Status)
}

// Archived reports whether c is archived: kept for history, never changed again.
func (c Customer) Archived() bool { return c.Status == StatusArchived }

// CheckNotArchived returns a FailedPrecondition error for an archived
// customer, which cannot be changed, and nil otherwise.
func (c Customer) CheckNotArchived() error {
	if c.Archived() {
		return portalerr.New(portalerr.FailedPrecondition, "customer %s is archived and cannot be changed", c.ID)
	}
	return nil
}

// Transition returns the status reached from s by moving to next, or a
// FailedPrecondition error when the move is not allowed. Moving to the
// current status is allowed and changes nothing; archived is final.
func (s Status) Transition(next Status) (Status, error) {
	switch {
	case s == next:
		return s, nil
	case s == StatusArchived:
		return s, portalerr.New(portalerr.FailedPrecondition, "customer is archived; an archived customer cannot become %s", next)
	case next == StatusActive, next == StatusSuspended, next == StatusArchived:
		return next, nil
	default:
		return s, portalerr.New(portalerr.Invalid, "unknown customer status %q", next)
	}
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusActive || s == StatusSuspended || s == StatusArchived
}
