package postgres_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// customerBench runs storagetest's customer benchmarks on a fresh schema
// each, the same benchmarks as storage/sqlite's, so the two backends'
// figures can be put side by side.
var customerBench = storagetest.CustomerBench{
	Open: func(b *testing.B) storage.Store { return postgrestest.Open(b) },
	// As autovacuum would leave the table a little later: statistics, so
	// the planner knows its size, and the trigram index's pending entries
	// merged, so a search does not scan them.
	Settle: func(b *testing.B, s storage.Store) {
		ctx := b.Context()
		require.NoError(b, s.InTx(ctx, func(r storage.Repos) error {
			tx := postgres.TxOf(r)
			if _, err := tx.ExecContext(ctx, `ANALYZE customers`); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `SELECT gin_clean_pending_list(oid) FROM pg_class WHERE oid = to_regclass('customers_search')`)
			return err
		}))
	},
}

func BenchmarkCustomerCreate(b *testing.B) { storagetest.BenchmarkCustomerCreate(b, customerBench) }

func BenchmarkCustomerList(b *testing.B) { storagetest.BenchmarkCustomerList(b, customerBench) }
