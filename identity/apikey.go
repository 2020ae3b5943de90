package identity

import "time"

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
