package postgres_test

import (
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// The benchmarks mirror storage/sqlite's orders_bench_test.go, names, table
// sizes and seed included, so the two backends' figures can be put side by
// side.

// seededTables are the tables openOrderTable fills.
const seededTables = `{customers,products,orders,order_lines,order_events}`

// openOrderTable returns a store on a fresh schema (see postgrestest.URL)
// that holds t's customers, two products and t's orders (one line and one
// history event each; one in fifty submitted, the rest fulfilled), seeded
// with INSERT ... SELECT over generate_series on a connection of its own,
// so that a million orders take well under a minute.
func openOrderTable(b *testing.B, t storagetest.OrderTable) storage.Store {
	b.Helper()
	url := postgrestest.URL(b)
	s := openStore(b, url) // applies the migrations
	conn := connect(b, url)
	ctx := b.Context()
	started := time.Now()
	tx, err := conn.Begin(ctx)
	require.NoError(b, err)
	defer func() { _ = tx.Rollback(ctx) }()
	// Building the indexes and checking the foreign keys once, after the
	// rows, is faster than keeping them up to date row by row (for a
	// million orders on two busy cores, 40 seconds against 3 minutes). So the
	// seeded tables' constraints (and the foreign keys that refer to them)
	// and indexes are dropped here and made again from their definitions.
	type ddl struct{ Table, Name, Def string }
	collect := func(q string) []ddl {
		rows, err := tx.Query(ctx, q, seededTables)
		require.NoError(b, err)
		l, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ddl])
		require.NoError(b, err, q)
		return l
	}
	// Foreign keys first: a primary key cannot be dropped while one refers to it.
	constraints := collect(`SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid)
		FROM pg_constraint
		WHERE contype IN ('p', 'u', 'f') AND (conrelid = ANY($1::regclass[]) OR confrelid = ANY($1::regclass[]))
		ORDER BY contype = 'f' DESC, conname`)
	indexes := collect(`SELECT indrelid::regclass::text, indexrelid::regclass::text, pg_get_indexdef(indexrelid)
		FROM pg_index
		WHERE indrelid = ANY($1::regclass[])
			AND indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE conrelid = indrelid AND contype IN ('p', 'u'))`)
	for _, c := range constraints {
		_, err := tx.Exec(ctx, `ALTER TABLE `+c.Table+` DROP CONSTRAINT `+c.Name)
		require.NoError(b, err)
	}
	for _, ix := range indexes {
		_, err := tx.Exec(ctx, `DROP INDEX `+ix.Name)
		require.NoError(b, err)
	}
	_, err = tx.Exec(ctx, `SET LOCAL maintenance_work_mem = '256MB'`) // for building the indexes
	require.NoError(b, err)
	const ts = `'2026-01-05T09:00:00Z'`
	stmts := []string{
		// The columns of 00001; later ones have defaults.
		`INSERT INTO customers (id, name, legal_name, vat_id, contact_email, phone, address_line1, address_line2,
			address_postal_code, address_city, address_region, address_country, external_ref, parent_id, status,
			feature_order_authorization, feature_auto_confirm_orders, feature_inherit_global_portfolio, feature_pre_orders,
			feature_supplier_warehouse, feature_hr_sync, feature_tickets, feature_access_links, version, created_at, updated_at)
		SELECT 'cus_' || lpad(i::text, 12, '0'), 'Customer ' || i, '', '', '', '', '', '', '', '', '', 'DE',
			NULL, NULL, 'active', true, false, true, false, false, false, false, false, 1, ` + ts + `, ` + ts + `
		FROM generate_series(0, @customers::int - 1) i`,
		`INSERT INTO products VALUES
			('prd_000000000001', 'LAP-14', 'Laptop 14', '', 'laptops', 129900, 'EUR', true, '{}', NULL, 1, ` + ts + `, ` + ts + `),
			('prd_000000000002', 'PHN-6', 'Phone 6', '', 'phones', 69900, 'EUR', true, '{}', NULL, 1, ` + ts + `, ` + ts + `)`,
		`INSERT INTO orders
		SELECT 'ord_' || lpad(i::text, 12, '0'), i + 1, 'cus_' || lpad((i % @customers::int)::text, 12, '0'), NULL, 'standard',
			CASE WHEN i % 50 = 0 THEN 'submitted' ELSE 'fulfilled' END, 'EUR',
			'', '', '', '', '', '', 'Bob', '', '', NULL, '', 'usr_000000000001', 1, ` + ts + `, ` + ts + `
		FROM generate_series(0, @orders::int - 1) i`,
		`INSERT INTO order_lines
		SELECT id, 1, 'prd_000000000001', 'LAP-14', 'Laptop 14', 129900, 'EUR', 1 FROM orders`,
		`INSERT INTO order_events
		SELECT id, 1, '', 'submitted', ` + ts + `, 'user:usr_000000000001', '' FROM orders`,
		`SELECT setval('order_number', @orders::bigint + 1, false)`,
	}
	args := pgx.NamedArgs{"customers": t.Customers, "orders": t.Orders}
	for _, q := range stmts {
		_, err := tx.Exec(ctx, q, args)
		require.NoError(b, err, q)
	}
	for _, ix := range indexes {
		_, err := tx.Exec(ctx, ix.Def)
		require.NoError(b, err, ix.Def)
	}
	for i := len(constraints) - 1; i >= 0; i-- { // foreign keys last
		c := constraints[i]
		_, err := tx.Exec(ctx, `ALTER TABLE `+c.Table+` ADD CONSTRAINT `+c.Name+` `+c.Def)
		require.NoError(b, err, c.Def)
	}
	require.NoError(b, tx.Commit(ctx))
	// As autovacuum would leave the tables a little later: statistics for
	// the planner, the visibility map for index-only scans, and the new
	// rows' hint bits set, so that no benchmark pays for writing them on
	// its first reads.
	_, err = conn.Exec(ctx, `VACUUM (ANALYZE) customers, products, orders, order_lines, order_events`)
	require.NoError(b, err)
	b.Logf("seeded %d orders of %d customers in %s", t.Orders, t.Customers, time.Since(started).Round(time.Millisecond))
	return s
}

// BenchmarkOrderPlace is storagetest.BenchmarkOrderPlace on this backend.
func BenchmarkOrderPlace(b *testing.B) { storagetest.BenchmarkOrderPlace(b, openOrderTable) }

// BenchmarkOrderList is storagetest.BenchmarkOrderList on this backend.
func BenchmarkOrderList(b *testing.B) { storagetest.BenchmarkOrderList(b, openOrderTable) }
