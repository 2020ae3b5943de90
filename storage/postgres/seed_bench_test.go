package postgres_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// The benchmarks mirror storage/sqlite's, names, table sizes and seed
// included, so the two backends' figures can be put side by side.

// seedTS is the time of every seeded row.
const seedTS = `'2026-01-05T09:00:00Z'`

// seedCustomers fills the customers table with @customers active
// customers cus_000000000000 … (storagetest.OpenOrderTable,
// OpenRecordTable).
const seedCustomers = `INSERT INTO customers (id, name, legal_name, vat_id, contact_email, phone, address_line1, address_line2,
	address_postal_code, address_city, address_region, address_country, external_ref, parent_id, status,
	feature_order_authorization, feature_auto_confirm_orders, feature_inherit_global_portfolio, feature_pre_orders,
	feature_supplier_warehouse, feature_hr_sync, feature_tickets, feature_access_links, version, created_at, updated_at)
SELECT 'cus_' || lpad(i::text, 12, '0'), 'Customer ' || i, '', '', '', '', '', '', '', '', '', 'DE',
	NULL, NULL, 'active', true, false, true, false, false, false, false, false, 1, ` + seedTS + `, ` + seedTS + `
FROM generate_series(0, @customers::int - 1) i`

// openSeeded returns a store on a fresh schema (see postgrestest.URL)
// whose tables (those named) are filled by stmts, each run with args,
// with INSERT ... SELECT over generate_series on a connection of its own,
// so that a million rows take well under a minute: the benchmarks' tables
// of every size (orders, records) are seeded this way. The columns a
// statement leaves out are those of later migrations, which have
// defaults.
func openSeeded(b *testing.B, tables []string, args pgx.NamedArgs, stmts ...string) storage.Store {
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
	seeded := `{` + strings.Join(tables, ",") + `}`
	type ddl struct{ Table, Name, Def string }
	collect := func(q string) []ddl {
		rows, err := tx.Query(ctx, q, seeded)
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
	_, err = conn.Exec(ctx, `VACUUM (ANALYZE) `+strings.Join(tables, ", "))
	require.NoError(b, err)
	b.Logf("seeded %v (%v) in %s", tables, args, time.Since(started).Round(time.Millisecond))
	return s
}
