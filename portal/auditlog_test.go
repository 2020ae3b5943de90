package portal

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
)

// TestFieldChanges: the changed fields only, snake_case and nested ones
// dotted, never bookkeeping fields and never secrets, whatever changed.
func TestFieldChanges(t *testing.T) {
	type inner struct{ City string }
	type thing struct {
		Name         string
		SiteID       customer.SiteID
		Address      inner
		DueAt        time.Time
		Limit        *int
		ClientSecret string
		TokenHash    []byte
		Password     string
		APIKey       string
		Version      int64
		UpdatedAt    time.Time
		hidden       string
	}
	due := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	two := 2
	before := thing{Name: "a", SiteID: "sit_1", Address: inner{City: "Berlin"}, ClientSecret: "s1", TokenHash: []byte{1},
		Password: "p1", APIKey: "k1", Version: 1, UpdatedAt: due, hidden: "x"}
	after := thing{Name: "b", SiteID: "sit_1", Address: inner{City: "Bonn"}, DueAt: due, Limit: &two, ClientSecret: "s2", TokenHash: []byte{2},
		Password: "p2", APIKey: "k2", Version: 2, UpdatedAt: due.Add(time.Hour), hidden: "y"}
	assert.Equal(t, []audit.Change{
		{Field: "name", Before: "a", After: "b"},
		{Field: "address.city", Before: "Berlin", After: "Bonn"},
		{Field: "due_at", Before: "", After: "2026-12-07T10:00:00Z"},
		{Field: "limit", Before: "", After: "2"},
	}, fieldChanges(before, after))
	assert.Empty(t, fieldChanges(before, before), "nothing changed")
	assert.Empty(t, fieldChanges(before, inner{}), "values of different types are not compared")
	assert.Equal(t, "site_id", snake("SiteID"))
	assert.Equal(t, "vat_id", snake("VATID"))
	assert.Equal(t, "auto_confirm_orders", snake("AutoConfirmOrders"))
}
