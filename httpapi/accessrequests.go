package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// RequestAccess implements oapi.StrictServerInterface.
func (s *Server) RequestAccess(ctx context.Context, req oapi.RequestAccessRequestObject) (oapi.RequestAccessResponseObject, error) {
	b := req.Body
	err := s.p.RequestAccess(ctx, portal.RequestAccessParams{
		CompanyName: b.CompanyName, VATID: deref(b.VatId), Website: deref(b.Website),
		Name: b.Name, Email: string(b.Email), Phone: deref(b.Phone), Message: deref(b.Message),
		Language: string(deref(b.Language)), ClientAddr: clientAddr(ctx),
	})
	if err != nil {
		return nil, err
	}
	return oapi.RequestAccess202Response{}, nil
}

// ConfirmAccessRequest implements oapi.StrictServerInterface.
func (s *Server) ConfirmAccessRequest(ctx context.Context, req oapi.ConfirmAccessRequestRequestObject) (oapi.ConfirmAccessRequestResponseObject, error) {
	if err := s.p.ConfirmAccessRequest(ctx, req.Body.Token); err != nil {
		return nil, err
	}
	return oapi.ConfirmAccessRequest204Response{}, nil
}

// ListAccessRequests implements oapi.StrictServerInterface.
func (s *Server) ListAccessRequests(ctx context.Context, req oapi.ListAccessRequestsRequestObject) (oapi.ListAccessRequestsResponseObject, error) {
	params := portal.ListAccessRequestsParams{Status: accessrequest.Status(deref(req.Params.Status))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListAccessRequests(ctx, params)
	if err != nil {
		return nil, err
	}
	counts, err := s.p.CountAccessRequests(ctx)
	if err != nil {
		return nil, err
	}
	now := s.p.Now()
	out := oapi.ListAccessRequests200JSONResponse{Items: make([]oapi.AccessRequest, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, r := range l.Items {
		out.Items = append(out.Items, accessRequestOut(r, r.State(now)))
	}
	c := &out.Counts
	c.Unconfirmed, c.Pending, c.Connected = counts[accessrequest.StatusUnconfirmed], counts[accessrequest.StatusPending], counts[accessrequest.StatusConnected]
	c.Rejected, c.Expired = counts[accessrequest.StatusRejected], counts[accessrequest.StatusExpired]
	return out, nil
}

// GetAccessRequest implements oapi.StrictServerInterface.
func (s *Server) GetAccessRequest(ctx context.Context, req oapi.GetAccessRequestRequestObject) (oapi.GetAccessRequestResponseObject, error) {
	r, err := s.p.GetAccessRequest(ctx, accessrequest.ID(req.AccessRequestId))
	if err != nil {
		return nil, err
	}
	out := accessRequestOut(r.Request, r.State)
	matches := make([]oapi.AccessRequestMatch, 0, len(r.Matches))
	for _, m := range r.Matches {
		om := oapi.AccessRequestMatch{CustomerId: string(m.Customer.ID), CustomerName: m.Customer.Name, Score: m.Score}
		for _, why := range m.Reasons {
			om.Reasons = append(om.Reasons, oapi.AccessRequestMatchReason{Kind: oapi.AccessRequestMatchReasonKind(why.Kind), Score: why.Score, Explanation: why.Explanation})
		}
		matches = append(matches, om)
	}
	out.Matches = &matches
	return oapi.GetAccessRequest200JSONResponse(out), nil
}

// ConnectAccessRequestToNewCustomer implements oapi.StrictServerInterface.
func (s *Server) ConnectAccessRequestToNewCustomer(ctx context.Context, req oapi.ConnectAccessRequestToNewCustomerRequestObject) (oapi.ConnectAccessRequestToNewCustomerResponseObject, error) {
	d, err := s.p.ConnectAccessRequestToNewCustomer(ctx, accessrequest.ID(req.AccessRequestId), portal.ConnectNewCustomerParams{
		Customer: createCustomerIn(&req.Body.Customer), Message: deref(req.Body.Message),
	})
	if err != nil {
		return nil, err
	}
	return oapi.ConnectAccessRequestToNewCustomer200JSONResponse(s.decidedOut(d)), nil
}

// ConnectAccessRequestToCustomer implements oapi.StrictServerInterface.
func (s *Server) ConnectAccessRequestToCustomer(ctx context.Context, req oapi.ConnectAccessRequestToCustomerRequestObject) (oapi.ConnectAccessRequestToCustomerResponseObject, error) {
	b := req.Body
	params := portal.ConnectExistingCustomerParams{CustomerID: customer.ID(b.CustomerId), Role: customer.Role(b.Role), Message: deref(b.Message)}
	for _, id := range deref(b.SiteIds) {
		params.SiteIDs = append(params.SiteIDs, customer.SiteID(id))
	}
	d, err := s.p.ConnectAccessRequestToCustomer(ctx, accessrequest.ID(req.AccessRequestId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ConnectAccessRequestToCustomer200JSONResponse(s.decidedOut(d)), nil
}

// RejectAccessRequest implements oapi.StrictServerInterface.
func (s *Server) RejectAccessRequest(ctx context.Context, req oapi.RejectAccessRequestRequestObject) (oapi.RejectAccessRequestResponseObject, error) {
	d, err := s.p.RejectAccessRequest(ctx, accessrequest.ID(req.AccessRequestId), portal.RejectAccessRequestParams{Message: req.Body.Message})
	if err != nil {
		return nil, err
	}
	return oapi.RejectAccessRequest200JSONResponse(s.decidedOut(d)), nil
}

func (s *Server) decidedOut(d portal.AccessDecision) oapi.AccessRequestDecided {
	out := oapi.AccessRequestDecided{Request: accessRequestOut(d.Request, d.Request.Status)}
	if d.Customer.ID != "" {
		out.Customer = ptr(customerOut(d.Customer))
	}
	if d.Invitation.ID != "" {
		out.Invitation = ptr(invitationOut(d.Invitation, s.p.Now()))
	}
	return out
}

// accessRequestOut is r as the API shows it, in status st.
func accessRequestOut(r accessrequest.Request, st accessrequest.Status) oapi.AccessRequest {
	out := oapi.AccessRequest{
		Id: string(r.ID), CompanyName: r.CompanyName, VatId: r.VATID, Website: r.Website,
		Name: r.Name, Email: r.Email, Phone: r.Phone, Message: r.Message, Language: oapi.MailLocale(r.Language),
		Status: oapi.AccessRequestStatus(st), ConfirmBy: r.ConfirmBy, Version: r.Version,
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt,
	}
	if !r.ConfirmedAt.IsZero() {
		out.ConfirmedAt = ptr(r.ConfirmedAt)
	}
	if d := r.Decision; !d.At.IsZero() {
		od := &oapi.AccessRequestDecision{By: d.By, At: d.At, Message: d.Message, NewCustomer: d.NewCustomer}
		if d.CustomerID != "" {
			od.CustomerId = ptr(string(d.CustomerID))
		}
		if d.InvitationID != "" {
			od.InvitationId = ptr(string(d.InvitationID))
		}
		out.Decision = od
	}
	return out
}
