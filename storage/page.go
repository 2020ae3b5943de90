package storage

import (
	"encoding/base64"

	"github.com/portalkit/portalkit/portalerr"
)

// Page limits.
const (
	DefaultLimit = 50
	MaxLimit     = 100
)

// Page asks for one page of a list. Lists are ordered by ID, ascending;
// IDs are UUIDv7, so this is creation order, and a row inserted while a
// caller pages through a list appears at the end, never shifting a page.
// (A customer's orders can also be listed newest first, descending by ID:
// see OrderFilter.NewestFirst; a new row then appears before the first page.)
type Page struct {
	// Cursor is the NextCursor of the previous page; empty for the first.
	// It is storage's own, the position written out: the portal seals it
	// before handing it out and opens it again (see portal.Config.CursorKey).
	Cursor string
	// Limit is the page size: 0 means DefaultLimit; more than MaxLimit is Invalid.
	Limit int
}

// Normalize checks p and returns the ID to start after and the page size.
// A malformed cursor or a limit out of range is an Invalid error.
func (p Page) Normalize() (after string, limit int, err error) {
	limit = p.Limit
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 0 || limit > MaxLimit:
		return "", 0, portalerr.Invalidf("limit", "must be between 1 and %d", MaxLimit)
	}
	if p.Cursor == "" {
		return "", limit, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(p.Cursor)
	if err != nil || len(b) == 0 {
		return "", 0, portalerr.Invalidf("cursor", "is not a cursor returned by this list")
	}
	return string(b), limit, nil
}

// Cursor returns the opaque cursor that continues a list after the given ID.
func Cursor(afterID string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(afterID))
}

// Trim takes a result fetched with limit+1 rows and returns the page and the
// cursor of the next one ("" on the last page).
func Trim[T any](rows []T, limit int, id func(T) string) ([]T, string) {
	if len(rows) <= limit {
		return rows, ""
	}
	rows = rows[:limit]
	return rows, Cursor(id(rows[limit-1]))
}
