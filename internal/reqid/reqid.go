// Package reqid owns the IDs of HTTP requests that httpapi and webui give
// every request they serve: the caller's X-Request-ID when it is safe to
// log and echo, else a new one. Audit events and log lines carry it.
package reqid

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// Header is the header a request ID comes in and goes back out in.
const Header = "X-Request-ID"

// Of returns the ID of request r: its X-Request-ID when Valid, else New.
func Of(r *http.Request) string {
	if id := r.Header.Get(Header); Valid(id) {
		return id
	}
	return New()
}

// Valid reports whether a caller's X-Request-ID is safe to log and echo:
// 1 to 128 letters, digits and "-_.:".
func Valid(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// New returns a new random request ID, "req_" and 24 hex digits.
func New() string {
	var b [12]byte
	_, _ = rand.Read(b[:]) // never fails (crypto/rand)
	return "req_" + hex.EncodeToString(b[:])
}
