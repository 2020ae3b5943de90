package webui

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
)

func TestMercator(t *testing.T) {
	t.Parallel()
	x, y := mercator(customer.GeoPoint{})
	assert.InDelta(t, 0.5, x, 1e-12)
	assert.InDelta(t, 0.5, y, 1e-12)
	// Berlin's tile at zoom 10, as OpenStreetMap numbers it: 550/335.
	x, y = mercator(customer.GeoPoint{Latitude: 52.52, Longitude: 13.405})
	assert.Equal(t, 550, int(math.Floor(x*1024)))
	assert.Equal(t, 335, int(math.Floor(y*1024)))
	_, y = mercator(customer.GeoPoint{Latitude: 90})
	assert.InDelta(t, 0, y, 1e-6, "the poles are clamped to the square world")
}

func TestMapPlacesMarkersAndTiles(t *testing.T) {
	t.Parallel()
	d := mapPage{Sites: []mapSite{
		{Site: customer.Site{Name: "Berlin", Location: &customer.GeoPoint{Latitude: 52.52, Longitude: 13.405}}},
		{Site: customer.Site{Name: "Munich", Location: &customer.GeoPoint{Latitude: 48.137, Longitude: 11.575}}},
		{Site: customer.Site{Name: "Nowhere"}},
	}}
	d.place(DefaultTileURL)
	require.NotNil(t, d.Sites[0].Marker)
	require.NotNil(t, d.Sites[1].Marker)
	assert.Nil(t, d.Sites[2].Marker, "a site without a position is only listed")
	assert.Equal(t, 1, d.UnlocatedOut)
	for _, s := range d.Sites[:2] {
		assert.True(t, s.Marker.X >= mapMargin && s.Marker.X <= mapW-mapMargin, "%s x=%v", s.Name, s.Marker.X)
		assert.True(t, s.Marker.Y >= mapMargin && s.Marker.Y <= mapH-mapMargin, "%s y=%v", s.Name, s.Marker.Y)
	}
	assert.Less(t, d.Sites[1].Marker.X, d.Sites[0].Marker.X, "Munich lies west of Berlin")
	assert.Less(t, d.Sites[0].Marker.Y, d.Sites[1].Marker.Y, "and south of it")
	require.NotEmpty(t, d.Tiles)
	for _, tl := range d.Tiles {
		assert.True(t, strings.HasPrefix(tl.URL, "https://tile.openstreetmap.org/6/"), tl.URL)
		assert.True(t, tl.X > -tileSize && tl.X < mapW && tl.Y > -tileSize && tl.Y < mapH, "a tile covers part of the map: %+v", tl)
	}

	plain := mapPage{Sites: d.Sites[:1]}
	plain.place("")
	assert.Empty(t, plain.Tiles, "no template: a plain background")
	assert.Equal(t, float64(mapW/2), plain.Sites[0].Marker.X, "one site: in the middle")
}
