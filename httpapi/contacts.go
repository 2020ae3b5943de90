package httpapi

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// ListContacts implements oapi.StrictServerInterface.
func (s *Server) ListContacts(ctx context.Context, req oapi.ListContactsRequestObject) (oapi.ListContactsResponseObject, error) {
	var params portal.ListContactsParams
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListContacts(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListContacts200JSONResponse{Items: make([]oapi.Contact, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, c := range l.Items {
		out.Items = append(out.Items, contactOut(c))
	}
	return out, nil
}

// CreateContact implements oapi.StrictServerInterface.
func (s *Server) CreateContact(ctx context.Context, req oapi.CreateContactRequestObject) (oapi.CreateContactResponseObject, error) {
	c, err := s.p.CreateContact(ctx, customer.ID(req.CustomerId), contactIn(req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.CreateContact201JSONResponse{Body: contactOut(c), Headers: oapi.CreateContact201ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// GetContact implements oapi.StrictServerInterface.
func (s *Server) GetContact(ctx context.Context, req oapi.GetContactRequestObject) (oapi.GetContactResponseObject, error) {
	c, err := s.p.GetContact(ctx, customer.ID(req.CustomerId), customer.ContactID(req.ContactId))
	if err != nil {
		return nil, err
	}
	return oapi.GetContact200JSONResponse{Body: contactOut(c), Headers: oapi.GetContact200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// UpdateContact implements oapi.StrictServerInterface.
func (s *Server) UpdateContact(ctx context.Context, req oapi.UpdateContactRequestObject) (oapi.UpdateContactResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	c, err := s.p.UpdateContact(ctx, customer.ID(req.CustomerId), customer.ContactID(req.ContactId), portal.UpdateContactParams{
		Version: want, ContactParams: contactIn(req.Body),
	})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateContact200JSONResponse{Body: contactOut(c), Headers: oapi.UpdateContact200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// DeleteContact implements oapi.StrictServerInterface.
func (s *Server) DeleteContact(ctx context.Context, req oapi.DeleteContactRequestObject) (oapi.DeleteContactResponseObject, error) {
	if err := s.p.DeleteContact(ctx, customer.ID(req.CustomerId), customer.ContactID(req.ContactId)); err != nil {
		return nil, err
	}
	return oapi.DeleteContact204Response{}, nil
}

// EnableContactPortalAccess implements oapi.StrictServerInterface.
func (s *Server) EnableContactPortalAccess(ctx context.Context, req oapi.EnableContactPortalAccessRequestObject) (oapi.EnableContactPortalAccessResponseObject, error) {
	b := req.Body
	params := portal.ContactAccessParams{Role: customer.Role(b.Role), Message: deref(b.Message)}
	for _, id := range deref(b.SiteIds) {
		params.SiteIDs = append(params.SiteIDs, customer.SiteID(id))
	}
	c, err := s.p.EnableContactPortalAccess(ctx, customer.ID(req.CustomerId), customer.ContactID(req.ContactId), params)
	if err != nil {
		return nil, err
	}
	return oapi.EnableContactPortalAccess200JSONResponse{Body: contactOut(c), Headers: oapi.EnableContactPortalAccess200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// UpdateUser implements oapi.StrictServerInterface.
func (s *Server) UpdateUser(ctx context.Context, req oapi.UpdateUserRequestObject) (oapi.UpdateUserResponseObject, error) {
	u, err := s.p.UpdateUser(ctx, customer.UserID(req.UserId), portal.UpdateUserParams{Name: req.Body.Name, Email: req.Body.Email})
	if err != nil {
		return nil, err
	}
	out := oapi.UpdateUser200JSONResponse{User: userOut(u.User)}
	if u.PendingEmail != "" {
		out.PendingEmail = ptr(u.PendingEmail)
	}
	return out, nil
}

// ConfirmEmailChange implements oapi.StrictServerInterface.
func (s *Server) ConfirmEmailChange(ctx context.Context, req oapi.ConfirmEmailChangeRequestObject) (oapi.ConfirmEmailChangeResponseObject, error) {
	if err := s.p.ConfirmEmailChange(ctx, req.Body.Token); err != nil {
		return nil, err
	}
	return oapi.ConfirmEmailChange204Response{}, nil
}

func contactIn(b *oapi.ContactRequest) portal.ContactParams {
	p := portal.ContactParams{Name: b.Name, Email: deref(b.Email), Phone: deref(b.Phone), JobTitle: deref(b.JobTitle), Notes: deref(b.Notes)}
	for _, a := range deref(b.Addresses) {
		p.Addresses = append(p.Addresses, customer.ContactAddress{Label: deref(a.Label), Address: addressIn(a.Address), Primary: deref(a.Primary)})
	}
	return p
}

func contactOut(c customer.Contact) oapi.Contact {
	out := oapi.Contact{
		Id: string(c.ID), CustomerId: string(c.CustomerID), Name: c.Name, Email: c.Email, Phone: c.Phone, JobTitle: c.JobTitle,
		Notes: c.Notes, Addresses: make([]oapi.ContactAddress, 0, len(c.Addresses)), Version: c.Version, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
	for _, a := range c.Addresses {
		oa := oapi.ContactAddress{Address: addressOut(a.Address), Primary: ptr(a.Primary)}
		if a.Label != "" {
			oa.Label = ptr(a.Label)
		}
		out.Addresses = append(out.Addresses, oa)
	}
	if c.InvitationID != "" {
		out.InvitationId = ptr(c.InvitationID)
	}
	if c.UserID != "" {
		out.UserId = ptr(string(c.UserID))
	}
	return out
}
