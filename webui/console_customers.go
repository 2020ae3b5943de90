package webui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// customerRoutes registers the console's customer list and each
// customer's overview.
func (h *handler) customerRoutes() {
	h.handle("GET /console/customers", h.asStaff(h.customerList))
	h.handle("GET /console/customers/new", h.asStaff(h.newCustomerPage))
	h.handle("POST /console/customers", h.asStaff(h.createCustomer))
	h.handle("GET /console/customers/{id}", h.asStaff(h.customerOverview))
	h.handle("POST /console/customers/{id}", h.asStaff(h.updateCustomer))
	h.handle("POST /console/customers/{id}/status", h.asStaff(h.customerStatus))
}

func (h *handler) customerList(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	p := portal.ListCustomersParams{Search: q.Get("q"), Cursor: q.Get("cursor"), Limit: pageLimit}
	if s := q.Get("status"); s != "" {
		p.Statuses = []customer.Status{customer.Status(s)}
	}
	l, err := h.p.ListCustomers(r.Context(), p)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Customers")
	v.Form = q
	v.Data = newList(r, v, l)
	h.render(w, r, "console_customers", v)
}

func (h *handler) newCustomerPage(w http.ResponseWriter, r *http.Request, v *view) {
	if !v.Can(string(portal.ActCustomerCreate)) {
		h.fail(w, r, portalerr.New(portalerr.PermissionDenied, "not allowed for your role"))
		return
	}
	v.Form = url.Values{"parent_id": {r.URL.Query().Get("parent")}}
	h.showNewCustomer(w, r, v, http.StatusOK)
}

func (h *handler) showNewCustomer(w http.ResponseWriter, r *http.Request, v *view, status int) {
	v.Title = v.T("New customer")
	h.renderStatus(w, r, status, "console_customer_new", v)
}

// customerForm reads the details the customer forms have in common.
func customerForm(r *http.Request) portal.CreateCustomerParams {
	return portal.CreateCustomerParams{
		Name: formValue(r, "name"), LegalName: formValue(r, "legal_name"), VATID: formValue(r, "vat_id"),
		ContactEmail: formValue(r, "contact_email"), Phone: formValue(r, "phone"), ExternalRef: formValue(r, "external_ref"),
		ParentID: customer.ID(formValue(r, "parent_id")),
		Address: customer.Address{
			Line1: formValue(r, "line1"), Line2: formValue(r, "line2"), PostalCode: formValue(r, "postal_code"),
			City: formValue(r, "city"), Region: formValue(r, "region"), Country: formValue(r, "country"),
		},
		Branding: customer.Branding{
			DisplayName: formValue(r, "display_name"), LogoURL: formValue(r, "logo_url"),
			AccentColor: formValue(r, "accent_color"), HostName: formValue(r, "host_name"),
		},
	}
}

func (h *handler) createCustomer(w http.ResponseWriter, r *http.Request, v *view) {
	c, err := h.p.CreateCustomer(r.Context(), customerForm(r))
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showNewCustomer(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/customers/"+url.PathEscape(string(c.ID)), "created")
}

// customerTab is one entry of a customer's pages' navigation.
type customerTab struct {
	Label, URL string
	Current    bool
}

// customerHead is what every page of one customer shows on top: the
// customer and the links to its other pages.
type customerHead struct {
	Customer customer.Customer
	Tabs     []customerTab
}

// customerTabs are a customer's pages: label, part of the path ("" for
// the overview), and the action that lets staff see it.
var customerTabs = []struct{ label, part, action string }{
	{"Overview", "", string(portal.ActCustomerRead)},
	{"Features", "features", string(portal.ActFeaturesRead)},
	{"Sites", "sites", string(portal.ActSiteRead)},
	{"Members", "members", string(portal.ActMembershipRead)},
	{"Orders", "orders", string(portal.ActOrderRead)},
	{"Offers", "offers", string(portal.ActOfferRead)},
	{"Warehouse", "stock", string(portal.ActStockRead)},
	{"Mail templates", "mail-templates", string(portal.ActMailRead)},
	{"Licences", "licenses", string(portal.ActLicenseRead)},
	{"HR sync", "hr-sync", string(portal.ActOrgRead)},
	{"Jobs", "jobs", string(portal.ActJobRead)},
	{"Contacts", "contacts", string(portal.ActContactRead)},
	{"Single sign-on", "sso", string(portal.ActSSORead)},
	{"Support access", "impersonations", string(portal.ActImpersonationRead)},
}

// loadCustomer reads the customer the path names, with the navigation of
// its pages for a page at tab ("" for the overview); false when it has
// answered with the error page.
func (h *handler) loadCustomer(w http.ResponseWriter, r *http.Request, v *view, tab string) (customerHead, bool) {
	c, err := h.p.GetCustomer(r.Context(), customer.ID(r.PathValue("id")))
	if err != nil {
		h.fail(w, r, err)
		return customerHead{}, false
	}
	base := v.URL("/console/customers", c.ID)
	head := customerHead{Customer: c}
	for _, t := range customerTabs {
		if !v.Can(t.action) || (t.part == "stock" && !c.Features.SupplierWarehouse) || (t.part == "hr-sync" && !c.Features.HRSync) {
			continue
		}
		u := base
		if t.part != "" {
			u += "/" + t.part
		}
		head.Tabs = append(head.Tabs, customerTab{Label: t.label, URL: u, Current: t.part == tab})
	}
	return head, true
}

// customerOverview is the overview page's data.
type customerOverview struct {
	customerHead
	Parent customer.Customer
	Subs   list[customer.Customer]
}

func (h *handler) customerOverview(w http.ResponseWriter, r *http.Request, v *view) {
	h.showCustomer(w, r, v, http.StatusOK)
}

func (h *handler) showCustomer(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "")
	if !ok {
		return
	}
	c := head.Customer
	d := customerOverview{customerHead: head}
	if c.ParentID != "" {
		d.Parent, _ = h.p.GetCustomer(r.Context(), c.ParentID)
	}
	subs, err := h.p.ListCustomers(r.Context(), portal.ListCustomersParams{ParentID: c.ID, Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d.Subs = newList(r, v, subs)
	if v.Form.Get("version") == "" {
		v.Form = url.Values{
			"version": {strconv.FormatInt(c.Version, 10)}, "name": {c.Name}, "legal_name": {c.LegalName},
			"vat_id": {c.VATID}, "contact_email": {c.ContactEmail}, "phone": {c.Phone}, "external_ref": {c.ExternalRef},
			"parent_id": {string(c.ParentID)}, "line1": {c.Address.Line1}, "line2": {c.Address.Line2},
			"postal_code": {c.Address.PostalCode}, "city": {c.Address.City}, "region": {c.Address.Region},
			"country": {c.Address.Country}, "display_name": {c.Branding.DisplayName}, "logo_url": {c.Branding.LogoURL},
			"accent_color": {c.Branding.AccentColor}, "host_name": {c.Branding.HostName},
		}
	}
	v.Title = c.Name
	v.Data = d
	h.renderStatus(w, r, status, "console_customer", v)
}

// updateCustomer saves the details form. The form carries the version
// the page showed, so that a change made meanwhile by someone else is not
// overwritten: UpdateCustomer answers Conflict, and the page shows it.
func (h *handler) updateCustomer(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	f := customerForm(r)
	_, err := h.p.UpdateCustomer(r.Context(), id, portal.UpdateCustomerParams{
		Version: version(r), Name: &f.Name, LegalName: &f.LegalName, VATID: &f.VATID, ContactEmail: &f.ContactEmail,
		Phone: &f.Phone, Address: &f.Address, ExternalRef: &f.ExternalRef, ParentID: &f.ParentID, Branding: &f.Branding,
	})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showCustomer(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/customers/"+url.PathEscape(string(id)), "saved")
}

func (h *handler) customerStatus(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	var err error
	switch r.PostFormValue("status") {
	case string(customer.StatusSuspended):
		_, err = h.p.SuspendCustomer(r.Context(), id)
	case string(customer.StatusActive):
		_, err = h.p.ReactivateCustomer(r.Context(), id)
	case string(customer.StatusArchived):
		_, err = h.p.ArchiveCustomer(r.Context(), id)
	default:
		err = portalerr.Invalidf("status", "must be active, suspended or archived")
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			v.Form = url.Values{}
			h.showCustomer(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/customers/"+url.PathEscape(string(id)), "status_changed")
}
