package portal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// env is a portal under test with a staff owner context.
type env struct {
	p     *portal.Portal
	clock *portaltest.Clock
	owner context.Context
}

// backends lists the stores every portal test runs against: PostgreSQL
// too when PORTALKIT_TEST_POSTGRES_URL names a server.
var backends = func() map[string]func(t *testing.T) storage.Store {
	b := map[string]func(t *testing.T) storage.Store{
		"sqlite": newSQLiteStore,
	}
	if postgrestest.Enabled() {
		b["postgres"] = newPostgresStore
	}
	return b
}()

// eachBackend runs f once per backend with a fresh portal.
func eachBackend(t *testing.T, f func(t *testing.T, e env), opts ...func(*portal.Config)) {
	t.Helper()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each backend's env is its own
			f(t, newEnv(t, newStore(t), opts...))
		})
	}
}

func newEnv(t *testing.T, store storage.Store, opts ...func(*portal.Config)) env {
	t.Helper()
	clock := &portaltest.Clock{}
	opts = append([]func(*portal.Config){func(c *portal.Config) { c.Store = store }}, opts...)
	return env{p: portaltest.New(t, clock, opts...), clock: clock, owner: portaltest.Owner(t.Context())}
}

func (e env) createCustomer(t *testing.T, name string) customer.Customer {
	t.Helper()
	c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: name})
	require.NoError(t, err)
	return c
}

func (e env) addMember(t *testing.T, cid customer.ID, email string, role customer.Role, sites ...customer.SiteID) portal.Member {
	t.Helper()
	m, err := e.p.AddMember(e.owner, cid, portal.AddMemberParams{Email: email, Name: email, Role: role, SiteIDs: sites})
	require.NoError(t, err)
	return m
}

func (e env) createSite(t *testing.T, cid customer.ID, name string) customer.Site {
	t.Helper()
	s, err := e.p.CreateSite(e.owner, cid, portal.SiteParams{Name: name})
	require.NoError(t, err)
	return s
}

func eur(amount int64) orders.Money { return orders.Money{Amount: amount, Currency: "EUR"} }

// createProduct adds a product to the provider's portfolio: a global one,
// or, with owner, one only that customer sees.
func (e env) createProduct(t *testing.T, sku, name string, price int64, owner customer.ID) orders.Product {
	t.Helper()
	p, err := e.p.CreateProduct(e.owner, portal.CreateProductParams{
		SKU: sku, Name: name, Category: "devices", Price: eur(price), CustomerID: owner, Attributes: map[string]string{"warranty": "3 years"},
	})
	require.NoError(t, err)
	return p
}

// as returns a context acting as the member.
func as(t *testing.T, m portal.Member) context.Context {
	return identity.NewContext(t.Context(), identity.User(m.Membership))
}

// assertCode checks that err carries code. msgAndArgs optionally explain
// the check: a format string and its arguments.
func assertCode(t *testing.T, want portalerr.Code, err error, msgAndArgs ...any) bool {
	t.Helper()
	what := ""
	if len(msgAndArgs) > 0 {
		what = fmt.Sprintf(fmt.Sprint(msgAndArgs[0]), msgAndArgs[1:]...) + ": "
	}
	return assert.Equal(t, want, portalerr.CodeOf(err), "%serror %v", what, err)
}

// assertOneWins checks the errors of callers that raced for one change:
// exactly one succeeded and every other got Conflict.
func assertOneWins(t *testing.T, errs []error, msg string) bool {
	t.Helper()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		assertCode(t, portalerr.Conflict, err, "a loser")
	}
	return assert.Equal(t, 1, won, msg)
}

// stockSnapshot is everything the staff owner sees of customer cid's
// supplier warehouse: levels, items and each item's history.
func (e env) stockSnapshot(t *testing.T, cid customer.ID) []any {
	t.Helper()
	levels, err := e.p.ListStockLevels(e.owner, cid, portal.ListStockLevelsParams{Limit: 100})
	require.NoError(t, err)
	items, err := e.p.ListStockItems(e.owner, cid, portal.ListStockItemsParams{Limit: 100})
	require.NoError(t, err)
	out := []any{levels, items}
	for _, it := range items.Items {
		h, err := e.p.GetStockItem(e.owner, cid, it.ID)
		require.NoError(t, err)
		out = append(out, h.History)
	}
	return out
}

// fieldsOf returns the field names of err's violations.
func fieldsOf(err error) []string {
	var out []string
	for _, f := range portalerr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}

// anyFiles is a portal.FileStore that keeps nothing: Put reads the upload
// and makes up its metadata, Get answers "hello" for any key. It lets the
// authorization matrix copy its database without the files.
type anyFiles struct{}

func (anyFiles) Put(_ context.Context, name string, r io.Reader, _ filemeta.Limits) (filemeta.File, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return filemeta.File{}, err
	}
	sum := sha256.Sum256(b)
	return filemeta.File{Key: filemeta.NewKey(), Name: name, ContentType: http.DetectContentType(b), Size: int64(len(b)), SHA256: hex.EncodeToString(sum[:])}, nil
}

func (anyFiles) Get(_ context.Context, key filemeta.Key) (io.ReadSeekCloser, filemeta.File, error) {
	return nopSeekCloser{strings.NewReader("hello")}, filemeta.File{Key: key, ContentType: "text/plain; charset=utf-8", Size: 5}, nil
}

func (anyFiles) Delete(context.Context, filemeta.Key) error { return nil }

type nopSeekCloser struct{ io.ReadSeeker }

func (nopSeekCloser) Close() error { return nil }
