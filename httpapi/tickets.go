package httpapi

import (
	"context"
	"maps"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/warehouse"
)

// ListTicketTypes implements oapi.StrictServerInterface.
func (s *Server) ListTicketTypes(ctx context.Context, _ oapi.ListTicketTypesRequestObject) (oapi.ListTicketTypesResponseObject, error) {
	types, err := s.p.TicketTypes(ctx)
	if err != nil {
		return nil, err
	}
	out := oapi.ListTicketTypes200JSONResponse{Items: make([]oapi.TicketType, 0, len(types))}
	for _, t := range types {
		tt := oapi.TicketType{Name: t.Name, Label: t.Label, Fields: make([]oapi.TicketField, 0, len(t.Fields))}
		for _, f := range t.Fields {
			of := oapi.TicketField{Name: f.Name, Kind: oapi.TicketFieldKind(f.Kind), Required: f.Required, Label: f.Label}
			if len(f.Options) > 0 {
				of.Options = ptr(f.Options)
			}
			if f.MaxLen > 0 {
				of.MaxLength = ptr(f.MaxLen)
			}
			tt.Fields = append(tt.Fields, of)
		}
		out.Items = append(out.Items, tt)
	}
	return out, nil
}

// ListTickets implements oapi.StrictServerInterface.
func (s *Server) ListTickets(ctx context.Context, req oapi.ListTicketsRequestObject) (oapi.ListTicketsResponseObject, error) {
	params := portal.ListTicketsParams{Status: ticket.Status(deref(req.Params.Status)), Type: deref(req.Params.Type),
		RecordID: record.ID(deref(req.Params.RecordId))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListTickets(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ListTickets200JSONResponse(ticketListOut(l.Items, l.NextCursor)), nil
}

// ListTicketQueue implements oapi.StrictServerInterface.
func (s *Server) ListTicketQueue(ctx context.Context, req oapi.ListTicketQueueRequestObject) (oapi.ListTicketQueueResponseObject, error) {
	q := req.Params
	params := portal.TicketQueueParams{
		Status: ticket.Status(deref(q.Status)), Type: deref(q.Type), CustomerID: customer.ID(deref(q.CustomerId)),
		Assignee: identity.StaffID(deref(q.Assignee)), Unassigned: deref(q.Unassigned),
	}
	params.Cursor, params.Limit = pageIn(q.Cursor, q.Limit)
	l, err := s.p.TicketQueue(ctx, params)
	if err != nil {
		return nil, err
	}
	list := ticketListOut(l.Items, l.NextCursor)
	out := oapi.ListTicketQueue200JSONResponse{Items: list.Items, NextCursor: list.NextCursor}
	c := &out.Counts
	c.Open, c.InProgress, c.WaitingOnCustomer = l.Counts[ticket.StatusOpen], l.Counts[ticket.StatusInProgress], l.Counts[ticket.StatusWaitingOnCustomer]
	c.Resolved, c.Closed = l.Counts[ticket.StatusResolved], l.Counts[ticket.StatusClosed]
	return out, nil
}

// OpenTicket implements oapi.StrictServerInterface. The middleware
// handles its Idempotency-Key header (serveIdempotent).
func (s *Server) OpenTicket(ctx context.Context, req oapi.OpenTicketRequestObject) (oapi.OpenTicketResponseObject, error) {
	b := req.Body
	params := portal.OpenTicketParams{
		Type: b.Type, Subject: b.Subject, Description: deref(b.Description), Priority: ticket.Priority(deref(b.Priority)),
		RequestedBy: customer.UserID(deref(b.RequestedBy)),
	}
	if b.Fields != nil {
		params.Fields = maps.Clone(map[string]string(*b.Fields))
	}
	if l := b.Links; l != nil {
		params.Links = portal.TicketLinksParams{
			OrderID: orders.ID(deref(l.OrderId)), OrderLine: deref(l.OrderLine),
			StockItemID: warehouse.ItemID(deref(l.StockItemId)), SiteID: customer.SiteID(deref(l.SiteId)),
			RecordID: record.ID(deref(l.RecordId)),
		}
	}
	t, err := s.p.OpenTicket(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.OpenTicket201JSONResponse{Body: ticketOut(t), Headers: oapi.OpenTicket201ResponseHeaders{ETag: etag(t.Version)}}, nil
}

// GetTicket implements oapi.StrictServerInterface.
func (s *Server) GetTicket(ctx context.Context, req oapi.GetTicketRequestObject) (oapi.GetTicketResponseObject, error) {
	t, err := s.p.GetTicket(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId))
	if err != nil {
		return nil, err
	}
	return oapi.GetTicket200JSONResponse{Body: ticketOut(t), Headers: oapi.GetTicket200ResponseHeaders{ETag: etag(t.Version)}}, nil
}

// ListTicketComments implements oapi.StrictServerInterface.
func (s *Server) ListTicketComments(ctx context.Context, req oapi.ListTicketCommentsRequestObject) (oapi.ListTicketCommentsResponseObject, error) {
	var params portal.ListTicketCommentsParams
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListTicketComments(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListTicketComments200JSONResponse{Items: make([]oapi.TicketComment, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, c := range l.Items {
		out.Items = append(out.Items, commentOut(c))
	}
	return out, nil
}

// GetTicketComment implements oapi.StrictServerInterface.
func (s *Server) GetTicketComment(ctx context.Context, req oapi.GetTicketCommentRequestObject) (oapi.GetTicketCommentResponseObject, error) {
	c, err := s.p.GetTicketComment(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), ticket.CommentID(req.CommentId))
	if err != nil {
		return nil, err
	}
	return oapi.GetTicketComment200JSONResponse(commentOut(c)), nil
}

// AddTicketComment implements oapi.StrictServerInterface. The middleware
// handles its Idempotency-Key header (serveIdempotent).
func (s *Server) AddTicketComment(ctx context.Context, req oapi.AddTicketCommentRequestObject) (oapi.AddTicketCommentResponseObject, error) {
	params := portal.AddTicketCommentParams{Body: req.Body.Body, Visibility: ticket.Visibility(deref(req.Body.Visibility))}
	c, err := s.p.AddTicketComment(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), params)
	if err != nil {
		return nil, err
	}
	return oapi.AddTicketComment201JSONResponse(commentOut(c)), nil
}

// ChangeTicketStatus implements oapi.StrictServerInterface.
func (s *Server) ChangeTicketStatus(ctx context.Context, req oapi.ChangeTicketStatusRequestObject) (oapi.ChangeTicketStatusResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	t, err := s.p.ChangeTicketStatus(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), portal.ChangeTicketStatusParams{
		Version: want, Status: ticket.Status(req.Body.Status), Note: deref(req.Body.Note),
	})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.ChangeTicketStatus200JSONResponse{Body: ticketOut(t), Headers: oapi.ChangeTicketStatus200ResponseHeaders{ETag: etag(t.Version)}}, nil
}

// ReopenTicket implements oapi.StrictServerInterface.
func (s *Server) ReopenTicket(ctx context.Context, req oapi.ReopenTicketRequestObject) (oapi.ReopenTicketResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	t, err := s.p.ReopenTicket(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), portal.ReopenTicketParams{
		Version: want, Note: deref(req.Body.Note),
	})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.ReopenTicket200JSONResponse{Body: ticketOut(t), Headers: oapi.ReopenTicket200ResponseHeaders{ETag: etag(t.Version)}}, nil
}

// AssignTicket implements oapi.StrictServerInterface.
func (s *Server) AssignTicket(ctx context.Context, req oapi.AssignTicketRequestObject) (oapi.AssignTicketResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	t, err := s.p.AssignTicket(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), portal.AssignTicketParams{
		Version: want, Assignee: identity.StaffID(deref(req.Body.Assignee)),
	})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.AssignTicket200JSONResponse{Body: ticketOut(t), Headers: oapi.AssignTicket200ResponseHeaders{ETag: etag(t.Version)}}, nil
}

// SetTicketPriority implements oapi.StrictServerInterface.
func (s *Server) SetTicketPriority(ctx context.Context, req oapi.SetTicketPriorityRequestObject) (oapi.SetTicketPriorityResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	t, err := s.p.SetTicketPriority(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), portal.SetTicketPriorityParams{
		Version: want, Priority: ticket.Priority(req.Body.Priority),
	})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.SetTicketPriority200JSONResponse{Body: ticketOut(t), Headers: oapi.SetTicketPriority200ResponseHeaders{ETag: etag(t.Version)}}, nil
}

// ApplyMasterDataChange implements oapi.StrictServerInterface.
func (s *Server) ApplyMasterDataChange(ctx context.Context, req oapi.ApplyMasterDataChangeRequestObject) (oapi.ApplyMasterDataChangeResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	b := req.Body
	t, _, err := s.p.ApplyMasterDataChange(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), portal.ApplyMasterDataChangeParams{
		Version: want, CustomerVersion: b.CustomerVersion, Resolve: deref(b.Resolve), Note: deref(b.Note),
	})
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.ApplyMasterDataChange200JSONResponse{Body: ticketOut(t), Headers: oapi.ApplyMasterDataChange200ResponseHeaders{ETag: etag(t.Version)}}, nil
}

func ticketListOut(ts []ticket.Ticket, next string) oapi.TicketList {
	out := oapi.TicketList{Items: make([]oapi.Ticket, 0, len(ts)), NextCursor: next}
	for _, t := range ts {
		out.Items = append(out.Items, ticketOut(t))
	}
	return out
}

func ticketOut(t ticket.Ticket) oapi.Ticket {
	out := oapi.Ticket{
		Id: string(t.ID), Number: t.Number.String(), CustomerId: string(t.CustomerID), Type: t.Type,
		Subject: t.Subject, Description: t.Description, Status: oapi.TicketStatus(t.Status), Priority: oapi.TicketPriority(t.Priority),
		RequestedBy: optString(string(t.RequestedBy)), Assignee: optString(string(t.Assignee)),
		Fields:     oapi.TicketFields(maps.Clone(t.Fields)),
		ResolvedAt: optTime(t.ResolvedAt), AppliedAt: optTime(t.AppliedAt),
		Version: t.Version, CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
	}
	if out.Fields == nil {
		out.Fields = oapi.TicketFields{}
	}
	l := t.Links
	out.Links = oapi.TicketLinks{
		OrderId: optString(string(l.OrderID)), StockItemId: optString(string(l.StockItemID)), SiteId: optString(string(l.SiteID)),
		RecordId: optString(string(l.RecordID)),
	}
	if l.OrderLine > 0 {
		out.Links.OrderLine = ptr(l.OrderLine)
	}
	if t.History != nil {
		h := make([]oapi.TicketEvent, 0, len(t.History))
		for _, ev := range t.History {
			h = append(h, oapi.TicketEvent{Kind: oapi.TicketEventKind(ev.Kind), From: ev.From, To: ev.To, At: ev.At, By: ev.By, Note: ev.Note})
		}
		out.History = &h
	}
	return out
}

func commentOut(c ticket.Comment) oapi.TicketComment {
	return oapi.TicketComment{
		Id: string(c.ID), TicketId: string(c.TicketID), Visibility: oapi.TicketVisibility(c.Visibility),
		Author: c.Author, AuthorName: c.AuthorName, Body: c.Body, CreatedAt: c.CreatedAt,
	}
}
