package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
)

// DisableUser implements oapi.StrictServerInterface.
func (s *Server) DisableUser(ctx context.Context, req oapi.DisableUserRequestObject) (oapi.DisableUserResponseObject, error) {
	u, err := s.p.DisableUser(ctx, customer.UserID(req.UserId))
	if err != nil {
		return nil, err
	}
	return oapi.DisableUser200JSONResponse(userOut(u)), nil
}

// EnableUser implements oapi.StrictServerInterface.
func (s *Server) EnableUser(ctx context.Context, req oapi.EnableUserRequestObject) (oapi.EnableUserResponseObject, error) {
	u, err := s.p.EnableUser(ctx, customer.UserID(req.UserId))
	if err != nil {
		return nil, err
	}
	return oapi.EnableUser200JSONResponse(userOut(u)), nil
}
