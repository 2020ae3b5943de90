package httpapi

import (
	"strconv"
	"strings"

	"github.com/portalkit/portalkit/portalerr"
)

// etag returns the strong entity tag of a resource at version: the number
// in quotes, such as "3".
func etag(version int64) string {
	return `"` + strconv.FormatInt(version, 10) + `"`
}

// errStaleIfMatch answers an If-Match that cannot name a current version.
// It is a Conflict, which an update answers with 412.
var errStaleIfMatch = &portalerr.Error{
	Code:    portalerr.Conflict,
	Message: `If-Match must be the resource's current ETag, such as "3"`,
	Fields:  []portalerr.FieldViolation{{Field: "If-Match", Message: "is not the current ETag"}},
}

// parseIfMatch returns the version named by an If-Match header value. Only
// one strong ETag of our own form is accepted: a weak tag (W/"3"), "*", a
// list or anything else cannot match our strong comparison, so it is
// answered like a stale one (Conflict, 412), as RFC 9110 asks.
func parseIfMatch(h string) (int64, error) {
	h = strings.TrimSpace(h)
	if len(h) < 3 || h[0] != '"' || h[len(h)-1] != '"' {
		return 0, errStaleIfMatch
	}
	digits := h[1 : len(h)-1]
	if strings.Trim(digits, "0123456789") != "" {
		return 0, errStaleIfMatch
	}
	v, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || v < 1 {
		return 0, errStaleIfMatch
	}
	return v, nil
}
