package httpapi

import (
	"context"
	"net"
	"net/http"

	"github.com/portalkit/portalkit/portal"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	clientAddrKey
	acceptKey
	httpRequestKey // the *http.Request, for the operations keepRequest names
)

// requestID returns the ID the middleware gave the request, or "".
func requestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// withRequestInfo returns ctx carrying the request ID and the client's
// address, which the strict handlers cannot read from the *http.Request.
func withRequestInfo(ctx context.Context, r *http.Request, id string) context.Context {
	ctx = context.WithValue(ctx, requestIDKey, id)
	ctx = context.WithValue(ctx, acceptKey, r.Header.Values("Accept"))
	ctx = portal.WithRequestID(ctx, id) // audit events record it
	return context.WithValue(ctx, clientAddrKey, remoteHost(r.RemoteAddr))
}

// clientAddr returns the caller's network address (the host of
// r.RemoteAddr, without the port, so that the per-client rate limits of
// sign-in count all of a caller's connections together), for
// RequestLoginLinkParams.ClientAddr and SignInWithPasswordParams.ClientAddr.
// Forwarding headers are not trusted: behind a reverse proxy every caller
// shares the proxy's address unless the proxy's own middleware rewrites
// RemoteAddr.
func clientAddr(ctx context.Context) string {
	a, _ := ctx.Value(clientAddrKey).(string)
	return a
}

// remoteHost strips the port from a RemoteAddr.
func remoteHost(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
