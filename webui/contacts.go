package webui

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// contactRoutes registers the pages of a customer's contact persons, in
// the portal (for its admins) and in the console, and the public page on
// which a new e-mail address is confirmed.
func (h *handler) contactRoutes() {
	h.handle("GET /contacts", h.asUser(h.portalContacts))
	h.handle("POST /contacts", h.asUser(h.portalCreateContact))
	h.handle("GET /contacts/{id}", h.asUser(h.portalContact))
	h.handle("POST /contacts/{id}", h.asUser(h.portalUpdateContact))
	h.handle("POST /contacts/{id}/{act}", h.asUser(h.portalContactAct))
	h.handle("GET /confirm-email", h.confirmEmailPage)
	h.handle("POST /confirm-email", h.confirmEmail)
	h.consoleContactRoutes()
}

// contactsPage is a customer's contacts with the form for a new one.
type contactsPage struct {
	customerHead // the console's; zero in the portal
	// Base is the address of the contacts: "/contacts" in the portal.
	Base     string
	Contacts list[customer.Contact]
	Rows     []int // the new contact's address rows
}

// contactPage is one contact with its forms.
type contactPage struct {
	customerHead
	Base    string
	Contact customer.Contact
	Rows    []int
	Roles   []customer.Role
	Sites   []customer.Site
}

// contactForm reads the contact form: its fields and address rows; rows
// left empty are dropped, and the radio "primary" names the primary one.
func contactForm(r *http.Request) portal.ContactParams {
	p := portal.ContactParams{
		Name: formValue(r, "name"), Email: formValue(r, "email"), Phone: formValue(r, "phone"),
		JobTitle: formValue(r, "job_title"), Notes: formValue(r, "notes"),
	}
	for i := range customer.MaxContactAddresses {
		f := func(name string) string { return formValue(r, fmt.Sprintf("addr_%s_%d", name, i)) }
		a := customer.ContactAddress{Label: f("label"), Address: customer.Address{
			Line1: f("line1"), Line2: f("line2"), PostalCode: f("postal_code"), City: f("city"), Region: f("region"), Country: f("country"),
		}}
		if a.Label == "" && a.Address == (customer.Address{}) {
			continue
		}
		a.Primary = r.PostFormValue("primary") == strconv.Itoa(i)
		p.Addresses = append(p.Addresses, a)
	}
	return p
}

// contactValues are a contact as its form shows it, with one empty row
// for another address; rows returns the rows' numbers.
func contactValues(c customer.Contact) (url.Values, []int) {
	q := url.Values{"name": {c.Name}, "email": {c.Email}, "phone": {c.Phone}, "job_title": {c.JobTitle}, "notes": {c.Notes}}
	for i, a := range c.Addresses {
		set := func(name, v string) { q.Set(fmt.Sprintf("addr_%s_%d", name, i), v) }
		set("label", a.Label)
		set("line1", a.Address.Line1)
		set("line2", a.Address.Line2)
		set("postal_code", a.Address.PostalCode)
		set("city", a.Address.City)
		set("region", a.Address.Region)
		set("country", a.Address.Country)
		if a.Primary {
			q.Set("primary", strconv.Itoa(i))
		}
	}
	return q, addressRows(len(c.Addresses) + 1)
}

// addressRows returns the numbers of n address rows, at most the limit.
func addressRows(n int) []int {
	n = min(max(n, 1), customer.MaxContactAddresses)
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// rowsSent returns the address rows a form sent back with an error shows.
func rowsSent(r *http.Request) []int {
	n := 0
	for i := range customer.MaxContactAddresses {
		if r.PostForm.Has(fmt.Sprintf("addr_label_%d", i)) {
			n = i + 1
		}
	}
	return addressRows(n)
}

// showContacts renders a customer's contacts at base with page.
func (h *handler) showContacts(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, head customerHead, base, page string, status int) {
	l, err := h.p.ListContacts(r.Context(), cid, portal.ListContactsParams{Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	rows := addressRows(1)
	if r.Method == http.MethodPost {
		rows = rowsSent(r)
	}
	v.Title = v.T("Contacts")
	if head.Customer.ID != "" {
		v.Title = v.T("Contacts of %s", head.Customer.Name)
	}
	v.Data = contactsPage{customerHead: head, Base: base, Contacts: newList(r, v, l), Rows: rows}
	h.renderStatus(w, r, status, page, v)
}

// showContact renders contact id of customer cid at base with page.
func (h *handler) showContact(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, id customer.ContactID, head customerHead, base, page string, status int) {
	ctx := r.Context()
	c, err := h.p.GetContact(ctx, cid, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := contactPage{customerHead: head, Base: base, Contact: c, Roles: []customer.Role{customer.RoleViewer, customer.RoleMaintainer, customer.RoleAdmin}}
	if sites, err := h.p.ListSites(ctx, cid, portal.ListSitesParams{Limit: 100}); err == nil {
		d.Sites = sites.Items
	}
	if r.Method == http.MethodPost {
		d.Rows = rowsSent(r)
	} else {
		v.Form, d.Rows = contactValues(c)
		v.Form.Set("role", string(customer.RoleViewer))
	}
	v.Form.Set("version", strconv.FormatInt(c.Version, 10))
	v.Title = c.Name
	v.Data = d
	h.renderStatus(w, r, status, page, v)
}

// contactAct runs a contact's form named by act: save (the details),
// access (portal access) or delete; it answers where to go next.
func (h *handler) contactAct(r *http.Request, cid customer.ID, id customer.ContactID, act string) (notice string, deleted bool, err error) {
	ctx := r.Context()
	switch act {
	case "save":
		_, err = h.p.UpdateContact(ctx, cid, id, portal.UpdateContactParams{Version: version(r), ContactParams: contactForm(r)})
		return "saved", false, err
	case "access":
		params := portal.ContactAccessParams{Role: customer.Role(r.PostFormValue("role")), Message: formValue(r, "message")}
		for _, s := range r.PostForm["site_ids"] {
			params.SiteIDs = append(params.SiteIDs, customer.SiteID(s))
		}
		_, err = h.p.EnableContactPortalAccess(ctx, cid, id, params)
		return "contact_invited", false, err
	case "delete":
		return "deleted", true, h.p.DeleteContact(ctx, cid, id)
	}
	return "", false, portalerr.New(portalerr.NotFound, "no such form")
}

func (h *handler) portalContacts(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showContacts(w, r, v, cid, customerHead{}, "/contacts", "contacts", http.StatusOK)
}

func (h *handler) portalCreateContact(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	c, err := h.p.CreateContact(r.Context(), cid, contactForm(r))
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showContacts(w, r, v, cid, customerHead{}, "/contacts", "contacts", status)
		}
		return
	}
	h.redirect(w, r, "/contacts/"+url.PathEscape(string(c.ID)), "created")
}

func (h *handler) portalContact(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showContact(w, r, v, cid, customer.ContactID(r.PathValue("id")), customerHead{}, "/contacts", "contact", http.StatusOK)
}

func (h *handler) portalUpdateContact(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.portalContactDo(w, r, v, cid, "save")
}

func (h *handler) portalContactAct(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.portalContactDo(w, r, v, cid, r.PathValue("act"))
}

func (h *handler) portalContactDo(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, act string) {
	id := customer.ContactID(r.PathValue("id"))
	notice, deleted, err := h.contactAct(r, cid, id, act)
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showContact(w, r, v, cid, id, customerHead{}, "/contacts", "contact", status)
		}
		return
	}
	if deleted {
		h.redirect(w, r, "/contacts", notice)
		return
	}
	h.redirect(w, r, "/contacts/"+url.PathEscape(string(id)), notice)
}

// confirmEmailPage keeps the link's token in a cookie and shows a button
// that confirms the new address, as confirmAccessPage does.
func (h *handler) confirmEmailPage(w http.ResponseWriter, r *http.Request) {
	const path = "/confirm-email"
	if t := r.URL.Query().Get("token"); t != "" {
		h.setCookie(w, r, tokenCookie, t, path, tokenTTL)
		http.Redirect(w, r, h.url(path, nil), http.StatusSeeOther)
		return
	}
	v := h.view(r, "confirm_email")
	v.Title = v.T("Confirm your new e-mail address")
	v.Data = confirmPage{Ready: hasCookie(r, tokenCookie)}
	h.render(w, r, "confirm_email", v)
}

func (h *handler) confirmEmail(w http.ResponseWriter, r *http.Request) {
	const path = "/confirm-email"
	v := h.view(r, "confirm_email")
	v.Title = v.T("Confirm your new e-mail address")
	c, err := r.Cookie(tokenCookie)
	if err != nil || c.Value == "" {
		v.Data = confirmPage{}
		h.renderStatus(w, r, http.StatusBadRequest, "confirm_email", v)
		return
	}
	h.clearCookie(w, tokenCookie, path)
	if err := h.p.ConfirmEmailChange(r.Context(), c.Value); err != nil {
		v.Data = confirmPage{}
		h.formError(w, r, "confirm_email", v, err)
		return
	}
	v.Data = confirmPage{Done: true}
	h.render(w, r, "confirm_email", v)
}
