package httpapi

import (
	"context"

	openapi_types "github.com/oapi-codegen/runtime/types"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
)

// ListOrders implements oapi.StrictServerInterface.
func (s *Server) ListOrders(ctx context.Context, req oapi.ListOrdersRequestObject) (oapi.ListOrdersResponseObject, error) {
	params := portal.ListOrdersParams{Status: orders.Status(deref(req.Params.Status))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListOrders(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ListOrders200JSONResponse(orderListOut(l.Items, l.NextCursor)), nil
}

// ListOrderInbox implements oapi.StrictServerInterface.
func (s *Server) ListOrderInbox(ctx context.Context, req oapi.ListOrderInboxRequestObject) (oapi.ListOrderInboxResponseObject, error) {
	q := req.Params
	params := portal.OrderInboxParams{Status: orders.Status(deref(q.Status)), CustomerID: customer.ID(deref(q.CustomerId))}
	params.Cursor, params.Limit = pageIn(q.Cursor, q.Limit)
	l, err := s.p.OrderInbox(ctx, params)
	if err != nil {
		return nil, err
	}
	return oapi.ListOrderInbox200JSONResponse(orderListOut(l.Items, l.NextCursor)), nil
}

// PlaceOrder implements oapi.StrictServerInterface. The middleware handles
// its Idempotency-Key header (serveIdempotent): a retried placement
// answers the first order.
func (s *Server) PlaceOrder(ctx context.Context, req oapi.PlaceOrderRequestObject) (oapi.PlaceOrderResponseObject, error) {
	b := req.Body
	params := portal.PlaceOrderParams{
		Kind:   orders.Kind(deref(b.Kind)),
		SiteID: customer.SiteID(deref(b.SiteId)),
		Lines:  make([]portal.OrderLineParams, len(b.Lines)),
		Note:   deref(b.Note),
	}
	for i, l := range b.Lines {
		params.Lines[i] = portal.OrderLineParams{ProductID: orders.ProductID(l.ProductId), Quantity: l.Quantity}
	}
	if b.DeliveryAddress != nil {
		params.DeliveryAddress = ptr(addressIn(*b.DeliveryAddress))
	}
	if b.Recipient != nil {
		params.Recipient = ptr(employeeIn(*b.Recipient))
	}
	if b.RequestedDate != nil {
		params.RequestedDate = b.RequestedDate.Time
	}
	o, err := s.p.PlaceOrder(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	return oapi.PlaceOrder201JSONResponse{Body: orderOut(o), Headers: oapi.PlaceOrder201ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// GetOrder implements oapi.StrictServerInterface.
func (s *Server) GetOrder(ctx context.Context, req oapi.GetOrderRequestObject) (oapi.GetOrderResponseObject, error) {
	o, err := s.p.GetOrder(ctx, customer.ID(req.CustomerId), orders.ID(req.OrderId))
	if err != nil {
		return nil, err
	}
	return oapi.GetOrder200JSONResponse{Body: orderOut(o), Headers: oapi.GetOrder200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// CancelOrder implements oapi.StrictServerInterface.
func (s *Server) CancelOrder(ctx context.Context, req oapi.CancelOrderRequestObject) (oapi.CancelOrderResponseObject, error) {
	var params portal.CancelOrderParams
	if req.Body != nil {
		params.Reason = deref(req.Body.Reason)
	}
	o, err := s.p.CancelOrder(ctx, customer.ID(req.CustomerId), orders.ID(req.OrderId), params)
	if err != nil {
		return nil, err
	}
	return oapi.CancelOrder200JSONResponse{Body: orderOut(o), Headers: oapi.CancelOrder200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// ConfirmOrder implements oapi.StrictServerInterface.
func (s *Server) ConfirmOrder(ctx context.Context, req oapi.ConfirmOrderRequestObject) (oapi.ConfirmOrderResponseObject, error) {
	var params portal.DecideOrderParams
	if req.Body != nil {
		params.Note = deref(req.Body.Note)
	}
	o, err := s.p.ConfirmOrder(ctx, orders.ID(req.OrderId), params)
	if err != nil {
		return nil, err
	}
	return oapi.ConfirmOrder200JSONResponse{Body: orderOut(o), Headers: oapi.ConfirmOrder200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// RejectOrder implements oapi.StrictServerInterface.
func (s *Server) RejectOrder(ctx context.Context, req oapi.RejectOrderRequestObject) (oapi.RejectOrderResponseObject, error) {
	o, err := s.p.RejectOrder(ctx, orders.ID(req.OrderId), portal.RejectOrderParams{Reason: req.Body.Reason})
	if err != nil {
		return nil, err
	}
	return oapi.RejectOrder200JSONResponse{Body: orderOut(o), Headers: oapi.RejectOrder200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

// FulfilOrder implements oapi.StrictServerInterface.
func (s *Server) FulfilOrder(ctx context.Context, req oapi.FulfilOrderRequestObject) (oapi.FulfilOrderResponseObject, error) {
	var params portal.DecideOrderParams
	if req.Body != nil {
		params.Note = deref(req.Body.Note)
	}
	o, err := s.p.FulfilOrder(ctx, orders.ID(req.OrderId), params)
	if err != nil {
		return nil, err
	}
	return oapi.FulfilOrder200JSONResponse{Body: orderOut(o), Headers: oapi.FulfilOrder200ResponseHeaders{ETag: etag(o.Version)}}, nil
}

func employeeIn(e oapi.Employee) orders.Employee {
	return orders.Employee{Name: e.Name, Email: string(deref(e.Email)), EmployeeNumber: deref(e.EmployeeNumber)}
}

func orderListOut(os []orders.Order, next string) oapi.OrderList {
	out := oapi.OrderList{Items: make([]oapi.Order, len(os)), NextCursor: next}
	for i, o := range os {
		out.Items[i] = orderOut(o)
	}
	return out
}

func orderOut(o orders.Order) oapi.Order {
	out := oapi.Order{
		Id:         string(o.ID),
		Number:     o.Number.String(),
		CustomerId: string(o.CustomerID),
		SiteId:     optString(string(o.SiteID)),
		Kind:       oapi.OrderKind(o.Kind),
		Status:     oapi.OrderStatus(o.Status),
		Currency:   o.Currency,
		Lines:      make([]oapi.OrderLine, len(o.Lines)),
		Total:      moneyOut(o.Total()),
		Note:       optString(o.Note),
		OrderedBy:  string(o.OrderedBy),
		History:    make([]oapi.OrderEvent, len(o.History)),
		Version:    o.Version,
		CreatedAt:  o.CreatedAt,
		UpdatedAt:  o.UpdatedAt,
	}
	for i, l := range o.Lines {
		out.Lines[i] = oapi.OrderLine{
			ProductId: string(l.ProductID), Sku: l.SKU, Name: l.Name, Quantity: l.Quantity,
			UnitPrice: moneyOut(l.UnitPrice), Total: oapi.Money{Amount: l.Total(), Currency: l.UnitPrice.Currency},
		}
	}
	for i, ev := range o.History {
		e := oapi.OrderEvent{To: oapi.OrderStatus(ev.To), At: ev.At, By: ev.By, Note: optString(ev.Note)}
		if ev.From != "" {
			e.From = ptr(oapi.OrderStatus(ev.From))
		}
		out.History[i] = e
	}
	if o.DeliveryAddress != (customer.Address{}) {
		out.DeliveryAddress = ptr(addressOut(o.DeliveryAddress))
	}
	if !o.Recipient.IsZero() {
		r := oapi.Employee{Name: o.Recipient.Name, EmployeeNumber: optString(o.Recipient.EmployeeNumber)}
		if o.Recipient.Email != "" {
			r.Email = ptr(openapi_types.Email(o.Recipient.Email))
		}
		out.Recipient = &r
	}
	if !o.RequestedDate.IsZero() {
		out.RequestedDate = &openapi_types.Date{Time: o.RequestedDate}
	}
	return out
}
