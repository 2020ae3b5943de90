package httpapi

import (
	"context"
	"net/http"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

func impersonationOut(i identity.Impersonation) oapi.Impersonation {
	return oapi.Impersonation{
		Id: string(i.ID), StaffId: oapi.StaffId(i.StaffID), UserId: oapi.UserId(i.UserID), MembershipId: oapi.MembershipId(i.MembershipID),
		CustomerId: oapi.CustomerId(i.CustomerID), Reason: i.Reason, ReadOnly: i.ReadOnly,
		StartedAt: i.StartedAt, ExpiresAt: i.ExpiresAt, EndedAt: optTime(i.EndedAt),
	}
}

// ListImpersonations implements oapi.StrictServerInterface.
func (s *Server) ListImpersonations(ctx context.Context, req oapi.ListImpersonationsRequestObject) (oapi.ListImpersonationsResponseObject, error) {
	var params portal.ListImpersonationsParams
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListImpersonations(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListImpersonations200JSONResponse{Items: make([]oapi.Impersonation, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, i := range l.Items {
		out.Items = append(out.Items, impersonationOut(i))
	}
	return out, nil
}

// StartImpersonation implements oapi.StrictServerInterface.
func (s *Server) StartImpersonation(ctx context.Context, req oapi.StartImpersonationRequestObject) (oapi.StartImpersonationResponseObject, error) {
	b := req.Body
	imp, err := s.p.StartImpersonation(ctx, customer.ID(req.CustomerId), portal.StartImpersonationParams{
		MembershipID: customer.MembershipID(b.MembershipId), Reason: b.Reason, Write: deref(b.Write), Minutes: deref(b.Minutes),
	})
	if err != nil {
		return nil, err
	}
	return startImpersonationNoStore{oapi.StartImpersonation201JSONResponse{Token: imp.Token, Impersonation: impersonationOut(imp.Impersonation)}}, nil
}

type startImpersonationNoStore struct {
	oapi.StartImpersonation201JSONResponse
}

func (r startImpersonationNoStore) VisitStartImpersonationResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.StartImpersonation201JSONResponse.VisitStartImpersonationResponse(w)
}

// GetImpersonationPolicy implements oapi.StrictServerInterface.
func (s *Server) GetImpersonationPolicy(ctx context.Context, req oapi.GetImpersonationPolicyRequestObject) (oapi.GetImpersonationPolicyResponseObject, error) {
	f, err := s.p.ImpersonationForbidden(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.GetImpersonationPolicy200JSONResponse{Forbidden: f}, nil
}

// SetImpersonationPolicy implements oapi.StrictServerInterface.
func (s *Server) SetImpersonationPolicy(ctx context.Context, req oapi.SetImpersonationPolicyRequestObject) (oapi.SetImpersonationPolicyResponseObject, error) {
	if err := s.p.SetImpersonationForbidden(ctx, customer.ID(req.CustomerId), req.Body.Forbidden); err != nil {
		return nil, err
	}
	return oapi.SetImpersonationPolicy200JSONResponse{Forbidden: req.Body.Forbidden}, nil
}
