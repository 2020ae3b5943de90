package customer

import (
	"math"
	"time"

	"github.com/portalkit/portalkit/portalerr"
)

// SiteID identifies a site ("sit_" + UUIDv7).
type SiteID string

// Site is a location of a customer: an office, a plant, a building a
// field-service team visits. Memberships may be limited to some sites.
//
// A site exists on its own: staff may move it to another customer
// (MoveSite in package portal), and what happened there before stays with
// the customer it happened for.
type Site struct {
	ID         SiteID
	CustomerID ID
	// Name is unique within the customer, compared case-insensitively.
	Name string
	// ExternalRef is the site's key in the provider's own systems (ERP,
	// field service); empty when it has none. Not unique: two sites may
	// share a reference while the provider merges its records.
	ExternalRef string
	// Address is where the site is: Line1 is the street and number.
	Address Address
	// Location is the site's position on the map; nil when it has none.
	Location *GeoPoint
	// Notes are free text for the people who go there (access, parking).
	Notes     string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GeoPoint is a position on the WGS 84 ellipsoid in decimal degrees, as
// GPS receivers and GeoJSON (RFC 7946) give it.
type GeoPoint struct {
	// Latitude is north of the equator, -90 to 90.
	Latitude float64 `json:"latitude"`
	// Longitude is east of Greenwich, -180 to 180.
	Longitude float64 `json:"longitude"`
}

// Validate returns an Invalid error naming the field ("latitude",
// "longitude") that is out of range or not a number, and nil for a point
// on the globe.
func (g GeoPoint) Validate() error {
	var bad []portalerr.FieldViolation
	if math.IsNaN(g.Latitude) || g.Latitude < -90 || g.Latitude > 90 {
		bad = append(bad, portalerr.FieldViolation{Field: "latitude", Message: "must be between -90 and 90"})
	}
	if math.IsNaN(g.Longitude) || g.Longitude < -180 || g.Longitude > 180 {
		bad = append(bad, portalerr.FieldViolation{Field: "longitude", Message: "must be between -180 and 180"})
	}
	return portalerr.InvalidFields(bad...)
}

// CheckMoveTo returns nil when s may move to customer to: it must be
// another customer than s's own (Invalid otherwise).
func (s Site) CheckMoveTo(to ID) error {
	if to == s.CustomerID {
		return &portalerr.Error{Code: portalerr.Invalid, Message: "the site already belongs to this customer",
			Fields: []portalerr.FieldViolation{{Field: "customer_id", Message: "is the site's own customer"}}}
	}
	return nil
}
