package postgres_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

var errRollback = errors.New("roll back")

// nextNumber takes an order number in a transaction of its own.
func nextNumber(t *testing.T, s *postgres.Store) (orders.Number, error) {
	t.Helper()
	var n orders.Number
	err := s.InTx(t.Context(), func(r storage.Repos) error {
		var err error
		n, err = r.Orders().NextNumber(t.Context())
		return err
	})
	return n, err
}

// TestNextNumberDoesNotWait shows what the sequence gives: while a
// transaction holds a number it has not committed, another transaction
// (here a second replica, whose lock_timeout would give up waiting, and
// which does not retry) takes the next one at once. Numbers increase in
// the order they are taken; a rolled-back number is skipped.
func TestNextNumberDoesNotWait(t *testing.T) {
	ctx := t.Context()
	url := postgrestest.MigratedURL(t)
	a := openStore(t, url)
	b := openStore(t, url+"&lock_timeout=100", postgres.WithTxAttempts(1))

	var first, second orders.Number
	require.NoError(t, a.InTx(ctx, func(r storage.Repos) error {
		var err error
		if first, err = r.Orders().NextNumber(ctx); err != nil {
			return err
		}
		second, err = nextNumber(t, b)
		require.NoError(t, err, "a number while another transaction holds one")
		return nil
	}))
	assert.Equal(t, first+1, second, "numbers increase in the order they are taken")

	var rolledBack orders.Number
	err := a.InTx(ctx, func(r storage.Repos) error {
		var err error
		rolledBack, err = r.Orders().NextNumber(ctx)
		require.NoError(t, err)
		return errRollback
	})
	require.ErrorIs(t, err, errRollback)
	assert.Equal(t, second+1, rolledBack)
	third, err := nextNumber(t, b)
	require.NoError(t, err)
	assert.Equal(t, rolledBack+1, third, "a rolled-back number is skipped")
}

// TestSKUFoldsASCIIOnly checks that SKUs are unique ignoring ASCII case
// only, as the contract says and SQLite's NOCASE does, whatever the
// database's locale would make of other letters.
func TestSKUFoldsASCIIOnly(t *testing.T) {
	ctx := t.Context()
	s := postgrestest.Open(t)
	create := func(id, sku string) error {
		p := orders.Product{ID: orders.ProductID(id), SKU: sku, Name: sku, Price: orders.Money{Amount: 1, Currency: "EUR"},
			Active: true, Version: 1, CreatedAt: t0, UpdatedAt: t0}
		return s.InTx(ctx, func(r storage.Repos) error { return r.Products().Create(ctx, p) })
	}
	for i, tc := range []struct {
		sku  string
		want error
	}{
		{"ÄRM-1", nil},
		{"ärm-1", nil},                      // Ä and ä are not ASCII letters
		{"äRM-1", storage.ErrAlreadyExists}, // the ASCII letters differ in case only
		{"Ärm-1", storage.ErrAlreadyExists},
	} {
		err := create(fmt.Sprintf("prd_%d", i), tc.sku)
		if tc.want == nil {
			assert.NoError(t, err, tc.sku)
		} else {
			assert.ErrorIs(t, err, tc.want, tc.sku)
		}
	}
}

// TestProductSearchHasTrigramIndex checks that product search, like
// customer search, can be answered by a trigram index where pg_trgm is
// installed.
func TestProductSearchHasTrigramIndex(t *testing.T) {
	ctx := t.Context()
	url := postgrestest.URL(t)
	openStore(t, url)
	conn := connect(t, url)
	var trgm bool
	require.NoError(t, conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')`).Scan(&trgm))
	if !trgm {
		t.Skip("pg_trgm is not installed on this server: search scans, by design")
	}
	_, err := conn.Exec(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	rows, err := conn.Query(ctx, `EXPLAIN SELECT id FROM products WHERE sku ILIKE '%lap%' OR name ILIKE '%lap%'`)
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(lines), "products_search")
}
