package webui

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/reqid"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

//go:embed static
var staticFS embed.FS

// Branding is the provider's look on every page: the product's name, an
// optional logo and the accent colour.
type Branding struct {
	Name    string // "Acme Portal"; default "portalkit"
	LogoURL string // absolute URL of an image shown in the header; optional
	Color   string // accent colour, "#rgb" or "#rrggbb"; default "#2563eb"
}

// Option configures the handler New returns.
type Option func(*handler)

// WithBranding sets the provider's branding.
func WithBranding(b Branding) Option {
	return func(h *handler) {
		if b.Name != "" {
			h.brand.Name = b.Name
		}
		if b.LogoURL != "" {
			h.brand.LogoURL = b.LogoURL
		}
		if validColor(b.Color) {
			h.brand.Color = b.Color
		}
	}
}

// WithLogger sets where errors that a page answers as "internal error" are
// logged; the default discards them.
func WithLogger(l *slog.Logger) Option { return func(h *handler) { h.log = l } }

// WithBasePath says under which path prefix the handler is mounted (with
// http.StripPrefix), such as "/portal": links and redirects in the pages
// and the session cookie's path carry it. The default is the root.
func WithBasePath(prefix string) Option {
	return func(h *handler) { h.base = strings.TrimRight(prefix, "/") }
}

// WithSecureCookies marks the session cookie Secure even on requests that
// reached the handler over plain http, as behind a proxy that ends TLS.
// Requests over TLS always get Secure cookies.
func WithSecureCookies() Option { return func(h *handler) { h.secure = true } }

// handler serves the pages.
type handler struct {
	p      *portal.Portal
	log    *slog.Logger
	brand  Branding
	base   string
	secure bool
	mux    *http.ServeMux
	// patterns are the routes of the pages, for the tests' matrices.
	patterns []string
	// tiles and tileCredit are the site map's tile source (WithMapTiles).
	tiles, tileCredit string
}

// handle registers a page's route.
func (h *handler) handle(pattern string, fn http.HandlerFunc) {
	h.patterns = append(h.patterns, pattern)
	h.mux.HandleFunc(pattern, fn)
}

// New returns the web pages of p as one handler: the customer portal at
// the root and the provider console under /console.
func New(p *portal.Portal, opts ...Option) http.Handler {
	h := newHandler(p, opts...)
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.fail(w, r, portalerr.New(portalerr.PermissionDenied, "this form was sent from another site; open the page again and send it from there"))
	}))
	return withRequestID(securityHeaders(cop.Handler(http.HandlerFunc(h.serve))))
}

// withRequestID gives every request an ID, as the API does (package
// reqid: the caller's X-Request-ID when safe, else a new one): the answer
// carries it in X-Request-ID, error pages show it, and the audit events
// and log lines of what the page did record it.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := reqid.Of(r)
		w.Header().Set(reqid.Header, id)
		next.ServeHTTP(w, r.WithContext(portal.WithRequestID(r.Context(), id)))
	})
}

func newHandler(p *portal.Portal, opts ...Option) *handler {
	h := &handler{
		p:     p,
		log:   slog.New(slog.DiscardHandler),
		brand: Branding{Name: "portalkit", Color: "#2563eb"},
		mux:   http.NewServeMux(),
		tiles: DefaultTileURL, tileCredit: DefaultTileAttribution,
	}
	for _, o := range opts {
		o(h)
	}
	static, _ := fs.Sub(staticFS, "static")
	h.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	h.signInRoutes()
	h.passwordResetRoutes("")
	h.passwordResetRoutes("/console")
	h.ssoRoutes()
	h.impersonationRoutes()
	h.auditRoutes()
	h.portalRoutes()
	h.consoleRoutes()
	h.accessRequestRoutes()
	return h
}

// serve resolves the session cookie into a principal and routes.
func (h *handler) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodGet {
		// Reading the caller's session and then who they are (Me, for
		// every page) may share one snapshot of the store, as the API's
		// reads do: one transaction and one lookup of their standing less.
		ctx, end := portal.WithSharedSnapshot(r.Context())
		defer end()
		r = r.WithContext(ctx)
	}
	if c, err := r.Cookie(sessionCookie); err == nil && c.Value != "" {
		who, err := h.p.Authenticate(r.Context(), c.Value)
		switch {
		case err == nil:
			r = r.WithContext(identity.NewContext(r.Context(), who))
			if who.Impersonator != "" && !asset(r.URL.Path) {
				// Staff acting as a user answer for every page they
				// open and every form they send; the stylesheets and
				// script say nothing about the customer.
				_, pattern := h.mux.Handler(r)
				if err := h.p.RecordImpersonatedRequest(r.Context(), r.Method, pattern, r.URL.Path); err != nil {
					h.fail(w, r, err)
					return
				}
			}
		case portalerr.CodeOf(err) == portalerr.Unauthenticated:
			h.clearCookie(w, sessionCookie, "/")
		default:
			h.fail(w, r, err)
			return
		}
	}
	h.mux.ServeHTTP(w, r)
}

// asset reports whether path is a stylesheet or script of the pages.
func asset(path string) bool {
	return strings.HasPrefix(path, "/static/") || path == "/theme.css"
}

// contentSecurityPolicy allows the pages' own stylesheet and script only;
// images may come from https (customers' logos).
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' https: data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		next.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// url returns the address of path (which starts with "/") under the base
// path, with query values q when given.
func (h *handler) url(path string, q url.Values) string {
	u := h.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// redirect answers a POST with 303 See Other to path, with a notice key
// that the next page shows.
func (h *handler) redirect(w http.ResponseWriter, r *http.Request, path, notice string) {
	var q url.Values
	if notice != "" {
		q = url.Values{"done": {notice}}
	}
	http.Redirect(w, r, h.url(path, q), http.StatusSeeOther)
}

// fail answers err as an error page with the status of its code. Internal
// errors are logged and shown as "internal error" only.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := portalerr.CodeOf(err)
	if code == portalerr.Unauthenticated {
		if _, ok := identity.FromContext(r.Context()); !ok && r.Method == http.MethodGet {
			h.toSignIn(w, r)
			return
		}
	}
	if code == portalerr.Internal {
		if errors.Is(err, context.Canceled) {
			return
		}
		h.log.ErrorContext(r.Context(), "webui: internal error", "method", r.Method, "path", r.URL.Path,
			"request_id", portal.RequestID(r.Context()), "err", err)
	}
	v := h.view(r, "error")
	v.Title = v.T("Something went wrong")
	v.Error = errorMessage(v, err)
	h.renderStatus(w, r, portalerr.HTTPStatus(code), "error", v)
}

// toSignIn sends a signed-out visitor to the sign-in page of the part of
// the site asked for, remembering in a cookie which page that was: the
// sign-in, by whatever means, comes back to it.
func (h *handler) toSignIn(w http.ResponseWriter, r *http.Request) {
	target := "/signin"
	if strings.HasPrefix(r.URL.Path, "/console") {
		target = "/console/signin"
	}
	if r.Method == http.MethodGet && r.URL.Path != "/" && r.URL.Path != "/console" {
		h.setCookie(w, r, nextCookie, r.URL.RequestURI(), "/", tokenTTL)
	}
	http.Redirect(w, r, h.url(target, nil), http.StatusSeeOther)
}

// signedIn redirects a person who has just signed in: to the page that
// sent them to sign in, when it belongs to their part of the site (home,
// "/" or "/console"), else to home.
func (h *handler) signedIn(w http.ResponseWriter, r *http.Request, home string) {
	to := home
	if c, err := r.Cookie(nextCookie); err == nil {
		h.clearCookie(w, nextCookie, "/")
		next := c.Value
		local := strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n")
		console := next == "/console" || strings.HasPrefix(next, "/console/") || strings.HasPrefix(next, "/console?")
		if local && console == (home == "/console") {
			to = next
		}
	}
	http.Redirect(w, r, h.base+to, http.StatusSeeOther)
}

// clientAddr is the caller's address for rate limits.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
