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
	Name      string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}
