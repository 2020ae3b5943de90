package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// GetFeatures implements oapi.StrictServerInterface. A customer's features
// share its version, and so its ETag, but portal.GetFeatures returns no
// version: the settings and the version are taken from one GetCustomer read
// so that they agree, after GetFeatures has applied its own permission.
func (s *Server) GetFeatures(ctx context.Context, req oapi.GetFeaturesRequestObject) (oapi.GetFeaturesResponseObject, error) {
	id := customer.ID(req.CustomerId)
	if _, err := s.p.GetFeatures(ctx, id); err != nil {
		return nil, err
	}
	c, err := s.p.GetCustomer(ctx, id)
	if err != nil {
		return nil, err
	}
	return oapi.GetFeatures200JSONResponse{Body: featuresOut(c.Features), Headers: oapi.GetFeatures200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// UpdateFeatures implements oapi.StrictServerInterface. If-Match carries
// the customer's version; the portal compares it in its transaction.
func (s *Server) UpdateFeatures(ctx context.Context, req oapi.UpdateFeaturesRequestObject) (oapi.UpdateFeaturesResponseObject, error) {
	version, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	c, err := s.p.UpdateFeatures(ctx, customer.ID(req.CustomerId), portal.UpdateFeaturesParams{
		Version:       version,
		FeaturesPatch: featuresPatchIn(req.Body),
	})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateFeatures200JSONResponse{Body: featuresOut(c.Features), Headers: oapi.UpdateFeatures200ResponseHeaders{ETag: etag(c.Version)}}, nil
}
