package httpapi

import (
	"context"
	"net/http"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// AcceptInvitation implements oapi.StrictServerInterface.
func (s *Server) AcceptInvitation(ctx context.Context, req oapi.AcceptInvitationRequestObject) (oapi.AcceptInvitationResponseObject, error) {
	b := req.Body
	si, err := s.p.AcceptInvitation(ctx, b.Token, portal.AcceptInvitationParams{Name: deref(b.Name), Password: deref(b.Password)})
	if err != nil {
		return nil, err
	}
	return acceptInvitationNoStore{oapi.AcceptInvitation201JSONResponse(signInOut(si))}, nil
}

// RequestLoginLink implements oapi.StrictServerInterface. It answers 202
// whether or not the address is known.
func (s *Server) RequestLoginLink(ctx context.Context, req oapi.RequestLoginLinkRequestObject) (oapi.RequestLoginLinkResponseObject, error) {
	err := s.p.RequestLoginLink(ctx, portal.RequestLoginLinkParams{Email: string(req.Body.Email), ClientAddr: clientAddr(ctx)})
	if err != nil {
		return nil, err
	}
	return oapi.RequestLoginLink202Response{}, nil
}

// SignInWithLoginLink implements oapi.StrictServerInterface.
func (s *Server) SignInWithLoginLink(ctx context.Context, req oapi.SignInWithLoginLinkRequestObject) (oapi.SignInWithLoginLinkResponseObject, error) {
	b := req.Body
	si, err := s.p.SignInWithLoginLink(ctx, b.Token, portal.SignInParams{CustomerID: customer.ID(deref(b.CustomerId))})
	if err != nil {
		return nil, err
	}
	return signInWithLoginLinkNoStore{oapi.SignInWithLoginLink201JSONResponse(signInOut(si))}, nil
}

// SignInWithAccessLink implements oapi.StrictServerInterface.
func (s *Server) SignInWithAccessLink(ctx context.Context, req oapi.SignInWithAccessLinkRequestObject) (oapi.SignInWithAccessLinkResponseObject, error) {
	si, err := s.p.SignInWithAccessLink(ctx, req.Body.Token)
	if err != nil {
		return nil, err
	}
	return signInWithAccessLinkNoStore{oapi.SignInWithAccessLink201JSONResponse(signInOut(si))}, nil
}

// SignInWithPassword implements oapi.StrictServerInterface.
func (s *Server) SignInWithPassword(ctx context.Context, req oapi.SignInWithPasswordRequestObject) (oapi.SignInWithPasswordResponseObject, error) {
	b := req.Body
	si, err := s.p.SignInWithPassword(ctx, portal.PasswordSignInParams{
		Email:      string(b.Email),
		Password:   b.Password,
		CustomerID: customer.ID(deref(b.CustomerId)),
		ClientAddr: clientAddr(ctx),
	})
	if err != nil {
		return nil, err
	}
	return signInWithPasswordNoStore{oapi.SignInWithPassword201JSONResponse(signInOut(si))}, nil
}

// Logout implements oapi.StrictServerInterface.
func (s *Server) Logout(ctx context.Context, _ oapi.LogoutRequestObject) (oapi.LogoutResponseObject, error) {
	if err := s.p.Logout(ctx); err != nil {
		return nil, err
	}
	return oapi.Logout204Response{}, nil
}

// ListMyMemberships implements oapi.StrictServerInterface.
func (s *Server) ListMyMemberships(ctx context.Context, _ oapi.ListMyMembershipsRequestObject) (oapi.ListMyMembershipsResponseObject, error) {
	ms, err := s.p.MyMemberships(ctx)
	if err != nil {
		return nil, err
	}
	out := oapi.ListMyMemberships200JSONResponse{Items: make([]oapi.MyMembership, 0, len(ms))}
	for _, m := range ms {
		out.Items = append(out.Items, myMembershipOut(m))
	}
	return out, nil
}

// SwitchMembership implements oapi.StrictServerInterface.
func (s *Server) SwitchMembership(ctx context.Context, req oapi.SwitchMembershipRequestObject) (oapi.SwitchMembershipResponseObject, error) {
	ses, err := s.p.SwitchMembership(ctx, customer.MembershipID(req.Body.MembershipId))
	if err != nil {
		return nil, err
	}
	return oapi.SwitchMembership200JSONResponse(sessionOut(ses)), nil
}

// SetPassword implements oapi.StrictServerInterface.
func (s *Server) SetPassword(ctx context.Context, req oapi.SetPasswordRequestObject) (oapi.SetPasswordResponseObject, error) {
	b := req.Body
	if err := s.p.SetPassword(ctx, portal.SetPasswordParams{Current: deref(b.CurrentPassword), New: b.NewPassword}); err != nil {
		return nil, err
	}
	return oapi.SetPassword204Response{}, nil
}

// signInOut converts an opened session; its token is shown here only.
func signInOut(si portal.SignIn) oapi.SignIn {
	return oapi.SignIn{
		Token:      si.Token,
		Session:    sessionOut(si.Session),
		User:       userOut(si.User),
		Membership: membershipOut(si.Membership),
	}
}

// sessionOut converts a session; its token hash stays on the server.
func sessionOut(s identity.Session) oapi.Session {
	out := oapi.Session{
		Id:           string(s.ID),
		UserId:       string(s.UserID),
		MembershipId: string(s.MembershipID),
		CustomerId:   string(s.CustomerID),
		Method:       oapi.SignInMethod(s.Method),
		ReadOnly:     s.ReadOnly,
		LastSeenAt:   s.LastSeenAt,
		ExpiresAt:    s.ExpiresAt,
		CreatedAt:    s.CreatedAt,
	}
	if s.AccessLinkID != "" {
		out.AccessLinkId = ptr(s.AccessLinkID)
	}
	return out
}

func myMembershipOut(m portal.MyMembership) oapi.MyMembership {
	ms := membershipOut(m.Membership)
	return oapi.MyMembership{
		Id:           ms.Id,
		UserId:       ms.UserId,
		CustomerId:   ms.CustomerId,
		CustomerName: m.CustomerName,
		Current:      m.Current,
		Role:         ms.Role,
		SiteIds:      ms.SiteIds,
		Status:       ms.Status,
		Version:      ms.Version,
		CreatedAt:    ms.CreatedAt,
		UpdatedAt:    ms.UpdatedAt,
	}
}

// noStore keeps an answer that carries a secret (a session token, an API
// key, an access link's token) out of every cache: RFC 9111's no-store, as
// RFC 6749 asks of token answers. The xxxNoStore types wrap the generated
// answers that carry one.
func noStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

type acceptInvitationNoStore struct {
	oapi.AcceptInvitation201JSONResponse
}

func (r acceptInvitationNoStore) VisitAcceptInvitationResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.AcceptInvitation201JSONResponse.VisitAcceptInvitationResponse(w)
}

type signInWithLoginLinkNoStore struct {
	oapi.SignInWithLoginLink201JSONResponse
}

func (r signInWithLoginLinkNoStore) VisitSignInWithLoginLinkResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.SignInWithLoginLink201JSONResponse.VisitSignInWithLoginLinkResponse(w)
}

type signInWithAccessLinkNoStore struct {
	oapi.SignInWithAccessLink201JSONResponse
}

func (r signInWithAccessLinkNoStore) VisitSignInWithAccessLinkResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.SignInWithAccessLink201JSONResponse.VisitSignInWithAccessLinkResponse(w)
}

type signInWithPasswordNoStore struct {
	oapi.SignInWithPassword201JSONResponse
}

func (r signInWithPasswordNoStore) VisitSignInWithPasswordResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.SignInWithPassword201JSONResponse.VisitSignInWithPasswordResponse(w)
}
