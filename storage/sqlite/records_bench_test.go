package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// openRecordTable returns a store whose database holds t's customers and
// records with their identifier rows (storagetest.OpenRecordTable), seeded
// with bulk SQL on a connection of its own, indexes built after the rows.
func openRecordTable(b *testing.B, t storagetest.RecordTable) storage.Store {
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
	var indexes []string
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('customers', 'records', 'record_identifiers')`)
	require.NoError(b, err)
	for rows.Next() {
		var q string
		require.NoError(b, rows.Scan(&q))
		indexes = append(indexes, q)
	}
	require.NoError(b, rows.Err())
	require.NoError(b, rows.Close())
	for _, q := range indexes {
		f := strings.Fields(q) // CREATE [UNIQUE] INDEX <name> ON ...
		_, err := tx.ExecContext(ctx, `DROP INDEX `+f[slices.Index(f, "INDEX")+1])
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
		`INSERT INTO records
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
		SELECT printf('rec_%012d', i), printf('cus_%012d', i % ?1), '', 'meter', 1, 'ext-' || i,
			json_object('meter_number', printf('M-%09d', i), 'contract_number', printf('C-%09d', i), 'medium', 'gas'),
			printf('ext-%d' || char(10) || 'm-%09d' || char(10) || 'c-%09d' || char(10) || 'gas', i, i, i),
			printf(char(10) || 'm-%09d' || char(10) || 'c-%09d' || char(10) || 'gas', i, i),
			1, ` + ts + `, ` + ts + ` FROM n`,
		`INSERT INTO record_identifiers
		SELECT 'meter', 'meter_number', printf('M-%09d', CAST(substr(id, 5) AS INTEGER)), id FROM records`,
		`INSERT INTO record_identifiers
		SELECT 'meter', 'contract_number', printf('C-%09d', CAST(substr(id, 5) AS INTEGER)), id FROM records`,
	}
	for _, q := range stmts {
		_, err := tx.ExecContext(ctx, q, t.Customers, t.Records)
		require.NoError(b, err, q)
	}
	for _, q := range indexes {
		_, err := tx.ExecContext(ctx, q)
		require.NoError(b, err, q)
	}
	require.NoError(b, tx.Commit())
	for _, q := range []string{`ANALYZE`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		_, err = db.ExecContext(ctx, q)
		require.NoError(b, err, q)
	}
	b.Logf("seeded %d records of %d customers in %s", t.Records, t.Customers, time.Since(started).Round(time.Millisecond))
	return s
}

// BenchmarkRecordSearch is storagetest.BenchmarkRecordSearch on this backend.
func BenchmarkRecordSearch(b *testing.B) { storagetest.BenchmarkRecordSearch(b, openRecordTable) }
