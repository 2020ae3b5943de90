package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// ListMembers implements oapi.StrictServerInterface.
func (s *Server) ListMembers(ctx context.Context, req oapi.ListMembersRequestObject) (oapi.ListMembersResponseObject, error) {
	params := portal.ListMembersParams{}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	if req.Params.Role != nil {
		params.Role = customer.Role(*req.Params.Role)
	}
	if req.Params.Status != nil {
		params.Status = customer.MembershipStatus(*req.Params.Status)
	}
	l, err := s.p.ListMembers(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListMembers200JSONResponse{Items: make([]oapi.Member, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, m := range l.Items {
		out.Items = append(out.Items, memberOut(m))
	}
	return out, nil
}

// AddMember implements oapi.StrictServerInterface. The middleware handles its
// Idempotency-Key header (serveIdempotent).
func (s *Server) AddMember(ctx context.Context, req oapi.AddMemberRequestObject) (oapi.AddMemberResponseObject, error) {
	b := req.Body
	m, err := s.p.AddMember(ctx, customer.ID(req.CustomerId), portal.AddMemberParams{
		Email:   string(b.Email),
		Name:    b.Name,
		Role:    customer.Role(b.Role),
		SiteIDs: siteIDsIn(deref(b.SiteIds)),
	})
	if err != nil {
		return nil, err
	}
	return oapi.AddMember201JSONResponse{Body: memberOut(m), Headers: oapi.AddMember201ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// GetMember implements oapi.StrictServerInterface.
func (s *Server) GetMember(ctx context.Context, req oapi.GetMemberRequestObject) (oapi.GetMemberResponseObject, error) {
	m, err := s.p.GetMember(ctx, customer.ID(req.CustomerId), customer.MembershipID(req.MembershipId))
	if err != nil {
		return nil, err
	}
	return oapi.GetMember200JSONResponse{Body: memberOut(m), Headers: oapi.GetMember200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// RemoveMember implements oapi.StrictServerInterface.
func (s *Server) RemoveMember(ctx context.Context, req oapi.RemoveMemberRequestObject) (oapi.RemoveMemberResponseObject, error) {
	if err := s.p.RemoveMember(ctx, customer.ID(req.CustomerId), customer.MembershipID(req.MembershipId)); err != nil {
		return nil, err
	}
	return oapi.RemoveMember204Response{}, nil
}

// ChangeMemberRole implements oapi.StrictServerInterface.
func (s *Server) ChangeMemberRole(ctx context.Context, req oapi.ChangeMemberRoleRequestObject) (oapi.ChangeMemberRoleResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	m, err := s.p.ChangeRole(ctx, customer.ID(req.CustomerId), customer.MembershipID(req.MembershipId),
		portal.ChangeRoleParams{Role: customer.Role(req.Body.Role), Version: want})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.ChangeMemberRole200JSONResponse{Body: memberOut(m), Headers: oapi.ChangeMemberRole200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// ChangeMemberSites implements oapi.StrictServerInterface.
func (s *Server) ChangeMemberSites(ctx context.Context, req oapi.ChangeMemberSitesRequestObject) (oapi.ChangeMemberSitesResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	m, err := s.p.ChangeSites(ctx, customer.ID(req.CustomerId), customer.MembershipID(req.MembershipId),
		portal.ChangeSitesParams{SiteIDs: siteIDsIn(req.Body.SiteIds), Version: want})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.ChangeMemberSites200JSONResponse{Body: memberOut(m), Headers: oapi.ChangeMemberSites200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// DisableMember implements oapi.StrictServerInterface.
func (s *Server) DisableMember(ctx context.Context, req oapi.DisableMemberRequestObject) (oapi.DisableMemberResponseObject, error) {
	m, err := s.p.DisableMember(ctx, customer.ID(req.CustomerId), customer.MembershipID(req.MembershipId))
	if err != nil {
		return nil, err
	}
	return oapi.DisableMember200JSONResponse{Body: memberOut(m), Headers: oapi.DisableMember200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

// EnableMember implements oapi.StrictServerInterface.
func (s *Server) EnableMember(ctx context.Context, req oapi.EnableMemberRequestObject) (oapi.EnableMemberResponseObject, error) {
	m, err := s.p.EnableMember(ctx, customer.ID(req.CustomerId), customer.MembershipID(req.MembershipId))
	if err != nil {
		return nil, err
	}
	return oapi.EnableMember200JSONResponse{Body: memberOut(m), Headers: oapi.EnableMember200ResponseHeaders{ETag: etag(m.Version)}}, nil
}

func memberOut(m portal.Member) oapi.Member {
	ms := membershipOut(m.Membership)
	return oapi.Member{
		Id:         ms.Id,
		UserId:     ms.UserId,
		CustomerId: ms.CustomerId,
		Role:       ms.Role,
		SiteIds:    ms.SiteIds,
		Status:     ms.Status,
		Version:    ms.Version,
		CreatedAt:  ms.CreatedAt,
		UpdatedAt:  ms.UpdatedAt,
		User:       userOut(m.User),
	}
}

// siteIDsIn converts site IDs from a request; nil stays nil.
func siteIDsIn(ids []oapi.SiteId) []customer.SiteID {
	if ids == nil {
		return nil
	}
	out := make([]customer.SiteID, len(ids))
	for i, id := range ids {
		out[i] = customer.SiteID(id)
	}
	return out
}

func membershipOut(m customer.Membership) oapi.Membership {
	return oapi.Membership{
		Id:         string(m.ID),
		UserId:     string(m.UserID),
		CustomerId: string(m.CustomerID),
		Role:       oapi.Role(m.Role),
		SiteIds:    siteIDsOut(m.SiteIDs),
		Status:     oapi.MembershipStatus(m.Status),
		Version:    m.Version,
		CreatedAt:  m.CreatedAt,
		UpdatedAt:  m.UpdatedAt,
	}
}

func userOut(u customer.User) oapi.User {
	return oapi.User{
		Id:        string(u.ID),
		Email:     openapi_types.Email(u.Email),
		Name:      u.Name,
		Locale:    optString(u.Locale),
		Status:    oapi.UserStatus(u.Status),
		CreatedAt: u.CreatedAt,
		UpdatedAt: u.UpdatedAt,
	}
}

// siteIDsOut converts site IDs for a response: never null, [] for all sites.
func siteIDsOut(ids []customer.SiteID) []oapi.SiteId {
	out := make([]oapi.SiteId, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}
