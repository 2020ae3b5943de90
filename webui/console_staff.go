package webui

import (
	"net/http"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
)

// consoleStaffRoutes registers the console's pages of the provider's own
// people: the staff list and a staff member's own account.
func (h *handler) consoleStaffRoutes() {
	h.handle("GET /console/staff", h.asStaff(h.staffPage))
	h.handle("POST /console/staff", h.asStaff(h.inviteStaff))
	h.handle("POST /console/staff/{id}/role", h.asStaff(h.changeStaffRole))
	h.handle("POST /console/staff/{id}/{act}", h.asStaff(h.staffAct))
	h.handle("GET /console/account", h.asStaff(h.staffAccountPage))
	h.handle("POST /console/account/password", h.asStaff(h.setStaffPassword))
}

// staffList is the staff page's data.
type staffList struct {
	list[identity.StaffMember]
	Roles []identity.StaffRole
}

func (h *handler) staffPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showStaff(w, r, v, http.StatusOK)
}

func (h *handler) showStaff(w http.ResponseWriter, r *http.Request, v *view, status int) {
	l, err := h.p.ListStaff(r.Context(), portal.ListStaffParams{Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Staff")
	v.Data = staffList{list: newList(r, v, l), Roles: []identity.StaffRole{identity.StaffAgent, identity.StaffAdmin, identity.StaffOwner}}
	h.renderStatus(w, r, status, "console_staff", v)
}

// staffError shows the staff page again with the failure of its form.
func (h *handler) staffError(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showStaff(w, r, v, status)
	}
}

func (h *handler) inviteStaff(w http.ResponseWriter, r *http.Request, v *view) {
	_, err := h.p.InviteStaff(r.Context(), portal.InviteStaffParams{
		Email: formValue(r, "email"),
		Name:  formValue(r, "name"),
		Role:  identity.StaffRole(r.PostFormValue("role")),
	})
	if err != nil {
		h.staffError(w, r, v, err)
		return
	}
	h.redirect(w, r, "/console/staff", "invited")
}

func (h *handler) changeStaffRole(w http.ResponseWriter, r *http.Request, v *view) {
	role := identity.StaffRole(r.PostFormValue("role"))
	_, err := h.p.UpdateStaff(r.Context(), identity.StaffID(r.PathValue("id")), portal.UpdateStaffParams{Version: version(r), Role: &role})
	if err != nil {
		h.staffError(w, r, v, err)
		return
	}
	h.redirect(w, r, "/console/staff", "saved")
}

func (h *handler) staffAct(w http.ResponseWriter, r *http.Request, v *view) {
	id := identity.StaffID(r.PathValue("id"))
	var (
		err    error
		notice string
	)
	switch r.PathValue("act") {
	case "disable":
		_, err = h.p.DisableStaff(r.Context(), id)
		notice = "disabled"
	case "enable":
		_, err = h.p.EnableStaff(r.Context(), id)
		notice = "enabled"
	case "resend":
		_, err = h.p.ResendStaffInvitation(r.Context(), id)
		notice = "resent"
	case "service-desk":
		on := r.PostFormValue("on") == "true"
		_, err = h.p.UpdateStaff(r.Context(), id, portal.UpdateStaffParams{Version: version(r), ServiceDesk: &on})
		notice = "saved"
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		h.staffError(w, r, v, err)
		return
	}
	h.redirect(w, r, "/console/staff", notice)
}

func (h *handler) staffAccountPage(w http.ResponseWriter, r *http.Request, v *view) {
	v.Title = v.T("Your account")
	h.render(w, r, "console_account", v)
}

func (h *handler) setStaffPassword(w http.ResponseWriter, r *http.Request, v *view) {
	err := h.p.SetPassword(r.Context(), portal.SetPasswordParams{Current: r.PostFormValue("current_password"), New: r.PostFormValue("new_password")})
	if err != nil {
		v.Title = v.T("Your account")
		h.formError(w, r, "console_account", v, err)
		return
	}
	h.redirect(w, r, "/console/account", "password_set")
}
