package httpapi

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

// ListCustomers implements oapi.StrictServerInterface.
func (s *Server) ListCustomers(ctx context.Context, req oapi.ListCustomersRequestObject) (oapi.ListCustomersResponseObject, error) {
	q := req.Params
	params := portal.ListCustomersParams{
		ParentID: customer.ID(deref(q.ParentId)),
		Search:   deref(q.Q),
	}
	params.Cursor, params.Limit = pageIn(q.Cursor, q.Limit)
	for _, st := range deref(q.Status) {
		params.Statuses = append(params.Statuses, customer.Status(st))
	}
	l, err := s.p.ListCustomers(ctx, params)
	if err != nil {
		return nil, err
	}
	return oapi.ListCustomers200JSONResponse{Items: customersOut(l.Items), NextCursor: l.NextCursor}, nil
}

// CreateCustomer implements oapi.StrictServerInterface. The middleware handles its
// Idempotency-Key header (serveIdempotent).
func (s *Server) CreateCustomer(ctx context.Context, req oapi.CreateCustomerRequestObject) (oapi.CreateCustomerResponseObject, error) {
	c, err := s.p.CreateCustomer(ctx, createCustomerIn(req.Body))
	if err != nil {
		return nil, err
	}
	return oapi.CreateCustomer201JSONResponse{Body: customerOut(c), Headers: oapi.CreateCustomer201ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// createCustomerIn is a new customer as the API gives it.
func createCustomerIn(b *oapi.CreateCustomerRequest) portal.CreateCustomerParams {
	params := portal.CreateCustomerParams{
		Name:         b.Name,
		LegalName:    deref(b.LegalName),
		VATID:        deref(b.VatId),
		ContactEmail: string(deref(b.ContactEmail)),
		Phone:        deref(b.Phone),
		Address:      addressIn(deref(b.Address)),
		ExternalRef:  deref(b.ExternalRef),
		ParentID:     customer.ID(deref(b.ParentId)),
		Features:     featuresPatchIn(b.Features),
		Branding:     brandingIn(deref(b.Branding)),
	}
	if fu := b.FirstUser; fu != nil {
		params.FirstUser = &portal.FirstUserParams{
			Email:     string(fu.Email),
			Message:   deref(fu.Message),
			ExpiresIn: time.Duration(deref(fu.ExpiresInSeconds)) * time.Second,
		}
	}
	return params
}

// GetCustomer implements oapi.StrictServerInterface.
func (s *Server) GetCustomer(ctx context.Context, req oapi.GetCustomerRequestObject) (oapi.GetCustomerResponseObject, error) {
	c, err := s.p.GetCustomer(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.GetCustomer200JSONResponse{Body: customerOut(c), Headers: oapi.GetCustomer200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// UpdateCustomer implements oapi.StrictServerInterface. If-Match carries
// the version the caller read; the portal compares it inside its
// transaction, so a stale one is always detected (412).
func (s *Server) UpdateCustomer(ctx context.Context, req oapi.UpdateCustomerRequestObject) (oapi.UpdateCustomerResponseObject, error) {
	version, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	b := req.Body
	params := portal.UpdateCustomerParams{
		Version:      version,
		Name:         b.Name,
		LegalName:    b.LegalName,
		VATID:        b.VatId,
		ContactEmail: b.ContactEmail,
		Phone:        b.Phone,
		ExternalRef:  b.ExternalRef,
	}
	if b.Address != nil {
		params.Address = ptr(addressIn(*b.Address))
	}
	if b.ParentId != nil {
		params.ParentID = ptr(customer.ID(*b.ParentId))
	}
	if b.Branding != nil {
		params.Branding = ptr(brandingIn(*b.Branding))
	}
	c, err := s.p.UpdateCustomer(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateCustomer200JSONResponse{Body: customerOut(c), Headers: oapi.UpdateCustomer200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// SuspendCustomer implements oapi.StrictServerInterface.
func (s *Server) SuspendCustomer(ctx context.Context, req oapi.SuspendCustomerRequestObject) (oapi.SuspendCustomerResponseObject, error) {
	c, err := s.p.SuspendCustomer(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.SuspendCustomer200JSONResponse{Body: customerOut(c), Headers: oapi.SuspendCustomer200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// ReactivateCustomer implements oapi.StrictServerInterface.
func (s *Server) ReactivateCustomer(ctx context.Context, req oapi.ReactivateCustomerRequestObject) (oapi.ReactivateCustomerResponseObject, error) {
	c, err := s.p.ReactivateCustomer(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.ReactivateCustomer200JSONResponse{Body: customerOut(c), Headers: oapi.ReactivateCustomer200ResponseHeaders{ETag: etag(c.Version)}}, nil
}

// ArchiveCustomer implements oapi.StrictServerInterface.
func (s *Server) ArchiveCustomer(ctx context.Context, req oapi.ArchiveCustomerRequestObject) (oapi.ArchiveCustomerResponseObject, error) {
	c, err := s.p.ArchiveCustomer(ctx, customer.ID(req.CustomerId))
	if err != nil {
		return nil, err
	}
	return oapi.ArchiveCustomer200JSONResponse{Body: customerOut(c), Headers: oapi.ArchiveCustomer200ResponseHeaders{ETag: etag(c.Version)}}, nil
}
