package webui

import (
	"net/http"
	"net/url"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
)

// orderInboxRoutes registers the order inbox and the orders of each
// customer. An order's page is under its customer, whom the use cases
// need to name.
func (h *handler) orderInboxRoutes() {
	h.handle("GET /console/orders", h.asStaff(h.orderInbox))
	h.handle("GET /console/customers/{id}/orders", h.asStaff(h.customerOrders))
	h.handle("GET /console/customers/{id}/orders/{oid}", h.asStaff(h.consoleOrderPage))
	h.handle("POST /console/customers/{id}/orders/{oid}/{decision}", h.asStaff(h.decideOrder))
}

// inboxRow is an order of the inbox with its customer's name.
type inboxRow struct {
	orders.Order
	CustomerName string
}

// inbox is the order inbox's data.
type inbox struct {
	list[inboxRow]
	Status string
}

func (h *handler) orderInbox(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	status := orders.Status(q.Get("status"))
	if status == "" {
		status = orders.StatusSubmitted
	}
	l, err := h.p.OrderInbox(r.Context(), portal.OrderInboxParams{Status: status, Cursor: q.Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[customer.ID]string{}
	rows := make([]inboxRow, len(l.Items))
	for i, o := range l.Items {
		name, ok := names[o.CustomerID]
		if !ok {
			name = string(o.CustomerID)
			if c, err := h.p.GetCustomer(r.Context(), o.CustomerID); err == nil {
				name = c.Name
			}
			names[o.CustomerID] = name
		}
		rows[i] = inboxRow{Order: o, CustomerName: name}
	}
	v.Title = v.T("Order inbox")
	v.Form = q
	v.Data = inbox{list: newList(r, v, portal.List[inboxRow]{Items: rows, NextCursor: l.NextCursor}), Status: string(status)}
	h.render(w, r, "console_orders", v)
}

// customerOrders is a customer's orders page's data.
type customerOrders struct {
	customerHead
	Orders list[orders.Order]
}

func (h *handler) customerOrders(w http.ResponseWriter, r *http.Request, v *view) {
	head, ok := h.loadCustomer(w, r, v, "orders")
	if !ok {
		return
	}
	q := r.URL.Query()
	l, err := h.p.ListOrders(r.Context(), head.Customer.ID, portal.ListOrdersParams{
		Status: orders.Status(q.Get("status")), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Orders of %s", head.Customer.Name)
	v.Form = q
	v.Data = customerOrders{customerHead: head, Orders: newList(r, v, l)}
	h.render(w, r, "console_customer_orders", v)
}

// consoleOrder is the console's order page's data: the order, its
// customer, and which decisions it is open to.
type consoleOrder struct {
	orders.Order
	Customer                        customer.Customer
	CanDecide, CanFulfil, CanCancel bool
}

func (h *handler) consoleOrderPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleOrder(w, r, v, http.StatusOK)
}

func (h *handler) showConsoleOrder(w http.ResponseWriter, r *http.Request, v *view, status int) {
	ctx := r.Context()
	cid := customer.ID(r.PathValue("id"))
	o, err := h.p.GetOrder(ctx, cid, orders.ID(r.PathValue("oid")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.p.GetCustomer(ctx, cid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	decide := v.Can(string(portal.ActOrderDecide))
	v.Title = v.T("Order %s", o.Number)
	v.Data = consoleOrder{
		Order: o, Customer: c,
		CanDecide: decide && o.Status == orders.StatusSubmitted,
		CanFulfil: decide && o.Status == orders.StatusConfirmed,
		CanCancel: v.Can(string(portal.ActOrderCancel)) && o.Status == orders.StatusConfirmed,
	}
	h.renderStatus(w, r, status, "console_order", v)
}

// decideOrder confirms, rejects, fulfils or cancels an order. A decision
// someone else made meanwhile is a conflict, shown on the order's page.
func (h *handler) decideOrder(w http.ResponseWriter, r *http.Request, v *view) {
	ctx := r.Context()
	cid := customer.ID(r.PathValue("id"))
	id := orders.ID(r.PathValue("oid"))
	// The order must be the customer's: the decisions name the order only.
	if _, err := h.p.GetOrder(ctx, cid, id); err != nil {
		h.fail(w, r, err)
		return
	}
	var (
		err    error
		notice string
	)
	switch r.PathValue("decision") {
	case "confirm":
		_, err = h.p.ConfirmOrder(ctx, id, portal.DecideOrderParams{Note: formValue(r, "note")})
		notice = "confirmed"
	case "reject":
		_, err = h.p.RejectOrder(ctx, id, portal.RejectOrderParams{Reason: formValue(r, "reason")})
		notice = "rejected"
	case "fulfil":
		_, err = h.p.FulfilOrder(ctx, id, portal.DecideOrderParams{Note: formValue(r, "note")})
		notice = "fulfilled"
	case "cancel":
		_, err = h.p.CancelOrder(ctx, cid, id, portal.CancelOrderParams{Reason: formValue(r, "reason")})
		notice = "order_cancelled"
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleOrder(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, customerPath(cid, "orders/"+url.PathEscape(string(id))), notice)
}
