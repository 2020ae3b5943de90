package httpapi

import (
	"context"
	"net/http"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// ListAPIKeys implements oapi.StrictServerInterface.
func (s *Server) ListAPIKeys(ctx context.Context, req oapi.ListAPIKeysRequestObject) (oapi.ListAPIKeysResponseObject, error) {
	var params portal.ListAPIKeysParams
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListAPIKeys(ctx, params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListAPIKeys200JSONResponse{Items: make([]oapi.APIKey, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, k := range l.Items {
		out.Items = append(out.Items, apiKeyOut(k))
	}
	return out, nil
}

// CreateAPIKey implements oapi.StrictServerInterface. The middleware handles its
// Idempotency-Key header (serveIdempotent).
func (s *Server) CreateAPIKey(ctx context.Context, req oapi.CreateAPIKeyRequestObject) (oapi.CreateAPIKeyResponseObject, error) {
	sec, err := s.p.CreateAPIKey(ctx, portal.CreateAPIKeyParams{Name: req.Body.Name, Role: identity.StaffRole(req.Body.Role)})
	if err != nil {
		return nil, err
	}
	return createAPIKeyNoStore{oapi.CreateAPIKey201JSONResponse{ApiKey: apiKeyOut(sec.Key), Token: sec.Token}}, nil
}

// RevokeAPIKey implements oapi.StrictServerInterface.
func (s *Server) RevokeAPIKey(ctx context.Context, req oapi.RevokeAPIKeyRequestObject) (oapi.RevokeAPIKeyResponseObject, error) {
	k, err := s.p.RevokeAPIKey(ctx, identity.APIKeyID(req.ApiKeyId))
	if err != nil {
		return nil, err
	}
	return oapi.RevokeAPIKey200JSONResponse(apiKeyOut(k)), nil
}

// apiKeyOut converts an API key; its token hash stays on the server.
func apiKeyOut(k identity.APIKey) oapi.APIKey {
	return oapi.APIKey{
		Id:         string(k.ID),
		Name:       k.Name,
		Role:       oapi.StaffRole(k.Role),
		CreatedBy:  k.CreatedBy,
		CreatedAt:  k.CreatedAt,
		LastUsedAt: optTime(k.LastUsedAt),
		RevokedAt:  optTime(k.RevokedAt),
	}
}

type createAPIKeyNoStore struct {
	oapi.CreateAPIKey201JSONResponse
}

func (r createAPIKeyNoStore) VisitCreateAPIKeyResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.CreateAPIKey201JSONResponse.VisitCreateAPIKeyResponse(w)
}
