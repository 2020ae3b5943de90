package invite_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/invite"
)

var prefixes = []struct {
	name, prefix string
}{
	{"invitation", invite.PrefixInvitation},
	{"login link", invite.PrefixLoginLink},
	{"access link", invite.PrefixAccessLink},
	{"session", invite.PrefixSession},
	{"api key", invite.PrefixAPIKey},
	{"staff invitation", invite.PrefixStaffInvitation},
	{"staff login link", invite.PrefixStaffLoginLink},
	{"password reset", invite.PrefixPasswordReset},
}

var hexSHA256 = regexp.MustCompile(`^[0-9a-f]{64}$`)

func TestPrefixes(t *testing.T) {
	want := map[string]string{
		"invitation":       "pi_",
		"login link":       "pl_",
		"access link":      "pa_",
		"session":          "ps_",
		"api key":          "pk_",
		"staff invitation": "psi_",
		"staff login link": "psl_",
		"password reset":   "ppr_",
	}
	seen := map[string]string{}
	for _, p := range prefixes {
		assert.Equal(t, want[p.name], p.prefix, p.name)
		if other, dup := seen[p.prefix]; dup {
			t.Errorf("%s and %s share the prefix %q", p.name, other, p.prefix)
		}
		seen[p.prefix] = p.name
	}
}

func TestNewToken(t *testing.T) {
	for _, p := range prefixes {
		t.Run(p.name, func(t *testing.T) {
			tok, hash := invite.NewToken(p.prefix)

			secret, ok := strings.CutPrefix(tok, p.prefix)
			require.True(t, ok, "token %q lacks prefix %q", tok, p.prefix)
			assert.Len(t, secret, 43, "256 bits in unpadded base64url")
			raw, err := base64.RawURLEncoding.DecodeString(secret)
			require.NoError(t, err, "secret %q is not unpadded base64url", secret)
			assert.Len(t, raw, 32, "256 random bits")
			assert.True(t, invite.HasPrefix(tok, p.prefix))

			assert.Equal(t, invite.HashToken(tok), hash, "the hash returned is the hash stored")
			sum := sha256.Sum256([]byte(tok))
			assert.Equal(t, invite.Hash(hex.EncodeToString(sum[:])), hash, "SHA-256 of the whole token, prefix included")
			assert.Regexp(t, hexSHA256, string(hash))
		})
	}
}

func TestNewTokenUnique(t *testing.T) {
	const draws = 2000
	tokens := make(map[string]bool, draws*len(prefixes))
	secrets := make(map[string]bool, draws*len(prefixes))
	hashes := make(map[invite.Hash]bool, draws*len(prefixes))
	// Every byte position of the secret takes many values, which a constant
	// or counter-like part would not.
	values := make([]map[byte]bool, 32)
	for i := range values {
		values[i] = map[byte]bool{}
	}
	for _, p := range prefixes {
		for range draws {
			tok, hash := invite.NewToken(p.prefix)
			secret := strings.TrimPrefix(tok, p.prefix)
			require.False(t, tokens[tok], "token %q drawn twice", tok)
			require.False(t, secrets[secret], "secret %q drawn twice", secret)
			require.False(t, hashes[hash], "hash %q drawn twice", hash)
			tokens[tok], secrets[secret], hashes[hash] = true, true, true

			raw, err := base64.RawURLEncoding.DecodeString(secret)
			require.NoError(t, err)
			for i, b := range raw {
				values[i][b] = true
			}
		}
	}
	for i, v := range values {
		// 10,000 uniform draws over 256 values leave none out in practice.
		assert.Greater(t, len(v), 200, "byte %d took only %d values", i, len(v))
	}
}

func TestHashToken(t *testing.T) {
	tests := []struct {
		token string
		want  invite.Hash
	}{
		// Known SHA-256 vectors (FIPS 180-2): the hash is plain SHA-256 in lower-case hex.
		{"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
		{"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			assert.Equal(t, tt.want, invite.HashToken(tt.token))
		})
	}

	tok, _ := invite.NewToken(invite.PrefixSession)
	h := invite.HashToken(tok)
	assert.Equal(t, h, invite.HashToken(tok), "deterministic")
	assert.Regexp(t, hexSHA256, string(h))

	secret := strings.TrimPrefix(tok, invite.PrefixSession)
	assert.NotEqual(t, h, invite.HashToken(invite.PrefixAPIKey+secret), "the prefix is part of what is hashed")
	assert.NotEqual(t, h, invite.HashToken(secret))
	assert.NotEqual(t, h, invite.HashToken(tok[:len(tok)-1]))
	assert.NotEqual(t, h, invite.HashToken(strings.ToUpper(tok[:4])+tok[4:]), "case matters")
	other, _ := invite.NewToken(invite.PrefixSession)
	assert.NotEqual(t, h, invite.HashToken(other))
}

func TestHasPrefix(t *testing.T) {
	tok, _ := invite.NewToken(invite.PrefixSession)
	secret := strings.TrimPrefix(tok, invite.PrefixSession)
	tests := []struct {
		name   string
		token  string
		prefix string
		want   bool
	}{
		{"fresh token", tok, invite.PrefixSession, true},
		{"other prefix", tok, invite.PrefixAPIKey, false},
		{"secret without prefix", secret, invite.PrefixSession, false},
		{"prefix in upper case", "PS_" + secret, invite.PrefixSession, false},
		{"prefix only", invite.PrefixSession, invite.PrefixSession, false},
		{"empty", "", invite.PrefixSession, false},
		{"one character short", tok[:len(tok)-1], invite.PrefixSession, false},
		{"one character more", tok + "A", invite.PrefixSession, false},
		{"padded", tok + "=", invite.PrefixSession, false},
		{"prefix twice", invite.PrefixSession + tok, invite.PrefixSession, false},
		{"surrounding space", " " + tok, invite.PrefixSession, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, invite.HasPrefix(tt.token, tt.prefix))
		})
	}
}

// Portal tells sessions from API keys by prefix, so a token of one kind
// must never pass for another.
func TestHasPrefixKeepsKindsApart(t *testing.T) {
	for _, made := range prefixes {
		tok, _ := invite.NewToken(made.prefix)
		for _, asked := range prefixes {
			assert.Equal(t, made.prefix == asked.prefix, invite.HasPrefix(tok, asked.prefix),
				"%s token asked as %s", made.name, asked.name)
		}
	}
}
