package portal_test

import (
	"bytes"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// assertBadCursor checks that err refuses the cursor, naming it.
func assertBadCursor(t *testing.T, err error, msgAndArgs ...any) {
	t.Helper()
	if assertCode(t, portalerr.Invalid, err, msgAndArgs...) {
		require.Len(t, portalerr.FieldsOf(err), 1)
		assert.Equal(t, "cursor", portalerr.FieldsOf(err)[0].Field)
	}
}

// TestCursorsAreSealed checks that a list opens only the cursors it made:
// not a position written by hand, not an edited cursor, and not one made
// for another list, another customer's list or other filters. The page
// size may change between pages.
func TestCursorsAreSealed(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		acme, globex, initech := e.createCustomer(t, "Acme"), e.createCustomer(t, "Globex"), e.createCustomer(t, "Initech")
		first, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{Limit: 1})
		require.NoError(t, err)
		require.Equal(t, acme.ID, first.Items[0].ID)
		next := first.NextCursor
		require.NotEmpty(t, next)

		rest, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{Cursor: next, Limit: 5})
		require.NoError(t, err)
		assert.Equal(t, []customer.ID{globex.ID, initech.ID}, customerIDs(rest.Items), "the cursor opens with another page size")

		plain, seal, ok := strings.Cut(next, ".")
		require.True(t, ok, "a cursor is a position and its seal: %q", next)
		flipped := []byte(seal)
		flipped[0] ^= 1
		forged := map[string]string{
			"a position written by hand":           storage.Cursor(string(acme.ID)),
			"another position with this seal":      storage.Cursor(string(globex.ID)) + "." + seal,
			"an edited seal":                       plain + "." + string(flipped),
			"the position alone":                   plain,
			"the seal alone":                       "." + seal,
			"more after the seal":                  next + "A",
			"a line break after the seal":          next + "\n",
			"the seal in standard base64":          plain + "." + strings.NewReplacer("-", "+", "_", "/").Replace(seal) + "=",
			"any base64":                           base64.RawURLEncoding.EncodeToString([]byte("cus_0000000001")),
			"not even base64":                      "!!",
			"a seal of all zeros the right length": plain + "." + base64.RawURLEncoding.EncodeToString(make([]byte, 32)),
		}
		for name, c := range forged {
			_, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{Cursor: c, Limit: 1})
			assertBadCursor(t, err, name)
		}

		// Bound to the list and its filters.
		for name, params := range map[string]portal.ListCustomersParams{
			"a search":    {Cursor: next, Search: "acme"},
			"a status":    {Cursor: next, Statuses: []customer.Status{customer.StatusActive}},
			"a parent":    {Cursor: next, ParentID: acme.ID},
			"all at once": {Cursor: next, Search: "i", Statuses: []customer.Status{customer.StatusActive}},
		} {
			_, err := e.p.ListCustomers(e.owner, params)
			assertBadCursor(t, err, "the customers cursor with %s", name)
		}
		_, err = e.p.ListProducts(e.owner, portal.ListProductsParams{Cursor: next})
		assertBadCursor(t, err, "the customers cursor on products")
		_, err = e.p.ListAPIKeys(e.owner, portal.ListAPIKeysParams{Cursor: next})
		assertBadCursor(t, err, "the customers cursor on API keys")
		_, err = e.p.ListSites(e.owner, acme.ID, portal.ListSitesParams{Cursor: next})
		assertBadCursor(t, err, "the customers cursor on sites")

		// A search's cursor is bound to the search as the list normalized it.
		e.createCustomer(t, "Initech Two")
		found, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{Search: "initech", Limit: 1})
		require.NoError(t, err)
		require.NotEmpty(t, found.NextCursor)
		more, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{Search: "  initech ", Cursor: found.NextCursor, Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, "Initech Two", more.Items[0].Name)

		// Bound to the customer it lists in.
		e.createSite(t, acme.ID, "North")
		e.createSite(t, acme.ID, "South")
		e.createSite(t, globex.ID, "East")
		e.createSite(t, globex.ID, "West")
		sites, err := e.p.ListSites(e.owner, acme.ID, portal.ListSitesParams{Limit: 1})
		require.NoError(t, err)
		require.NotEmpty(t, sites.NextCursor)
		_, err = e.p.ListSites(e.owner, globex.ID, portal.ListSitesParams{Cursor: sites.NextCursor, Limit: 1})
		assertBadCursor(t, err, "Acme's sites cursor on Globex's sites")
		south, err := e.p.ListSites(e.owner, acme.ID, portal.ListSitesParams{Cursor: sites.NextCursor, Limit: 1})
		require.NoError(t, err)
		assert.Equal(t, "South", south.Items[0].Name)
	})
}

func customerIDs(cs []customer.Customer) []customer.ID {
	out := make([]customer.ID, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}

// TestCursorsAcrossPortals checks the default key, the one kept in the
// database: a cursor opens on every Portal of the database, as on the
// replicas of one server or after a restart, and on no other database.
func TestCursorsAcrossPortals(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := newStore(t)
			a := newEnv(t, store)
			a.createCustomer(t, "Acme")
			globex := a.createCustomer(t, "Globex")
			l, err := a.p.ListCustomers(a.owner, portal.ListCustomersParams{Limit: 1})
			require.NoError(t, err)
			require.NotEmpty(t, l.NextCursor)

			b := newEnv(t, store) // another replica, or a's server restarted
			got, err := b.p.ListCustomers(b.owner, portal.ListCustomersParams{Cursor: l.NextCursor})
			require.NoError(t, err, "a cursor opens on every Portal of its database")
			assert.Equal(t, []customer.ID{globex.ID}, customerIDs(got.Items))

			other := newEnv(t, newStore(t))
			other.createCustomer(t, "Acme")
			other.createCustomer(t, "Globex")
			_, err = other.p.ListCustomers(other.owner, portal.ListCustomersParams{Cursor: l.NextCursor})
			assertBadCursor(t, err, "another database has another key")
		})
	}
}

// TestCursorKey checks Config.CursorKey: Portals with one key open each
// other's cursors whatever their databases, a Portal with another key does
// not, nothing is kept in the database, and a short key is refused.
func TestCursorKey(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte("k"), portal.MinCursorKeyLen)
	withKey := func(k []byte) func(*portal.Config) { return func(c *portal.Config) { c.CursorKey = k } }
	a := newEnv(t, newSQLiteStore(t), withKey(key))
	b := newEnv(t, newSQLiteStore(t), withKey(bytes.Clone(key)))
	c := newEnv(t, newSQLiteStore(t), withKey(bytes.Repeat([]byte("c"), portal.MinCursorKeyLen)))
	var cursor string
	for _, e := range []env{a, b, c} {
		e.createCustomer(t, "Acme")
		e.createCustomer(t, "Globex")
		l, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{Limit: 1})
		require.NoError(t, err)
		if cursor == "" {
			cursor = l.NextCursor
		}
	}
	_, err := b.p.ListCustomers(b.owner, portal.ListCustomersParams{Cursor: cursor})
	assert.NoError(t, err, "the same key opens the cursor")
	_, err = c.p.ListCustomers(c.owner, portal.ListCustomersParams{Cursor: cursor})
	assertBadCursor(t, err, "another key does not")

	// With a key configured, the database keeps none.
	store := newSQLiteStore(t)
	d := newEnv(t, store, withKey(key))
	d.createCustomer(t, "Acme")
	d.createCustomer(t, "Globex")
	_, err = d.p.ListCustomers(d.owner, portal.ListCustomersParams{Limit: 1})
	require.NoError(t, err)
	offered := bytes.Repeat([]byte("o"), portal.MinCursorKeyLen)
	require.NoError(t, store.InTx(t.Context(), func(r storage.Repos) error {
		stored, err := r.ServerKeys().GetOrCreate(t.Context(), "cursor", offered)
		assert.Equal(t, offered, stored, "no cursor key was stored before")
		return err
	}))

	_, err = portal.New(portal.Config{Store: store, CursorKey: key[:portal.MinCursorKeyLen-1]})
	assertCode(t, portalerr.Invalid, err)
	assert.Equal(t, "cursor_key", portalerr.FieldsOf(err)[0].Field)
}
