package identity_test

import (
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/argon2"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
)

// cheap keeps argon2 fast in tests; the format and the rules do not depend on the cost.
var cheap = identity.Argon2Params{Memory: 64, Time: 1, Threads: 1}

// phc is a password hash split at its "$" separators:
// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key.
type phc []string

func splitHash(t *testing.T, hash string) phc {
	t.Helper()
	parts := strings.Split(hash, "$")
	require.Len(t, parts, 6, "hash %q", hash)
	return parts
}

// with returns the hash with part i replaced by s.
func (h phc) with(i int, s string) string {
	c := append(phc(nil), h...)
	c[i] = s
	return strings.Join(c, "$")
}

func decode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawStdEncoding.DecodeString(s)
	require.NoError(t, err, "%q is not unpadded standard base64", s)
	return b
}

func TestDefaultArgon2FollowsOWASP(t *testing.T) {
	assert.Equal(t, identity.Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}, identity.DefaultArgon2)
}

func TestHashPasswordEncodesPHCString(t *testing.T) {
	tests := []struct {
		name string
		p    identity.Argon2Params
	}{
		{"cheap", cheap},
		{"more memory", identity.Argon2Params{Memory: 256, Time: 1, Threads: 1}},
		{"more passes", identity.Argon2Params{Memory: 64, Time: 3, Threads: 1}},
		{"more lanes", identity.Argon2Params{Memory: 128, Time: 1, Threads: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const pw = "violet-orbit-42"
			hash := identity.HashPassword(pw, tt.p)
			parts := splitHash(t, hash)

			assert.Empty(t, parts[0], "the string starts with $")
			assert.Equal(t, "argon2id", parts[1])
			assert.Equal(t, fmt.Sprintf("v=%d", argon2.Version), parts[2])
			assert.Equal(t, "v=19", parts[2])
			assert.Equal(t, fmt.Sprintf("m=%d,t=%d,p=%d", tt.p.Memory, tt.p.Time, tt.p.Threads), parts[3])

			salt := decode(t, parts[4])
			key := decode(t, parts[5])
			assert.Len(t, salt, 16)
			assert.Len(t, key, 32)
			// The encoded parameters are the ones the key was derived with.
			assert.Equal(t, argon2.IDKey([]byte(pw), salt, tt.p.Time, tt.p.Memory, tt.p.Threads, 32), key)
		})
	}
}

func TestHashPasswordSaltsEachHash(t *testing.T) {
	const pw = "violet-orbit-42"
	h1 := identity.HashPassword(pw, cheap)
	h2 := identity.HashPassword(pw, cheap)

	assert.NotEqual(t, h1, h2)
	assert.NotEqual(t, splitHash(t, h1)[4], splitHash(t, h2)[4], "salts")
	assert.NotEqual(t, splitHash(t, h1)[5], splitHash(t, h2)[5], "keys")
	assert.True(t, identity.VerifyPassword(pw, h1))
	assert.True(t, identity.VerifyPassword(pw, h2))
}

func TestVerifyPassword(t *testing.T) {
	const pw = "violet-orbit-42"
	hash := identity.HashPassword(pw, cheap)
	tests := []struct {
		name string
		pw   string
		want bool
	}{
		{"right password", pw, true},
		{"wrong password", "violet-orbit-43", false},
		{"different case", "Violet-orbit-42", false},
		{"prefix of the password", pw[:len(pw)-1], false},
		{"password with a byte more", pw + " ", false},
		{"empty password", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, identity.VerifyPassword(tt.pw, hash))
		})
	}
}

func TestVerifyPasswordEmptyAndUnicodePasswords(t *testing.T) {
	tests := []struct {
		name, pw, other string
	}{
		{"empty", "", " "},
		{"unicode", "Grüße-aus-Köln-🚲", "Grusse-aus-Koln-🚲"},
		{"dollar signs", "$argon2id$v=19$", "$argon2id$v=19"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash := identity.HashPassword(tt.pw, cheap)
			assert.True(t, identity.VerifyPassword(tt.pw, hash))
			assert.False(t, identity.VerifyPassword(tt.other, hash))
		})
	}
}

// A hash keeps verifying after DefaultArgon2 (or Config.Argon2) changes:
// VerifyPassword reads the cost from the hash, not from the current setting.
func TestVerifyPasswordUsesParametersFromHash(t *testing.T) {
	const pw = "violet-orbit-42"
	tests := []struct {
		name string
		p    identity.Argon2Params
	}{
		{"more memory", identity.Argon2Params{Memory: 256, Time: 1, Threads: 1}},
		{"more passes", identity.Argon2Params{Memory: 64, Time: 3, Threads: 1}},
		{"more lanes", identity.Argon2Params{Memory: 128, Time: 1, Threads: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hash := identity.HashPassword(pw, tt.p)
			parts := splitHash(t, hash)
			require.True(t, identity.VerifyPassword(pw, hash))
			assert.False(t, identity.VerifyPassword("violet-orbit-43", hash))

			// Claiming other parameters for the same salt and key must not verify.
			cheapParams := fmt.Sprintf("m=%d,t=%d,p=%d", cheap.Memory, cheap.Time, cheap.Threads)
			assert.False(t, identity.VerifyPassword(pw, parts.with(3, cheapParams)))
		})
	}
}

// Hashes made elsewhere (another argon2id implementation, an imported user
// base) may use other salt and key lengths; the PHC string says all.
func TestVerifyPasswordAcceptsOtherSaltAndKeyLengths(t *testing.T) {
	const pw = "violet-orbit-42"
	b64 := base64.RawStdEncoding.EncodeToString
	tests := []struct {
		name            string
		saltLen, keyLen int
	}{
		{"8-byte salt", 8, 32},
		{"32-byte salt", 32, 32},
		{"16-byte key", 16, 16},
		{"64-byte key", 16, 64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			salt := []byte(strings.Repeat("s", tt.saltLen))
			key := argon2.IDKey([]byte(pw), salt, cheap.Time, cheap.Memory, cheap.Threads, uint32(tt.keyLen))
			hash := fmt.Sprintf("$argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", cheap.Memory, cheap.Time, cheap.Threads, b64(salt), b64(key))
			assert.True(t, identity.VerifyPassword(pw, hash))
			assert.False(t, identity.VerifyPassword("violet-orbit-43", hash))
		})
	}
}

func TestVerifyPasswordComparesWholeKey(t *testing.T) {
	const pw = "violet-orbit-42"
	hash := identity.HashPassword(pw, cheap)
	parts := splitHash(t, hash)
	key := decode(t, parts[5])
	b64 := base64.RawStdEncoding.EncodeToString

	flipped := append([]byte(nil), key...)
	flipped[len(flipped)-1] ^= 1
	zeros := make([]byte, len(key))
	tests := []struct {
		name string
		key  []byte
	}{
		{"last bit flipped", flipped},
		{"all zeros", zeros},
		{"first half only", key[:len(key)/2]},
		{"one byte short", key[:len(key)-1]},
		{"one byte more", append(append([]byte(nil), key...), 0)},
		{"key twice", append(append([]byte(nil), key...), key...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.False(t, identity.VerifyPassword(pw, parts.with(5, b64(tt.key))))
		})
	}
	assert.True(t, identity.VerifyPassword(pw, parts.with(5, b64(key))), "the unchanged key still verifies")
}

func TestVerifyPasswordRejectsMalformedHashes(t *testing.T) {
	const pw = "violet-orbit-42"
	good := identity.HashPassword(pw, cheap)
	parts := splitHash(t, good)
	require.True(t, identity.VerifyPassword(pw, good))

	tests := []struct {
		name string
		hash string
	}{
		{"empty", ""},
		{"plain text", pw},
		{"only dollars", "$$$$$"},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"argon2i", parts.with(1, "argon2i")},
		{"argon2d", parts.with(1, "argon2d")},
		{"upper-case variant", parts.with(1, "ARGON2ID")},
		{"version 16", parts.with(2, "v=16")},
		{"no version", parts.with(2, "")},
		{"too few parts", strings.Join(parts[:5], "$")},
		{"too many parts", good + "$"},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
		{"parameters missing", parts.with(3, "")},
		{"parameters out of order", parts.with(3, "t=1,m=64,p=1")},
		{"parameters not numbers", parts.with(3, "m=x,t=1,p=1")},
		{"zero passes", parts.with(3, "m=64,t=0,p=1")},
		{"zero lanes", parts.with(3, "m=64,t=1,p=0")},
		{"negative memory", parts.with(3, "m=-64,t=1,p=1")},
		{"lanes overflow uint8", parts.with(3, "m=64,t=1,p=257")},
		{"passes overflow uint32", parts.with(3, "m=64,t=4294967296,p=1")},
		{"salt not base64", parts.with(4, "!!not*base64!!")},
		{"salt padded", parts.with(4, parts[4]+"==")},
		{"key not base64", parts.with(5, "!!not*base64!!")},
		{"key padded", parts.with(5, parts[5]+"=")},
		{"key empty", parts.with(5, "")},
		{"key base64url", parts.with(5, strings.NewReplacer("+", "-", "/", "_").Replace(parts[5])+"-_")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEqual(t, good, tt.hash, "the case must change the hash")
			assert.NotPanics(t, func() {
				assert.False(t, identity.VerifyPassword(pw, tt.hash))
			})
		})
	}
}

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		ok   bool
	}{
		{"own phrase", "violet-orbit-42", true},
		{"exactly the minimum", "violetorbs", true},
		{"minimum counted in characters", "äöüßéèêëïî", true},
		{"exactly the maximum", strings.Repeat("ab", identity.MaxPasswordLength/2), true},
		{"empty", "", false},
		{"one short", "violetorb", false},
		{"short in characters, long in bytes", "ääääääääb", false},
		{"one byte over the maximum", strings.Repeat("ab", identity.MaxPasswordLength/2) + "c", false},
		{"on the list", "qwertyuiop", false},
		{"on the list, other case", "QwertyUIOP", false},
		{"on the list with trailing digits", "monkey12345", false},
		{"on the list with trailing symbols", "Password!!!!", false},
		{"on the list with digits and symbols", "dragon2024!?", false},
		{"one repeated character", "aaaaaaaaaaaa", false},
		{"one repeated character, mixed case", "aAaAaAaAaAaA", false},
		{"one repeated multibyte character", "éééééééééééé", false},
		{"all digits, not on the list", "8604918273", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := identity.CheckPassword(tt.pw)
			if tt.ok {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
			fields := portalerr.FieldsOf(err)
			require.Len(t, fields, 1)
			assert.Equal(t, "password", fields[0].Field)
		})
	}
}

func TestPasswordFailLocksAfterMax(t *testing.T) {
	const max, lockFor = 3, 15 * time.Minute
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	var p identity.Password

	for i := 1; i < max; i++ {
		at := now.Add(time.Duration(i) * time.Second)
		p.Fail(at, max, lockFor)
		assert.Equal(t, i, p.FailedAttempts)
		assert.Equal(t, at, p.UpdatedAt)
		assert.True(t, p.LockedUntil.IsZero(), "failure %d must not lock", i)
		assert.False(t, p.Locked(at))
	}

	p.Fail(now.Add(time.Minute), max, lockFor)
	assert.Zero(t, p.FailedAttempts, "locking starts the count anew")
	assert.Equal(t, now.Add(time.Minute+lockFor), p.LockedUntil)
	assert.Equal(t, now.Add(time.Minute), p.UpdatedAt)

	// After the lock, it again takes max failures in a row to lock.
	later := p.LockedUntil.Add(time.Minute)
	for i := 1; i < max; i++ {
		p.Fail(later, max, lockFor)
		assert.False(t, p.Locked(later), "failure %d after the lock", i)
	}
	p.Fail(later, max, lockFor)
	assert.True(t, p.Locked(later))
	assert.Equal(t, later.Add(lockFor), p.LockedUntil)
}

func TestPasswordLocked(t *testing.T) {
	until := time.Date(2025, 3, 1, 12, 15, 0, 0, time.UTC)
	tests := []struct {
		name string
		p    identity.Password
		now  time.Time
		want bool
	}{
		{"never locked", identity.Password{}, until, false},
		{"before the end", identity.Password{LockedUntil: until}, until.Add(-time.Nanosecond), true},
		{"at the end", identity.Password{LockedUntil: until}, until, false},
		{"after the end", identity.Password{LockedUntil: until}, until.Add(time.Second), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.p.Locked(tt.now))
		})
	}
}
