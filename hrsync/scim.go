package hrsync

import (
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// TokenID identifies a SCIM token ("sct_" + UUIDv7).
type TokenID string

// TokenPrefix starts every SCIM token, so that a leaked one is recognised.
const TokenPrefix = "pst_"

// Token is a bearer token a customer's identity provider (Entra ID, Okta)
// provisions the customer's employees over SCIM with. Only the hash of
// the secret is kept; it works for its customer alone.
type Token struct {
	ID         TokenID
	CustomerID customer.ID
	// Name says which system uses it ("Entra ID").
	Name      string
	TokenHash string
	CreatedBy string
	CreatedAt time.Time
	// LastUsedAt is when it last authenticated a request; zero if never.
	LastUsedAt time.Time
	// RevokedAt is when it was revoked; zero while it works.
	RevokedAt time.Time
}

// CheckUsable returns nil while t works: Unauthenticated once revoked.
func (t Token) CheckUsable() error {
	if !t.RevokedAt.IsZero() {
		return portalerr.New(portalerr.Unauthenticated, "the SCIM token was revoked")
	}
	return nil
}

// Revoke returns t revoked at now; FailedPrecondition when it was already.
func (t Token) Revoke(now time.Time) (Token, error) {
	if !t.RevokedAt.IsZero() {
		return t, portalerr.New(portalerr.FailedPrecondition, "SCIM token %s is already revoked", t.ID)
	}
	t.RevokedAt = now
	return t, nil
}
