package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Cursors. Storage pages with a plain cursor, the position the next page
// starts after (storage.Cursor). The portal never hands that out as it is:
// a list's NextCursor is the plain cursor, a dot, and a seal, the
// HMAC-SHA256 (base64url) of the list's name, the customer it lists in,
// its filters as the use case normalized them, and the plain cursor.
// An incoming cursor is opened before storage sees it: one whose seal does
// not match (made up, edited, or made for another list or other filters)
// is Invalid. So callers cannot forge a position, nor carry one to a list
// it was not made for; the page size may change from page to page.
//
// The key is Config.CursorKey or, without one, a random key kept in the
// database (storage.ServerKeyRepo), read once per Portal: every server on
// one database seals and opens with the same key, across restarts.

// MinCursorKeyLen is the least length of Config.CursorKey.
const MinCursorKeyLen = 32

// cursorKeyName is the name the cursor key is kept under in the database.
const cursorKeyName = "cursor"

// cursorKey holds the key cursors are sealed with, once known.
type cursorKey struct {
	mu  sync.Mutex
	key []byte // nil until loaded
}

// cursorKey returns the key cursors are sealed with: Config.CursorKey, or
// the one kept in the database, which the first call reads, creating it
// if no server has yet.
func (p *Portal) cursorKey(ctx context.Context) ([]byte, error) {
	p.cursors.mu.Lock()
	defer p.cursors.mu.Unlock()
	if p.cursors.key != nil {
		return p.cursors.key, nil
	}
	fresh := make([]byte, MinCursorKeyLen)
	_, _ = rand.Read(fresh) // never fails (crypto/rand)
	if s := sharedSnapshotOf(ctx); s != nil {
		s.end() // this writes: it must not wait for its own request's reader
	}
	var key []byte
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		var err error
		key, err = r.ServerKeys().GetOrCreate(ctx, cursorKeyName, fresh)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("portal: loading the cursor key: %w", err)
	}
	p.cursors.key = key
	return key, nil
}

// errBadCursor answers a cursor this list did not make.
func errBadCursor() error {
	return portalerr.Invalidf("cursor", "is not a cursor returned by this list")
}

// listCursor is what one call of a list seals its cursors for.
type listCursor struct {
	p      *Portal
	name   string      // the list
	scope  customer.ID // the customer it lists in; empty for provider-wide lists
	params pageParams  // its filters are these, less cursor and limit
}

// openList binds a call of the list name, in customer scope (empty for
// provider-wide lists), to its filters, params less its cursor and limit;
// and opens params' cursor: it returns the page to ask storage for. A
// cursor not sealed for this list, scope and filters is Invalid. Call it
// after params are normalized and checked: the filters are sealed as
// they are then.
func (p *Portal) openList(ctx context.Context, name string, scope customer.ID, params pageParams) (listCursor, storage.Page, error) {
	lc := listCursor{p: p, name: name, scope: scope, params: params}
	page := params.page()
	if page.Cursor == "" {
		return lc, page, nil
	}
	plain, seal, ok := strings.Cut(page.Cursor, ".")
	if !ok || plain == "" {
		return lc, storage.Page{}, errBadCursor()
	}
	key, err := p.cursorKey(ctx)
	if err != nil {
		return lc, storage.Page{}, err
	}
	// Compared as text: the one encoding of the seal opens, no variant of it.
	if !hmac.Equal([]byte(seal), []byte(lc.seal(key, plain))) {
		return lc, storage.Page{}, errBadCursor()
	}
	page.Cursor = plain
	return lc, page, nil
}

// seal returns the seal of plain for this list call. Only a call that
// opens or hands out a cursor seals, so a first page that is also the last
// costs no encoding of its filters.
func (lc listCursor) seal(key []byte, plain string) string {
	m := hmac.New(sha256.New, key)
	for _, part := range []string{"portalkit cursor v1", lc.name, string(lc.scope), string(filtersOf(lc.params)), plain} {
		// Each part with its length, so that no two lists of parts run together alike.
		_ = binary.Write(m, binary.BigEndian, uint32(len(part)))
		m.Write([]byte(part))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// sealed returns l with its NextCursor sealed for lc; err passes through.
func sealed[T any](ctx context.Context, lc listCursor, l List[T], err error) (List[T], error) {
	if err != nil || l.NextCursor == "" {
		return l, err
	}
	key, err := lc.p.cursorKey(ctx)
	if err != nil {
		return List[T]{}, err
	}
	l.NextCursor += "." + lc.seal(key, l.NextCursor)
	return l, nil
}

// filtersOf returns params as JSON without their cursor and limit: the
// filters a cursor is bound to. Object keys are sorted, so equal filters
// give equal bytes.
func filtersOf(params any) []byte {
	// Every params struct marshals: they hold strings, numbers, booleans
	// and slices of them.
	b, _ := json.Marshal(params)
	var m map[string]json.RawMessage
	_ = json.Unmarshal(b, &m)
	delete(m, "cursor")
	delete(m, "limit")
	b, _ = json.Marshal(m)
	return b
}
