package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func errOrderNotFound(id orders.ID) error {
	return portalerr.New(portalerr.NotFound, "order %s not found", id)
}

// PlaceOrderParams are an order as a customer user places it.
type PlaceOrderParams struct {
	// Kind is standard (the default) or pre_order.
	Kind orders.Kind `json:"kind" validate:"omitempty,oneof=standard pre_order"`
	// SiteID is the customer's site the order is for; a member limited to
	// some sites must name one of them.
	SiteID customer.SiteID   `json:"site_id" validate:"max=100"`
	Lines  []OrderLineParams `json:"lines" validate:"required,min=1,max=100,dive"`
	// A standard order goes to DeliveryAddress or is handed to Recipient
	// (exactly one); a pre-order has neither.
	DeliveryAddress *customer.Address `json:"delivery_address"`
	Recipient       *orders.Employee  `json:"recipient"`
	// RequestedDate is the day delivery is asked for: its calendar day in
	// its own location (orders.Day; its time is ignored); zero for none.
	// It may not be before today where the requester is.
	RequestedDate time.Time `json:"requested_date"`
	Note          string    `json:"note" validate:"max=2000"`
}

// OrderLineParams are one line of an order: a product of the customer's
// catalogue and how many.
type OrderLineParams struct {
	ProductID orders.ProductID `json:"product_id" validate:"required,max=100"`
	Quantity  int              `json:"quantity" validate:"min=1,max=10000"`
}

// PlaceOrder places an order for customer cid: each line's product must be
// in the customer's catalogue (Invalid on lines[i].product_id otherwise),
// and the line snapshots its name and price. The order gets the next
// order number and is submitted into the provider's order inbox, or
// confirmed at once when the customer has auto_confirm_orders; the person
// who ordered is e-mailed. The customer's maintainers and admins may call
// it. FeatureDisabled without order_authorization, or for a pre-order
// without pre_orders; Invalid for bad input (orders.New says which).
func (p *Portal) PlaceOrder(ctx context.Context, cid customer.ID, params PlaceOrderParams) (orders.Order, error) {
	if params.Kind == "" {
		params.Kind = orders.KindStandard
	}
	params.Note = strings.TrimSpace(params.Note)
	if err := validStruct(params); err != nil {
		return orders.Order{}, err
	}
	var out orders.Order
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActOrderPlace, cid, params.SiteID)
		if err != nil {
			return err
		}
		c, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := orders.CheckPlacement(c.Features, params.Kind); err != nil {
			return err
		}
		if err := checkOrderSite(ctx, r, a, cid, params.SiteID); err != nil {
			return err
		}
		lines, err := resolveLines(ctx, r, c, params.Lines)
		if err != nil {
			return err
		}
		now := p.timestamp()
		d := orders.Draft{
			ID: orders.ID(p.ids.NewID(PrefixOrder)), CustomerID: cid, SiteID: params.SiteID, Kind: params.Kind,
			Lines: lines, RequestedDate: params.RequestedDate, Note: params.Note,
			OrderedBy: a.membership.UserID, By: a.who.Actor(), At: now,
		}
		if params.DeliveryAddress != nil {
			d.DeliveryAddress = *params.DeliveryAddress
		}
		if params.Recipient != nil {
			d.Recipient = *params.Recipient
		}
		o, err := orders.New(d)
		if err != nil {
			return err
		}
		kind := NotifyOrderSubmitted
		if c.Features.AutoConfirmOrders {
			// Confirmed on submission: it never waits in the inbox.
			if o, _, err = o.Confirm(orders.Act{By: orders.AutoConfirm, At: now}); err != nil {
				return err
			}
			kind = NotifyOrderConfirmed
		}
		if o.Number, err = r.Orders().NextNumber(ctx); err != nil {
			return fmt.Errorf("portal: taking an order number: %w", err)
		}
		noteObject(r, string(o.ID))
		if err := r.Orders().Create(ctx, o); err != nil {
			return fmt.Errorf("portal: creating order: %w", err)
		}
		out = o
		if err := p.recordDiff(ctx, r, a, "order.placed", cid, string(o.ID), nil, nil, o); err != nil {
			return err
		}
		if o.Status == orders.StatusConfirmed {
			// Confirmed on submission: its own change, as staff's would be.
			if err := p.recordChanges(ctx, r, orders.AutoConfirm, "order.confirmed", cid, string(o.ID),
				[]audit.Change{{Field: "status", Before: string(orders.StatusSubmitted), After: string(o.Status)}}, o); err != nil {
				return err
			}
		}
		if a.user() {
			// The orderer is the caller, whom authorize found active and
			// covering the order's site just now.
			return p.enqueue(ctx, r, orderNoticeTo(a.person, kind, o, c, ""))
		}
		return p.enqueueOrderNotice(ctx, r, kind, o, c, "")
	})
	if err != nil {
		return orders.Order{}, err
	}
	return out, nil
}

// checkOrderSite checks the site an order is placed for: it must be the
// customer's (Invalid on site_id otherwise), and a member limited to some
// sites must name one (authorize has checked that it covers it).
func checkOrderSite(ctx context.Context, r storage.Repos, a access, cid customer.ID, sid customer.SiteID) error {
	if sid == "" {
		if a.sites() != nil {
			return portalerr.Invalidf("site_id", "is required: you may order for your sites only")
		}
		return nil
	}
	s, err := r.Sites().Get(ctx, sid)
	switch {
	case errors.Is(err, storage.ErrNotFound), err == nil && s.CustomerID != cid:
		return portalerr.Invalidf("site_id", "%s is not a site of this customer", sid)
	case err != nil:
		return fmt.Errorf("portal: loading site: %w", err)
	}
	return nil
}

// resolveLines finds each line's product in customer c's catalogue. Every
// line whose product is not there is named in one Invalid error.
func resolveLines(ctx context.Context, r storage.Repos, c customer.Customer, lines []OrderLineParams) ([]orders.LineDraft, error) {
	out := make([]orders.LineDraft, 0, len(lines))
	var bad []portalerr.FieldViolation
	for i, l := range lines {
		e, ok, err := catalogueEntry(ctx, r, c, l.ProductID)
		if err != nil {
			return nil, err
		}
		if !ok {
			bad = append(bad, portalerr.FieldViolation{
				Field:   fmt.Sprintf("lines[%d].product_id", i),
				Message: fmt.Sprintf("product %s is not in this customer's catalogue", l.ProductID),
			})
			continue
		}
		out = append(out, orders.LineDraft{Entry: e, Quantity: l.Quantity})
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return nil, err
	}
	return out, nil
}

// catalogueEntry returns product pid as customer c's catalogue has it, and
// false when it is not in the catalogue (or does not exist).
func catalogueEntry(ctx context.Context, r storage.Repos, c customer.Customer, pid orders.ProductID) (orders.Entry, bool, error) {
	pr, err := r.Products().Get(ctx, pid)
	if errors.Is(err, storage.ErrNotFound) {
		return orders.Entry{}, false, nil
	}
	if err != nil {
		return orders.Entry{}, false, fmt.Errorf("portal: loading product: %w", err)
	}
	o, err := r.Offers().Find(ctx, c.ID, pid)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return orders.Entry{}, false, fmt.Errorf("portal: loading offer: %w", err)
	}
	e, ok := orders.Resolve(c.ID, c.Features, pr, o)
	return e, ok, nil
}

// GetOrder returns one of a customer's orders. Staff and the customer's
// users may call it; a member limited to some sites sees the orders of
// those sites only (any other is NotFound).
func (p *Portal) GetOrder(ctx context.Context, cid customer.ID, id orders.ID) (orders.Order, error) {
	var out orders.Order
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActOrderRead, cid, "")
		if err != nil {
			return err
		}
		out, err = getOrder(ctx, r, a, cid, id)
		return err
	})
	return out, err
}

// ListOrdersParams filter and page a customer's orders.
type ListOrdersParams struct {
	// Status keeps orders in this status; empty keeps all.
	Status orders.Status `json:"status" validate:"omitempty,oneof=submitted confirmed rejected cancelled fulfilled"`
	Cursor string        `json:"cursor" validate:"max=200"`
	Limit  int           `json:"limit" validate:"min=0,max=100"`
}

func (p ListOrdersParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }

// ListOrders returns one page of a customer's orders, newest first. Staff
// and the customer's users may call it; a member limited to some sites sees
// the orders of those sites only.
func (p *Portal) ListOrders(ctx context.Context, cid customer.ID, params ListOrdersParams) (List[orders.Order], error) {
	return listIn(ctx, p, "orders", ActOrderRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[orders.Order], error) {
		return r.Orders().List(ctx, storage.OrderFilter{CustomerID: cid, Status: params.Status, SiteIDs: a.sites(), NewestFirst: true}, page)
	})
}

// OrderInboxParams choose the orders of the provider's order inbox.
type OrderInboxParams struct {
	// Status is the status of the orders listed; default submitted (the
	// orders waiting for a decision). Confirmed lists those waiting to be
	// fulfilled.
	Status orders.Status `json:"status" validate:"omitempty,oneof=submitted confirmed rejected cancelled fulfilled"`
	// CustomerID keeps one customer's orders; empty: every customer's.
	CustomerID customer.ID `json:"customer_id" validate:"max=100"`
	Cursor     string      `json:"cursor" validate:"max=200"`
	Limit      int         `json:"limit" validate:"min=0,max=100"`
}

// OrderInbox returns one page of the provider's order inbox: the orders of
// one status (submitted by default), across customers or of one, oldest
// first, so the longest waiting come first. Staff may call it.
func (p *Portal) OrderInbox(ctx context.Context, params OrderInboxParams) (List[orders.Order], error) {
	if params.Status == "" {
		params.Status = orders.StatusSubmitted
	}
	if err := validStruct(params); err != nil {
		return List[orders.Order]{}, err
	}
	lc, page, err := p.openList(ctx, "order_inbox", "", params)
	if err != nil {
		return List[orders.Order]{}, err
	}
	var out List[orders.Order]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActOrderInbox, "", ""); err != nil {
			return err
		}
		var err error
		out, err = listPage(r.Orders().List(ctx, storage.OrderFilter{CustomerID: params.CustomerID, Status: params.Status}, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// DecideOrderParams carry an optional note with a confirmation or a fulfilment.
type DecideOrderParams struct {
	Note string `json:"note" validate:"max=2000"`
}

// RejectOrderParams say why an order is rejected.
type RejectOrderParams struct {
	Reason string `json:"reason" validate:"required,max=2000"`
}

// CancelOrderParams say, optionally, why an order is cancelled.
type CancelOrderParams struct {
	Reason string `json:"reason" validate:"max=2000"`
}

// ConfirmOrder confirms a submitted order from the order inbox, with an
// optional note, and e-mails the person who ordered. Staff may call it.
// Conflict when the order was decided on (or cancelled) since: the message
// says by whom; FailedPrecondition for an order that was never submitted
// as far as the state machine goes (see orders.Order.Confirm).
func (p *Portal) ConfirmOrder(ctx context.Context, id orders.ID, params DecideOrderParams) (orders.Order, error) {
	return p.decide(ctx, id, params, params.Note, NotifyOrderConfirmed, orders.Order.Confirm)
}

// RejectOrder rejects a submitted order for a reason (required) and
// e-mails the person who ordered. Staff may call it. Conflict when the
// order was decided on or cancelled since.
func (p *Portal) RejectOrder(ctx context.Context, id orders.ID, params RejectOrderParams) (orders.Order, error) {
	params.Reason = strings.TrimSpace(params.Reason)
	return p.decide(ctx, id, params, params.Reason, NotifyOrderRejected, orders.Order.Reject)
}

// FulfilOrder marks a confirmed order fulfilled: delivered or, for a
// pre-order, stocked in the supplier warehouse, one item per unit, in the
// same transaction (stockPreOrder). Staff may call it. FailedPrecondition for an order
// that is not confirmed and never was; Conflict for one cancelled or
// fulfilled since.
func (p *Portal) FulfilOrder(ctx context.Context, id orders.ID, params DecideOrderParams) (orders.Order, error) {
	return p.decide(ctx, id, params, params.Note, "", orders.Order.Fulfil)
}

// decide runs one of the provider's transitions of order id in a write
// transaction, and e-mails the orderer a notice of kind (none when empty)
// after the commit.
func (p *Portal) decide(ctx context.Context, id orders.ID, params any, note string, kind NotificationKind,
	move func(orders.Order, orders.Act) (orders.Order, orders.Event, error)) (orders.Order, error) {
	if err := validStruct(params); err != nil {
		return orders.Order{}, err
	}
	var out orders.Order
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActOrderDecide, "", "")
		if err != nil {
			return err
		}
		o, err := r.Orders().Get(ctx, id)
		if err != nil {
			return notFoundAs(err, errOrderNotFound(id))
		}
		if out, err = p.transition(ctx, r, o, a, note, move); err != nil {
			return err
		}
		if out.Status == orders.StatusFulfilled {
			if err := p.stockPreOrder(ctx, r, out, a.who.Actor()); err != nil {
				return err
			}
		}
		if kind == "" {
			return nil
		}
		c, err := getCustomer(ctx, r, out.CustomerID)
		if err != nil {
			return err
		}
		return p.enqueueOrderNotice(ctx, r, kind, out, c, note)
	})
	if err != nil {
		return orders.Order{}, err
	}
	return out, nil
}

// CancelOrder cancels one of a customer's orders: its maintainers and
// admins may withdraw an order while it is submitted; staff may cancel a
// confirmed one (a submitted one they reject). A member limited to some
// sites may cancel the orders of those sites only. The reason is optional.
// Conflict when the order has moved on since it could be cancelled;
// FailedPrecondition when it never could be.
func (p *Portal) CancelOrder(ctx context.Context, cid customer.ID, id orders.ID, params CancelOrderParams) (orders.Order, error) {
	params.Reason = strings.TrimSpace(params.Reason)
	if err := validStruct(params); err != nil {
		return orders.Order{}, err
	}
	var out orders.Order
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActOrderCancel, cid, "")
		if err != nil {
			return err
		}
		o, err := getOrder(ctx, r, a, cid, id)
		if err != nil {
			return err
		}
		move := orders.Order.CancelByProvider
		if a.user() {
			move = orders.Order.CancelByCustomer
		}
		out, err = p.transition(ctx, r, o, a, params.Reason, move)
		return err
	})
	return out, err
}

// transition moves o as move says and records it, in the caller's
// transaction. The write is conditional on o's status, so of two
// concurrent transitions of one order only one is stored: the other is
// Conflict.
func (p *Portal) transition(ctx context.Context, r storage.Repos, o orders.Order, a access, note string,
	move func(orders.Order, orders.Act) (orders.Order, orders.Event, error)) (orders.Order, error) {
	_, ev, err := move(o, orders.Act{By: a.who.Actor(), At: p.timestamp(), Note: note})
	if err != nil {
		return orders.Order{}, err
	}
	out, err := r.Orders().Transition(ctx, o.ID, ev)
	if errors.Is(err, storage.ErrConflict) {
		return orders.Order{}, &portalerr.Error{
			Code:    portalerr.Conflict,
			Message: fmt.Sprintf("order %s was changed by someone else at the same time; read it again", o.Number),
			Err:     err,
		}
	}
	if err != nil {
		return out, err
	}
	// The action names the status moved to: order.confirmed,
	// order.rejected, order.cancelled or order.fulfilled.
	return out, p.recordChanges(ctx, r, a.who.Actor(), "order."+string(out.Status), out.CustomerID, string(out.ID),
		[]audit.Change{{Field: "status", Before: string(o.Status), After: string(out.Status)}}, out)
}

// getOrder loads an order of customer cid as the caller may see it: another
// customer's, or one of a site the caller is not limited to, is NotFound.
func getOrder(ctx context.Context, r storage.Repos, a access, cid customer.ID, id orders.ID) (orders.Order, error) {
	o, err := r.Orders().Get(ctx, id)
	if err != nil {
		return o, notFoundAs(err, errOrderNotFound(id))
	}
	if o.CustomerID != cid || (a.sites() != nil && (o.SiteID == "" || !a.membership.CoversSite(o.SiteID))) {
		return orders.Order{}, errOrderNotFound(id)
	}
	return o, nil
}

// orderNotice is the e-mail of kind about order o to the person who placed
// it, if that user is still active and may still see the order: an active
// member of its customer whose sites cover the order's. A zero
// Notification otherwise, so that a removed member hears nothing more of
// the customer's orders.
func orderNotice(ctx context.Context, r storage.Repos, kind NotificationKind, o orders.Order, c customer.Customer, reason string) (Notification, error) {
	if o.OrderedBy == "" {
		return Notification{}, nil
	}
	u, ok, err := activeRecipient(ctx, r, o.OrderedBy, o.CustomerID, o.SiteID, "the orderer")
	if err != nil || !ok {
		return Notification{}, err
	}
	return orderNoticeTo(u, kind, o, c, reason), nil
}

// orderNoticeTo is the e-mail of kind about order o of customer c to u.
func orderNoticeTo(u customer.User, kind NotificationKind, o orders.Order, c customer.Customer, reason string) Notification {
	n := Notification{
		Kind: kind, To: u.Email, Locale: u.Locale, CustomerID: c.ID, CustomerName: c.Name,
		OrderID: string(o.ID), OrderNumber: o.Number.String(),
	}
	if kind == NotifyOrderRejected {
		n.Reason = reason
	}
	return n
}

// enqueueOrderNotice writes the e-mail of kind about order o to the
// person who placed it into the outbox, in the caller's transaction, unless
// there is nobody to tell (orderNotice).
func (p *Portal) enqueueOrderNotice(ctx context.Context, r storage.Repos, kind NotificationKind, o orders.Order, c customer.Customer, reason string) error {
	n, err := orderNotice(ctx, r, kind, o, c, reason)
	if err != nil || n.Kind == "" {
		return err
	}
	return p.enqueue(ctx, r, n)
}
