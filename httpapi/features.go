package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// GetFeatures implements oapi.StrictServerInterface. A customer's features
// share its version, and so its ETag.
func (s *Server) GetFeatures(ctx context.Context, req oapi.GetFeaturesRequestObject) (oapi.GetFeaturesResponseObject, error) {
	f, err := s.p.GetFeatures(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.GetFeatures200JSONResponse{Body: featuresOut(f.Features), Headers: oapi.GetFeatures200ResponseHeaders{ETag: etag(f.Version)}}, nil
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
