// Package httpapi owns portalkit's HTTP API: NewHandler serves every
// operation of openapi.yaml by implementing the generated strict server
// interface on top of a *portal.Portal.
//
// Around the generated handler it adds what every request needs: a request
// ID, an access log, Prometheus metrics, a body limit, bearer-token
// authentication through an identity.Authenticator, and validation of each
// request against the spec, and some the spec cannot express: a JSON body
// is one value, strings are valid UTF-8, a known path asked with another
// method answers 405 with Allow.
//
// /metrics is served to clients on a loopback address only, by default
// (WithMetricsFrom changes who may read it); WithoutMetricsEndpoint leaves
// serving the metrics to the application, on a listener of its own. Every error leaves as an RFC 9457
// application/problem+json document whose status follows from its
// portalerr code through one table (see errors.go); anything unexpected is
// answered with "internal error" and logged with the request ID.
//
// Handlers hold no rules: they convert between the generated types and the
// portal's parameter structs and return the portal's errors unchanged.
package httpapi
