package webui

import (
	"net/http"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// consoleHRRoutes registers a customer's licences page and its HR sync
// pages for staff: the same pages the customer's admins have (hrsync.go).
func (h *handler) consoleHRRoutes() {
	h.handle("GET /console/customers/{id}/licenses", h.asStaff(h.licensesPage))
	h.handle("POST /console/customers/{id}/licenses", h.asStaff(h.saveLicenses))
	h.handle("GET /console/customers/{id}/hr-sync", h.asStaff(h.staffHR(h.hrPage)))
	h.handle("POST /console/customers/{id}/hr-sync/runs", h.asStaff(h.staffHR(h.startRun)))
	h.handle("GET /console/customers/{id}/hr-sync/runs/{oid}", h.asStaff(h.staffHR(h.runPage)))
	h.handle("POST /console/customers/{id}/hr-sync/runs/{oid}/apply", h.asStaff(h.staffHR(h.runAct("apply"))))
	h.handle("POST /console/customers/{id}/hr-sync/runs/{oid}/discard", h.asStaff(h.staffHR(h.runAct("discard"))))
	h.handle("POST /console/customers/{id}/hr-sync/items/{oid}/return", h.asStaff(h.staffHR(h.offboardItem("return"))))
	h.handle("POST /console/customers/{id}/hr-sync/items/{oid}/retire", h.asStaff(h.staffHR(h.offboardItem("retire"))))
	h.handle("POST /console/customers/{id}/hr-sync/pull", h.asStaff(h.staffHR(h.syncNow)))
	h.handle("POST /console/customers/{id}/hr-sync/scim-tokens", h.asStaff(h.staffHR(h.createSCIMToken)))
	h.handle("POST /console/customers/{id}/hr-sync/scim-tokens/{oid}/revoke", h.asStaff(h.staffHR(h.revokeSCIMToken)))
	h.handle("POST /console/customers/{id}/hr-sync/settings", h.asStaff(h.staffHR(h.updateSyncSettings)))
}

// staffHR runs an HR sync page for staff, under the customer's tabs.
func (h *handler) staffHR(next hrHandler) staffPage {
	return func(w http.ResponseWriter, r *http.Request, v *view) {
		head, ok := h.loadCustomer(w, r, v, "hr-sync")
		if !ok {
			return
		}
		next(w, r, v, hrScope{cid: head.Customer.ID, base: customerPath(head.Customer.ID, "hr-sync"), head: head, console: true, param: "oid"})
	}
}

// licensesData is the licences page's data.
type licensesData struct {
	customerHead
	Licenses portal.LicensesView
	Grants   []customer.Grant
}

func (h *handler) licensesPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showLicenses(w, r, v, http.StatusOK)
}

func (h *handler) showLicenses(w http.ResponseWriter, r *http.Request, v *view, status int) {
	head, ok := h.loadCustomer(w, r, v, "licenses")
	if !ok {
		return
	}
	l, err := h.p.GetLicenses(r.Context(), head.Customer.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Form.Get("hr_sync") == "" {
		v.Form.Set("hr_sync", string(l.HRSync))
	}
	v.Title = v.T("Licences of %s", head.Customer.Name)
	v.Data = licensesData{customerHead: head, Licenses: l, Grants: []customer.Grant{customer.GrantDefault, customer.GrantGranted, customer.GrantRevoked}}
	h.renderStatus(w, r, status, "console_licenses", v)
}

func (h *handler) saveLicenses(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	_, err := h.p.UpdateLicenses(r.Context(), id, portal.UpdateLicensesParams{HRSync: customer.Grant(r.PostFormValue("hr_sync"))})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showLicenses(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, customerPath(id, "licenses"), "saved")
}
