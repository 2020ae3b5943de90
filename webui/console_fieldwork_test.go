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

// Staff edit a site's address, position, reference and notes on its
// page; a refused form shows the fields at fault and what was typed, and
// changes nothing; the list's rename leaves the rest as it is; the list
// searches by name, city and reference.
func TestConsoleEditsSite(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	path := "/console/customers/" + string(cu.ID) + "/sites"
	pg := c.br.post(path, url.Values{"name": {"Depot"}, "city": {"Hamburg"}, "notes": {"Ring twice."}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	sites, err := c.p.ListSites(c.owner, cu.ID, portal.ListSitesParams{})
	require.NoError(t, err)
	require.Len(t, sites.Items, 1)
	s := sites.Items[0]
	assert.Equal(t, "Ring twice.", s.Notes, "notes on create")
	_, err = c.p.CreateSite(c.owner, cu.ID, portal.SiteParams{Name: "Office", ExternalRef: ptrTo("OF-7"), Address: &customer.Address{City: "Berlin"}})
	require.NoError(t, err)

	edit := path + "/" + string(s.ID)
	pg = c.br.get(edit)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, `name="version" value="1"`)
	assert.Contains(t, pg.Body, `value="Hamburg"`)
	assert.Contains(t, pg.Body, `>Ring twice.</textarea>`)

	form := url.Values{"version": {"1"}, "name": {"Depot Nord"}, "external_ref": {"DN-1"}, "street": {"Hafenstraße 1"}, "line2": {"Tor 3"},
		"postal_code": {"20457"}, "city": {"Hamburg"}, "region": {"HH"}, "country": {"Deutschland"}, "latitude": {"95"}, "longitude": {"9.98"},
		"notes": {"Ring once."}}
	pg = c.br.post(edit, form)
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	assert.Regexp(t, `name="country"[^>]*aria-invalid="true"`, pg.Body, "the country is at fault")
	assert.Regexp(t, `name="latitude"[^>]*aria-invalid="true"`, pg.Body, "and the latitude")
	assert.NotRegexp(t, `name="city"[^>]*aria-invalid`, pg.Body)
	assert.Contains(t, pg.Body, `value="Depot Nord"`, "what was typed is kept")
	assert.Contains(t, pg.Body, `>Ring once.</textarea>`)
	got, err := c.p.GetSite(c.owner, cu.ID, s.ID)
	require.NoError(t, err)
	assert.Equal(t, s, got, "a refused form changes nothing")

	form.Set("country", "de")
	form.Set("latitude", "53.54")
	pg = c.br.post(edit, form)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, path, pg.Path)
	got, err = c.p.GetSite(c.owner, cu.ID, s.ID)
	require.NoError(t, err)
	assert.Equal(t, "Depot Nord", got.Name)
	assert.Equal(t, "DN-1", got.ExternalRef)
	assert.Equal(t, customer.Address{Line1: "Hafenstraße 1", Line2: "Tor 3", PostalCode: "20457", City: "Hamburg", Region: "HH", Country: "DE"}, got.Address)
	assert.Equal(t, &customer.GeoPoint{Latitude: 53.54, Longitude: 9.98}, got.Location)
	assert.Equal(t, "Ring once.", got.Notes)
	assert.Equal(t, int64(2), got.Version)

	form.Set("notes", "Stale.")
	pg = c.br.post(edit, form) // still version 1
	assert.Equal(t, http.StatusConflict, pg.Status, "a stale form")
	form.Del("version")
	pg = c.br.post(edit, form)
	assert.Equal(t, http.StatusBadRequest, pg.Status, "a form without its version")
	again, err := c.p.GetSite(c.owner, cu.ID, s.ID)
	require.NoError(t, err)
	assert.Equal(t, got, again, "neither changed anything")

	pg = c.br.post(edit, url.Values{"version": {"2"}, "name": {"Depot Nordost"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	renamed, err := c.p.GetSite(c.owner, cu.ID, s.ID)
	require.NoError(t, err)
	assert.Equal(t, "Depot Nordost", renamed.Name)
	assert.Equal(t, got.Address, renamed.Address, "the list's rename keeps the rest")
	assert.Equal(t, got.Location, renamed.Location)
	assert.Equal(t, "DN-1", renamed.ExternalRef)

	pg = c.br.post(edit, url.Values{"version": {"3"}, "name": {"Depot Nordost"}, "latitude": {""}, "longitude": {""}, "external_ref": {""}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	cleared, err := c.p.GetSite(c.owner, cu.ID, s.ID)
	require.NoError(t, err)
	assert.Nil(t, cleared.Location, "empty coordinates remove the position")
	assert.Empty(t, cleared.ExternalRef)

	for q, want := range map[string]string{"nordost": "Depot Nordost", "berlin": "Office", "OF-7": "Office"} {
		pg = c.br.get(path + "?q=" + url.QueryEscape(q))
		require.Equal(t, http.StatusOK, pg.Status, pg.Body)
		assert.Contains(t, pg.Body, `value="`+q+`"`, "the search box keeps %q", q)
		for _, name := range []string{"Depot Nordost", "Office"} {
			if name == want {
				assert.Contains(t, pg.Body, `value="`+name+`"`, "%q finds %s", q, name)
			} else {
				assert.NotContains(t, pg.Body, `value="`+name+`"`, "%q does not find %s", q, name)
			}
		}
	}
	pg = c.br.get(path + "?q=paris")
	assert.Contains(t, pg.Body, "No sites match.")
}
