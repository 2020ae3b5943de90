package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// recordTables are the tables openRecordTable fills.
var recordTables = []string{"customers", "records", "record_identifiers"}

// openRecordTable returns a store that holds t's customers and records
// with their identifier rows (storagetest.OpenRecordTable), seeded by
// openSeeded.
func openRecordTable(b *testing.B, t storagetest.RecordTable) storage.Store {
	b.Helper()
	return openSeeded(b, recordTables, pgx.NamedArgs{"customers": t.Customers, "records": t.Records},
		seedCustomers,
		`INSERT INTO records
		SELECT 'rec_' || lpad(i::text, 12, '0'), 'cus_' || lpad((i % @customers::int)::text, 12, '0'), '', 'meter', 1, 'ext-' || i,
			jsonb_build_object('meter_number', 'M-' || lpad(i::text, 9, '0'), 'contract_number', 'C-' || lpad(i::text, 9, '0'), 'medium', 'gas'),
			'ext-' || i || E'\nm-' || lpad(i::text, 9, '0') || E'\nc-' || lpad(i::text, 9, '0') || E'\ngas',
			E'\nm-' || lpad(i::text, 9, '0') || E'\nc-' || lpad(i::text, 9, '0') || E'\ngas',
			1, `+seedTS+`, `+seedTS+`
		FROM generate_series(0, @records::int - 1) i`,
		`INSERT INTO record_identifiers
		SELECT 'meter', f, CASE f WHEN 'meter_number' THEN 'M-' ELSE 'C-' END || substr(id, 5 + 3), id
		FROM records, unnest(ARRAY['meter_number', 'contract_number']) f`,
	)
}

// BenchmarkRecordSearch is storagetest.BenchmarkRecordSearch on this backend.
func BenchmarkRecordSearch(b *testing.B) { storagetest.BenchmarkRecordSearch(b, openRecordTable) }

// BenchmarkRecordSearchWithoutTrigram is BenchmarkRecordSearch without
// the trigram indexes of migration 00100, as on a server without pg_trgm:
// its text searches, against the identifier searches of the same run,
// are the figures the indexes are measured by.
func BenchmarkRecordSearchWithoutTrigram(b *testing.B) {
	storagetest.BenchmarkRecordSearch(b, func(b *testing.B, t storagetest.RecordTable) storage.Store {
		s := openRecordTable(b, t)
		require.NoError(b, s.InTx(b.Context(), func(r storage.Repos) error {
			_, err := postgres.TxOf(r).ExecContext(b.Context(), `DROP INDEX records_text_all, records_text_shown`)
			return err
		}))
		return s
	})
}
