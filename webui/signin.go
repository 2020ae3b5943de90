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
	nextCookie    = "portalkit_next"    // the page a visitor asked for before signing in
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
	h.linkRoute("/login", "login", "/", func(ctx context.Context, token string, r *http.Request) (session, error) {
		return userSession(h.p.SignInWithLoginLink(ctx, token, portal.SignInParams{}))
	})
	h.linkRoute("/access", "access", "/", func(ctx context.Context, token string, r *http.Request) (session, error) {
		return userSession(h.p.SignInWithAccessLink(ctx, token))
	})
	h.linkRoute("/accept", "accept", "/", func(ctx context.Context, token string, r *http.Request) (session, error) {
		return userSession(h.p.AcceptInvitation(ctx, token, portal.AcceptInvitationParams{
			Name:     formValue(r, "name"),
			Password: r.PostFormValue("password"),
		}))
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
	v.Data = linkPage{}
	h.render(w, r, "signin", v)
}

func (h *handler) requestLink(w http.ResponseWriter, r *http.Request) {
	err := h.p.RequestLoginLink(r.Context(), portal.RequestLoginLinkParams{
		Email:      formValue(r, "email"),
		ClientAddr: clientAddr(r),
	})
	if err != nil {
		v := h.view(r, "signin")
		v.Title = v.T("Sign in")
		v.Data = linkPage{}
		h.formError(w, r, "signin", v, err)
		return
	}
	h.redirect(w, r, "/signin", "link_sent")
}

func (h *handler) passwordSignIn(w http.ResponseWriter, r *http.Request) {
	in, err := h.p.SignInWithPassword(r.Context(), portal.PasswordSignInParams{
		Email:      formValue(r, "email"),
		Password:   r.PostFormValue("password"),
		ClientAddr: clientAddr(r),
	})
	if err != nil {
		v := h.view(r, "signin")
		v.Title = v.T("Sign in")
		v.Data = linkPage{}
		h.formError(w, r, "signin", v, err)
		return
	}
	h.startSession(w, r, session{in.Token, in.Session.ExpiresAt})
	h.signedIn(w, r, "/")
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
		if who.Impersonator != "" {
			h.redirect(w, r, h.leaveImpersonation(w, r, who.CustomerID), "left_session")
			return
		}
	}
	h.clearCookie(w, sessionCookie, "/")
	h.redirect(w, r, back, "signed_out")
}

// session is an opened session: its bearer token and its absolute end.
type session struct {
	token   string
	expires time.Time
}

func userSession(in portal.SignIn, err error) (session, error) {
	return session{in.Token, in.Session.ExpiresAt}, err
}

func staffSession(in portal.StaffSignIn, err error) (session, error) {
	return session{in.Token, in.Session.ExpiresAt}, err
}

// redeemFunc trades a link's token for a session.
type redeemFunc func(ctx context.Context, token string, r *http.Request) (session, error)

// linkRoute serves a sign-in link's path. GET with ?token= keeps the
// token in a cookie for that path and redirects to the bare path, so the
// token leaves the address bar and history at once; GET shows the page
// with its button; POST redeems the token, opens the session and
// redirects to home.
func (h *handler) linkRoute(path, page, home string, redeem redeemFunc) {
	h.handle("GET "+path, func(w http.ResponseWriter, r *http.Request) {
		if t := r.URL.Query().Get("token"); t != "" {
			h.setCookie(w, r, tokenCookie, t, path, tokenTTL)
			http.Redirect(w, r, h.url(path, nil), http.StatusSeeOther)
			return
		}
		v := h.view(r, page)
		v.Title = linkTitle(v, page)
		v.Data = linkPage{Ready: hasCookie(r, tokenCookie), Action: path, Prefix: prefixOf(path)}
		h.render(w, r, page, v)
	})
	h.handle("POST "+path, func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(tokenCookie)
		if err != nil || c.Value == "" {
			v := h.view(r, page)
			v.Title = linkTitle(v, page)
			v.Data = linkPage{Action: path, Prefix: prefixOf(path)}
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
			v.Data = linkPage{Ready: keep, Action: path, Prefix: prefixOf(path)}
			h.formError(w, r, page, v, err)
			return
		}
		h.clearCookie(w, tokenCookie, path)
		h.startSession(w, r, in)
		h.signedIn(w, r, home)
	})
}

// linkPage is what a link's page shows: whether a token waits for its
// click, where the click goes, and the part of the site it belongs to
// ("" for the portal, "/console").
type linkPage struct {
	Ready          bool
	Action, Prefix string
	// StaffSSO shows the console's button to sign in through the
	// provider's own identity provider.
	StaffSSO bool
}

func prefixOf(path string) string {
	if strings.HasPrefix(path, "/console/") {
		return "/console"
	}
	return ""
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
func (h *handler) startSession(w http.ResponseWriter, r *http.Request, s session) {
	h.setCookie(w, r, sessionCookie, s.token, "/", s.expires.Sub(h.p.Now()))
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
