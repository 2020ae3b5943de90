package httpapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// A site's address, position and notes go in and come out through the
// client; a position off the globe is refused with the field named.
func TestSiteAddressOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, _ := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	notes := "Gate 3"
	site := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Hamburg",
		Address:  &client.Address{Line1: ptr("Hafenstraße 14"), PostalCode: ptr("20457"), City: ptr("Hamburg"), Country: ptr("de")},
		Location: &client.GeoPoint{Latitude: 53.5413, Longitude: 9.9841}, Notes: &notes}))(t).JSON201
	assert.Equal(t, "DE", *site.Address.Country)
	require.NotNil(t, site.Location)
	assert.Equal(t, client.GeoPoint{Latitude: 53.5413, Longitude: 9.9841}, *site.Location)
	assert.Equal(t, "Gate 3", site.Notes)

	r, err := owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Pole", Location: &client.GeoPoint{Latitude: 91, Longitude: 0}})
	fails(r, err)(t, http.StatusBadRequest, client.ProblemCodeInvalid)

	found := must(owner.ListSitesWithResponse(ctx, cid, &client.ListSitesParams{Q: ptr("hamb")}))(t).JSON200
	require.Len(t, found.Items, 1)
	assert.Equal(t, site.Id, found.Items[0].Id)
}

// With Accept: application/geo+json a site list is a GeoJSON
// FeatureCollection (RFC 7946): longitude first, a null geometry for a
// site without a position, and only what the caller may see.
func TestSitesGeoJSON(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	other, _ := e.onboard(t, "Globex", "gus@globex.example", nil)
	hq := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "HQ",
		Address: &client.Address{Line1: ptr("Hafenstraße 14"), City: ptr("Hamburg"), Country: ptr("DE")}, Location: &client.GeoPoint{Latitude: 53.5, Longitude: 9.9}}))(t).JSON201
	bare := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Somewhere"}))(t).JSON201
	must(owner.CreateSiteWithResponse(ctx, other, nil, client.SiteRequest{Name: "Theirs", Location: &client.GeoPoint{Latitude: 1, Longitude: 2}}))(t)

	res, body := e.do(t, http.MethodGet, "/v1/customers/"+cid+"/sites?limit=1", ada.Token, nil, map[string]string{"Accept": "application/geo+json"})
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", body)
	assert.Equal(t, "application/geo+json", res.Header.Get("Content-Type"))
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Type     string          `json:"type"`
			ID       string          `json:"id"`
			Geometry json.RawMessage `json:"geometry"`
			Props    map[string]any  `json:"properties"`
		} `json:"features"`
	}
	require.NoError(t, json.Unmarshal(body, &fc))
	assert.Equal(t, "FeatureCollection", fc.Type)
	require.Len(t, fc.Features, 2, "every site, whatever the limit")
	assert.Equal(t, "Feature", fc.Features[0].Type)
	assert.Equal(t, hq.Id, fc.Features[0].ID)
	assert.JSONEq(t, `{"type":"Point","coordinates":[9.9,53.5]}`, string(fc.Features[0].Geometry), "longitude, then latitude")
	assert.Equal(t, "HQ", fc.Features[0].Props["name"])
	assert.Equal(t, "Hafenstraße 14", fc.Features[0].Props["street"])
	assert.Equal(t, bare.Id, fc.Features[1].ID)
	assert.JSONEq(t, `null`, string(fc.Features[1].Geometry), "no position: a null geometry")
	assert.NotContains(t, string(body), "Theirs")

	// Another customer's export is 404 for a customer user, as any list.
	res, body = e.do(t, http.MethodGet, "/v1/customers/"+other+"/sites", ada.Token, nil, map[string]string{"Accept": "application/geo+json"})
	assert.Equal(t, http.StatusNotFound, res.StatusCode, "body: %s", body)
	// Without asking for it, the usual JSON page.
	res, body = e.do(t, http.MethodGet, "/v1/customers/"+cid+"/sites?limit=1", ada.Token, nil, map[string]string{"Accept": "*/*"})
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/json", res.Header.Get("Content-Type"))
	assert.Contains(t, string(body), `"next_cursor"`)
}
