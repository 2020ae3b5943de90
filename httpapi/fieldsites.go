package httpapi

import (
	"context"
	"mime"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// maxGeoJSONSites caps a GeoJSON export, as the spec says.
const maxGeoJSONSites = 10_000

// MoveSite implements oapi.StrictServerInterface. If-Match reaches the use
// case as the expected version.
func (s *Server) MoveSite(ctx context.Context, req oapi.MoveSiteRequestObject) (oapi.MoveSiteResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	site, err := s.p.MoveSite(ctx, customer.ID(req.CustomerId), customer.SiteID(req.SiteId),
		portal.MoveSiteParams{To: customer.ID(req.Body.CustomerId), Version: want})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.MoveSite200JSONResponse{Body: siteOut(site), Headers: oapi.MoveSite200ResponseHeaders{ETag: etag(site.Version)}}, nil
}

// acceptsGeoJSON reports whether the request asked for application/geo+json
// by name (a wildcard keeps the default JSON list).
func acceptsGeoJSON(ctx context.Context) bool {
	accept, _ := ctx.Value(acceptKey).([]string)
	for _, h := range accept {
		for _, part := range strings.Split(h, ",") {
			mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
			if err == nil && mt == "application/geo+json" && params["q"] != "0" {
				return true
			}
		}
	}
	return false
}

// sitesGeoJSON answers every site the caller may see of customer cid as a
// GeoJSON FeatureCollection (RFC 7946): page after page of the same use
// case, so the same rules decide what is in it.
func (s *Server) sitesGeoJSON(ctx context.Context, cid customer.ID, params portal.ListSitesParams) (oapi.ListSitesResponseObject, error) {
	out := oapi.ListSites200ApplicationGeoPlusJSONResponse{Type: oapi.SiteFeatureCollectionTypeFeatureCollection, Features: []oapi.SiteFeature{}}
	params.Limit = 100
	for {
		l, err := s.p.ListSites(ctx, cid, params)
		if err != nil {
			return nil, err
		}
		for _, site := range l.Items {
			out.Features = append(out.Features, siteFeature(site))
		}
		if l.NextCursor == "" {
			return out, nil
		}
		if len(out.Features) >= maxGeoJSONSites {
			return nil, portalerr.New(portalerr.Invalid, "the customer has more than %d sites; narrow the export with q", maxGeoJSONSites)
		}
		params.Cursor = l.NextCursor
	}
}

// siteFeature is a site as a GeoJSON Feature: a Point at [longitude,
// latitude], or a null geometry for a site without a position.
func siteFeature(site customer.Site) oapi.SiteFeature {
	f := oapi.SiteFeature{
		Type: oapi.SiteFeatureTypeFeature,
		Id:   string(site.ID),
		Properties: oapi.SiteFeatureProperties{
			Name: site.Name, CustomerId: string(site.CustomerID), ExternalRef: site.ExternalRef,
			Street: site.Address.Line1, PostalCode: site.Address.PostalCode, City: site.Address.City,
			Region: site.Address.Region, Country: site.Address.Country,
		},
	}
	if site.Location != nil {
		f.Geometry = &oapi.PointGeometry{Type: oapi.PointGeometryTypePoint, Coordinates: []float64{site.Location.Longitude, site.Location.Latitude}}
	}
	return f
}

// siteIn turns a site request into the use case's params.
func siteIn(b oapi.SiteRequest, version int64) portal.SiteParams {
	p := portal.SiteParams{Name: b.Name, ExternalRef: b.ExternalRef, Notes: b.Notes, ClearLocation: deref(b.ClearLocation), Version: version}
	if b.Address != nil {
		a := addressIn(*b.Address)
		p.Address = &a
	}
	if b.Location != nil {
		p.Location = &customer.GeoPoint{Latitude: b.Location.Latitude, Longitude: b.Location.Longitude}
	}
	return p
}

// geoPointOut is a site's position, or nil for none.
func geoPointOut(g *customer.GeoPoint) *oapi.GeoPoint {
	if g == nil {
		return nil
	}
	return &oapi.GeoPoint{Latitude: g.Latitude, Longitude: g.Longitude}
}
