package httpapi

import (
	"context"
	"net/http"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

func ssoOut(c portal.SSOSettings) oapi.SSOConfig {
	return oapi.SSOConfig{
		CustomerId: oapi.CustomerId(c.CustomerID), Issuer: c.Issuer, ClientId: c.ClientID, HasSecret: c.HasSecret,
		Domains: c.Domains, PendingDomains: append([]string{}, c.Pending...), EmailClaim: c.EmailClaim, NameClaim: c.NameClaim, Jit: c.JIT, JitRole: oapi.Role(c.JITRole),
		Required: c.Required, RedirectUri: c.RedirectURL, Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// GetSSOConfig implements oapi.StrictServerInterface.
func (s *Server) GetSSOConfig(ctx context.Context, req oapi.GetSSOConfigRequestObject) (oapi.GetSSOConfigResponseObject, error) {
	c, err := s.p.GetSSOConfig(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.GetSSOConfig200JSONResponse{Body: ssoOut(c), Headers: oapi.GetSSOConfig200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// PutSSOConfig implements oapi.StrictServerInterface. Without If-Match it
// creates; with one it replaces that version (412 when stale).
func (s *Server) PutSSOConfig(ctx context.Context, req oapi.PutSSOConfigRequestObject) (oapi.PutSSOConfigResponseObject, error) {
	var version int64
	if req.Params.IfMatch != nil {
		v, err := parseIfMatch(*req.Params.IfMatch)
		if err != nil {
			return nil, staleIfMatch(err)
		}
		version = v
	}
	b := req.Body
	params := portal.PutSSOConfigParams{
		Issuer: b.Issuer, ClientID: b.ClientId, ClientSecret: deref(b.ClientSecret), Domains: b.Domains,
		EmailClaim: deref(b.EmailClaim), NameClaim: deref(b.NameClaim), JIT: deref(b.Jit), Required: deref(b.Required),
		Version: version,
	}
	if b.JitRole != nil {
		params.JITRole = customer.Role(*b.JitRole)
	}
	c, err := s.p.PutSSOConfig(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		if version != 0 {
			return nil, staleIfMatch(err)
		}
		return nil, err
	}
	return oapi.PutSSOConfig200JSONResponse{Body: ssoOut(c), Headers: oapi.PutSSOConfig200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// ApproveSSODomain implements oapi.StrictServerInterface.
func (s *Server) ApproveSSODomain(ctx context.Context, req oapi.ApproveSSODomainRequestObject) (oapi.ApproveSSODomainResponseObject, error) {
	c, err := s.p.ApproveSSODomain(ctx, customer.ID(req.CustomerId), req.Domain)
	if err != nil {
		return nil, err
	}
	return oapi.ApproveSSODomain200JSONResponse{Body: ssoOut(c), Headers: oapi.ApproveSSODomain200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// DeleteSSOConfig implements oapi.StrictServerInterface.
func (s *Server) DeleteSSOConfig(ctx context.Context, req oapi.DeleteSSOConfigRequestObject) (oapi.DeleteSSOConfigResponseObject, error) {
	if err := s.p.DeleteSSOConfig(ctx, customer.ID(req.CustomerId)); err != nil {
		return nil, err
	}
	return oapi.DeleteSSOConfig204Response{}, nil
}

// StartSSO implements oapi.StrictServerInterface.
func (s *Server) StartSSO(ctx context.Context, req oapi.StartSSORequestObject) (oapi.StartSSOResponseObject, error) {
	st, err := s.p.StartSSO(ctx, portal.StartSSOParams{Email: string(req.Body.Email), ClientAddr: clientAddr(ctx)})
	if err != nil {
		return nil, err
	}
	return oapi.StartSSO200JSONResponse{AuthorizationUrl: st.AuthorizationURL, CustomerId: oapi.CustomerId(st.CustomerID), Required: st.Required}, nil
}

// FinishSSO implements oapi.StrictServerInterface.
func (s *Server) FinishSSO(ctx context.Context, req oapi.FinishSSORequestObject) (oapi.FinishSSOResponseObject, error) {
	si, err := s.p.FinishSSO(ctx, portal.FinishSSOParams{State: req.Body.State, Code: req.Body.Code})
	if err != nil {
		return nil, err
	}
	return finishSSONoStore{oapi.FinishSSO201JSONResponse(signInOut(si))}, nil
}

type finishSSONoStore struct {
	oapi.FinishSSO201JSONResponse
}

func (r finishSSONoStore) VisitFinishSSOResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.FinishSSO201JSONResponse.VisitFinishSSOResponse(w)
}

// StartStaffSSO implements oapi.StrictServerInterface.
func (s *Server) StartStaffSSO(ctx context.Context, _ oapi.StartStaffSSORequestObject) (oapi.StartStaffSSOResponseObject, error) {
	u, err := s.p.StartStaffSSO(ctx, clientAddr(ctx))
	if err != nil {
		return nil, err
	}
	return oapi.StartStaffSSO200JSONResponse{AuthorizationUrl: u}, nil
}

// FinishStaffSSO implements oapi.StrictServerInterface.
func (s *Server) FinishStaffSSO(ctx context.Context, req oapi.FinishStaffSSORequestObject) (oapi.FinishStaffSSOResponseObject, error) {
	si, err := s.p.FinishStaffSSO(ctx, portal.FinishSSOParams{State: req.Body.State, Code: req.Body.Code})
	if err != nil {
		return nil, err
	}
	return finishStaffSSONoStore{oapi.FinishStaffSSO201JSONResponse(staffSignInOut(si))}, nil
}

type finishStaffSSONoStore struct {
	oapi.FinishStaffSSO201JSONResponse
}

func (r finishStaffSSONoStore) VisitFinishStaffSSOResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.FinishStaffSSO201JSONResponse.VisitFinishStaffSSOResponse(w)
}
