package webhook

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// EndpointID identifies an endpoint ("wep_" + UUIDv7).
type EndpointID string

// Limits of an endpoint.
const (
	MaxURLLen         = 2000
	MaxDescriptionLen = 500
	// MaxEndpoints bounds how many endpoints a deployment has: every
	// change reads them all in its transaction to find the subscribers.
	MaxEndpoints = 100
	// MaxOverlap bounds the overlap of a rotation, in which the old
	// secret still signs.
	MaxOverlap = 7 * 24 * time.Hour
)

// Endpoint is a URL staff registered to receive events.
type Endpoint struct {
	ID          EndpointID
	URL         string
	Description string
	// Types are the event types the endpoint receives; at least one.
	Types []Type
	// CustomerID, when set, limits the endpoint to that customer's
	// events; empty receives every customer's (and provider-wide) events.
	CustomerID customer.ID
	// Enabled endpoints receive events. An endpoint that failed for too
	// long is disabled by the delivery worker, with DisabledReason.
	Enabled        bool
	DisabledReason string
	// Secret signs every delivery. PreviousSecret also signs until
	// PreviousUntil, the overlap of a rotation, so receivers can switch
	// to the new secret without losing a delivery.
	Secret         string
	PreviousSecret string
	PreviousUntil  time.Time
	// FailingSince is when the first of the failures since the last
	// success happened; zero while the endpoint answers.
	FailingSince time.Time
	Version      int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Receives reports whether e takes an event of type t about customer
// cid: it is enabled, subscribed to t, and not limited to another
// customer.
func (e Endpoint) Receives(t Type, cid customer.ID) bool {
	if !e.Enabled || !slices.Contains(e.Types, t) {
		return false
	}
	return e.CustomerID == "" || e.CustomerID == cid
}

// Secrets returns the secrets that sign a delivery at now: the current
// one, and the previous one during a rotation's overlap.
func (e Endpoint) Secrets(now time.Time) []string {
	if e.PreviousSecret != "" && now.Before(e.PreviousUntil) {
		return []string{e.Secret, e.PreviousSecret}
	}
	return []string{e.Secret}
}

// Rotate makes secret e's signing secret; the current one keeps signing
// beside it for overlap (zero: not at all), at most MaxOverlap.
func (e *Endpoint) Rotate(secret string, now time.Time, overlap time.Duration) error {
	if overlap < 0 || overlap > MaxOverlap {
		return portalerr.Invalidf("overlap", "must be between 0 and %s", MaxOverlap)
	}
	if _, err := ParseSecret(secret); err != nil {
		return fmt.Errorf("webhook: rotating: %w", err)
	}
	e.PreviousSecret, e.PreviousUntil = "", time.Time{}
	if overlap > 0 {
		e.PreviousSecret, e.PreviousUntil = e.Secret, now.Add(overlap)
	}
	e.Secret = secret
	return nil
}

// Failed notes a failed attempt at `at`: the endpoint is failing since
// then, unless it was already.
func (e *Endpoint) Failed(at time.Time) {
	if e.FailingSince.IsZero() {
		e.FailingSince = at
	}
}

// Succeeded notes a delivered attempt: the endpoint is not failing.
func (e *Endpoint) Succeeded() { e.FailingSince = time.Time{} }

// FailingFor reports whether e has failed without a success for at least
// d at now, and should be disabled.
func (e Endpoint) FailingFor(d time.Duration, now time.Time) bool {
	return e.Enabled && !e.FailingSince.IsZero() && now.Sub(e.FailingSince) >= d
}

// Disable turns e off, saying why.
func (e *Endpoint) Disable(reason string) {
	e.Enabled, e.DisabledReason = false, reason
}

// Enable turns e on again, as if new: its failures are forgotten.
func (e *Endpoint) Enable() {
	e.Enabled, e.DisabledReason, e.FailingSince = true, "", time.Time{}
}

// Validate checks e's fields as staff give them: an absolute http(s) URL
// (http only with allowHTTP) without credentials, at most MaxURLLen; known
// event types, at least one, no repeats; a description of at most
// MaxDescriptionLen. It returns an Invalid error naming each bad field
// (url, event_types, description). Where the URL's host resolves to is
// checked by the delivery's dialer (see Blocked), not here.
func (e Endpoint) Validate(allowHTTP bool) error {
	var v []portalerr.FieldViolation
	bad := func(field, format string, args ...any) {
		v = append(v, portalerr.FieldViolation{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if err := CheckURL(e.URL, allowHTTP); err != nil {
		bad("url", "%s", err.Error())
	}
	if len(e.Types) == 0 {
		bad("event_types", "must name at least one event type")
	}
	for i, t := range e.Types {
		if !t.Valid() {
			bad("event_types", "%q is not an event type", t)
		} else if slices.Contains(e.Types[:i], t) {
			bad("event_types", "%q is named twice", t)
		}
	}
	if utf8.RuneCountInString(e.Description) > MaxDescriptionLen {
		bad("description", "must be at most %d characters", MaxDescriptionLen)
	}
	return portalerr.InvalidFields(v...)
}

// CheckURL checks that raw is an absolute https URL (or http, with
// allowHTTP) with a host, without user or password and at most MaxURLLen
// long. The error says what is wrong.
func CheckURL(raw string, allowHTTP bool) error {
	if raw == "" {
		return fmt.Errorf("is required")
	}
	if len(raw) > MaxURLLen {
		return fmt.Errorf("must be at most %d characters", MaxURLLen)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("is not a URL")
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowHTTP:
	case u.Scheme == "http":
		return fmt.Errorf("must use https (this server does not allow plain http endpoints)")
	default:
		return fmt.Errorf("must be an https URL")
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("must name a host")
	}
	if u.User != nil {
		return fmt.Errorf("must not carry a user name or password")
	}
	if strings.ContainsAny(raw, " \t\r\n") {
		return fmt.Errorf("must not contain spaces")
	}
	return nil
}
