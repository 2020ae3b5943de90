package customer

import (
	"net/mail"
	"strings"
	"time"

	"github.com/portalkit/portalkit/portalerr"
)

// UserID identifies a person with a login ("usr_" + UUIDv7).
type UserID string

// User is a person who can log in. One user may belong to several customers
// through memberships; the e-mail address is unique across the deployment.
type User struct {
	ID UserID
	// Email is normalised by NormalizeEmail, so equal addresses compare equal.
	Email string
	Name  string
	// Locale is the user's language for e-mails, a BCP 47 tag such as "de"; empty: the provider's default.
	Locale string
	// Status disabled refuses the user everywhere, whatever its memberships.
	Status    UserStatus
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// UserStatus says whether a user may sign in at all.
type UserStatus string

// User statuses.
const (
	UserActive   UserStatus = "active"
	UserDisabled UserStatus = "disabled"
)

// Active reports whether u may sign in at all.
func (u User) Active() bool { return u.Status == UserActive }

// CheckActive returns nil for an active user and otherwise a
// PermissionDenied error: a disabled user is refused everywhere, whatever
// its memberships.
func (u User) CheckActive() error {
	if u.Active() {
		return nil
	}
	return portalerr.New(portalerr.PermissionDenied, "this account is disabled")
}

// NormalizeEmail returns the canonical form of an e-mail address: trimmed
// and lower-cased, so that addresses are compared case-insensitively. It
// returns an Invalid error for the field "email" when s is not a single plain
// address (no display name, no angle brackets).
func NormalizeEmail(s string) (string, error) {
	s = strings.TrimSpace(s)
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" || len(s) > 254 {
		return "", portalerr.Invalidf("email", "must be a plain e-mail address such as name@example.com")
	}
	return strings.ToLower(s), nil
}
