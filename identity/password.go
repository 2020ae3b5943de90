package identity

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/portalkit/portalkit/customer"

	"github.com/portalkit/portalkit/portalerr"
)

// Password rules.
const (
	MinPasswordLength = 10
	MaxPasswordLength = 256 // bounds the hashing work an attacker can ask for
)

// Argon2Params are the argon2id cost parameters. DefaultArgon2 follows the
// OWASP recommendation (19 MiB, 2 passes, 1 lane).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// DefaultArgon2 is used for new hashes.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

//go:embed common-passwords.txt
var commonPasswordsFile []byte

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	m := make(map[string]struct{}, 8000)
	sc := bufio.NewScanner(bytes.NewReader(commonPasswordsFile))
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "#") {
			m[line] = struct{}{}
		}
	}
	return m
})

// CheckPassword returns an Invalid error on field "password" when pw is too
// short or too long, or is a common password: on the shipped list (see
// common-passwords.txt), also after dropping trailing digits and symbols
// ("monkey12345"), or a single repeated character.
func CheckPassword(pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLength:
		return portalerr.Invalidf("password", "must be at least %d characters", MinPasswordLength)
	case len(pw) > MaxPasswordLength:
		return portalerr.Invalidf("password", "must be at most %d bytes", MaxPasswordLength)
	}
	lower := strings.ToLower(pw)
	base := strings.TrimRightFunc(lower, func(r rune) bool { return unicode.IsDigit(r) || unicode.IsPunct(r) || unicode.IsSymbol(r) })
	_, common := commonPasswords()[lower]
	_, commonBase := commonPasswords()[base]
	first, _ := utf8.DecodeRuneInString(lower)
	if common || commonBase || strings.Count(lower, string(first)) == utf8.RuneCountInString(lower) {
		return portalerr.Invalidf("password", "is too common; choose a longer phrase of your own")
	}
	return nil
}

// HashPassword returns an argon2id hash of pw in the PHC string format
// ($argon2id$v=19$m=…,t=…,p=…$salt$hash), with a random 16-byte salt.
func HashPassword(pw string, p Argon2Params) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic("identity: crypto/rand failed: " + err.Error())
	}
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// VerifyPassword reports whether pw matches a hash made by HashPassword,
// comparing in constant time. A malformed hash never matches.
func VerifyPassword(pw, hash string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false
	}
	var p Argon2Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil || p.Threads == 0 || p.Time == 0 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// Password is a user's password credential and its failed-attempt state.
type Password struct {
	UserID customer.UserID
	// Hash is an argon2id PHC string made by HashPassword.
	Hash string
	// FailedAttempts counts failed sign-ins since the last success or lock.
	FailedAttempts int
	// LockedUntil refuses sign-ins until then, even with the right password.
	LockedUntil time.Time
	UpdatedAt   time.Time
}

// Locked reports whether sign-ins are refused at now.
func (p Password) Locked(now time.Time) bool { return now.Before(p.LockedUntil) }

// Fail counts a failed sign-in at now: the max-th failure in a row locks
// the credential for lockFor and starts the count anew.
func (p *Password) Fail(now time.Time, max int, lockFor time.Duration) {
	p.FailedAttempts++
	if p.FailedAttempts >= max {
		p.FailedAttempts = 0
		p.LockedUntil = now.Add(lockFor)
	}
	p.UpdatedAt = now
}
