package httpapi

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// ListInvitations implements oapi.StrictServerInterface.
func (s *Server) ListInvitations(ctx context.Context, req oapi.ListInvitationsRequestObject) (oapi.ListInvitationsResponseObject, error) {
	params := portal.ListInvitationsParams{}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	if req.Params.State != nil {
		params.State = invite.State(*req.Params.State)
	}
	l, err := s.p.ListInvitations(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	now := s.p.Now()
	out := oapi.ListInvitations200JSONResponse{Items: make([]oapi.Invitation, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, i := range l.Items {
		out.Items = append(out.Items, invitationOut(i, now))
	}
	return out, nil
}

// Invite implements oapi.StrictServerInterface. The middleware handles its
// Idempotency-Key header (serveIdempotent).
func (s *Server) Invite(ctx context.Context, req oapi.InviteRequestObject) (oapi.InviteResponseObject, error) {
	b := req.Body
	inv, err := s.p.Invite(ctx, customer.ID(req.CustomerId), portal.InviteParams{
		Email:     string(b.Email),
		Role:      customer.Role(b.Role),
		SiteIDs:   siteIDsIn(deref(b.SiteIds)),
		Message:   deref(b.Message),
		ExpiresIn: secondsIn(b.ExpiresInSeconds),
	})
	if err != nil {
		return nil, renameField(err, "expires_in", "expires_in_seconds")
	}
	return oapi.Invite201JSONResponse(invitationOut(inv, s.p.Now())), nil
}

// ResendInvitation implements oapi.StrictServerInterface.
func (s *Server) ResendInvitation(ctx context.Context, req oapi.ResendInvitationRequestObject) (oapi.ResendInvitationResponseObject, error) {
	var params portal.ResendInvitationParams
	if req.Body != nil {
		params.ExpiresIn = secondsIn(req.Body.ExpiresInSeconds)
	}
	inv, err := s.p.ResendInvitation(ctx, customer.ID(req.CustomerId), invite.ID(req.InvitationId), params)
	if err != nil {
		return nil, renameField(err, "expires_in", "expires_in_seconds")
	}
	return oapi.ResendInvitation200JSONResponse(invitationOut(inv, s.p.Now())), nil
}

// GetInvitation implements oapi.StrictServerInterface.
func (s *Server) GetInvitation(ctx context.Context, req oapi.GetInvitationRequestObject) (oapi.GetInvitationResponseObject, error) {
	inv, err := s.p.GetInvitation(ctx, customer.ID(req.CustomerId), invite.ID(req.InvitationId))
	if err != nil {
		return nil, err
	}
	return oapi.GetInvitation200JSONResponse(invitationOut(inv, s.p.Now())), nil
}

// RevokeInvitation implements oapi.StrictServerInterface.
func (s *Server) RevokeInvitation(ctx context.Context, req oapi.RevokeInvitationRequestObject) (oapi.RevokeInvitationResponseObject, error) {
	inv, err := s.p.RevokeInvitation(ctx, customer.ID(req.CustomerId), invite.ID(req.InvitationId))
	if err != nil {
		return nil, err
	}
	return oapi.RevokeInvitation200JSONResponse(invitationOut(inv, s.p.Now())), nil
}

// invitationOut converts an invitation, with its state at now. The token
// hash never leaves the server: the token is only in the e-mail.
func invitationOut(i invite.Invitation, now time.Time) oapi.Invitation {
	out := oapi.Invitation{
		Id:         string(i.ID),
		CustomerId: string(i.CustomerID),
		Email:      openapi_types.Email(i.Email),
		Role:       oapi.Role(i.Role),
		SiteIds:    siteIDsOut(i.SiteIDs),
		Message:    optString(i.Message),
		InvitedBy:  i.InvitedBy,
		FirstAdmin: i.FirstAdmin,
		State:      oapi.InvitationState(i.State(now)),
		ExpiresAt:  i.ExpiresAt,
		SentCount:  i.SentCount,
		AcceptedAt: optTime(i.AcceptedAt),
		RevokedAt:  optTime(i.RevokedAt),
		CreatedAt:  i.CreatedAt,
		UpdatedAt:  i.UpdatedAt,
	}
	if i.AcceptedBy != "" {
		out.AcceptedBy = ptr(string(i.AcceptedBy))
	}
	return out
}

// secondsIn converts an optional whole number of seconds; nil is zero, which
// the use cases take as "the default".
func secondsIn(n *int) time.Duration {
	return time.Duration(deref(n)) * time.Second
}

// secondsOut converts a duration to whole seconds.
func secondsOut(d time.Duration) int {
	return int(d / time.Second)
}

// optTime returns nil for the zero time, so that unset times are left out.
func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// renameField reports an Invalid error's violations of field from, a use
// case's parameter name, under to, the API's name for it. The spec's bounds
// usually catch such input first; this keeps the name right if they drift.
func renameField(err error, from, to string) error {
	var pe *portalerr.Error
	if !errors.As(err, &pe) || !slices.ContainsFunc(pe.Fields, func(f portalerr.FieldViolation) bool { return f.Field == from }) {
		return err
	}
	out := *pe
	out.Fields = slices.Clone(pe.Fields)
	for i := range out.Fields {
		if out.Fields[i].Field == from {
			out.Fields[i].Field = to
		}
	}
	out.Message = strings.ReplaceAll(pe.Message, from+": ", to+": ")
	return &out
}
