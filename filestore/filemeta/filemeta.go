// Package filemeta owns the plain values that describe a stored file (Key,
// File, Limits), the sanitising of file names and the headers that serve a
// file safely (SetHeaders, ServeDownload). They live apart from filestore
// so that packages which only pass files along, such as portal, httpapi
// and webui, do not pull gocloud.dev into their dependencies; filestore
// re-exports them under the same names.
package filemeta

import (
	"errors"
	"strings"

	"github.com/google/uuid"
)

// Key names a stored file: KeyPrefix followed by a UUIDv7, so keys sort by
// upload time and say what they name.
type Key string

// KeyPrefix starts every Key.
const KeyPrefix = "fil_"

// NewKey returns a fresh Key.
func NewKey() Key { return Key(KeyPrefix + uuid.Must(uuid.NewV7()).String()) }

// Valid reports whether k has the form NewKey makes. Keys come back from
// URLs, so anything else (paths, "..") must never reach a bucket.
func (k Key) Valid() bool {
	rest, ok := strings.CutPrefix(string(k), KeyPrefix)
	if !ok || len(rest) != 36 {
		return false
	}
	_, err := uuid.Parse(rest)
	return err == nil
}

// File is what the database keeps about a stored file.
type File struct {
	Key         Key
	Name        string // the client's file name, sanitised; for display and downloads only
	ContentType string // sniffed from the content, never the client's claim, e.g. "text/plain; charset=utf-8"
	Size        int64  // bytes
	SHA256      string // hex; set by Put, empty from Get (the store learns it only while writing)
}

// ErrTooLarge is wrapped by the error a store gives for an upload over its
// size limit (an Invalid *portalerr.Error on "file"), so that an HTTP layer
// can answer 413 rather than 400: errors.Is(err, filemeta.ErrTooLarge).
var ErrTooLarge = errors.New("too large")

// DefaultMaxBytes is the size limit when Limits.MaxBytes is zero.
const DefaultMaxBytes = 10 << 20

// Limits says what a store accepts.
type Limits struct {
	// MaxBytes is the largest size accepted; zero or less means DefaultMaxBytes.
	MaxBytes int64
	// Types are the media types accepted, compared with the sniffed type
	// without its parameters ("text/plain", not "text/plain; charset=utf-8");
	// nil means DefaultTypes().
	Types []string
}

// DefaultTypes returns the media types accepted when Limits.Types is nil:
// raster images (PNG, JPEG, GIF, WebP), PDF, plain text and CSV.
func DefaultTypes() []string {
	return []string{"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain", "text/csv"}
}
