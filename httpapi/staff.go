package httpapi

import (
	"context"
	"net/http"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// ListStaff implements oapi.StrictServerInterface.
func (s *Server) ListStaff(ctx context.Context, req oapi.ListStaffRequestObject) (oapi.ListStaffResponseObject, error) {
	params := portal.ListStaffParams{
		Role:   identity.StaffRole(deref(req.Params.Role)),
		Status: identity.StaffStatus(deref(req.Params.Status)),
	}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListStaff(ctx, params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListStaff200JSONResponse{Items: make([]oapi.StaffMember, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, m := range l.Items {
		out.Items = append(out.Items, staffOut(m))
	}
	return out, nil
}

// InviteStaff implements oapi.StrictServerInterface. The middleware
// handles its Idempotency-Key header (serveIdempotent).
func (s *Server) InviteStaff(ctx context.Context, req oapi.InviteStaffRequestObject) (oapi.InviteStaffResponseObject, error) {
	b := req.Body
	m, err := s.p.InviteStaff(ctx, portal.InviteStaffParams{Email: string(b.Email), Name: b.Name, Role: identity.StaffRole(b.Role)})
	if err != nil {
		return nil, err
	}
	return oapi.InviteStaff201JSONResponse{Body: staffOut(m), Headers: oapi.InviteStaff201ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// GetStaff implements oapi.StrictServerInterface.
func (s *Server) GetStaff(ctx context.Context, req oapi.GetStaffRequestObject) (oapi.GetStaffResponseObject, error) {
	m, err := s.p.GetStaff(ctx, identity.StaffID(req.StaffId))
	if err != nil {
		return nil, err
	}
	return oapi.GetStaff200JSONResponse{Body: staffOut(m), Headers: oapi.GetStaff200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// UpdateStaff implements oapi.StrictServerInterface.
func (s *Server) UpdateStaff(ctx context.Context, req oapi.UpdateStaffRequestObject) (oapi.UpdateStaffResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	params := portal.UpdateStaffParams{Version: want, Name: req.Body.Name, ServiceDesk: req.Body.ServiceDesk}
	if r := req.Body.Role; r != nil {
		params.Role = ptr(identity.StaffRole(*r))
	}
	m, err := s.p.UpdateStaff(ctx, identity.StaffID(req.StaffId), params)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateStaff200JSONResponse{Body: staffOut(m), Headers: oapi.UpdateStaff200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// DisableStaff implements oapi.StrictServerInterface.
func (s *Server) DisableStaff(ctx context.Context, req oapi.DisableStaffRequestObject) (oapi.DisableStaffResponseObject, error) {
	m, err := s.p.DisableStaff(ctx, identity.StaffID(req.StaffId))
	if err != nil {
		return nil, err
	}
	return oapi.DisableStaff200JSONResponse{Body: staffOut(m), Headers: oapi.DisableStaff200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// EnableStaff implements oapi.StrictServerInterface.
func (s *Server) EnableStaff(ctx context.Context, req oapi.EnableStaffRequestObject) (oapi.EnableStaffResponseObject, error) {
	m, err := s.p.EnableStaff(ctx, identity.StaffID(req.StaffId))
	if err != nil {
		return nil, err
	}
	return oapi.EnableStaff200JSONResponse{Body: staffOut(m), Headers: oapi.EnableStaff200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// ResendStaffInvitation implements oapi.StrictServerInterface.
func (s *Server) ResendStaffInvitation(ctx context.Context, req oapi.ResendStaffInvitationRequestObject) (oapi.ResendStaffInvitationResponseObject, error) {
	m, err := s.p.ResendStaffInvitation(ctx, identity.StaffID(req.StaffId))
	if err != nil {
		return nil, err
	}
	return oapi.ResendStaffInvitation200JSONResponse{Body: staffOut(m), Headers: oapi.ResendStaffInvitation200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// RequestStaffLoginLink implements oapi.StrictServerInterface. It answers
// 202 whether or not the address is known.
func (s *Server) RequestStaffLoginLink(ctx context.Context, req oapi.RequestStaffLoginLinkRequestObject) (oapi.RequestStaffLoginLinkResponseObject, error) {
	err := s.p.RequestStaffLoginLink(ctx, portal.RequestStaffLoginLinkParams{Email: string(req.Body.Email), ClientAddr: clientAddr(ctx)})
	if err != nil {
		return nil, err
	}
	return oapi.RequestStaffLoginLink202Response{}, nil
}

// SignInStaffWithLoginLink implements oapi.StrictServerInterface.
func (s *Server) SignInStaffWithLoginLink(ctx context.Context, req oapi.SignInStaffWithLoginLinkRequestObject) (oapi.SignInStaffWithLoginLinkResponseObject, error) {
	si, err := s.p.SignInStaffWithLoginLink(ctx, req.Body.Token)
	if err != nil {
		return nil, err
	}
	return signInStaffWithLoginLinkNoStore{oapi.SignInStaffWithLoginLink201JSONResponse(staffSignInOut(si))}, nil
}

// SignInStaffWithPassword implements oapi.StrictServerInterface.
func (s *Server) SignInStaffWithPassword(ctx context.Context, req oapi.SignInStaffWithPasswordRequestObject) (oapi.SignInStaffWithPasswordResponseObject, error) {
	b := req.Body
	si, err := s.p.SignInStaffWithPassword(ctx, portal.StaffPasswordSignInParams{
		Email: string(b.Email), Password: b.Password, ClientAddr: clientAddr(ctx),
	})
	if err != nil {
		return nil, err
	}
	return signInStaffWithPasswordNoStore{oapi.SignInStaffWithPassword201JSONResponse(staffSignInOut(si))}, nil
}

// staffOut converts a staff member.
func staffOut(m identity.StaffMember) oapi.StaffMember {
	return oapi.StaffMember{
		Id:          string(m.ID),
		Email:       openapi_types.Email(m.Email),
		Name:        m.Name,
		Role:        oapi.StaffRole(m.Role),
		Status:      oapi.StaffStatus(m.Status),
		ServiceDesk: m.ServiceDesk,
		InvitedBy:   m.InvitedBy,
		Version:     m.Version,
		CreatedAt:   m.CreatedAt,
		UpdatedAt:   m.UpdatedAt,
	}
}

// staffSignInOut converts an opened staff session; its token is shown here only.
func staffSignInOut(si portal.StaffSignIn) oapi.StaffSignIn {
	return oapi.StaffSignIn{
		Token: si.Token,
		Session: oapi.StaffSession{
			Id:         string(si.Session.ID),
			StaffId:    string(si.Session.StaffID),
			Method:     oapi.SignInMethod(si.Session.Method),
			LastSeenAt: si.Session.LastSeenAt,
			ExpiresAt:  si.Session.ExpiresAt,
			CreatedAt:  si.Session.CreatedAt,
		},
		Staff: staffOut(si.Staff),
	}
}

type signInStaffWithLoginLinkNoStore struct {
	oapi.SignInStaffWithLoginLink201JSONResponse
}

func (r signInStaffWithLoginLinkNoStore) VisitSignInStaffWithLoginLinkResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.SignInStaffWithLoginLink201JSONResponse.VisitSignInStaffWithLoginLinkResponse(w)
}

type signInStaffWithPasswordNoStore struct {
	oapi.SignInStaffWithPassword201JSONResponse
}

func (r signInStaffWithPasswordNoStore) VisitSignInStaffWithPasswordResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.SignInStaffWithPassword201JSONResponse.VisitSignInStaffWithPasswordResponse(w)
}
