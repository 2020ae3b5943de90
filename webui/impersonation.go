package webui

import (
	"net/http"
	"strconv"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
)

// staffStashCookie keeps a staff member's own session token while it acts
// as a customer user, so that leaving brings it back to the console.
const staffStashCookie = "portalkit_staff_session"

// impersonationRoutes registers impersonation: the console's "Support
// access" tab of a customer, which lists impersonations and starts one,
// and the portal's page where the customer's admins see them and may
// forbid them. Signing out of an impersonation (the banner's button, or
// the usual one) ends it and returns to the console (signOut).
func (h *handler) impersonationRoutes() {
	h.handle("GET /console/customers/{id}/impersonations", h.asStaff(h.consoleImpersonations))
	h.handle("POST /console/customers/{id}/impersonations", h.asStaff(h.startImpersonation))
	h.handle("GET /impersonations", h.asUser(h.impersonationsPage))
	h.handle("POST /impersonations/policy", h.asUser(h.setImpersonationPolicy))
}

// impersonationsPage is the data of both pages.
type impersonationsPage struct {
	customerHead
	Items     []identity.Impersonation
	Members   []portal.Member // whom staff may act as
	Forbidden bool
}

func (h *handler) loadImpersonations(w http.ResponseWriter, r *http.Request, cid customer.ID, data *impersonationsPage) bool {
	l, err := h.p.ListImpersonations(r.Context(), cid, portal.ListImpersonationsParams{Limit: 100})
	if err == nil {
		data.Items = l.Items
		data.Forbidden, err = h.p.ImpersonationForbidden(r.Context(), cid)
	}
	if err != nil {
		h.fail(w, r, err)
		return false
	}
	return true
}

func (h *handler) consoleImpersonations(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleImpersonations(w, r, v, http.StatusOK)
}

func (h *handler) showConsoleImpersonations(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "impersonations")
	if !ok {
		return
	}
	data := impersonationsPage{customerHead: head}
	if !h.loadImpersonations(w, r, head.Customer.ID, &data) {
		return
	}
	if v.Can(string(portal.ActImpersonate)) {
		ms, err := h.p.ListMembers(r.Context(), head.Customer.ID, portal.ListMembersParams{Limit: 100})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		data.Members = ms.Items
	}
	v.Title = v.T("Support access to %s", head.Customer.Name)
	v.Data = data
	h.renderStatus(w, r, status, "console_impersonations", v)
}

// startImpersonation opens the impersonation and moves the browser into
// it: the staff member's own session waits in staffStashCookie.
func (h *handler) startImpersonation(w http.ResponseWriter, r *http.Request, v *view) {
	minutes, _ := strconv.Atoi(r.PostFormValue("minutes"))
	imp, err := h.p.StartImpersonation(r.Context(), customer.ID(r.PathValue("id")), portal.StartImpersonationParams{
		MembershipID: customer.MembershipID(r.PostFormValue("membership_id")), Reason: formValue(r, "reason"),
		Write: r.PostFormValue("write") == "on", Minutes: minutes,
	})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleImpersonations(w, r, v, status)
		}
		return
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		h.setCookie(w, r, staffStashCookie, c.Value, "/", identity.MaxImpersonation+time.Minute)
	}
	h.startSession(w, r, session{imp.Token, imp.Session.ExpiresAt})
	http.Redirect(w, r, h.url("/", nil), http.StatusSeeOther)
}

// leaveImpersonation puts the staff member's own session back after it
// left an impersonation of customer cid, and returns where to go.
func (h *handler) leaveImpersonation(w http.ResponseWriter, r *http.Request, cid customer.ID) string {
	c, err := r.Cookie(staffStashCookie)
	if err != nil || c.Value == "" {
		h.clearCookie(w, sessionCookie, "/")
		return "/console/signin"
	}
	h.clearCookie(w, staffStashCookie, "/")
	h.setCookie(w, r, sessionCookie, c.Value, "/", h.p.SessionLifetime())
	return customerPath(cid, "impersonations")
}

func (h *handler) impersonationsPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	data := impersonationsPage{}
	if !h.loadImpersonations(w, r, cid, &data) {
		return
	}
	v.Title = v.T("Support access")
	v.Data = data
	h.render(w, r, "impersonations", v)
}

func (h *handler) setImpersonationPolicy(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if err := h.p.SetImpersonationForbidden(r.Context(), cid, r.PostFormValue("forbidden") == "on"); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/impersonations", "saved")
}
