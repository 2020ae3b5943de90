package webui

import (
	"net/http"
	"net/url"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// consoleContactRoutes registers a customer's contacts in the console,
// and the page on which staff correct a person's name and address.
func (h *handler) consoleContactRoutes() {
	h.handle("GET /console/customers/{id}/contacts", h.asStaff(h.consoleContacts))
	h.handle("POST /console/customers/{id}/contacts", h.asStaff(h.consoleCreateContact))
	h.handle("GET /console/customers/{id}/contacts/{cid}", h.asStaff(h.consoleContact))
	h.handle("POST /console/customers/{id}/contacts/{cid}/{act}", h.asStaff(h.consoleContactAct))
	h.handle("GET /console/customers/{id}/members/{mid}/person", h.asStaff(h.consolePerson))
	h.handle("POST /console/customers/{id}/members/{mid}/person", h.asStaff(h.consoleCorrectPerson))
}

func contactsBase(cid customer.ID) string { return customerPath(cid, "contacts") }

func (h *handler) consoleContacts(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleContacts(w, r, v, http.StatusOK)
}

func (h *handler) showConsoleContacts(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "contacts")
	if !ok {
		return
	}
	h.showContacts(w, r, v, head.Customer.ID, head, contactsBase(head.Customer.ID), "console_contacts", status)
}

func (h *handler) consoleCreateContact(w http.ResponseWriter, r *http.Request, v *view) {
	cid := customer.ID(r.PathValue("id"))
	c, err := h.p.CreateContact(r.Context(), cid, contactForm(r))
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleContacts(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, contactsBase(cid)+"/"+url.PathEscape(string(c.ID)), "created")
}

func (h *handler) consoleContact(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleContact(w, r, v, http.StatusOK)
}

func (h *handler) showConsoleContact(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "contacts")
	if !ok {
		return
	}
	h.showContact(w, r, v, head.Customer.ID, customer.ContactID(r.PathValue("cid")), head, contactsBase(head.Customer.ID), "console_contact", status)
}

func (h *handler) consoleContactAct(w http.ResponseWriter, r *http.Request, v *view) {
	cid, id := customer.ID(r.PathValue("id")), customer.ContactID(r.PathValue("cid"))
	notice, deleted, err := h.contactAct(r, cid, id, r.PathValue("act"))
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleContact(w, r, v, status)
		}
		return
	}
	if deleted {
		h.redirect(w, r, contactsBase(cid), notice)
		return
	}
	h.redirect(w, r, contactsBase(cid)+"/"+url.PathEscape(string(id)), notice)
}

// personPage is a member's person, whose name and address staff correct.
type personPage struct {
	customerHead
	Member       portal.Member
	PendingEmail string
}

func (h *handler) consolePerson(w http.ResponseWriter, r *http.Request, v *view) {
	h.showPerson(w, r, v, http.StatusOK)
}

func (h *handler) showPerson(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "members")
	if !ok {
		return
	}
	m, err := h.p.GetMember(r.Context(), head.Customer.ID, customer.MembershipID(r.PathValue("mid")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := personPage{customerHead: head, Member: m}
	if v.Can(string(portal.ActUserAdmin)) {
		if d.PendingEmail, err = h.p.PendingEmailChange(r.Context(), m.User.ID); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if r.Method != http.MethodPost {
		v.Form = url.Values{"name": {m.User.Name}, "email": {m.User.Email}}
	}
	v.Title = m.User.Name
	v.Data = d
	h.renderStatus(w, r, status, "console_person", v)
}

func (h *handler) consoleCorrectPerson(w http.ResponseWriter, r *http.Request, v *view) {
	cid, mid := customer.ID(r.PathValue("id")), customer.MembershipID(r.PathValue("mid"))
	m, err := h.p.GetMember(r.Context(), cid, mid)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name, email := formValue(r, "name"), formValue(r, "email")
	_, err = h.p.UpdateUser(r.Context(), m.User.ID, portal.UpdateUserParams{Version: version(r), Name: &name, Email: &email})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showPerson(w, r, v, status)
		}
		return
	}
	notice := "saved"
	if email != m.User.Email {
		notice = "email_change_sent"
	}
	h.redirect(w, r, customerPath(cid, "members/"+url.PathEscape(string(mid))+"/person"), notice)
}
