package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// RequestPasswordReset implements oapi.StrictServerInterface. It answers
// 202 whether or not the address is known.
func (s *Server) RequestPasswordReset(ctx context.Context, req oapi.RequestPasswordResetRequestObject) (oapi.RequestPasswordResetResponseObject, error) {
	err := s.p.RequestPasswordReset(ctx, portal.RequestPasswordResetParams{Email: string(req.Body.Email), ClientAddr: clientAddr(ctx)})
	if err != nil {
		return nil, err
	}
	return oapi.RequestPasswordReset202Response{}, nil
}

// RequestStaffPasswordReset implements oapi.StrictServerInterface. It
// answers 202 whether or not the address is known.
func (s *Server) RequestStaffPasswordReset(ctx context.Context, req oapi.RequestStaffPasswordResetRequestObject) (oapi.RequestStaffPasswordResetResponseObject, error) {
	err := s.p.RequestStaffPasswordReset(ctx, portal.RequestPasswordResetParams{Email: string(req.Body.Email), ClientAddr: clientAddr(ctx)})
	if err != nil {
		return nil, err
	}
	return oapi.RequestStaffPasswordReset202Response{}, nil
}

// ResetPassword implements oapi.StrictServerInterface.
func (s *Server) ResetPassword(ctx context.Context, req oapi.ResetPasswordRequestObject) (oapi.ResetPasswordResponseObject, error) {
	if _, err := s.p.ResetPassword(ctx, portal.ResetPasswordParams{Token: req.Body.Token, NewPassword: req.Body.NewPassword}); err != nil {
		return nil, err
	}
	return oapi.ResetPassword204Response{}, nil
}
