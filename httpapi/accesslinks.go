package httpapi

import (
	"context"
	"net/http"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
)

// ListAccessLinks implements oapi.StrictServerInterface.
func (s *Server) ListAccessLinks(ctx context.Context, req oapi.ListAccessLinksRequestObject) (oapi.ListAccessLinksResponseObject, error) {
	params := portal.ListAccessLinksParams{MembershipID: customer.MembershipID(deref(req.Params.MembershipId))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListAccessLinks(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListAccessLinks200JSONResponse{Items: make([]oapi.AccessLink, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, a := range l.Items {
		out.Items = append(out.Items, accessLinkOut(a))
	}
	return out, nil
}

// CreateAccessLink implements oapi.StrictServerInterface. The middleware handles its
// Idempotency-Key header (serveIdempotent).
func (s *Server) CreateAccessLink(ctx context.Context, req oapi.CreateAccessLinkRequestObject) (oapi.CreateAccessLinkResponseObject, error) {
	b := req.Body
	sec, err := s.p.CreateAccessLink(ctx, customer.ID(req.CustomerId), customer.MembershipID(b.MembershipId), portal.CreateAccessLinkParams{
		ReadOnly:  deref(b.ReadOnly),
		ExpiresIn: secondsIn(b.ExpiresInSeconds),
	})
	if err != nil {
		return nil, renameField(err, "expires_in", "expires_in_seconds")
	}
	return createAccessLinkNoStore{oapi.CreateAccessLink201JSONResponse(accessLinkSecretOut(sec))}, nil
}

// RefreshAccessLink implements oapi.StrictServerInterface.
func (s *Server) RefreshAccessLink(ctx context.Context, req oapi.RefreshAccessLinkRequestObject) (oapi.RefreshAccessLinkResponseObject, error) {
	sec, err := s.p.RefreshAccessLink(ctx, customer.ID(req.CustomerId), invite.AccessLinkID(req.AccessLinkId))
	if err != nil {
		return nil, err
	}
	return refreshAccessLinkNoStore{oapi.RefreshAccessLink200JSONResponse(accessLinkSecretOut(sec))}, nil
}

// DisableAccessLink implements oapi.StrictServerInterface.
func (s *Server) DisableAccessLink(ctx context.Context, req oapi.DisableAccessLinkRequestObject) (oapi.DisableAccessLinkResponseObject, error) {
	l, err := s.p.DisableAccessLink(ctx, customer.ID(req.CustomerId), invite.AccessLinkID(req.AccessLinkId))
	if err != nil {
		return nil, err
	}
	return oapi.DisableAccessLink200JSONResponse(accessLinkOut(l)), nil
}

// accessLinkOut converts an access link; its token hash stays on the server.
func accessLinkOut(l invite.AccessLink) oapi.AccessLink {
	return oapi.AccessLink{
		Id:           string(l.ID),
		MembershipId: string(l.MembershipID),
		CustomerId:   string(l.CustomerID),
		ReadOnly:     l.ReadOnly,
		TtlSeconds:   secondsOut(l.TTL),
		ExpiresAt:    l.ExpiresAt,
		DisabledAt:   optTime(l.DisabledAt),
		CreatedBy:    l.CreatedBy,
		Version:      l.Version,
		CreatedAt:    l.CreatedAt,
		UpdatedAt:    l.UpdatedAt,
	}
}

func accessLinkSecretOut(s portal.AccessLinkSecret) oapi.AccessLinkSecret {
	return oapi.AccessLinkSecret{AccessLink: accessLinkOut(s.Link), Token: s.Token}
}

type createAccessLinkNoStore struct {
	oapi.CreateAccessLink201JSONResponse
}

func (r createAccessLinkNoStore) VisitCreateAccessLinkResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.CreateAccessLink201JSONResponse.VisitCreateAccessLinkResponse(w)
}

type refreshAccessLinkNoStore struct {
	oapi.RefreshAccessLink200JSONResponse
}

func (r refreshAccessLinkNoStore) VisitRefreshAccessLinkResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.RefreshAccessLink200JSONResponse.VisitRefreshAccessLinkResponse(w)
}
