package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// seedTS is the time of every seeded row.
const seedTS = `'2026-01-05T09:00:00.000000Z'`

// seedCustomers fills the customers table with ?1 active customers
// cus_000000000000 … (storagetest.OpenOrderTable, OpenRecordTable).
const seedCustomers = `INSERT INTO customers (id, name, legal_name, vat_id, contact_email, phone, address_line1, address_line2,
	address_postal_code, address_city, address_region, address_country, external_ref, parent_id, status,
	feature_order_authorization, feature_auto_confirm_orders, feature_inherit_global_portfolio, feature_pre_orders,
	feature_supplier_warehouse, feature_hr_sync, feature_tickets, feature_access_links, version, created_at, updated_at)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
SELECT printf('cus_%012d', i), 'Customer ' || i, '', '', '', '', '', '', '', '', '', 'DE',
	NULL, NULL, 'active', 1, 0, 1, 0, 0, 0, 0, 0, 1, ` + seedTS + `, ` + seedTS + ` FROM n`

// openSeeded returns a store on a fresh file whose tables (those named)
// are filled by stmts, each run with args, in one transaction on a
// connection of its own, so that a million rows take seconds: the
// benchmarks' tables of every size (orders, records) are seeded this way.
// The columns a statement leaves out are those of later migrations, which
// have defaults.
func openSeeded(b *testing.B, tables []string, args []any, stmts ...string) storage.Store {
	b.Helper()
	return openSeededWith(b, nil, tables, args, stmts...)
}

// openSeededWith is openSeeded with the store opened with opts.
func openSeededWith(b *testing.B, opts []sqlite.Option, tables []string, args []any, stmts ...string) storage.Store {
	b.Helper()
	path := filepath.Join(b.TempDir(), "portal.db")
	s, err := sqlite.Open(b.Context(), path, opts...) // applies the migrations
	require.NoError(b, err)
	b.Cleanup(func() { _ = s.Close() })
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	require.NoError(b, err)
	defer db.Close()
	ctx := b.Context()
	started := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(b, err)
	defer func() { _ = tx.Rollback() }()
	// Building the indexes after the rows is much faster than keeping them
	// up to date row by row.
	var indexes []string
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN (SELECT value FROM json_each(?))`, `["`+strings.Join(tables, `","`)+`"]`)
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
	for _, q := range stmts {
		_, err := tx.ExecContext(ctx, q, args...)
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
	b.Logf("seeded %v (%v) in %s", tables, args, time.Since(started).Round(time.Millisecond))
	return s
}
