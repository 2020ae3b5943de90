package webui_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// Staff give a site an address and a position, move it to another
// customer (its membership limits cleaned), and see a customer's jobs.
func TestConsoleFieldService(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	other := c.customer(t, "Globex", customer.FeaturesPatch{})
	path := "/console/customers/" + string(cu.ID) + "/sites"
	pg := c.br.post(path, url.Values{"name": {"Depot"}, "street": {"Hafenstraße 1"}, "city": {"Hamburg"}, "country": {"de"},
		"latitude": {"53.54"}, "longitude": {"north"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status, "a coordinate that is no number")
	pg = c.br.post(path, url.Values{"name": {"Depot"}, "street": {"Hafenstraße 1"}, "city": {"Hamburg"}, "country": {"de"},
		"latitude": {"53.54"}, "longitude": {"9.98"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "Hafenstraße 1")
	sites, err := c.p.ListSites(c.owner, cu.ID, portal.ListSitesParams{})
	require.NoError(t, err)
	require.Len(t, sites.Items, 1)
	s := sites.Items[0]
	assert.Equal(t, &customer.GeoPoint{Latitude: 53.54, Longitude: 9.98}, s.Location)
	assert.Equal(t, "DE", s.Address.Country)

	_, _, err = c.p.PutJob(c.owner, cu.ID, portal.JobParams{SiteID: s.ID, Type: "repair", Title: "Boiler check", PlannedAt: c.p.Now().Add(-time.Hour)})
	require.NoError(t, err)
	pg = c.br.get("/console/customers/" + string(cu.ID) + "/jobs")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "Boiler check")
	assert.Contains(t, pg.Body, "Depot")

	pg = c.br.post(path+"/"+string(s.ID)+"/move", url.Values{"customer_id": {string(other.ID)}, "version": {"1"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	moved, err := c.p.GetSite(c.owner, other.ID, s.ID)
	require.NoError(t, err)
	assert.Equal(t, other.ID, moved.CustomerID)
	pg = c.br.get("/console/customers/" + string(cu.ID) + "/jobs")
	assert.Contains(t, pg.Body, "Boiler check", "the job's history stays with Acme")
}
