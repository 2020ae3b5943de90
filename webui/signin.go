package webui

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// Cookies of the pages.
const (
	sessionCookie = "portalkit_session" // the session's bearer token
	tokenCookie   = "portalkit_token"   // a link's token between its click and its redemption
	tokenTTL      = 15 * time.Minute
)

// signInRoutes registers the pages that open and end sessions, for
// customer users; the console has its own (consoleSignInRoutes).
func (h *handler) signInRoutes() {
	h.handle("GET /theme.css", h.theme)
	h.handle("GET /signin", h.signInPage)
	h.handle("POST /signin/link", h.requestLink)
	h.handle("POST /signin/password", h.passwordSignIn)
	h.handle("POST /signout", h.signOut)
	h.linkRoute("/login", "login", func(ctx context.Context, token string, r *http.Request) (portal.SignIn, error) {
		return h.p.SignInWithLoginLink(ctx, token, portal.SignInParams{})
	})
	h.linkRoute("/access", "access", func(ctx context.Context, token string, r *http.Request) (portal.SignIn, error) {
		return h.p.SignInWithAccessLink(ctx, token)
	})
	h.linkRoute("/accept", "accept", func(ctx context.Context, token string, r *http.Request) (portal.SignIn, error) {
		return h.p.AcceptInvitation(ctx, token, portal.AcceptInvitationParams{
			Name:     strings.TrimSpace(r.PostFormValue("name")),
			Password: r.PostFormValue("password"),
		})
	})
}

// theme serves the accent colour as a stylesheet: the Content Security
// Policy allows no inline style.
func (h *handler) theme(w http.ResponseWriter, r *http.Request) {
	c := "#" + r.URL.Query().Get("accent")
	if !validColor(c) {
		c = h.brand.Color
	}
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = w.Write([]byte(":root{--accent:" + c + "}\n"))
}

func (h *handler) signInPage(w http.ResponseWriter, r *http.Request) {
	if who, ok := identity.FromContext(r.Context()); ok && who.Kind == identity.KindUser {
		http.Redirect(w, r, h.url("/", nil), http.StatusSeeOther)
		return
	}
	v := h.view(r, "signin")
	v.Title = v.T("Sign in")
	h.render(w, r, "signin", v)
}

func (h *handler) requestLink(w http.ResponseWriter, r *http.Request) {
	err := h.p.RequestLoginLink(r.Context(), portal.RequestLoginLinkParams{
		Email:      strings.TrimSpace(r.PostFormValue("email")),
		ClientAddr: clientAddr(r),
	})
	if err != nil {
		v := h.view(r, "signin")
		v.Title = v.T("Sign in")
		h.formError(w, r, "signin", v, err)
		return
	}
	h.redirect(w, r, "/signin", "link_sent")
}

func (h *handler) passwordSignIn(w http.ResponseWriter, r *http.Request) {
	in, err := h.p.SignInWithPassword(r.Context(), portal.PasswordSignInParams{
		Email:      strings.TrimSpace(r.PostFormValue("email")),
		Password:   r.PostFormValue("password"),
		ClientAddr: clientAddr(r),
	})
	if err != nil {
		v := h.view(r, "signin")
		v.Title = v.T("Sign in")
		h.formError(w, r, "signin", v, err)
		return
	}
	h.startSession(w, r, in.Token, in.Session.ExpiresAt)
	http.Redirect(w, r, h.url("/", nil), http.StatusSeeOther)
}

// signOut ends the session, of a customer user or of staff.
func (h *handler) signOut(w http.ResponseWriter, r *http.Request) {
	back := "/signin"
	if who, ok := identity.FromContext(r.Context()); ok {
		if who.IsProvider() {
			back = "/console/signin"
		}
		if err := h.p.Logout(r.Context()); err != nil && portalerr.CodeOf(err) != portalerr.Unauthenticated {
			h.fail(w, r, err)
			return
		}
	}
	h.clearCookie(w, sessionCookie, "/")
	h.redirect(w, r, back, "signed_out")
}

// redeemFunc trades a link's token for a session.
type redeemFunc func(ctx context.Context, token string, r *http.Request) (portal.SignIn, error)

// linkRoute serves a sign-in link's path. GET with ?token= keeps the
// token in a cookie for that path and redirects to the bare path, so the
// token leaves the address bar and history at once; GET shows the page
// with its button; POST redeems the token and opens the session.
func (h *handler) linkRoute(path, page string, redeem redeemFunc) {
	h.linkRouteWith(path, page, redeem, func(w http.ResponseWriter, r *http.Request, in portal.SignIn) {
		h.startSession(w, r, in.Token, in.Session.ExpiresAt)
		http.Redirect(w, r, h.url("/", nil), http.StatusSeeOther)
	})
}

// linkRouteWith is linkRoute with what happens after a redemption.
func (h *handler) linkRouteWith(path, page string, redeem redeemFunc, done func(http.ResponseWriter, *http.Request, portal.SignIn)) {
	h.handle("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		if t := r.URL.Query().Get("token"); t != "" {
			h.setCookie(w, r, tokenCookie, t, path, tokenTTL)
			http.Redirect(w, r, h.url(path, nil), http.StatusSeeOther)
			return
		}
		v := h.view(r, page)
		v.Title = linkTitle(v, page)
		v.Data = hasCookie(r, tokenCookie)
		h.render(w, r, page, v)
	})
	h.handle("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(tokenCookie)
		if err != nil || c.Value == "" {
			v := h.view(r, page)
			v.Title = linkTitle(v, page)
			v.Data = false
			h.renderStatus(w, r, http.StatusBadRequest, page, v)
			return
		}
		in, err := redeem(r.Context(), c.Value, r)
		if err != nil {
			v := h.view(r, page)
			v.Title = linkTitle(v, page)
			code := portalerr.CodeOf(err)
			// A dead link stays dead: its cookie goes, and the page says to
			// ask for a new one. Bad input (a name) keeps it for a retry.
			keep := code == portalerr.Invalid || code == portalerr.RateLimited
			if !keep {
				h.clearCookie(w, tokenCookie, path)
			}
			v.Data = keep
			h.formError(w, r, page, v, err)
			return
		}
		h.clearCookie(w, tokenCookie, path)
		done(w, r, in)
	})
}

func linkTitle(v *view, page string) string {
	switch page {
	case "accept", "console_accept":
		return v.T("Accept the invitation")
	}
	return v.T("Sign in")
}

func hasCookie(r *http.Request, name string) bool {
	c, err := r.Cookie(name)
	return err == nil && c.Value != ""
}

// startSession hands the browser a session's token, to keep until the
// session's absolute end.
func (h *handler) startSession(w http.ResponseWriter, r *http.Request, token string, expires time.Time) {
	h.setCookie(w, r, sessionCookie, token, "/", expires.Sub(h.p.Now()))
}

// setCookie sets a cookie for maxAge: an age rather than a time, so that
// the browser's clock need not agree with the portal's.
func (h *handler) setCookie(w http.ResponseWriter, r *http.Request, name, value, path string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     h.base + path,
		MaxAge:   max(int(maxAge/time.Second), 1),
		HttpOnly: true,
		Secure:   h.secure || r.TLS != nil,
		SameSite: http.SameSiteLaxMode,
	})
}

func (h *handler) clearCookie(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: h.base + path, MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode})
}
