package httpapi

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
)

func auditEventOut(e audit.Event) oapi.AuditEvent {
	out := oapi.AuditEvent{
		Id: string(e.ID), At: e.At, Actor: e.Actor, Impersonator: optString(e.Impersonator), Action: e.Action,
		ActorName: optString(e.ActorName), ImpersonatorName: optString(e.ImpersonatorName),
		Target: e.ObjectID, RequestId: optString(e.RequestID), Changes: make([]oapi.AuditChange, 0, len(e.Changes)),
	}
	if e.CustomerID != "" {
		out.CustomerId = ptr(oapi.CustomerId(e.CustomerID))
	}
	for _, c := range e.Changes {
		out.Changes = append(out.Changes, oapi.AuditChange{Field: c.Field, Before: c.Before, After: c.After})
	}
	return out
}

func auditParams(actor, action, target *string, from, to *time.Time, cursor *oapi.Cursor, limit *oapi.Limit) portal.ListAuditEventsParams {
	p := portal.ListAuditEventsParams{Actor: deref(actor), Action: deref(action), Target: deref(target), From: deref(from), To: deref(to)}
	p.Cursor, p.Limit = pageIn(cursor, limit)
	return p
}

func auditListOut(l portal.List[audit.Event]) oapi.AuditEventList {
	out := oapi.AuditEventList{Items: make([]oapi.AuditEvent, 0, len(l.Items)), NextCursor: l.NextCursor}
	for _, e := range l.Items {
		out.Items = append(out.Items, auditEventOut(e))
	}
	return out
}

// ListAuditEvents implements oapi.StrictServerInterface.
func (s *Server) ListAuditEvents(ctx context.Context, req oapi.ListAuditEventsRequestObject) (oapi.ListAuditEventsResponseObject, error) {
	q := req.Params
	params := auditParams(q.Actor, q.Action, q.Target, q.From, q.To, q.Cursor, q.Limit)
	if q.CustomerId != nil {
		params.CustomerID = customer.ID(*q.CustomerId)
	}
	l, err := s.p.ListAuditEvents(ctx, params)
	if err != nil {
		return nil, err
	}
	return oapi.ListAuditEvents200JSONResponse(auditListOut(l)), nil
}

// ListCustomerAuditEvents implements oapi.StrictServerInterface.
func (s *Server) ListCustomerAuditEvents(ctx context.Context, req oapi.ListCustomerAuditEventsRequestObject) (oapi.ListCustomerAuditEventsResponseObject, error) {
	q := req.Params
	l, err := s.p.ListCustomerAuditEvents(ctx, customer.ID(req.CustomerId), auditParams(q.Actor, q.Action, q.Target, q.From, q.To, q.Cursor, q.Limit))
	if err != nil {
		return nil, err
	}
	return oapi.ListCustomerAuditEvents200JSONResponse(auditListOut(l)), nil
}
