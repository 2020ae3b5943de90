package identity

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
)

// SessionID identifies a session ("ses_" + UUIDv7).
type SessionID string

// Method is how a session was opened.
type Method string

// Sign-in methods.
const (
	MethodInvitation Method = "invitation"
	MethodLoginLink  Method = "login_link"
	MethodAccessLink Method = "access_link"
	MethodPassword   Method = "password"
)

// Session is a signed-in customer user acting through one membership. Its
// bearer token is shown once; only the token's hash is stored.
type Session struct {
	ID           SessionID
	TokenHash    string
	UserID       customer.UserID
	MembershipID customer.MembershipID
	CustomerID   customer.ID
	Method       Method
	// AccessLinkID is the access link that opened the session, if any:
	// refreshing or disabling the link ends the session too.
	AccessLinkID string
	// ReadOnly caps the session at viewer rights.
	ReadOnly bool
	// LastSeenAt moves with use; the session ends IdleTimeout after it.
	LastSeenAt time.Time
	// ExpiresAt is the absolute end, whatever the use.
	ExpiresAt time.Time
	CreatedAt time.Time
}

// Expired reports whether the session has ended at now, given the idle timeout.
func (s Session) Expired(now time.Time, idle time.Duration) bool {
	return !now.Before(s.ExpiresAt) || (idle > 0 && !now.Before(s.LastSeenAt.Add(idle)))
}

// Principal returns the principal the session acts as.
func (s Session) Principal() Principal {
	return Principal{
		Kind:         KindUser,
		ID:           string(s.UserID),
		MembershipID: s.MembershipID,
		CustomerID:   s.CustomerID,
		ReadOnly:     s.ReadOnly,
		SessionID:    s.ID,
		Method:       s.Method,
	}
}

// APIKeyID identifies an API key ("key_" + UUIDv7).
type APIKeyID string

// APIKey lets a machine (or a person's script) act as a staff role. Its
// secret is shown once, at creation; only its hash is stored.
type APIKey struct {
	ID         APIKeyID
	Name       string
	Role       StaffRole
	TokenHash  string
	CreatedBy  string // the principal who created it; "bootstrap" for the first owner key
	CreatedAt  time.Time
	RevokedAt  time.Time
	LastUsedAt time.Time
}

// Principal returns the principal the key acts as.
func (k APIKey) Principal() Principal { return APIKeyPrincipal(string(k.ID), k.Role) }

// Active reports whether the key may be used.
func (k APIKey) Active() bool { return k.RevokedAt.IsZero() }

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
