package identity

import "context"

// Authenticator turns a bearer token into a principal. portal.Portal
// implements it for its own sessions and API keys; an application can plug
// in its own (for example for the JWTs it already issues). It returns an
// Unauthenticated portalerr for a token it does not accept.
type Authenticator interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// AuthenticatorFunc adapts a function to Authenticator.
type AuthenticatorFunc func(ctx context.Context, token string) (Principal, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(ctx context.Context, token string) (Principal, error) {
	return f(ctx, token)
}
