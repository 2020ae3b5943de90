package webui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// ssoRoutes registers single sign-on: the sign-in page's form that finds
// the identity provider of an e-mail domain, the redirect URI the provider
// sends people back to (/sso/callback), and the identity provider's
// settings, for a customer's admins (/sso) and for staff
// (/console/customers/{id}/sso).
func (h *handler) ssoRoutes() {
	h.handle("POST /signin/sso", h.startSSO)
	h.handle("GET /sso/callback", h.ssoCallback)
	h.handle("GET /sso", h.asUser(h.ssoPage))
	h.handle("POST /sso", h.asUser(h.saveSSO))
	h.handle("POST /sso/delete", h.asUser(h.deleteSSO))
	h.handle("GET /console/customers/{id}/sso", h.asStaff(h.consoleSSOPage))
	h.handle("POST /console/customers/{id}/sso", h.asStaff(h.consoleSaveSSO))
	h.handle("POST /console/customers/{id}/sso/delete", h.asStaff(h.consoleDeleteSSO))
	h.handle("POST /console/customers/{id}/sso/domains/approve", h.asStaff(h.consoleApproveSSODomain))
}

// ssoStartPage is the page between the sign-in form and the provider: the
// pages' policy lets forms send only to the portal itself, so the way on
// is a link.
type ssoStartPage struct {
	URL string
}

func (h *handler) startSSO(w http.ResponseWriter, r *http.Request) {
	st, err := h.p.StartSSO(r.Context(), portal.StartSSOParams{Email: formValue(r, "email"), ClientAddr: clientAddr(r)})
	if portalerr.CodeOf(err) == portalerr.NotFound {
		err = portalerr.Invalidf("email", "has no single sign-on; sign in with a link or a password")
	}
	if err != nil {
		v := h.view(r, "signin")
		v.Title = v.T("Sign in")
		v.Data = linkPage{}
		h.formError(w, r, "signin", v, err)
		return
	}
	v := h.view(r, "sso_start")
	v.Title = v.T("Sign in with your company's account")
	v.Data = ssoStartPage{URL: st.AuthorizationURL}
	h.render(w, r, "sso_start", v)
}

// ssoCallback finishes a sign-in with what the provider sent back, and
// signs the browser in; a refusal shows the sign-in page with the reason.
func (h *handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var err error
	var in portal.SignIn
	if q.Get("error") != "" {
		err = portalerr.New(portalerr.Unauthenticated, "your identity provider did not sign you in")
	} else {
		in, err = h.p.FinishSSO(r.Context(), portal.FinishSSOParams{State: q.Get("state"), Code: q.Get("code")})
	}
	if err != nil {
		v := h.view(r, "signin")
		v.Title = v.T("Sign in")
		v.Data = linkPage{}
		v.Error = errorMessage(v, err)
		h.renderStatus(w, r, portalerr.HTTPStatus(portalerr.CodeOf(err)), "signin", v)
		return
	}
	h.startSession(w, r, session{in.Token, in.Session.ExpiresAt})
	h.signedIn(w, r, "/")
}

// ssoSettingsPage is the identity provider's settings page: the form, and
// whether there is a provider to remove.
type ssoSettingsPage struct {
	customerHead
	Action      string // where the form goes
	Exists      bool
	HasSecret   bool
	RedirectURL string
	// Pending are the domains that wait for staff's approval.
	Pending []string
	Roles   []customer.Role
}

// ssoValues are the stored settings as the form sends them.
func ssoValues(v *view, c portal.SSOSettings) {
	v.Form.Set("issuer", c.Issuer)
	v.Form.Set("client_id", c.ClientID)
	v.Form.Set("domains", strings.Join(c.Domains, " "))
	v.Form.Set("email_claim", c.EmailClaim)
	v.Form.Set("name_claim", c.NameClaim)
	v.Form.Set("jit_role", string(c.JITRole))
	v.Form.Set("version", strconv.FormatInt(c.Version, 10))
	if c.JIT {
		v.Form.Set("jit", "on")
	}
	if c.Required {
		v.Form.Set("required", "on")
	}
}

// showSSO renders the settings of customer cid as page name, reading them
// unless the form is being shown again after a refusal.
func (h *handler) showSSO(w http.ResponseWriter, r *http.Request, v *view, status int, name string, cid customer.ID, head customerHead, action string) {
	data := ssoSettingsPage{customerHead: head, Action: action, RedirectURL: h.p.SSORedirectURL(),
		Roles: []customer.Role{customer.RoleViewer, customer.RoleMaintainer, customer.RoleAdmin}}
	c, err := h.p.GetSSOConfig(r.Context(), cid)
	switch {
	case err == nil:
		data.Exists, data.HasSecret, data.Pending = true, c.HasSecret, c.Pending
		if r.Method == http.MethodGet {
			ssoValues(v, c)
		}
	case portalerr.CodeOf(err) != portalerr.NotFound:
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Single sign-on")
	v.Data = data
	h.renderStatus(w, r, status, name, v)
}

// ssoParams reads the settings form.
func ssoParams(r *http.Request) portal.PutSSOConfigParams {
	return portal.PutSSOConfigParams{
		Issuer: formValue(r, "issuer"), ClientID: formValue(r, "client_id"), ClientSecret: r.PostFormValue("client_secret"),
		Domains:    strings.FieldsFunc(formValue(r, "domains"), func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' }),
		EmailClaim: formValue(r, "email_claim"), NameClaim: formValue(r, "name_claim"),
		JIT: r.PostFormValue("jit") == "on", JITRole: customer.Role(r.PostFormValue("jit_role")), Required: r.PostFormValue("required") == "on",
		Version: version(r),
	}
}

func (h *handler) ssoPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showSSO(w, r, v, http.StatusOK, "sso", cid, customerHead{}, "/sso")
}

func (h *handler) saveSSO(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if _, err := h.p.PutSSOConfig(r.Context(), cid, ssoParams(r)); err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showSSO(w, r, v, status, "sso", cid, customerHead{}, "/sso")
		}
		return
	}
	h.redirect(w, r, "/sso", "saved")
}

func (h *handler) deleteSSO(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if err := h.p.DeleteSSOConfig(r.Context(), cid); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/sso", "deleted")
}

func (h *handler) consoleSSOPage(w http.ResponseWriter, r *http.Request, v *view) {
	head, ok := h.loadCustomer(w, r, v, "sso")
	if !ok {
		return
	}
	h.showSSO(w, r, v, http.StatusOK, "console_sso", head.Customer.ID, head, customerPath(head.Customer.ID, "sso"))
}

func (h *handler) consoleSaveSSO(w http.ResponseWriter, r *http.Request, v *view) {
	head, ok := h.loadCustomer(w, r, v, "sso")
	if !ok {
		return
	}
	cid := head.Customer.ID
	if _, err := h.p.PutSSOConfig(r.Context(), cid, ssoParams(r)); err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showSSO(w, r, v, status, "console_sso", cid, head, customerPath(cid, "sso"))
		}
		return
	}
	h.redirect(w, r, customerPath(cid, "sso"), "saved")
}

func (h *handler) consoleDeleteSSO(w http.ResponseWriter, r *http.Request, v *view) {
	cid := customer.ID(r.PathValue("id"))
	if err := h.p.DeleteSSOConfig(r.Context(), cid); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, customerPath(cid, "sso"), "deleted")
}

// consoleApproveSSODomain approves a domain the customer's admin listed; a
// refusal (another customer has the domain) shows the settings again with
// the reason.
func (h *handler) consoleApproveSSODomain(w http.ResponseWriter, r *http.Request, v *view) {
	head, ok := h.loadCustomer(w, r, v, "sso")
	if !ok {
		return
	}
	cid := head.Customer.ID
	if _, err := h.p.ApproveSSODomain(r.Context(), cid, r.PostFormValue("domain")); err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showSSO(w, r, v, status, "console_sso", cid, head, customerPath(cid, "sso"))
		}
		return
	}
	h.redirect(w, r, customerPath(cid, "sso"), "domain_approved")
}
