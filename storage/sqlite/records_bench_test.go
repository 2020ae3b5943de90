package sqlite_test

import (
	"testing"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// openRecordTable returns a store whose database holds t's customers and
// records with their identifier rows (storagetest.OpenRecordTable),
// seeded by openSeeded.
func openRecordTable(b *testing.B, t storagetest.RecordTable) storage.Store {
	b.Helper()
	return openRecordTableWith(b, t)
}

func openRecordTableWith(b *testing.B, t storagetest.RecordTable, opts ...sqlite.Option) storage.Store {
	b.Helper()
	return openSeededWith(b, opts, []string{"customers", "records", "record_identifiers", "record_text_rows"}, []any{t.Customers, t.Records},
		seedCustomers,
		`INSERT INTO records
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
		SELECT printf('rec_%012d', i), printf('cus_%012d', i % ?1), '', 'meter', 1, 'ext-' || i,
			json_object('meter_number', printf('M-%09d', i), 'contract_number', printf('C-%09d', i), 'medium', 'gas'),
			printf('ext-%d' || char(10) || 'm-%09d' || char(10) || 'c-%09d' || char(10) || 'gas', i, i, i),
			printf(char(10) || 'm-%09d' || char(10) || 'c-%09d' || char(10) || 'gas', i, i),
			1, `+seedTS+`, `+seedTS+` FROM n`,
		`INSERT INTO record_identifiers
		SELECT 'meter', 'meter_number', printf('M-%09d', CAST(substr(id, 5) AS INTEGER)), id FROM records`,
		`INSERT INTO record_identifiers
		SELECT 'meter', 'contract_number', printf('C-%09d', CAST(substr(id, 5) AS INTEGER)), id FROM records`,
		// The full-text index (00100), built once from the rows.
		`INSERT INTO record_text_rows (record_id) SELECT id FROM records ORDER BY id`,
		`INSERT INTO record_text (record_text) VALUES ('rebuild')`,
	)
}

// BenchmarkRecordSearch is storagetest.BenchmarkRecordSearch on this backend.
func BenchmarkRecordSearch(b *testing.B) { storagetest.BenchmarkRecordSearch(b, openRecordTable) }

// BenchmarkRecordSearchWithoutFTS is BenchmarkRecordSearch with text
// searched by LIKE on the records, as before the FTS5 index (migration
// 00100): its text searches, against the identifier searches of the same
// run, are the figures the index is measured by.
func BenchmarkRecordSearchWithoutFTS(b *testing.B) {
	storagetest.BenchmarkRecordSearch(b, func(b *testing.B, t storagetest.RecordTable) storage.Store {
		return openRecordTableWith(b, t, sqlite.WithoutRecordText())
	})
}
