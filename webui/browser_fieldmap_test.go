package webui_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/webui"
)

// TestBrowserSiteMap is the field-service story in Chromium: a primary
// customer's viewer opens the site map, sees its two sub-customers'
// sites as markers and in the list, not a sibling's, follows a marker to
// the site page with its jobs and visits, and narrows the date range. The
// map has no tiles here (no network): the markers stand on the plain
// background.
func TestBrowserSiteMap(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t, webui.WithMapTiles("", ""))
	on := true
	live := customer.FeaturesPatch{Jobs: &on, Visits: &on}
	mk := func(name string, parent customer.ID, lat, lon float64) (customer.Customer, customer.Site) {
		c, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{Name: name, ParentID: parent, Features: live})
		require.NoError(t, err)
		site, err := s.p.CreateSite(s.staff, c.ID, portal.SiteParams{Name: name + " depot",
			Address: &customer.Address{City: name + " city"}, Location: &customer.GeoPoint{Latitude: lat, Longitude: lon}})
		require.NoError(t, err)
		j, _, err := s.p.PutJob(s.staff, c.ID, portal.JobParams{SiteID: site.ID, Type: "maintenance", Title: name + " boiler check",
			PlannedAt: s.p.Now().AddDate(0, 0, -3)})
		require.NoError(t, err)
		_, _, err = s.p.PutVisit(s.staff, c.ID, j.ID, portal.VisitParams{Technician: "Tess", StartedAt: s.p.Now().AddDate(0, 0, -3), Report: name + " all fine"})
		require.NoError(t, err)
		return c, site
	}
	primary, _ := mk("Primary", "", 52.52, 13.40)
	north, northSite := mk("North", primary.ID, 53.55, 9.99)
	mk("South", primary.ID, 48.14, 11.58)
	other, _ := mk("Other", "", 50.94, 6.96)
	mk("Sibling", other.ID, 51.23, 6.78)
	// The first member of a customer is its admin whatever the role asked
	// for; Vic comes second, and is a viewer.
	_, err := s.p.AddMember(s.staff, primary.ID, portal.AddMemberParams{Email: "ada@primary.example", Name: "Ada Admin", Role: customer.RoleAdmin})
	require.NoError(t, err)
	vicM, err := s.p.AddMember(s.staff, primary.ID, portal.AddMemberParams{Email: "vic@primary.example", Name: "Vic Viewer", Role: customer.RoleViewer})
	require.NoError(t, err)
	require.Equal(t, customer.RoleViewer, vicM.Role)

	vic := s.newVisitor(t, "vic (primary's viewer)")
	signInByLink(t, vic, "vic@primary.example")
	v := vic.in(t)
	v.click(`.top nav a[href="/sites"]`)
	v.requireStatus(200)
	v.screenshot("sites-desktop")
	list := v.text(`.map-list table`)
	for _, want := range []string{"Primary depot", "North depot", "South depot"} {
		assert.Contains(t, list, want)
	}
	assert.NotContains(t, v.body(), "Sibling depot", "never a sibling's")
	assert.NotContains(t, v.body(), "Other depot", "nor another primary's")
	markers := eval[[]string](v, `[...document.querySelectorAll("svg a.marker")].map(a => a.getAttribute("aria-label"))`)
	assert.Len(t, markers, 3, "one marker per located site: %v", markers)
	assert.Contains(t, strings.Join(markers, "|"), "North depot")
	// The markers lie inside the map, west to east as the sites do.
	xs := eval[map[string]float64](v, `Object.fromEntries([...document.querySelectorAll("svg a.marker")].map(a =>
		[a.getAttribute("aria-label").replace(/^\d+\. /, ""), +a.querySelector("circle").getAttribute("cx")]))`)
	assert.Less(t, xs["North depot"], xs["South depot"], "Hamburg lies west of Munich")
	assert.Less(t, xs["South depot"], xs["Primary depot"], "Munich lies west of Berlin")
	for name, x := range xs {
		assert.True(t, x > 0 && x < 800, "%s at x=%v is on the map", name, x)
	}

	v.click(`svg a.marker[aria-label$="North depot"]`)
	v.requireStatus(200)
	assert.Equal(t, "/sites/"+string(northSite.ID), v.location().Path)
	assert.Equal(t, string(north.ID), v.location().Query().Get("c"))
	assert.Contains(t, v.text(`h1`), "North depot")
	assert.Contains(t, v.body(), "North boiler check")
	assert.Contains(t, v.body(), "North all fine")
	v.screenshot("site-desktop")

	// A range before the work leaves the site's lists empty.
	v.typeInto(`input[name=from]`, "2020-01-01")
	v.typeInto(`input[name=to]`, "2020-01-31")
	v.click(`main form.inline button`)
	v.requireStatus(200)
	assert.Contains(t, v.body(), "No jobs in this range.")
	assert.Equal(t, string(north.ID), v.location().Query().Get("c"), "still the sub-customer's site")

	// A sibling's site is not there, even asked for by its address.
	v.open("/sites/" + string(northSite.ID) + "?c=" + string(other.ID))
	v.requireStatus(404)
}
