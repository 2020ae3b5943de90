package webui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/warehouse"
)

// customerPartRoutes registers the pages of one customer beside its
// overview: features, sites, members, orders, offers, warehouse and mail
// templates.
func (h *handler) customerPartRoutes() {
	h.handle("GET /console/customers/{id}/features", h.asStaff(h.featuresPage))
	h.handle("POST /console/customers/{id}/features", h.asStaff(h.saveFeatures))
	h.handle("GET /console/customers/{id}/sites", h.asStaff(h.sitesPage))
	h.handle("POST /console/customers/{id}/sites", h.asStaff(h.createSite))
	h.handle("POST /console/customers/{id}/sites/{sid}", h.asStaff(h.updateSite))
	h.handle("POST /console/customers/{id}/sites/{sid}/delete", h.asStaff(h.deleteSite))
	h.consoleFieldRoutes()
	h.handle("GET /console/customers/{id}/offers", h.asStaff(h.offersPage))
	h.handle("POST /console/customers/{id}/offers", h.asStaff(h.createOffer))
	h.handle("POST /console/customers/{id}/offers/{oid}", h.asStaff(h.changeOffer))
	h.handle("POST /console/customers/{id}/offers/{oid}/delete", h.asStaff(h.deleteOffer))
	h.handle("GET /console/customers/{id}/stock", h.asStaff(h.customerStockPage))
	h.handle("POST /console/customers/{id}/stock", h.asStaff(h.stockIn))
	h.peopleRoutes()
	h.mailTemplateRoutes()
}

// customerPath is the address of a page of customer id.
func customerPath(id customer.ID, part string) string {
	p := "/console/customers/" + url.PathEscape(string(id))
	if part != "" {
		p += "/" + part
	}
	return p
}

// feature is one switch of the features page, with the rule it follows.
type feature struct {
	Name, Label, Rule string
}

// features are the switches in the order the page shows them.
var features = []feature{
	{"order_authorization", "Ordering", "The customer's maintainers and admins may place orders."},
	{"auto_confirm_orders", "Confirm orders automatically", "Needs ordering. Orders are confirmed when placed instead of waiting in the order inbox."},
	{"inherit_global_portfolio", "Global portfolio", "The catalogue shows the global portfolio beside the customer's own offers."},
	{"pre_orders", "Pre-orders", "Needs the supplier warehouse, which turning this on turns on too."},
	{"supplier_warehouse", "Supplier warehouse", "Devices are kept for the customer; cannot be off while pre-orders are on or items are held."},
	{"hr_sync", "HR sync", "A paid feature: needs the provider's licence."},
	{"tickets", "Support tickets", "Structured support tickets."},
	{"access_links", "Access links", "Staff may make long-lived sign-in links for members; weaker than a sign-in."},
	{"jobs", "Live view: jobs", "The customer's people see the field-service jobs at its sites."},
	{"visits", "Live view: visits", "The customer's people see the technicians' visits and their reports."},
	{"pictures", "Live view: pictures", "The customer's people see the pictures taken at its sites."},
}

// featuresPage is the features page's data.
type featuresPage struct {
	customerHead
	Features []feature
}

func (h *handler) featuresPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showFeatures(w, r, v, http.StatusOK)
}

func (h *handler) showFeatures(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "features")
	if !ok {
		return
	}
	if v.Form.Get("version") == "" {
		f, err := h.p.GetFeatures(r.Context(), head.Customer.ID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		v.Form = featureValues(f.Features)
		v.Form.Set("version", strconv.FormatInt(f.Version, 10))
	}
	v.Title = v.T("Features of %s", head.Customer.Name)
	v.Data = featuresPage{customerHead: head, Features: features}
	h.renderStatus(w, r, status, "console_features", v)
}

// featureValues are the switches as a form sends them: "on" for on.
func featureValues(f customer.Features) url.Values {
	q := url.Values{}
	for _, ft := range features {
		if featureOn(f, ft.Name) {
			q.Set(ft.Name, "on")
		}
	}
	return q
}

// featureOn reports the switches customer.Features.On does not name.
func featureOn(f customer.Features, name string) bool {
	switch name {
	case "auto_confirm_orders":
		return f.AutoConfirmOrders
	case "inherit_global_portfolio":
		return f.InheritGlobalPortfolio
	case "pre_orders":
		return f.PreOrders
	}
	return f.On(customer.Feature(name))
}

// saveFeatures changes the switches the form changed, and only those, so
// that the portal's rules apply as to a person's one change: turning
// pre-orders on turns the supplier warehouse on, unless the form turned
// that off at once, which is refused with the reason shown.
func (h *handler) saveFeatures(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	cur, err := h.p.GetFeatures(r.Context(), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var patch customer.FeaturesPatch
	for _, ft := range features {
		on := r.PostFormValue(ft.Name) == "on"
		if on == featureOn(cur.Features, ft.Name) {
			continue
		}
		*featureField(&patch, ft.Name) = &on
	}
	_, err = h.p.UpdateFeatures(r.Context(), id, portal.UpdateFeaturesParams{Version: version(r), FeaturesPatch: patch})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showFeatures(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, customerPath(id, "features"), "saved")
}

func featureField(p *customer.FeaturesPatch, name string) **bool {
	switch name {
	case "order_authorization":
		return &p.OrderAuthorization
	case "auto_confirm_orders":
		return &p.AutoConfirmOrders
	case "inherit_global_portfolio":
		return &p.InheritGlobalPortfolio
	case "pre_orders":
		return &p.PreOrders
	case "supplier_warehouse":
		return &p.SupplierWarehouse
	case "hr_sync":
		return &p.HRSync
	case "tickets":
		return &p.Tickets
	case "jobs":
		return &p.Jobs
	case "visits":
		return &p.Visits
	case "pictures":
		return &p.Pictures
	}
	return &p.AccessLinks
}

// sitesPage is the sites page's data.
type sitesPage struct {
	customerHead
	Q     string // the search
	Sites list[customer.Site]
}

func (h *handler) sitesPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showSites(w, r, v, http.StatusOK)
}

func (h *handler) showSites(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "sites")
	if !ok {
		return
	}
	q := r.URL.Query()
	l, err := h.p.ListSites(r.Context(), head.Customer.ID, portal.ListSitesParams{Search: q.Get("q"), Cursor: q.Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Sites of %s", head.Customer.Name)
	v.Data = sitesPage{customerHead: head, Q: q.Get("q"), Sites: newList(r, v, l)}
	h.renderStatus(w, r, status, "console_sites", v)
}

func (h *handler) sitesFailed(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showSites(w, r, v, status)
	}
}

func (h *handler) createSite(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	var params portal.SiteParams
	if err := siteForm(r, &params); err != nil {
		h.sitesFailed(w, r, v, err)
		return
	}
	_, err := h.p.CreateSite(r.Context(), id, params)
	if err != nil {
		h.sitesFailed(w, r, v, err)
		return
	}
	h.redirect(w, r, customerPath(id, "sites"), "created")
}

func (h *handler) deleteSite(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	if err := h.p.DeleteSite(r.Context(), id, customer.SiteID(r.PathValue("sid"))); err != nil {
		h.sitesFailed(w, r, v, err)
		return
	}
	h.redirect(w, r, customerPath(id, "sites"), "deleted")
}

// offerRow is an offer with its product's name.
type offerRow struct {
	orders.Offer
	Product orders.Product
}

// offersPage is the offers page's data.
type offersPage struct {
	customerHead
	Offers   list[offerRow]
	Products []orders.Product // what an offer may be made for
}

func (h *handler) offersPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showOffers(w, r, v, http.StatusOK)
}

// products returns the active products customer cid may get offers for or
// stock of: the global portfolio and its own, up to a hundred of each.
func (h *handler) products(r *http.Request, cid customer.ID) ([]orders.Product, error) {
	active := true
	global, err := h.p.ListProducts(r.Context(), portal.ListProductsParams{Global: true, Active: &active, Limit: 100})
	if err != nil {
		return nil, err
	}
	own, err := h.p.ListProducts(r.Context(), portal.ListProductsParams{CustomerID: cid, Active: &active, Limit: 100})
	if err != nil {
		return nil, err
	}
	return append(own.Items, global.Items...), nil
}

func (h *handler) showOffers(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "offers")
	if !ok {
		return
	}
	ctx := r.Context()
	l, err := h.p.ListOffers(ctx, head.Customer.ID, portal.ListOffersParams{Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ps, err := h.products(r, head.Customer.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	byID := map[orders.ProductID]orders.Product{}
	for _, p := range ps {
		byID[p.ID] = p
	}
	rows := make([]offerRow, len(l.Items))
	for i, o := range l.Items {
		p, ok := byID[o.ProductID]
		if !ok {
			// A deactivated product, or one beyond the first hundred.
			if p, err = h.p.GetProduct(ctx, o.ProductID); err != nil {
				p = orders.Product{ID: o.ProductID, Name: string(o.ProductID)}
			}
		}
		rows[i] = offerRow{Offer: o, Product: p}
	}
	d := offersPage{customerHead: head, Products: ps}
	d.Offers = newList(r, v, portal.List[offerRow]{Items: rows, NextCursor: l.NextCursor})
	v.Title = v.T("Offers for %s", head.Customer.Name)
	v.Data = d
	h.renderStatus(w, r, status, "console_offers", v)
}

func (h *handler) offersFailed(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showOffers(w, r, v, status)
	}
}

func (h *handler) createOffer(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	price, err := money("price", r.PostFormValue("price"), r.PostFormValue("currency"))
	if err == nil {
		_, err = h.p.CreateOffer(r.Context(), id, portal.CreateOfferParams{ProductID: orders.ProductID(r.PostFormValue("product_id")), Price: price})
	}
	if err != nil {
		h.offersFailed(w, r, v, err)
		return
	}
	h.redirect(w, r, customerPath(id, "offers"), "created")
}

func (h *handler) changeOffer(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	price, err := money("price", r.PostFormValue("price"), r.PostFormValue("currency"))
	if err == nil {
		_, err = h.p.UpdateOffer(r.Context(), id, orders.OfferID(r.PathValue("oid")), portal.UpdateOfferParams{Version: version(r), Price: price})
	}
	if err != nil {
		h.offersFailed(w, r, v, err)
		return
	}
	h.redirect(w, r, customerPath(id, "offers"), "saved")
}

func (h *handler) deleteOffer(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	if err := h.p.DeleteOffer(r.Context(), id, orders.OfferID(r.PathValue("oid"))); err != nil {
		h.offersFailed(w, r, v, err)
		return
	}
	h.redirect(w, r, customerPath(id, "offers"), "deleted")
}

// customerStock is the warehouse page's data.
type customerStock struct {
	customerHead
	Levels   []portal.StockLevel
	Items    list[portal.StockItem]
	Products []orders.Product
	Sites    []customer.Site
}

func (h *handler) customerStockPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showCustomerStock(w, r, v, http.StatusOK)
}

func (h *handler) showCustomerStock(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "stock")
	if !ok {
		return
	}
	ctx, cid, q := r.Context(), head.Customer.ID, r.URL.Query()
	d := customerStock{customerHead: head}
	levels, err := h.p.ListStockLevels(ctx, cid, portal.ListStockLevelsParams{Limit: 100})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Levels = levels.Items
	items, err := h.p.ListStockItems(ctx, cid, portal.ListStockItemsParams{
		Status: warehouse.Status(q.Get("status")), SerialNumber: q.Get("serial"), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Items = newList(r, v, items)
	if v.Can(string(portal.ActStockIn)) {
		if d.Products, err = h.products(r, cid); err != nil {
			h.fail(w, r, err)
			return
		}
		sites, err := h.p.ListSites(ctx, cid, portal.ListSitesParams{Limit: 100})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		d.Sites = sites.Items
	}
	if v.Error == "" {
		v.Form = q
	}
	v.Title = v.T("Warehouse of %s", head.Customer.Name)
	v.Data = d
	h.renderStatus(w, r, status, "console_stock", v)
}

// stockIn stocks in items of one product: one per serial number given
// (one a line), or as many as the quantity says without serial numbers.
func (h *handler) stockIn(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	item := portal.StockInItemParams{
		ProductID: orders.ProductID(r.PostFormValue("product_id")),
		Condition: warehouse.Condition(r.PostFormValue("condition")),
		SiteID:    customer.SiteID(r.PostFormValue("site_id")),
	}
	var (
		items []portal.StockInItemParams
		err   error
	)
	for _, line := range strings.Split(r.PostFormValue("serials"), "\n") {
		if s := strings.TrimSpace(line); s != "" {
			it := item
			it.SerialNumber = s
			items = append(items, it)
		}
	}
	if len(items) == 0 {
		n, cerr := strconv.Atoi(formValue(r, "quantity"))
		if cerr != nil || n < 1 || n > 100 {
			err = portalerr.Invalidf("quantity", "give serial numbers, one a line, or a quantity from 1 to 100")
			n = 0
		}
		for range n {
			items = append(items, item)
		}
	}
	if err == nil {
		_, err = h.p.StockIn(r.Context(), id, portal.StockInParams{Items: items, Note: formValue(r, "note")})
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showCustomerStock(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, customerPath(id, "stock"), "stocked_in")
}
