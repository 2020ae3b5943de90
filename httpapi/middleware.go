package httpapi

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/reqid"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// handler runs what every request needs around the generated handler, in
// this order: request ID, access log and metrics, route lookup, body
// limit (for an upload the portal's file limit), bearer authentication
// (and the record of a request made in an impersonation), the checks the spec cannot express (checkRequest; checkUpload for an
// upload), validation against the spec (an upload's body excepted: its
// handler streams it), and then the
// operation itself (through serveIdempotent for those taking an
// Idempotency-Key).
type handler struct {
	s       *Server
	router  routers.Router
	methods []string     // the methods of the spec's operations, sorted
	api     http.Handler // the generated mux with the strict server
	metrics http.Handler // nil when the metrics cannot be gathered here
	m       *metrics
	opts    *openapi3filter.Options
	// uploadOpts are opts for uploads (isUpload), whose bodies are not
	// validated by kin-openapi.
	uploadOpts *openapi3filter.Options
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := reqid.Of(r)
	w.Header().Set(reqid.Header, id)
	setSecurityHeaders(w.Header())
	r = r.WithContext(withRequestInfo(r.Context(), r, id))
	rec := &statusRecorder{ResponseWriter: w}

	route, params, routeErr := h.findRoute(r)
	label := "unmatched"
	if routeErr == nil {
		label = route.Method + " " + route.Path
	}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err := fmt.Errorf("httpapi: panic: %v", v)
			if rec.status == 0 {
				h.s.writeProblem(rec, r, err)
			} else {
				h.s.log.ErrorContext(r.Context(), "httpapi: internal error", "request_id", id, "err", err)
			}
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		d := time.Since(start)
		h.m.requests.WithLabelValues(label, strconv.Itoa(status)).Inc()
		h.m.duration.WithLabelValues(label).Observe(d.Seconds())
		h.accessLog(r.Context(), r.Method, label, status, d, id)
	}()

	switch {
	case routeErr != nil:
		if allow := h.allowedMethods(r); len(allow) > 0 {
			rec.Header().Set("Allow", strings.Join(allow, ", "))
			h.s.writeProblem(rec, r, withStatus(http.StatusMethodNotAllowed, portalerr.New(portalerr.Invalid,
				"method %s is not allowed on %s; it allows %s", r.Method, r.URL.Path, strings.Join(allow, ", "))))
			return
		}
		h.s.writeProblem(rec, r, portalerr.New(portalerr.NotFound, "no such path: %s", r.URL.Path))
		return
	case label == "GET /metrics":
		switch {
		case h.metrics == nil:
			h.s.writeProblem(rec, r, portalerr.New(portalerr.NotFound, "metrics are served elsewhere"))
		case !h.s.metrics.from(r):
			h.s.writeProblem(rec, r, portalerr.New(portalerr.PermissionDenied, "metrics are not served to this client"))
		default:
			h.metrics.ServeHTTP(rec, r)
		}
		return
	}

	limit, opts := h.s.maxBody, h.opts
	upload := isUpload(route)
	if upload {
		// An upload may be as large as the portal accepts files, and no
		// larger: its handler streams it to the file store.
		limit, opts = h.s.p.FileLimits().MaxBytes+multipartSlack, h.uploadOpts
	}
	if r.ContentLength > limit {
		h.s.writeProblem(rec, r, errBodyTooLarge(limit))
		return
	}
	r.Body = http.MaxBytesReader(rec, r.Body, limit)

	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		// A read has no body to wait for between authenticating the caller
		// and the use case: they may share one snapshot of the store.
		ctx, end := portal.WithSharedSnapshot(r.Context())
		defer end()
		r = r.WithContext(ctx)
	}
	if authz := r.Header.Get("Authorization"); authz != "" {
		p, err := h.authenticate(r, authz)
		if err != nil {
			h.s.writeProblem(rec, r, err)
			return
		}
		r = r.WithContext(identity.NewContext(r.Context(), p))
		// Staff acting as a user answer for every request, reads too.
		if err := h.s.p.RecordImpersonatedRequest(r.Context(), r.Method, label, r.URL.Path); err != nil {
			h.s.writeProblem(rec, r, err)
			return
		}
		if upload || streamsFile(route) {
			extendDeadlines(rec)
		}
	}

	check := checkRequest
	if upload {
		check = func(r *http.Request, _ *routers.Route) error { return checkUpload(r) }
	}
	if err := check(r, route); err != nil {
		h.s.writeProblem(rec, r, err)
		return
	}
	vr := r
	if upload {
		// kin-openapi reads a body whole even when it does not validate
		// it (its security checks buffer it for AuthenticationFunc): it
		// gets none of an upload's, which its handler streams.
		vr = r.WithContext(r.Context())
		vr.Body = http.NoBody
	}
	err := openapi3filter.ValidateRequest(r.Context(), &openapi3filter.RequestValidationInput{
		Request: vr, PathParams: params, Route: route, Options: opts,
	})
	if err != nil {
		h.s.writeProblem(rec, r, validationError(err, limit))
		return
	}
	if takesIdempotencyKey(route) {
		h.serveIdempotent(rec, r, route)
		return
	}
	h.api.ServeHTTP(rec, r)
}

// setSecurityHeaders sets what every answer carries: browsers must not
// guess a content type other than the one declared (a problem document or
// a JSON field rendered as HTML), and links followed from an answer must
// not send its URL, which may hold a token or a cursor, as the Referer.
func setSecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
}

// findRoute is the router's FindRoute less its habit of matching a path
// parameter to nothing: "/v1/customers" is no path of the spec, though the
// router takes it for "/v1/customers/{customerId}" with an empty ID.
func (h *handler) findRoute(r *http.Request) (*routers.Route, map[string]string, error) {
	route, params, err := h.router.FindRoute(r)
	if err != nil {
		return nil, nil, err
	}
	for _, v := range params {
		if v == "" {
			return nil, nil, routers.ErrPathNotFound
		}
	}
	return route, params, nil
}

// allowedMethods lists the methods the spec has for r's path when it has
// none for r's method, so that the answer can be 405 with Allow rather
// than 404; nil for a path the spec does not have. (kin-openapi's router
// tells the two apart only for paths without parameters.)
func (h *handler) allowedMethods(r *http.Request) []string {
	var allow []string
	for _, m := range h.methods {
		alt := *r
		alt.Method = m
		if _, _, err := h.findRoute(&alt); err == nil {
			allow = append(allow, m)
		}
	}
	return allow
}

// accessLog writes the access-log line of a request. It builds the record
// itself: slog's Logger methods look up their caller's source line on every
// call, which the line of every request does not need.
func (h *handler) accessLog(ctx context.Context, method, route string, status int, d time.Duration, id string) {
	if !h.s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	rec := slog.NewRecord(time.Now(), slog.LevelInfo, "http request", 0)
	rec.AddAttrs(slog.String("method", method), slog.String("route", route), slog.Int("status", status),
		slog.Duration("duration", d), slog.String("request_id", id))
	_ = h.s.log.Handler().Handle(ctx, rec)
}

// errBadToken answers an Authorization header that names no caller. The
// message is the same for every reason, so it tells an attacker nothing.
var errBadToken = portalerr.New(portalerr.Unauthenticated, "the bearer token is not valid")

// authenticate resolves an Authorization header. Only the Bearer scheme is
// understood; a token the authenticator does not accept is Unauthenticated.
func (h *handler) authenticate(r *http.Request, authz string) (identity.Principal, error) {
	scheme, token, ok := strings.Cut(authz, " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return identity.Principal{}, portalerr.New(portalerr.Unauthenticated,
			`the Authorization header must be "Bearer <token>"`)
	}
	p, err := h.s.auth.Authenticate(r.Context(), token)
	switch c := portalerr.CodeOf(err); {
	case err == nil:
		return p, nil
	case c == portalerr.Unauthenticated || c == portalerr.NotFound || c == portalerr.PermissionDenied:
		return identity.Principal{}, errBadToken
	default:
		// Storage trouble is not the caller's fault: it stays internal (500).
		return identity.Principal{}, err
	}
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// metrics are the handler's Prometheus collectors.
type metrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// newMetrics registers the collectors with reg, reusing collectors a
// previous handler registered there, so that several handlers can share one
// registry.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "portalkit_http_requests_total",
			Help: "HTTP requests answered, by route (method and path template) and status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "portalkit_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route (method and path template).",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
	}
	if err := reg.Register(m.requests); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, err
		}
		m.requests = are.ExistingCollector.(*prometheus.CounterVec)
	}
	if err := reg.Register(m.duration); err != nil {
		var are prometheus.AlreadyRegisteredError
		if !errors.As(err, &are) {
			return nil, err
		}
		m.duration = are.ExistingCollector.(*prometheus.HistogramVec)
	}
	return m, nil
}
