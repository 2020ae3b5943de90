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

// openRecordTable returns a store on a fresh schema that holds t's
// customers and records with their identifier rows
// (storagetest.OpenRecordTable), seeded with INSERT ... SELECT over
// generate_series on a connection of its own; the records' indexes are
// built after the rows.
func openRecordTable(b *testing.B, t storagetest.RecordTable) storage.Store {
	b.Helper()
	url := postgrestest.URL(b)
	s := openStore(b, url)
	conn := connect(b, url)
	ctx := b.Context()
	started := time.Now()
	tx, err := conn.Begin(ctx)
	require.NoError(b, err)
	defer func() { _ = tx.Rollback(ctx) }()
	type ddl struct{ Name, Def string }
	rows, err := tx.Query(ctx, `SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
		WHERE indrelid IN ('records'::regclass, 'record_identifiers'::regclass) AND NOT indisprimary AND NOT indisunique`)
	require.NoError(b, err)
	indexes, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ddl])
	require.NoError(b, err)
	for _, ix := range indexes {
		_, err := tx.Exec(ctx, `DROP INDEX `+ix.Name)
		require.NoError(b, err)
	}
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
		`INSERT INTO records
		SELECT 'rec_' || lpad(i::text, 12, '0'), 'cus_' || lpad((i % @customers::int)::text, 12, '0'), '', 'meter', 1, 'ext-' || i,
			jsonb_build_object('meter_number', 'M-' || lpad(i::text, 9, '0'), 'contract_number', 'C-' || lpad(i::text, 9, '0'), 'medium', 'gas'),
			'ext-' || i || E'\nm-' || lpad(i::text, 9, '0') || E'\nc-' || lpad(i::text, 9, '0') || E'\ngas',
			E'\nm-' || lpad(i::text, 9, '0') || E'\nc-' || lpad(i::text, 9, '0') || E'\ngas',
			1, ` + ts + `, ` + ts + `
		FROM generate_series(0, @records::int - 1) i`,
		`INSERT INTO record_identifiers
		SELECT 'meter', f, CASE f WHEN 'meter_number' THEN 'M-' ELSE 'C-' END || substr(id, 5 + 3), id
		FROM records, unnest(ARRAY['meter_number', 'contract_number']) f`,
	}
	args := pgx.NamedArgs{"customers": t.Customers, "records": t.Records}
	for _, q := range stmts {
		_, err := tx.Exec(ctx, q, args)
		require.NoError(b, err, q)
	}
	for _, ix := range indexes {
		_, err := tx.Exec(ctx, ix.Def)
		require.NoError(b, err, ix.Def)
	}
	require.NoError(b, tx.Commit(ctx))
	_, err = conn.Exec(ctx, `VACUUM (ANALYZE) customers, records, record_identifiers`)
	require.NoError(b, err)
	b.Logf("seeded %d records of %d customers in %s", t.Records, t.Customers, time.Since(started).Round(time.Millisecond))
	return s
}

// BenchmarkRecordSearch is storagetest.BenchmarkRecordSearch on this backend.
func BenchmarkRecordSearch(b *testing.B) { storagetest.BenchmarkRecordSearch(b, openRecordTable) }
