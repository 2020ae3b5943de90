package webui

import (
	"context"
	"net/http"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// consoleSignInRoutes registers the pages that open staff sessions: the
// console's sign-in page and the links of staff mail
// (/console/login?token=…, /console/accept?token=…).
func (h *handler) consoleSignInRoutes() {
	h.handle("GET /console/signin", h.consoleSignInPage)
	h.handle("POST /console/signin/link", h.requestStaffLink)
	h.handle("POST /console/signin/password", h.staffPasswordSignIn)
	h.handle("POST /console/signin/sso", h.startStaffSSO)
	h.handle("GET /console/sso/callback", h.staffSSOCallback)
	h.linkRoute("/console/login", "login", "/console", func(ctx context.Context, token string, r *http.Request) (session, error) {
		return staffSession(h.p.SignInStaffWithLoginLink(ctx, token))
	})
	h.linkRoute("/console/accept", "console_accept", "/console", func(ctx context.Context, token string, r *http.Request) (session, error) {
		// A password is checked before the link is used up, so a weak one
		// leaves the link for another try.
		pw := r.PostFormValue("password")
		if pw != "" {
			if err := identity.CheckPassword(pw); err != nil {
				return session{}, err
			}
		}
		s, err := staffSession(h.p.SignInStaffWithLoginLink(ctx, token))
		if err != nil || pw == "" {
			return s, err
		}
		who, err := h.p.Authenticate(ctx, s.token)
		if err == nil {
			err = h.p.SetPassword(identity.NewContext(ctx, who), portal.SetPasswordParams{New: pw})
		}
		if err != nil {
			h.log.WarnContext(ctx, "webui: setting a new staff member's password", "err", err)
		}
		return s, nil
	})
}

func (h *handler) consoleSignInPage(w http.ResponseWriter, r *http.Request) {
	if who, ok := identity.FromContext(r.Context()); ok && who.IsProvider() {
		http.Redirect(w, r, h.url("/console", nil), http.StatusSeeOther)
		return
	}
	v := h.view(r, "signin")
	v.Title = v.T("Sign in to the console")
	v.Data = linkPage{Prefix: "/console", StaffSSO: h.p.StaffSSOEnabled()}
	h.render(w, r, "signin", v)
}

func (h *handler) requestStaffLink(w http.ResponseWriter, r *http.Request) {
	err := h.p.RequestStaffLoginLink(r.Context(), portal.RequestStaffLoginLinkParams{
		Email:      formValue(r, "email"),
		ClientAddr: clientAddr(r),
	})
	if err != nil {
		v := h.view(r, "signin")
		v.Title = v.T("Sign in to the console")
		v.Data = linkPage{Prefix: "/console", StaffSSO: h.p.StaffSSOEnabled()}
		h.formError(w, r, "signin", v, err)
		return
	}
	h.redirect(w, r, "/console/signin", "link_sent")
}

func (h *handler) staffPasswordSignIn(w http.ResponseWriter, r *http.Request) {
	in, err := h.p.SignInStaffWithPassword(r.Context(), portal.StaffPasswordSignInParams{
		Email:      formValue(r, "email"),
		Password:   r.PostFormValue("password"),
		ClientAddr: clientAddr(r),
	})
	if err != nil {
		v := h.view(r, "signin")
		v.Title = v.T("Sign in to the console")
		v.Data = linkPage{Prefix: "/console", StaffSSO: h.p.StaffSSOEnabled()}
		h.formError(w, r, "signin", v, err)
		return
	}
	h.startSession(w, r, session{in.Token, in.Session.ExpiresAt})
	h.signedIn(w, r, "/console")
}

// consoleSignInFailed shows the console's sign-in page with err.
func (h *handler) consoleSignInFailed(w http.ResponseWriter, r *http.Request, err error) {
	v := h.view(r, "signin")
	v.Title = v.T("Sign in to the console")
	v.Data = linkPage{Prefix: "/console", StaffSSO: h.p.StaffSSOEnabled()}
	v.Error = errorMessage(v, err)
	h.renderStatus(w, r, portalerr.HTTPStatus(portalerr.CodeOf(err)), "signin", v)
}

// startStaffSSO sends staff on to the provider's own identity provider,
// through the page with the link (as startSSO does for customers).
func (h *handler) startStaffSSO(w http.ResponseWriter, r *http.Request) {
	u, err := h.p.StartStaffSSO(r.Context(), clientAddr(r))
	if err != nil {
		h.consoleSignInFailed(w, r, err)
		return
	}
	v := h.view(r, "sso_start")
	v.Title = v.T("Sign in with your company account")
	v.Data = ssoStartPage{URL: u}
	h.render(w, r, "sso_start", v)
}

// staffSSOCallback finishes a staff sign-in with what the provider sent
// back, and signs the browser in to the console; a refusal shows the
// console's sign-in page with the reason.
func (h *handler) staffSSOCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	var err error
	var in portal.StaffSignIn
	if q.Get("error") != "" {
		err = portalerr.New(portalerr.Unauthenticated, "your identity provider did not sign you in")
	} else {
		in, err = h.p.FinishStaffSSO(r.Context(), portal.FinishSSOParams{State: q.Get("state"), Code: q.Get("code")})
	}
	if err != nil {
		h.consoleSignInFailed(w, r, err)
		return
	}
	h.startSession(w, r, session{in.Token, in.Session.ExpiresAt})
	h.signedIn(w, r, "/console")
}
