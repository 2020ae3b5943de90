package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// ListSites implements oapi.StrictServerInterface.
func (s *Server) ListSites(ctx context.Context, req oapi.ListSitesRequestObject) (oapi.ListSitesResponseObject, error) {
	var params portal.ListSitesParams
	params.Search = deref(req.Params.Q)
	if acceptsGeoJSON(ctx) {
		return s.sitesGeoJSON(ctx, customer.ID(req.CustomerId), params)
	}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListSites(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ListSites200JSONResponse{Items: sitesOut(l.Items), NextCursor: l.NextCursor}, nil
}

// CreateSite implements oapi.StrictServerInterface. The middleware handles its
// Idempotency-Key header (serveIdempotent).
func (s *Server) CreateSite(ctx context.Context, req oapi.CreateSiteRequestObject) (oapi.CreateSiteResponseObject, error) {
	site, err := s.p.CreateSite(ctx, customer.ID(req.CustomerId), siteIn(*req.Body, 0))
	if err != nil {
		return nil, err
	}
	return oapi.CreateSite201JSONResponse{Body: siteOut(site), Headers: oapi.CreateSite201ResponseHeaders{ETag: etag(site.Version)}}, nil
}

// GetSite implements oapi.StrictServerInterface.
func (s *Server) GetSite(ctx context.Context, req oapi.GetSiteRequestObject) (oapi.GetSiteResponseObject, error) {
	site, err := s.p.GetSite(ctx, customer.ID(req.CustomerId), customer.SiteID(req.SiteId))
	if err != nil {
		return nil, err
	}
	return oapi.GetSite200JSONResponse{Body: siteOut(site), Headers: oapi.GetSite200ResponseHeaders{ETag: etag(site.Version)}}, nil
}

// RenameSite implements oapi.StrictServerInterface. If-Match reaches the
// use case as the expected version, checked in the same transaction as the
// rename.
func (s *Server) RenameSite(ctx context.Context, req oapi.RenameSiteRequestObject) (oapi.RenameSiteResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	site, err := s.p.RenameSite(ctx, customer.ID(req.CustomerId), customer.SiteID(req.SiteId), siteIn(*req.Body, want))
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.RenameSite200JSONResponse{Body: siteOut(site), Headers: oapi.RenameSite200ResponseHeaders{ETag: etag(site.Version)}}, nil
}

// DeleteSite implements oapi.StrictServerInterface.
func (s *Server) DeleteSite(ctx context.Context, req oapi.DeleteSiteRequestObject) (oapi.DeleteSiteResponseObject, error) {
	if err := s.p.DeleteSite(ctx, customer.ID(req.CustomerId), customer.SiteID(req.SiteId)); err != nil {
		return nil, err
	}
	return oapi.DeleteSite204Response{}, nil
}
