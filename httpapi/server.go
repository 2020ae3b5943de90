package httpapi

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// DefaultMaxBodyBytes bounds request bodies unless WithMaxBodyBytes says otherwise.
const DefaultMaxBodyBytes int64 = 1 << 20

// Server implements the generated strict server interface: one method per
// operation of openapi.yaml, each converting between the generated types
// and one portal use case. The handler methods live in one file per
// resource (customers.go, sites.go, …).
type Server struct {
	p       *portal.Portal
	log     *slog.Logger
	auth    identity.Authenticator
	reg     prometheus.Registerer
	gather  prometheus.Gatherer // nil when /metrics is not served here
	metrics struct {
		from      func(*http.Request) bool // who may read /metrics
		elsewhere bool                     // WithoutMetricsEndpoint
	}
	maxBody int64
}

var _ oapi.StrictServerInterface = (*Server)(nil)

// NewHandler returns the HTTP API of p: every operation of openapi.yaml
// under /v1, plus /healthz, /readyz (the storage backend commits writes),
// /metrics (Prometheus) and /openapi.yaml.
//
// /metrics answers only requests from a loopback address (FromLoopback),
// such as a Prometheus agent on the same host; others get 403. Behind a
// reverse proxy on the same host every request comes from loopback:
// then serve the metrics on a listener of their own (WithoutMetricsEndpoint
// and WithMetrics), or say who may read them (WithMetricsFrom).
//
// Each request gets an X-Request-ID (the caller's, when it sends a
// well-formed one), an access-log line and metrics by route and status. Its
// body is limited (413 beyond; an upload, a multipart/form-data body, by
// the portal's file limit instead, and streamed to its file store rather
// than read whole), its bearer token resolved by the
// authenticator (a missing Authorization header leaves it anonymous, for
// the operations that need no caller; a bad one is 401), and it is checked
// against the spec before a handler runs (400 with one field violation per
// problem). Stricter than the spec can say, a JSON body must be exactly one
// JSON value (nothing may follow it), and its strings, like query
// parameters, must be valid UTF-8 (the violation names the field). A path
// of the spec asked with a method it lacks answers 405 with an Allow
// header; any other unknown path 404. Errors are RFC 9457 problem
// documents with the portalerr code. Every answer carries
// X-Content-Type-Options: nosniff and Referrer-Policy: no-referrer.
//
// The Idempotency-Key header of creating POSTs is honoured through
// portal.Idempotent: a retry with the same key and body gets the first
// answer again, with the header Idempotent-Replayed: true; the same key
// with another body answers 422, and while the first request runs, 409.
// Keys are scoped by the authenticated caller. An operation whose answer
// holds a secret (createAPIKey, createAccessLink) does not keep it: its
// replay answers 409 naming what the first request created.
//
// NewHandler panics if the embedded spec cannot be loaded or the metrics
// cannot be registered (a collector of the same name and another kind is
// registered already), as prometheus.MustRegister does: both are
// programming errors.
func NewHandler(p *portal.Portal, opts ...Option) http.Handler {
	s := newServer(p, opts...)
	sp, err := loadSpec()
	if err != nil {
		panic(err.Error())
	}
	router := sp.router
	m, err := newMetrics(s.reg)
	if err != nil {
		panic(fmt.Sprintf("httpapi: registering metrics: %v", err))
	}
	strict := oapi.NewStrictHandlerWithOptions(s, []oapi.StrictMiddlewareFunc{keepRequest}, oapi.StrictHTTPServerOptions{
		RequestErrorHandlerFunc:  s.requestError,
		ResponseErrorHandlerFunc: s.writeProblem,
	})
	h := &handler{
		s:       s,
		router:  router,
		methods: sp.methods,
		api:     oapi.HandlerWithOptions(strict, oapi.StdHTTPServerOptions{ErrorHandlerFunc: s.requestError}),
		m:       m,
		opts: &openapi3filter.Options{
			MultiError: true,
			// Authentication is the middleware's and the portal's job;
			// the spec's security schemes only document it.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// Defaults are the portal's to apply; the body stays as sent.
			SkipSettingDefaults: true,
		},
	}
	// An upload's body is streamed to the file store by its handler, never
	// read whole here (checkUpload checks its Content-Type instead).
	upload := *h.opts
	upload.ExcludeRequestBody = true
	h.uploadOpts = &upload
	if s.gather != nil {
		h.metrics = promhttp.HandlerFor(s.gather, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError)})
	}
	return h
}

// requestError answers what the generated code finds wrong with a request
// (parameters it cannot bind, a body it cannot decode). Validation against
// the spec runs first and catches nearly all of it; this is the fallback.
func (s *Server) requestError(w http.ResponseWriter, r *http.Request, err error) {
	var (
		mbe      *http.MaxBytesError
		header   *oapi.RequiredHeaderError
		format   *oapi.InvalidParamFormatError
		required *oapi.RequiredParamError
		many     *oapi.TooManyValuesForParamError
		unmarsh  *oapi.UnmarshalingParamError
	)
	switch {
	case errors.As(err, &mbe):
		err = errBodyTooLarge(s.maxBody)
	case errors.As(err, &header) && http.CanonicalHeaderKey(header.ParamName) == "If-Match":
		err = errIfMatchRequired
	case errors.As(err, &header):
		err = portalerr.Invalidf(header.ParamName, "is required")
	case errors.As(err, &required):
		err = portalerr.Invalidf(required.ParamName, "is required")
	case errors.As(err, &format):
		err = portalerr.Invalidf(format.ParamName, "is not valid")
	case errors.As(err, &many):
		err = portalerr.Invalidf(many.ParamName, "must be given once")
	case errors.As(err, &unmarsh):
		err = portalerr.Invalidf(unmarsh.ParamName, "is not valid")
	default:
		err = portalerr.Invalidf("body", "is not valid JSON for this operation")
	}
	s.writeProblem(w, r, err)
}

// Option configures NewHandler.
type Option func(*Server)

// WithLogger sets the logger for the access log and for internal errors;
// default slog.Default().
func WithLogger(l *slog.Logger) Option {
	return func(s *Server) {
		if l != nil {
			s.log = l
		}
	}
}

// WithAuthenticator sets what turns bearer tokens into principals; default
// the portal itself (its sessions and API keys). An application can plug in
// its own, for example for the JWTs it already issues.
func WithAuthenticator(a identity.Authenticator) Option {
	return func(s *Server) {
		if a != nil {
			s.auth = a
		}
	}
}

// WithMetrics registers the handler's metrics with reg instead of a fresh
// registry. /metrics serves reg when it is also a prometheus.Gatherer (as
// *prometheus.Registry is); otherwise it answers 404 and the application
// serves its metrics itself.
func WithMetrics(reg prometheus.Registerer) Option {
	return func(s *Server) {
		if reg != nil {
			s.reg = reg
			s.gather, _ = reg.(prometheus.Gatherer)
		}
	}
}

// WithMetricsFrom decides which requests /metrics answers; the others get
// 403 permission_denied. Default FromLoopback. A nil allow keeps the
// default.
func WithMetricsFrom(allow func(r *http.Request) bool) Option {
	return func(s *Server) {
		if allow != nil {
			s.metrics.from = allow
		}
	}
}

// WithoutMetricsEndpoint makes /metrics answer 404: the handler still
// counts requests in the registry of WithMetrics, which the application
// serves itself, on a listener of its own (as the reference server's
// --metrics-addr does) or behind its own access control.
func WithoutMetricsEndpoint() Option {
	return func(s *Server) { s.metrics.elsewhere = true }
}

// FromLoopback reports whether r comes from a loopback address
// (127.0.0.0/8 or ::1), by its RemoteAddr: X-Forwarded-For and the like
// are not trusted.
func FromLoopback(r *http.Request) bool {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	return err == nil && ap.Addr().Unmap().IsLoopback()
}

// WithMaxBodyBytes bounds request bodies; a larger one is answered 413.
// Default DefaultMaxBodyBytes (1 MiB); n ≤ 0 keeps the default.
func WithMaxBodyBytes(n int64) Option {
	return func(s *Server) {
		if n > 0 {
			s.maxBody = n
		}
	}
}

// newServer applies opts over the defaults.
func newServer(p *portal.Portal, opts ...Option) *Server {
	reg := prometheus.NewRegistry()
	s := &Server{p: p, log: slog.Default(), auth: p, reg: reg, gather: reg, maxBody: DefaultMaxBodyBytes}
	s.metrics.from = FromLoopback
	for _, opt := range opts {
		opt(s)
	}
	if s.metrics.elsewhere {
		s.gather = nil
	}
	return s
}

// spec is the embedded spec as every handler uses it: its router and the
// methods it routes. Both are read-only, so all handlers share one.
type spec struct {
	router  routers.Router
	methods []string // every method an operation has, sorted
}

// loadSpec parses the embedded spec once per process: a test suite builds
// hundreds of handlers, and parsing was most of what building one cost.
var loadSpec = sync.OnceValues(func() (spec, error) {
	doc, err := oapi.GetSpec()
	if err != nil {
		return spec{}, fmt.Errorf("httpapi: loading the embedded spec: %w", err)
	}
	// The spec's servers name the reference server's address; routes must
	// match whatever host and port the handler is served on.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return spec{}, fmt.Errorf("httpapi: routing the embedded spec: %w", err)
	}
	var methods []string
	for _, item := range doc.Paths.Map() {
		for m := range item.Operations() {
			if !slices.Contains(methods, m) {
				methods = append(methods, m)
			}
		}
	}
	slices.Sort(methods)
	return spec{router: router, methods: methods}, nil
})
