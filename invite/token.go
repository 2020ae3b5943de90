package invite

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// Token prefixes say what a token is for, so a leaked one is recognised at
// a glance (and by secret scanners).
const (
	PrefixInvitation = "pi_" // invitation links
	PrefixLoginLink  = "pl_" // one-time e-mail login links
	PrefixAccessLink = "pa_" // long-lived access links
	PrefixSession    = "ps_" // session bearer tokens
	PrefixAPIKey     = "pk_" // API keys

	PrefixStaffInvitation = "psi_" // staff members' invitation links
	PrefixStaffLoginLink  = "psl_" // staff members' one-time e-mail login links

	PrefixPasswordReset = "ppr_" // one-time password reset links, of customer users and staff
)

// tokenBytes is the secret part's size: 256 random bits.
const tokenBytes = 32

// Hash is the hex SHA-256 of a token: the only form in which tokens are stored.
type Hash string

// NewToken returns a fresh token with the given prefix and its hash. It
// reads crypto/rand, which does not fail on supported platforms; if it ever
// does, NewToken panics rather than hand out a weak token.
func NewToken(prefix string) (string, Hash) {
	b := make([]byte, tokenBytes)
	if _, err := rand.Read(b); err != nil {
		panic("invite: crypto/rand failed: " + err.Error())
	}
	tok := prefix + base64.RawURLEncoding.EncodeToString(b)
	return tok, HashToken(tok)
}

// HashToken returns the hash of a token as it is stored.
func HashToken(token string) Hash {
	sum := sha256.Sum256([]byte(token))
	return Hash(hex.EncodeToString(sum[:]))
}

// HasPrefix reports whether token is shaped like a token of this prefix:
// the prefix and 43 characters of unpadded base64url.
func HasPrefix(token, prefix string) bool {
	rest, ok := strings.CutPrefix(token, prefix)
	return ok && len(rest) == base64.RawURLEncoding.EncodedLen(tokenBytes)
}
