package webui

import (
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/warehouse"
)

// portalRoutes registers the customer portal's pages.
func (h *handler) portalRoutes() {
	h.ticketRoutes()
	h.recordRoutes()
	h.handle("GET /{$}", h.home)
	h.handle("GET /orders", h.asUser(h.orderList))
	h.handle("GET /orders/{id}", h.asUser(h.orderPage))
	h.handle("POST /orders", h.asUser(h.placeOrder))
	h.handle("POST /orders/{id}/cancel", h.asUser(h.cancelOrder))
	h.handle("GET /catalogue", h.asUser(h.cataloguePage))
	h.handle("GET /basket", h.asUser(h.basketPage))
	h.handle("GET /stock", h.asUser(h.stockPage))
	h.handle("GET /stock/items", h.asUser(h.stockItems))
	h.handle("GET /stock/items/{id}", h.asUser(h.stockItemPage))
	h.handle("POST /stock/items/{id}/{move}", h.asUser(h.moveStockItem))
	h.handle("GET /members", h.asUser(h.membersPage))
	h.handle("POST /members/invite", h.asUser(h.membersForm(nil)))
	h.handle("POST /members/{id}/{act}", h.asUser(h.membersForm(memberActs)))
	h.handle("POST /invitations/{id}/{act}", h.asUser(h.membersForm(invitationActs)))
	h.handle("GET /account", h.asUser(h.accountPage))
	h.handle("POST /account", h.asUser(h.saveAccount))
	h.handle("POST /account/password", h.asUser(h.setPassword))
	h.handle("POST /account/membership", h.asUser(h.switchMembership))
	h.newsRoutes()
	h.hrRoutes()
	h.fieldRoutes()
}

// userPage is a customer portal page's handler: it gets the view of a
// signed-in customer user and the customer it acts for.
type userPage func(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID)

// asUser admits signed-in customer users; anybody else goes to the
// sign-in page (staff to the console).
func (h *handler) asUser(next userPage) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		who, ok := identity.FromContext(r.Context())
		switch {
		case !ok:
			if r.Method == http.MethodGet {
				h.toSignIn(w, r)
				return
			}
			h.fail(w, r, portalerr.New(portalerr.Unauthenticated, "your session has ended; sign in again"))
			return
		case who.Kind != identity.KindUser:
			http.Redirect(w, r, h.url("/console", nil), http.StatusSeeOther)
			return
		}
		v := h.view(r, "")
		if v.Me == nil {
			h.clearCookie(w, sessionCookie, "/")
			h.toSignIn(w, r)
			return
		}
		next(w, r, v, who.CustomerID)
	}
}

func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	who, ok := identity.FromContext(r.Context())
	switch {
	case !ok:
		h.toSignIn(w, r)
	case who.IsProvider():
		http.Redirect(w, r, h.url("/console", nil), http.StatusSeeOther)
	default:
		h.asUser(h.startPage)(w, r)
	}
}

// pageLimit is how many rows a list page shows.
const pageLimit = 25

// list is a page of rows with the link to the next one.
type list[T any] struct {
	Items []T
	Next  string // the next page's URL; "" on the last
}

// newList wraps a portal page, linking the next one with the request's
// own query and the next cursor.
func newList[T any](r *http.Request, v *view, l portal.List[T]) list[T] {
	out := list[T]{Items: l.Items}
	if l.NextCursor != "" {
		q := r.URL.Query()
		q.Set("cursor", l.NextCursor)
		q.Del("done")
		out.Next = v.URL(r.URL.Path) + "?" + q.Encode()
	}
	return out
}

func (h *handler) orderList(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	q := r.URL.Query()
	l, err := h.p.ListOrders(r.Context(), cid, portal.ListOrdersParams{
		Status: orders.Status(q.Get("status")), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Orders")
	v.Form = q
	v.Data = orderRows(v, newList(r, v, l))
	h.render(w, r, "orders", v)
}

// orderRow is an order as a list shows it, formatted in Go: a list's rows
// are most of a page's work, and a template's calls cost more than the
// formatting itself.
type orderRow struct {
	URL, Number, Placed, Status, StatusText, Kind, Total string
}

func orderRows(v *view, l list[orders.Order]) list[orderRow] {
	out := list[orderRow]{Items: make([]orderRow, len(l.Items)), Next: l.Next}
	for i, o := range l.Items {
		out.Items[i] = orderRow{
			URL:        v.URL("/orders", o.ID),
			Number:     o.Number.String(),
			Placed:     v.Time(o.CreatedAt),
			Status:     string(o.Status),
			StatusText: v.T("status:" + string(o.Status)),
			Kind:       v.T("kind:" + string(o.Kind)),
			Total:      v.Money(o.Total()),
		}
	}
	return out
}

// orderView is an order with what the viewer may do to it.
type orderView struct {
	orders.Order
	CanCancel bool
}

func (h *handler) orderPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	o, err := h.p.GetOrder(r.Context(), cid, orders.ID(r.PathValue("id")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.showOrder(w, r, v, o, http.StatusOK)
}

func (h *handler) showOrder(w http.ResponseWriter, r *http.Request, v *view, o orders.Order, status int) {
	v.Title = v.T("Order %s", o.Number)
	v.Data = orderView{Order: o, CanCancel: v.Can(string(portal.ActOrderCancel)) && o.Status == orders.StatusSubmitted}
	h.renderStatus(w, r, status, "order", v)
}

func (h *handler) cancelOrder(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	id := orders.ID(r.PathValue("id"))
	_, err := h.p.CancelOrder(r.Context(), cid, id, portal.CancelOrderParams{Reason: formValue(r, "reason")})
	if err != nil {
		o, gerr := h.p.GetOrder(r.Context(), cid, id)
		if gerr != nil {
			h.fail(w, r, err)
			return
		}
		v.Error = errorMessage(v, err)
		h.showOrder(w, r, v, o, portalerr.HTTPStatus(portalerr.CodeOf(err)))
		return
	}
	h.redirect(w, r, "/orders/"+url.PathEscape(string(id)), "order_cancelled")
}

// catalogue is the catalogue page's data.
type catalogue struct {
	list[orders.Entry]
	PreOrders bool
}

func (h *handler) cataloguePage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	l, err := h.p.GetCatalogue(r.Context(), cid, portal.GetCatalogueParams{Cursor: r.URL.Query().Get("cursor"), Limit: 100})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Catalogue")
	v.Data = catalogue{list: newList(r, v, l)}
	h.render(w, r, "catalogue", v)
}

// basket is what the basket page shows: the lines chosen in the
// catalogue, priced, and the choices of delivery.
type basket struct {
	Lines     []orders.Line
	Total     int64
	Currency  string
	PreOrders bool
	Sites     []customer.Site
	Today     string
}

// basketLines reads the quantities a form chose ("qty.<product ID>")
// and prices them from the customer's catalogue.
func (h *handler) basketLines(r *http.Request, cid customer.ID, form url.Values) ([]orders.Line, []portal.OrderLineParams, error) {
	want := map[orders.ProductID]int{}
	for k, vs := range form {
		pid, ok := strings.CutPrefix(k, "qty.")
		if !ok || len(vs) == 0 || strings.TrimSpace(vs[0]) == "" {
			continue
		}
		n, err := strconv.Atoi(strings.TrimSpace(vs[0]))
		if err != nil || n < 0 || n > 10000 {
			return nil, nil, portalerr.Invalidf(k, "must be a whole number from 0 to 10000")
		}
		if n > 0 {
			want[orders.ProductID(pid)] = n
		}
	}
	if len(want) == 0 {
		return nil, nil, portalerr.Invalidf("lines", "choose a quantity of at least one product")
	}
	var (
		lines  []orders.Line
		params []portal.OrderLineParams
		cursor string
	)
	for {
		l, err := h.p.GetCatalogue(r.Context(), cid, portal.GetCatalogueParams{Cursor: cursor, Limit: 100})
		if err != nil {
			return nil, nil, err
		}
		for _, e := range l.Items {
			if n, ok := want[e.Product.ID]; ok {
				lines = append(lines, orders.Line{ProductID: e.Product.ID, SKU: e.Product.SKU, Name: e.Product.Name, UnitPrice: e.Price, Quantity: n})
				params = append(params, portal.OrderLineParams{ProductID: e.Product.ID, Quantity: n})
				delete(want, e.Product.ID)
			}
		}
		if cursor = l.NextCursor; cursor == "" || len(want) == 0 {
			break
		}
	}
	if len(want) > 0 {
		return nil, nil, portalerr.Invalidf("lines", "a product chosen is no longer in the catalogue")
	}
	sort.Slice(lines, func(i, j int) bool { return lines[i].Name < lines[j].Name })
	return lines, params, nil
}

func (h *handler) basketPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	v.Title = v.T("Basket")
	lines, _, err := h.basketLines(r, cid, r.URL.Query())
	if err != nil {
		v.Error = errorMessage(v, err)
		v.Data = basket{}
		h.renderStatus(w, r, portalerr.HTTPStatus(portalerr.CodeOf(err)), "basket", v)
		return
	}
	v.Data = h.newBasket(r, cid, lines)
	h.render(w, r, "basket", v)
}

func (h *handler) newBasket(r *http.Request, cid customer.ID, lines []orders.Line) basket {
	b := basket{Lines: lines, Today: h.p.Now().Format(time.DateOnly)}
	for _, l := range lines {
		b.Total += l.Total()
		b.Currency = l.UnitPrice.Currency
	}
	if f, err := h.p.GetFeatures(r.Context(), cid); err == nil {
		b.PreOrders = f.Features.PreOrders
	}
	if s, err := h.p.ListSites(r.Context(), cid, portal.ListSitesParams{Limit: 100}); err == nil {
		b.Sites = s.Items
	}
	return b
}

func (h *handler) placeOrder(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if err := r.ParseForm(); err != nil {
		h.fail(w, r, portalerr.New(portalerr.Invalid, "the form could not be read"))
		return
	}
	f := r.PostForm
	lines, params, err := h.basketLines(r, cid, f)
	if err != nil {
		v.Title = v.T("Basket")
		v.Data = basket{}
		h.formError(w, r, "basket", v, err)
		return
	}
	p := portal.PlaceOrderParams{
		Lines:  params,
		SiteID: customer.SiteID(f.Get("site_id")),
		Note:   strings.TrimSpace(f.Get("note")),
	}
	if f.Get("kind") == string(orders.KindPreOrder) {
		p.Kind = orders.KindPreOrder
	} else {
		if name := strings.TrimSpace(f.Get("recipient_name")); name != "" || f.Get("line1") == "" {
			p.Recipient = &orders.Employee{Name: name, Email: strings.TrimSpace(f.Get("recipient_email"))}
		} else {
			p.DeliveryAddress = &customer.Address{
				Line1: f.Get("line1"), PostalCode: f.Get("postal_code"), City: f.Get("city"), Country: f.Get("country"),
			}
		}
		if d := f.Get("requested_date"); d != "" {
			t, err := time.Parse(time.DateOnly, d)
			if err != nil {
				err = portalerr.Invalidf("requested_date", "must be a date")
				v.Title = v.T("Basket")
				v.Data = h.newBasket(r, cid, lines)
				h.formError(w, r, "basket", v, err)
				return
			}
			p.RequestedDate = t
		}
	}
	o, err := h.p.PlaceOrder(r.Context(), cid, p)
	if err != nil {
		v.Title = v.T("Basket")
		v.Data = h.newBasket(r, cid, lines)
		h.formError(w, r, "basket", v, err)
		return
	}
	h.redirect(w, r, "/orders/"+url.PathEscape(string(o.ID)), "order_placed")
}

func (h *handler) stockPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	l, err := h.p.ListStockLevels(r.Context(), cid, portal.ListStockLevelsParams{Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Warehouse")
	v.Data = newList(r, v, l)
	h.render(w, r, "stock", v)
}

func (h *handler) stockItems(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	q := r.URL.Query()
	l, err := h.p.ListStockItems(r.Context(), cid, portal.ListStockItemsParams{
		ProductID: orders.ProductID(q.Get("product")), Status: warehouse.Status(q.Get("status")),
		SerialNumber: q.Get("serial"), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Items")
	v.Form = q
	v.Data = newList(r, v, l)
	h.render(w, r, "stock_items", v)
}

func (h *handler) stockItemPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showStockItem(w, r, v, cid, http.StatusOK)
}

func (h *handler) showStockItem(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, status int) {
	it, err := h.p.GetStockItem(r.Context(), cid, warehouse.ItemID(r.PathValue("id")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Item %s", it.Product.Name)
	d := stockItemView{StockItemHistory: it}
	if it.OrderID != "" {
		// The pre-order it came from, by its number where the caller may
		// read it.
		if o, err := h.p.GetOrder(r.Context(), cid, it.OrderID); err == nil {
			d.OrderNumber = o.Number.String()
		}
	}
	// With HR sync on, an item goes to an employee of the org structure,
	// picked by ID, for those who may read it (its admins); the others
	// name the holder in free text.
	if it.Status == warehouse.StatusInStock && v.Can(string(portal.ActStockMove)) && v.Can(string(portal.ActOrgRead)) {
		d.Picker = true
		d.EmployeeQuery = r.URL.Query().Get("employee_q")
		l, err := h.p.ListEmployees(r.Context(), cid, portal.ListEmployeesParams{
			Status: org.StatusActive, Query: d.EmployeeQuery, Limit: 100})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Employees, d.MoreEmployees = l.Items, l.NextCursor != ""
	}
	v.Data = d
	h.renderStatus(w, r, status, "stock_item", v)
}

// stockItemView is a stock item with its history and the number of the
// order that stocked it, if any. Picker says whether the issue form picks
// an employee of the org structure: from Employees, the active ones that
// match EmployeeQuery (MoreEmployees when there are more than listed).
type stockItemView struct {
	portal.StockItemHistory
	OrderNumber   string
	Picker        bool
	EmployeeQuery string
	Employees     []org.Employee
	MoreEmployees bool
}

func (h *handler) moveStockItem(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	id := warehouse.ItemID(r.PathValue("id"))
	ctx := r.Context()
	note := formValue(r, "note")
	var (
		err    error
		notice string
	)
	switch r.PathValue("move") {
	case "issue":
		_, err = h.p.IssueStockItem(ctx, cid, id, portal.IssueStockItemParams{Note: note,
			EmployeeID: org.EmployeeID(formValue(r, "employee_id")), Holder: orders.Employee{
				Name: formValue(r, "holder_name"), Email: formValue(r, "holder_email"),
				EmployeeNumber: formValue(r, "holder_number"),
			}})
		notice = "issued"
	case "return":
		_, err = h.p.ReturnStockItem(ctx, cid, id, portal.ReturnStockItemParams{Note: note, Condition: warehouse.Condition(r.PostFormValue("condition"))})
		notice = "returned"
	case "retire":
		_, err = h.p.RetireStockItem(ctx, cid, id, portal.RetireStockItemParams{Reason: formValue(r, "reason")})
		notice = "retired"
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		if portalerr.CodeOf(err) == portalerr.NotFound {
			h.fail(w, r, err)
			return
		}
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showStockItem(w, r, v, cid, status)
		}
		return
	}
	h.redirect(w, r, "/stock/items/"+url.PathEscape(string(id)), notice)
}

// people is the members page's data.
type people struct {
	Members     []portal.Member
	Invitations []invite.Invitation
	Roles       []customer.Role
}

func (h *handler) membersPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showMembers(w, r, v, cid, http.StatusOK)
}

func (h *handler) showMembers(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, status int) {
	ctx := r.Context()
	m, err := h.p.ListMembers(ctx, cid, portal.ListMembersParams{Limit: 100})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := people{Members: m.Items, Roles: []customer.Role{customer.RoleViewer, customer.RoleMaintainer, customer.RoleAdmin}}
	if v.Can(string(portal.ActInvitationRead)) {
		inv, err := h.p.ListInvitations(ctx, cid, portal.ListInvitationsParams{State: invite.StatePending, Limit: 100})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Invitations = inv.Items
	}
	v.Title = v.T("Members")
	v.Data = d
	h.renderStatus(w, r, status, "members", v)
}

// membersError shows the members page again with the failure of one of
// its forms.
func (h *handler) membersError(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showMembers(w, r, v, cid, status)
	}
}

// membersForm handles the forms of the members page: acts, when given,
// are those the route's {act} may name; without them the form invites.
func (h *handler) membersForm(acts []string) userPage {
	return func(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
		act := "invite"
		if acts != nil {
			act = r.PathValue("act")
			if !slices.Contains(acts, act) {
				http.NotFound(w, r)
				return
			}
		}
		notice, err := h.peopleForm(r, cid, act, r.PathValue("id"))
		if err != nil {
			h.membersError(w, r, v, cid, err)
			return
		}
		h.redirect(w, r, "/members", notice)
	}
}

// account is the account page's data.
type account struct {
	Memberships []portal.MyMembership
	Languages   []string
}

func (h *handler) accountPage(w http.ResponseWriter, r *http.Request, v *view, _ customer.ID) {
	h.showAccount(w, r, v, http.StatusOK)
}

func (h *handler) showAccount(w http.ResponseWriter, r *http.Request, v *view, status int) {
	ms, err := h.p.MyMemberships(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Your account")
	v.Data = account{Memberships: ms, Languages: []string{"en", "de"}}
	h.renderStatus(w, r, status, "account", v)
}

func (h *handler) accountError(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showAccount(w, r, v, status)
	}
}

func (h *handler) saveAccount(w http.ResponseWriter, r *http.Request, v *view, _ customer.ID) {
	_, err := h.p.UpdateMyAccount(r.Context(), portal.UpdateMyAccountParams{
		Name:   formValue(r, "name"),
		Locale: r.PostFormValue("locale"),
	})
	if err != nil {
		h.accountError(w, r, v, err)
		return
	}
	h.redirect(w, r, "/account", "saved")
}

func (h *handler) setPassword(w http.ResponseWriter, r *http.Request, v *view, _ customer.ID) {
	err := h.p.SetPassword(r.Context(), portal.SetPasswordParams{Current: r.PostFormValue("current_password"), New: r.PostFormValue("new_password")})
	if err != nil {
		h.accountError(w, r, v, err)
		return
	}
	h.redirect(w, r, "/account", "password_set")
}

func (h *handler) switchMembership(w http.ResponseWriter, r *http.Request, v *view, _ customer.ID) {
	_, err := h.p.SwitchMembership(r.Context(), customer.MembershipID(r.PostFormValue("membership_id")))
	if err != nil {
		h.accountError(w, r, v, err)
		return
	}
	h.redirect(w, r, "/", "switched")
}
