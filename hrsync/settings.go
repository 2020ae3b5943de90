package hrsync

import (
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// MaxFilterValues is how many locations or departments a Filter may name.
const MaxFilterValues = 100

// Filter keeps only the employees of some locations and/or departments in
// a sync. An empty list does not filter; with both lists set, an employee
// must match both. Values match case-insensitively. An employee the filter
// drops counts as not in the source: a stored one leaves (locked or
// removed) like any leaver.
type Filter struct {
	Locations   []string `json:"locations,omitempty"`
	Departments []string `json:"departments,omitempty"`
}

// IsZero reports whether f keeps everyone.
func (f Filter) IsZero() bool { return len(f.Locations) == 0 && len(f.Departments) == 0 }

// Normalize trims every value, drops empty ones and duplicates (ignoring
// case), and sorts them.
func (f Filter) Normalize() Filter {
	clean := func(in []string) []string {
		var out []string
		seen := map[string]bool{}
		for _, v := range in {
			v = strings.TrimSpace(v)
			if v == "" || seen[strings.ToLower(v)] {
				continue
			}
			seen[strings.ToLower(v)] = true
			out = append(out, v)
		}
		slices.Sort(out)
		return out
	}
	return Filter{Locations: clean(f.Locations), Departments: clean(f.Departments)}
}

// Validate returns Invalid for too many values or one too long.
func (f Filter) Validate() error {
	check := func(field string, in []string) error {
		if len(in) > MaxFilterValues {
			return portalerr.Invalidf(field, "names at most %d values", MaxFilterValues)
		}
		for _, v := range in {
			if len([]rune(v)) > MaxField {
				return portalerr.Invalidf(field, "value %q is longer than %d characters", v, MaxField)
			}
		}
		return nil
	}
	if err := check("locations", f.Locations); err != nil {
		return err
	}
	return check("departments", f.Departments)
}

// Keeps reports whether r passes the filter.
func (f Filter) Keeps(r Record) bool {
	in := func(list []string, v string) bool {
		if len(list) == 0 {
			return true
		}
		for _, x := range list {
			if strings.EqualFold(x, v) {
				return true
			}
		}
		return false
	}
	return in(f.Locations, r.Location) && in(f.Departments, r.Department)
}

// Apply returns the records f keeps (in as it is for a zero filter).
func (f Filter) Apply(in []Record) []Record {
	if f.IsZero() {
		return in
	}
	out := make([]Record, 0, len(in))
	for _, r := range in {
		if f.Keeps(r) {
			out = append(out, r)
		}
	}
	return out
}

// Settings are a customer's HR sync settings.
type Settings struct {
	CustomerID customer.ID `json:"customer_id"`
	// Filter keeps only some employees in every sync of the customer.
	Filter Filter `json:"filter"`
	// InviteEmployees: applying a sync invites each employee it creates
	// who has an e-mail address as a viewer of the customer's portal.
	InviteEmployees bool      `json:"invite_employees"`
	UpdatedBy       string    `json:"updated_by,omitempty"`
	UpdatedAt       time.Time `json:"updated_at"`
}
