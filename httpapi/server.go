package httpapi

import (
	"log/slog"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
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
	gather  prometheus.Gatherer // nil when the Registerer cannot be gathered from
	maxBody int64
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
	for _, opt := range opts {
		opt(s)
	}
	return s
}
