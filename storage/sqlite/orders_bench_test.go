package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// openOrderTable returns a store whose database holds t's customers, two
// products and t's orders (one line and one history event each; one in
// fifty submitted, the rest fulfilled), seeded with bulk SQL on a
// connection of its own, so that a million orders take seconds.
func openOrderTable(b *testing.B, t storagetest.OrderTable) storage.Store {
	b.Helper()
	path := filepath.Join(b.TempDir(), "portal.db")
	s := openStore(b, path)
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	require.NoError(b, err)
	defer db.Close()
	ctx := b.Context()
	started := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(b, err)
	// Building the indexes after the rows is much faster than keeping them
	// up to date row by row.
	var indexes []string
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('customers', 'orders', 'order_lines', 'order_events')`)
	require.NoError(b, err)
	for rows.Next() {
		var q string
		require.NoError(b, rows.Scan(&q))
		indexes = append(indexes, q)
	}
	require.NoError(b, rows.Err())
	require.NoError(b, rows.Close())
	for _, q := range indexes {
		// CREATE [UNIQUE] INDEX [IF NOT EXISTS] <name> ON ...
		name := strings.Fields(q[:strings.Index(q, " ON ")])
		_, err := tx.ExecContext(ctx, `DROP INDEX `+name[len(name)-1])
		require.NoError(b, err)
	}
	const ts = `'2026-01-05T09:00:00.000000Z'`
	stmts := []string{
		// The columns of 00001; later ones have defaults.
		`INSERT INTO customers (id, name, legal_name, vat_id, contact_email, phone, address_line1, address_line2,
			address_postal_code, address_city, address_region, address_country, external_ref, parent_id, status,
			feature_order_authorization, feature_auto_confirm_orders, feature_inherit_global_portfolio, feature_pre_orders,
			feature_supplier_warehouse, feature_hr_sync, feature_tickets, feature_access_links, version, created_at, updated_at)
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
		SELECT printf('cus_%012d', i), 'Customer ' || i, '', '', '', '', '', '', '', '', '', 'DE',
			NULL, NULL, 'active', 1, 0, 1, 0, 0, 0, 0, 0, 1, ` + ts + `, ` + ts + ` FROM n`,
		`INSERT INTO products VALUES
			('prd_000000000001', 'LAP-14', 'Laptop 14', '', 'laptops', 129900, 'EUR', 1, '{}', NULL, 1, ` + ts + `, ` + ts + `),
			('prd_000000000002', 'PHN-6', 'Phone 6', '', 'phones', 69900, 'EUR', 1, '{}', NULL, 1, ` + ts + `, ` + ts + `)`,
		`INSERT INTO orders
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
		SELECT printf('ord_%012d', i), i + 1, printf('cus_%012d', i % ?1), NULL, 'standard',
			CASE WHEN i % 50 = 0 THEN 'submitted' ELSE 'fulfilled' END, 'EUR',
			'', '', '', '', '', '', 'Bob', '', '', NULL, '', 'usr_000000000001', 1, ` + ts + `, ` + ts + ` FROM n`,
		`INSERT INTO order_lines
		SELECT id, 1, 'prd_000000000001', 'LAP-14', 'Laptop 14', 129900, 'EUR', 1 FROM orders`,
		`INSERT INTO order_events
		SELECT id, 1, '', 'submitted', ` + ts + `, 'user:usr_000000000001', '' FROM orders`,
		`INSERT INTO counters VALUES ('order_number', ?2)`,
	}
	for _, q := range stmts {
		_, err := tx.ExecContext(ctx, q, t.Customers, t.Orders)
		require.NoError(b, err, q)
	}
	for _, q := range indexes {
		_, err := tx.ExecContext(ctx, q)
		require.NoError(b, err, q)
	}
	require.NoError(b, tx.Commit())
	// Statistics for the planner, and the seed moved from the WAL into the
	// database, so that no benchmark pays for checkpointing it.
	for _, q := range []string{`ANALYZE`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		_, err = db.ExecContext(ctx, q)
		require.NoError(b, err, q)
	}
	b.Logf("seeded %d orders of %d customers in %s", t.Orders, t.Customers, time.Since(started).Round(time.Millisecond))
	return s
}

// BenchmarkOrderPlace is storagetest.BenchmarkOrderPlace on this backend.
func BenchmarkOrderPlace(b *testing.B) { storagetest.BenchmarkOrderPlace(b, openOrderTable) }

// BenchmarkOrderList is storagetest.BenchmarkOrderList on this backend.
func BenchmarkOrderList(b *testing.B) { storagetest.BenchmarkOrderList(b, openOrderTable) }
