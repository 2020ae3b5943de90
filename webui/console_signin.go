package webui

import (
	"context"
	"net/http"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
)

// consoleSignInRoutes registers the pages that open staff sessions: the
// console's sign-in page and the links of staff mail
// (/console/login?token=…, /console/accept?token=…).
func (h *handler) consoleSignInRoutes() {
	h.handle("GET /console/signin", h.consoleSignInPage)
	h.handle("POST /console/signin/link", h.requestStaffLink)
	h.handle("POST /console/signin/password", h.staffPasswordSignIn)
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
	v.Data = linkPage{Prefix: "/console"}
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
		v.Data = linkPage{Prefix: "/console"}
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
		v.Data = linkPage{Prefix: "/console"}
		h.formError(w, r, "signin", v, err)
		return
	}
	h.startSession(w, r, session{in.Token, in.Session.ExpiresAt})
	h.signedIn(w, r, "/console")
}
