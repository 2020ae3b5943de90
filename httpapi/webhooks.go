package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/webhook"
)

// EventData turns the object of a webhook event into its form in the HTTP
// API, as openapi.yaml documents the events' data (the Webhook…Event
// schemas): set it as portal.Config.Webhooks.Data so that receivers get
// the objects as GET shows them. It fails for a type it does not know.
func EventData(v any) (any, error) {
	switch o := v.(type) {
	case customer.Customer:
		return customerOut(o), nil
	case portal.Member:
		return memberOut(o), nil
	case orders.Order:
		return orderOut(o), nil
	case portal.StockItem:
		return stockItemOut(o), nil
	case ticket.Ticket:
		return ticketOut(o), nil
	case ticket.Comment:
		return commentOut(o), nil
	case customer.Site:
		return siteOut(o), nil
	case portal.RecordActionEvent:
		out := oapi.RecordActionTaken{Action: o.Action, By: o.By, Description: optString(o.Description), Record: recordOut(o.Record)}
		if len(o.Fields) > 0 {
			out.Fields = &o.Fields
		}
		return out, nil
	case ticket.Attachment:
		return attachmentOut(o), nil
	case invite.Invitation:
		// Its status as the API showed it when it changed.
		return invitationOut(o, o.UpdatedAt), nil
	case customer.User:
		return userOut(o), nil
	case invite.AccessLink:
		return accessLinkOut(o), nil
	case identity.APIKey:
		return apiKeyOut(o), nil
	case orders.Product:
		return productOut(o), nil
	case orders.Offer:
		return offerOut(o), nil
	case news.Article:
		return articleOut(o), nil
	case record.Type:
		return recordTypeOut(o), nil
	case record.Record:
		return recordOut(o), nil
	case record.ChangeRequest:
		return recordChangeOut(o), nil
	case fieldwork.Job:
		return jobOut(o), nil
	case fieldwork.Visit:
		return visitOut(o), nil
	case fieldwork.Picture:
		return pictureOut(o), nil
	case customer.Contact:
		return contactOut(o), nil
	case accessrequest.Request:
		return accessRequestOut(o, o.Status), nil
	case hrsync.Run:
		return syncRunOut(o, false), nil
	case hrsync.Settings:
		return syncSettingsOut(o), nil
	case hrsync.Token:
		return scimTokenOut(o), nil
	case org.Employee:
		return employeeOut(o), nil
	case portal.LicensesView:
		return licensesOut(o), nil
	case portal.SSOSettings:
		return ssoOut(o), nil
	case identity.Impersonation:
		return impersonationOut(o), nil
	case portal.ImpersonationPolicy:
		return oapi.ImpersonationPolicy{Forbidden: o.Forbidden}, nil
	case identity.StaffMember:
		return staffOut(o), nil
	case outbox.Message:
		return mailMessageOut(o), nil
	case customer.MailTemplate:
		return mailTemplateOut(o), nil
	case portal.WebhookEndpoint:
		return webhookEndpointOut(o), nil
	case webhook.Delivery:
		return webhookDeliveryOut(o, false), nil
	}
	return nil, fmt.Errorf("httpapi: no API form for webhook data of type %T", v)
}

// ListWebhookEndpoints implements oapi.StrictServerInterface.
func (s *Server) ListWebhookEndpoints(ctx context.Context, req oapi.ListWebhookEndpointsRequestObject) (oapi.ListWebhookEndpointsResponseObject, error) {
	var params portal.ListWebhookEndpointsParams
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListWebhookEndpoints(ctx, params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListWebhookEndpoints200JSONResponse{Items: make([]oapi.WebhookEndpoint, len(l.Items)), NextCursor: l.NextCursor}
	for i, e := range l.Items {
		out.Items[i] = webhookEndpointOut(e)
	}
	return out, nil
}

// CreateWebhookEndpoint implements oapi.StrictServerInterface. Its answer
// holds the signing secret, so it is not to be stored by caches.
func (s *Server) CreateWebhookEndpoint(ctx context.Context, req oapi.CreateWebhookEndpointRequestObject) (oapi.CreateWebhookEndpointResponseObject, error) {
	b := req.Body
	e, err := s.p.CreateWebhookEndpoint(ctx, portal.CreateWebhookEndpointParams{
		URL: b.Url, Description: deref(b.Description), EventTypes: eventTypesIn(b.EventTypes),
		CustomerID: customer.ID(deref(b.CustomerId)), Disabled: b.Enabled != nil && !*b.Enabled,
	})
	if err != nil {
		return nil, err
	}
	return createWebhookEndpointNoStore{oapi.CreateWebhookEndpoint201JSONResponse(webhookSecretOut(e))}, nil
}

// GetWebhookEndpoint implements oapi.StrictServerInterface.
func (s *Server) GetWebhookEndpoint(ctx context.Context, req oapi.GetWebhookEndpointRequestObject) (oapi.GetWebhookEndpointResponseObject, error) {
	e, err := s.p.GetWebhookEndpoint(ctx, webhook.EndpointID(req.EndpointId))
	if err != nil {
		return nil, err
	}
	return oapi.GetWebhookEndpoint200JSONResponse{Body: webhookEndpointOut(e), Headers: oapi.GetWebhookEndpoint200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

// UpdateWebhookEndpoint implements oapi.StrictServerInterface. If-Match
// reaches the use case as the expected version.
func (s *Server) UpdateWebhookEndpoint(ctx context.Context, req oapi.UpdateWebhookEndpointRequestObject) (oapi.UpdateWebhookEndpointResponseObject, error) {
	want, err := parseIfMatch(req.Params.IfMatch)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	b := req.Body
	params := portal.UpdateWebhookEndpointParams{Version: want, URL: b.Url, Description: b.Description, Enabled: b.Enabled}
	if b.EventTypes != nil {
		params.EventTypes = eventTypesIn(*b.EventTypes)
		if params.EventTypes == nil {
			params.EventTypes = []webhook.Type{} // named, and empty: invalid
		}
	}
	if b.CustomerId != nil {
		cid := customer.ID(*b.CustomerId)
		params.CustomerID = &cid
	}
	e, err := s.p.UpdateWebhookEndpoint(ctx, webhook.EndpointID(req.EndpointId), params)
	if err != nil {
		return nil, staleIfMatch(err)
	}
	return oapi.UpdateWebhookEndpoint200JSONResponse{Body: webhookEndpointOut(e), Headers: oapi.UpdateWebhookEndpoint200ResponseHeaders{ETag: etag(e.Version)}}, nil
}

// DeleteWebhookEndpoint implements oapi.StrictServerInterface.
func (s *Server) DeleteWebhookEndpoint(ctx context.Context, req oapi.DeleteWebhookEndpointRequestObject) (oapi.DeleteWebhookEndpointResponseObject, error) {
	if err := s.p.DeleteWebhookEndpoint(ctx, webhook.EndpointID(req.EndpointId)); err != nil {
		return nil, err
	}
	return oapi.DeleteWebhookEndpoint204Response{}, nil
}

// RotateWebhookSecret implements oapi.StrictServerInterface.
func (s *Server) RotateWebhookSecret(ctx context.Context, req oapi.RotateWebhookSecretRequestObject) (oapi.RotateWebhookSecretResponseObject, error) {
	e, err := s.p.RotateWebhookSecret(ctx, webhook.EndpointID(req.EndpointId), portal.RotateWebhookSecretParams{
		Overlap: time.Duration(req.Body.OverlapSeconds) * time.Second,
	})
	if err != nil {
		return nil, err
	}
	return rotateWebhookSecretNoStore{oapi.RotateWebhookSecret200JSONResponse(webhookSecretOut(e))}, nil
}

// ListWebhookDeliveries implements oapi.StrictServerInterface.
func (s *Server) ListWebhookDeliveries(ctx context.Context, req oapi.ListWebhookDeliveriesRequestObject) (oapi.ListWebhookDeliveriesResponseObject, error) {
	params := portal.ListWebhookDeliveriesParams{
		Status: outbox.Status(deref(req.Params.Status)), EventID: webhook.EventID(deref(req.Params.EventId)),
	}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListWebhookDeliveries(ctx, webhook.EndpointID(req.EndpointId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListWebhookDeliveries200JSONResponse{Items: make([]oapi.WebhookDelivery, len(l.Items)), NextCursor: l.NextCursor}
	for i, d := range l.Items {
		out.Items[i] = webhookDeliveryOut(d, false)
	}
	return out, nil
}

// ReplayWebhookDeliveries implements oapi.StrictServerInterface.
func (s *Server) ReplayWebhookDeliveries(ctx context.Context, req oapi.ReplayWebhookDeliveriesRequestObject) (oapi.ReplayWebhookDeliveriesResponseObject, error) {
	n, err := s.p.ReplayWebhookDeliveries(ctx, webhook.EndpointID(req.EndpointId), portal.ReplayWebhookDeliveriesParams{From: req.Body.From, To: req.Body.To})
	if err != nil {
		return nil, err
	}
	return oapi.ReplayWebhookDeliveries200JSONResponse{Replayed: n}, nil
}

// GetWebhookDelivery implements oapi.StrictServerInterface.
func (s *Server) GetWebhookDelivery(ctx context.Context, req oapi.GetWebhookDeliveryRequestObject) (oapi.GetWebhookDeliveryResponseObject, error) {
	d, err := s.p.GetWebhookDelivery(ctx, webhook.DeliveryID(req.DeliveryId))
	if err != nil {
		return nil, err
	}
	return oapi.GetWebhookDelivery200JSONResponse(webhookDeliveryOut(d, true)), nil
}

// ReplayWebhookDelivery implements oapi.StrictServerInterface.
func (s *Server) ReplayWebhookDelivery(ctx context.Context, req oapi.ReplayWebhookDeliveryRequestObject) (oapi.ReplayWebhookDeliveryResponseObject, error) {
	d, err := s.p.ReplayWebhookDelivery(ctx, webhook.DeliveryID(req.DeliveryId))
	if err != nil {
		return nil, err
	}
	return oapi.ReplayWebhookDelivery201JSONResponse(webhookDeliveryOut(d, false)), nil
}

func eventTypesIn(ts []oapi.WebhookEventType) []webhook.Type {
	if len(ts) == 0 {
		return nil
	}
	out := make([]webhook.Type, len(ts))
	for i, t := range ts {
		out[i] = webhook.Type(t)
	}
	return out
}

func webhookEndpointOut(e portal.WebhookEndpoint) oapi.WebhookEndpoint {
	types := make([]oapi.WebhookEventType, len(e.Types))
	for i, t := range e.Types {
		types[i] = oapi.WebhookEventType(t)
	}
	out := oapi.WebhookEndpoint{
		Id: string(e.ID), Url: e.URL, Description: e.Description, EventTypes: types, Enabled: e.Enabled,
		DisabledReason: optString(e.DisabledReason), FailingSince: optTime(e.FailingSince),
		PreviousSecretUntil: optTime(e.PreviousUntil), Version: e.Version, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt,
	}
	if e.CustomerID != "" {
		cid := string(e.CustomerID)
		out.CustomerId = &cid
	}
	return out
}

func webhookSecretOut(e portal.WebhookEndpointSecret) oapi.WebhookEndpointSecret {
	return oapi.WebhookEndpointSecret{Endpoint: webhookEndpointOut(e.WebhookEndpoint), Secret: e.Secret}
}

// webhookDeliveryOut converts a delivery; its body only when asked for
// one delivery, as lists would grow large with it.
func webhookDeliveryOut(d webhook.Delivery, body bool) oapi.WebhookDelivery {
	out := oapi.WebhookDelivery{
		Id: string(d.ID), EndpointId: string(d.EndpointID), EventId: string(d.EventID), EventType: oapi.WebhookEventType(d.Type),
		Status: oapi.WebhookDeliveryStatus(d.Status), Attempts: d.Attempts,
		ResponseBody: optString(d.ResponseBody), LastError: optString(d.LastError),
		AttemptedAt: optTime(d.AttemptedAt), DeliveredAt: optTime(d.DeliveredAt), CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt,
	}
	if d.CustomerID != "" {
		cid := string(d.CustomerID)
		out.CustomerId = &cid
	}
	if d.ReplayOf != "" {
		r := string(d.ReplayOf)
		out.ReplayOf = &r
	}
	if d.Status == outbox.Pending {
		out.NextAttemptAt = optTime(d.NextAttemptAt)
	}
	if d.ResponseCode != 0 {
		out.ResponseCode = &d.ResponseCode
	}
	if !d.AttemptedAt.IsZero() {
		ms := d.Latency.Milliseconds()
		out.LatencyMs = &ms
	}
	if body {
		b := string(d.Body)
		out.Body = &b
	}
	return out
}

type createWebhookEndpointNoStore struct {
	oapi.CreateWebhookEndpoint201JSONResponse
}

func (r createWebhookEndpointNoStore) VisitCreateWebhookEndpointResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.CreateWebhookEndpoint201JSONResponse.VisitCreateWebhookEndpointResponse(w)
}

type rotateWebhookSecretNoStore struct {
	oapi.RotateWebhookSecret200JSONResponse
}

func (r rotateWebhookSecretNoStore) VisitRotateWebhookSecretResponse(w http.ResponseWriter) error {
	noStore(w)
	return r.RotateWebhookSecret200JSONResponse.VisitRotateWebhookSecretResponse(w)
}
