package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// The headers of a delivery, as the Standard Webhooks specification names
// them.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every secret as it is shown and stored.
const SecretPrefix = "whsec_"

// DefaultTolerance is how far a delivery's webhook-timestamp may be from
// the receiver's clock, either way, for Verify to accept it.
const DefaultTolerance = 5 * time.Minute

// secretBytes is the length of a new secret's key. The specification asks
// for 24 to 64 bytes.
const secretBytes = 32

// Errors of Verify and ParseSecret. Verify's errors wrap one of the first
// three, so receivers can tell them apart with errors.Is.
var (
	// ErrMissingHeaders: a webhook header is missing or malformed.
	ErrMissingHeaders = errors.New("webhook: missing or malformed webhook headers")
	// ErrTimestamp: the timestamp is outside the tolerance (a replay, or
	// a clock far off).
	ErrTimestamp = errors.New("webhook: timestamp outside the tolerance")
	// ErrSignature: no signature matches the body.
	ErrSignature = errors.New("webhook: no matching signature")
	// ErrSecret: a secret is not "whsec_" + base64 of 24 to 64 bytes.
	ErrSecret = errors.New("webhook: malformed secret")
)

// NewSecret returns a new random secret: "whsec_" + base64 of 32 bytes
// from crypto/rand.
func NewSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// ParseSecret returns the key of secret, with or without the "whsec_"
// prefix (as the specification's libraries accept it). ErrSecret when it
// is not base64 or its key is shorter than 24 or longer than 64 bytes.
func ParseSecret(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil {
		return nil, fmt.Errorf("%w: not base64", ErrSecret)
	}
	if len(key) < 24 || len(key) > 64 {
		return nil, fmt.Errorf("%w: the key has %d bytes, not 24 to 64", ErrSecret, len(key))
	}
	return key, nil
}

// Sign returns the signature of a delivery of body with the given ID at
// time at, under secret: "v1," + base64 of HMAC-SHA256 over
// id + "." + Unix seconds + "." + body. ErrSecret for a malformed secret.
func Sign(secret, id string, at time.Time, body []byte) (string, error) {
	key, err := ParseSecret(secret)
	if err != nil {
		return "", err
	}
	return "v1," + base64.StdEncoding.EncodeToString(mac(key, id, at.Unix(), body)), nil
}

func mac(key []byte, id string, ts int64, body []byte) []byte {
	h := hmac.New(sha256.New, key)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write(strconv.AppendInt(nil, ts, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Headers returns the three webhook headers of a delivery of body with the
// given ID at time at, signed with every secret given (during a rotation,
// the new and the old one), in that order. ErrSecret for a malformed
// secret; an error when there is none or id holds a full stop (which would
// make the signed content ambiguous).
func Headers(id string, at time.Time, body []byte, secrets ...string) (http.Header, error) {
	if len(secrets) == 0 {
		return nil, errors.New("webhook: signing needs a secret")
	}
	if id == "" || strings.ContainsAny(id, ". ") {
		return nil, fmt.Errorf("webhook: the ID %q is empty or holds a full stop or space", id)
	}
	sigs := make([]string, len(secrets))
	for i, s := range secrets {
		sig, err := Sign(s, id, at, body)
		if err != nil {
			return nil, err
		}
		sigs[i] = sig
	}
	h := http.Header{}
	h.Set(HeaderID, id)
	h.Set(HeaderTimestamp, strconv.FormatInt(at.Unix(), 10))
	h.Set(HeaderSignature, strings.Join(sigs, " "))
	return h, nil
}

// Verify checks a delivery as a receiver gets it: header holds the
// webhook headers and body is the request body exactly as received (not
// parsed and encoded again). It accepts the delivery when one of the v1
// signatures in webhook-signature matches under secret (compared in
// constant time) and webhook-timestamp is within DefaultTolerance of the
// clock. Otherwise it returns an error wrapping ErrMissingHeaders,
// ErrTimestamp or ErrSignature, or ErrSecret for a malformed secret.
//
// After Verify, use webhook-id to drop deliveries already handled.
func Verify(secret string, header http.Header, body []byte) error {
	return Verifier{}.Verify(secret, header, body)
}

// Verifier is Verify with a tolerance and a clock of one's own.
type Verifier struct {
	// Tolerance is how far webhook-timestamp may be from Now either way;
	// zero means DefaultTolerance, negative means any time (for replaying
	// stored deliveries through the check).
	Tolerance time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Verify checks a delivery as the package's Verify does, with v's
// tolerance and clock.
func (v Verifier) Verify(secret string, header http.Header, body []byte) error {
	key, err := ParseSecret(secret)
	if err != nil {
		return err
	}
	id, tsText, sigs := header.Get(HeaderID), header.Get(HeaderTimestamp), header.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return fmt.Errorf("%w: %s, %s and %s are required", ErrMissingHeaders, HeaderID, HeaderTimestamp, HeaderSignature)
	}
	ts, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %s is not a Unix time", ErrMissingHeaders, HeaderTimestamp)
	}
	tol := v.Tolerance
	if tol == 0 {
		tol = DefaultTolerance
	}
	if tol > 0 {
		now := time.Now
		if v.Now != nil {
			now = v.Now
		}
		d := now().Sub(time.Unix(ts, 0))
		if d > tol || d < -tol {
			return fmt.Errorf("%w: %s is %s away", ErrTimestamp, HeaderTimestamp, d.Round(time.Second))
		}
	}
	want := mac(key, id, ts, body)
	for _, s := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(s, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrSignature
}
