package webui

import (
	"cmp"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/warehouse"
)

// ticketRoutes registers the customer portal's support pages.
func (h *handler) ticketRoutes() {
	h.handle("GET /tickets", h.asUser(h.ticketList))
	h.handle("GET /tickets/new", h.asUser(h.newTicketPage))
	h.handle("POST /tickets", h.asUser(h.openTicket))
	h.handle("GET /tickets/{id}", h.asUser(h.ticketPage))
	h.handle("POST /tickets/{id}/comments", h.asUser(h.commentTicket))
	h.handle("POST /tickets/{id}/reopen", h.asUser(h.reopenTicket))
	h.attachmentRoutes()
}

// Label names a value of a registry the provider may extend in Go (ticket
// types, their fields and options): the translation of kind:name where
// the pages have one, else fallback, the registry's own English label.
func (v *view) Label(kind, name, fallback string) string {
	if _, ok := labels[kind+":"+name]; ok {
		return v.T(kind + ":" + name)
	}
	if fallback == "" {
		return name
	}
	return fallback
}

func (h *handler) ticketList(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	q := r.URL.Query()
	l, err := h.p.ListTickets(r.Context(), cid, portal.ListTicketsParams{
		Status: ticket.Status(q.Get("status")), Type: q.Get("type"), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Support")
	v.Form = q
	v.Data = ticketListPage{list: newList(r, v, l), Statuses: ticket.Statuses, types: h.typeNames(r)}
	h.render(w, r, "tickets", v)
}

// ticketListPage is a list of tickets with the choices of its filters.
type ticketListPage struct {
	list[ticket.Ticket]
	Statuses []ticket.Status
	types    map[string]ticket.Type
}

// Type returns the type of a ticket, as the registry has it now.
func (d ticketListPage) Type(name string) ticket.Type {
	if t, ok := d.types[name]; ok {
		return t
	}
	return ticket.Type{Name: name, Label: name}
}

// typeNames returns the ticket types by name; none when the caller may
// not read them.
func (h *handler) typeNames(r *http.Request) map[string]ticket.Type {
	ts, err := h.p.TicketTypes(r.Context())
	if err != nil {
		return nil
	}
	m := make(map[string]ticket.Type, len(ts))
	for _, t := range ts {
		m[t.Name] = t
	}
	return m
}

// newTicket is the form of a new ticket: the types to choose from, the
// chosen one's fields, and what the ticket may refer to.
type newTicket struct {
	Types      []ticket.Type
	Type       ticket.Type
	Priorities []ticket.Priority
	Orders     []orders.Order
	Sites      []customer.Site
	// Items are the stock items the user may see, while the customer's
	// warehouse is on.
	Items []portal.StockItem
}

func (h *handler) newTicketPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	v.Form = r.URL.Query()
	h.showNewTicket(w, r, v, cid, http.StatusOK)
}

func (h *handler) showNewTicket(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, status int) {
	ts, err := h.p.TicketTypes(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := newTicket{Types: ts, Priorities: ticket.Priorities}
	for _, t := range ts {
		if t.Name == v.Form.Get("type") {
			d.Type = t
		}
	}
	if os, err := h.p.ListOrders(r.Context(), cid, portal.ListOrdersParams{Limit: 50}); err == nil {
		d.Orders = os.Items
	}
	if ss, err := h.p.ListSites(r.Context(), cid, portal.ListSitesParams{Limit: 100}); err == nil {
		d.Sites = ss.Items
	}
	// ListStockItems refuses while the warehouse is off, and shows a
	// member limited to some sites only those sites' items.
	if its, err := h.p.ListStockItems(r.Context(), cid, portal.ListStockItemsParams{Limit: 100}); err == nil {
		d.Items = its.Items
	}
	v.Title = v.T("New support request")
	v.Data = d
	h.renderStatus(w, r, status, "ticket_new", v)
}

func (h *handler) openTicket(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, err)
		return
	}
	f := r.PostForm
	fields := map[string]string{}
	for k, vs := range f {
		if name, ok := strings.CutPrefix(k, "field."); ok && len(vs) > 0 && strings.TrimSpace(vs[0]) != "" {
			fields[name] = strings.TrimSpace(vs[0])
		}
	}
	line, _ := strconv.Atoi(f.Get("order_line"))
	t, err := h.p.OpenTicket(r.Context(), cid, portal.OpenTicketParams{
		Type:        f.Get("type"),
		Subject:     strings.TrimSpace(f.Get("subject")),
		Description: strings.TrimSpace(f.Get("description")),
		Priority:    ticket.Priority(f.Get("priority")),
		Fields:      fields,
		Links: portal.TicketLinksParams{
			OrderID: orders.ID(f.Get("order_id")), OrderLine: line, SiteID: customer.SiteID(f.Get("site_id")),
			StockItemID: warehouse.ItemID(f.Get("stock_item_id")),
		},
	})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showNewTicket(w, r, v, cid, status)
		}
		return
	}
	h.redirect(w, r, "/tickets/"+url.PathEscape(string(t.ID)), "ticket_opened")
}

// ticketView is a ticket's page: the ticket, its type, the comments the
// viewer may see, and what the viewer may do with it.
type ticketView struct {
	ticket.Ticket
	TicketType ticket.Type
	Comments   []ticket.Comment
	CanComment bool
	CanReopen  bool
	// Staff-only: the moves the status machine allows now, the service
	// desk's members to assign, whether a master-data change waits, and
	// the priorities to choose from while the priority may change.
	Moves      []ticket.Status
	Desk       []deskMember
	CanApply   bool
	Priorities []ticket.Priority
	Customer   customer.Customer
	OrderName  string
	// RecordName and RecordURL name the linked record when the viewer
	// may see it; SiteName and SiteURL the site, ItemName and ItemURL the
	// stock item, alike.
	RecordName, RecordURL string
	SiteName, SiteURL     string
	ItemName, ItemURL     string
	// Files are the ticket's attachments and its upload form.
	Files ticketFiles
}

func (h *handler) ticketPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showTicket(w, r, v, cid, ticket.ID(r.PathValue("id")), http.StatusOK)
}

// loadTicket reads ticket id of customer cid with the comments the caller
// may see.
func (h *handler) loadTicket(r *http.Request, v *view, cid customer.ID, id ticket.ID) (ticketView, error) {
	ctx := r.Context()
	t, err := h.p.GetTicket(ctx, cid, id)
	if err != nil {
		return ticketView{}, err
	}
	cs, err := h.p.ListTicketComments(ctx, cid, id, portal.ListTicketCommentsParams{Limit: 100})
	if err != nil {
		return ticketView{}, err
	}
	d := ticketView{Ticket: t, Comments: cs.Items, TicketType: h.typeNames(r)[t.Type]}
	if d.TicketType.Name == "" {
		d.TicketType = ticket.Type{Name: t.Type, Label: t.Type}
	}
	if t.Links.OrderID != "" {
		if o, err := h.p.GetOrder(ctx, cid, t.Links.OrderID); err == nil {
			d.OrderName = o.Number.String()
		}
	}
	if t.Links.RecordID != "" {
		// GetRecord decides whether the viewer may see the record.
		if rec, err := h.p.GetRecord(ctx, cid, t.Links.RecordID); err == nil {
			rt, err := h.p.RecordType(ctx, rec.Type, rec.TypeVersion)
			if err != nil {
				rt = record.Type{Name: rec.Type, Label: rec.Type}
			}
			d.RecordName = strings.TrimSpace(cmp.Or(rt.Label, rt.Name) + " " + recordTitle(rt, rec))
			d.RecordURL = v.URL("/records", rec.ID)
			if v.Console() {
				d.RecordURL = v.URL("/console/customers", cid, "records", rec.ID)
			}
		}
	}
	if t.Links.SiteID != "" {
		// GetSite decides whether the viewer may see the site.
		if s, err := h.p.GetSite(ctx, cid, t.Links.SiteID); err == nil {
			d.SiteName, d.SiteURL = s.Name, v.URL("/sites", s.ID)
			if v.Console() {
				d.SiteURL = v.URL("/console/customers", cid, "sites")
			}
		}
	}
	if t.Links.StockItemID != "" {
		// GetStockItem decides whether the viewer may see the item: not
		// while the warehouse is off, nor another site's.
		if it, err := h.p.GetStockItem(ctx, cid, t.Links.StockItemID); err == nil {
			d.ItemName, d.ItemURL = stockItemName(it.StockItem), v.URL("/stock/items", it.ID)
			if v.Console() {
				// The console has no page of one item: its customer's
				// stock, found by the serial number when it has one.
				var q url.Values
				if it.SerialNumber != "" {
					q = url.Values{"serial": {it.SerialNumber}}
				}
				d.ItemURL = h.url(customerPath(cid, "stock"), q)
			}
		}
	}
	d.CanComment = v.Can(string(portal.ActTicketComment)) && t.Status != ticket.StatusClosed
	d.CanReopen = v.Can(string(portal.ActTicketReopen)) && t.Status == ticket.StatusResolved
	base := v.URL("/tickets", t.ID)
	if v.Console() {
		base = v.URL("/console/customers", cid, "tickets", t.ID)
	}
	d.Files = h.loadFiles(r, cid, t, d.CanComment, base)
	return d, nil
}

// stockItemName names a stock item for people: its product and serial
// number.
func stockItemName(it portal.StockItem) string {
	if it.SerialNumber == "" {
		return it.Product.Name
	}
	return it.Product.Name + " (" + it.SerialNumber + ")"
}

func (h *handler) showTicket(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, id ticket.ID, status int) {
	d, err := h.loadTicket(r, v, cid, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Ticket %s", d.Number)
	v.Data = d
	h.renderStatus(w, r, status, "ticket", v)
}

// ticketFailed shows a ticket's page again with the failure of one of its
// forms.
func (h *handler) ticketFailed(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showTicket(w, r, v, cid, ticket.ID(r.PathValue("id")), status)
	}
}

func (h *handler) commentTicket(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	id := ticket.ID(r.PathValue("id"))
	_, err := h.p.AddTicketComment(r.Context(), cid, id, portal.AddTicketCommentParams{Body: formValue(r, "body")})
	if err != nil {
		h.ticketFailed(w, r, v, cid, err)
		return
	}
	h.redirect(w, r, "/tickets/"+url.PathEscape(string(id)), "commented")
}

func (h *handler) reopenTicket(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	id := ticket.ID(r.PathValue("id"))
	_, err := h.p.ReopenTicket(r.Context(), cid, id, portal.ReopenTicketParams{Version: version(r), Note: formValue(r, "note")})
	if err != nil {
		h.ticketFailed(w, r, v, cid, err)
		return
	}
	h.redirect(w, r, "/tickets/"+url.PathEscape(string(id)), "reopened")
}
