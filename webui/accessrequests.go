package webui

import (
	"errors"
	"net/http"

	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// maxRequestForm bounds the body of the public request form: its fields
// together are a few kilobytes at most.
const maxRequestForm = 32 << 10

// accessRequestRoutes registers the public pages on which people without
// an account ask for access and confirm their address; the console's
// inbox is consoleAccessRequestRoutes.
func (h *handler) accessRequestRoutes() {
	h.handle("GET /request-access", h.requestAccessPage)
	h.handle("POST /request-access", h.requestAccess)
	h.handle("GET /request-access/confirm", h.confirmAccessPage)
	h.handle("POST /request-access/confirm", h.confirmAccess)
	h.consoleAccessRequestRoutes()
	h.contactRoutes()
}

func (h *handler) requestAccessPage(w http.ResponseWriter, r *http.Request) {
	v := h.view(r, "request_access")
	v.Title = v.T("Request access")
	v.Form.Set("language", v.Lang())
	h.render(w, r, "request_access", v)
}

// requestAccess sends the form to portal.RequestAccess. Its answer is the
// same for every address; the form's hidden field "fax" is the honeypot.
func (h *handler) requestAccess(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxRequestForm)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		h.fail(w, r, portalerr.New(portalerr.Invalid, "the form could not be read"))
		return
	}
	err := h.p.RequestAccess(r.Context(), portal.RequestAccessParams{
		CompanyName: formValue(r, "company_name"), VATID: formValue(r, "vat_id"), Website: formValue(r, "website"),
		Name: formValue(r, "name"), Email: formValue(r, "email"), Phone: formValue(r, "phone"),
		Message: formValue(r, "message"), Language: formValue(r, "language"),
		Trap: r.PostFormValue("fax"), ClientAddr: clientAddr(r),
	})
	if err != nil {
		v := h.view(r, "request_access")
		v.Title = v.T("Request access")
		h.formError(w, r, "request_access", v, err)
		return
	}
	h.redirect(w, r, "/request-access", "request_sent")
}

// confirmPage is what the confirmation page shows: whether a token waits
// for its click, and whether the address was just confirmed.
type confirmPage struct {
	Ready, Done bool
}

// confirmAccessPage keeps the link's token in a cookie and shows a button
// that confirms: a mail scanner that opens the link confirms nothing.
func (h *handler) confirmAccessPage(w http.ResponseWriter, r *http.Request) {
	const path = "/request-access/confirm"
	if t := r.URL.Query().Get("token"); t != "" {
		h.setCookie(w, r, tokenCookie, t, path, tokenTTL)
		http.Redirect(w, r, h.url(path, nil), http.StatusSeeOther)
		return
	}
	v := h.view(r, "request_access_confirm")
	v.Title = v.T("Confirm your e-mail address")
	v.Data = confirmPage{Ready: hasCookie(r, tokenCookie)}
	h.render(w, r, "request_access_confirm", v)
}

func (h *handler) confirmAccess(w http.ResponseWriter, r *http.Request) {
	const path = "/request-access/confirm"
	v := h.view(r, "request_access_confirm")
	v.Title = v.T("Confirm your e-mail address")
	c, err := r.Cookie(tokenCookie)
	if err != nil || c.Value == "" {
		v.Data = confirmPage{}
		h.renderStatus(w, r, http.StatusBadRequest, "request_access_confirm", v)
		return
	}
	h.clearCookie(w, tokenCookie, path)
	if err := h.p.ConfirmAccessRequest(r.Context(), c.Value); err != nil {
		if portalerr.CodeOf(err) != portalerr.NotFound {
			h.fail(w, r, err)
			return
		}
		v.Data = confirmPage{}
		h.renderStatus(w, r, http.StatusNotFound, "request_access_confirm", v)
		return
	}
	v.Data = confirmPage{Done: true}
	h.render(w, r, "request_access_confirm", v)
}
