package customer

import "time"

// SiteID identifies a site ("sit_" + UUIDv7).
type SiteID string

// Site is a location of a customer: an office, a plant, a building a
// field-service team visits. Memberships may be limited to some sites.
type Site struct {
	ID         SiteID
	CustomerID ID
	// Name is unique within the customer, compared case-insensitively.
	Name string
	// ExternalRef is the site's key in the provider's own systems (ERP,
	// field service); empty when it has none. Not unique: two sites may
	// share a reference while the provider merges its records.
	ExternalRef string
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}
