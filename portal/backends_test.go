package portal_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// emptySQLite hands out copies of an empty, migrated database, made once
// per process (sqlitepool): a test's copy has the tables it wrote emptied
// when the test ends and is kept for a later test, which saves that test
// opening connections and preparing statements anew.
var emptySQLite struct {
	once sync.Once
	dir  string
	pool *sqlitepool.Pool
	err  error
}

// newSQLiteStore returns an empty SQLite store, which an earlier test may
// have used and emptied again.
func newSQLiteStore(t *testing.T) storage.Store {
	t.Helper()
	es := &emptySQLite
	es.once.Do(func() {
		ctx := context.Background()
		if es.dir, es.err = os.MkdirTemp("", "portalkit-empty-"); es.err != nil {
			return
		}
		s, err := sqlite.OpenTemp(ctx)
		if err != nil {
			es.err = err
			return
		}
		defer s.Close()
		path := filepath.Join(es.dir, "empty.db")
		if es.err = sqlite.Backup(ctx, s, path); es.err == nil {
			es.pool = sqlitepool.New(path)
		}
	})
	require.NoError(t, es.err, "making the empty SQLite database")
	return es.pool.Take(t)
}

// newPostgresStore opens a store on a schema of its own, dropped when t
// ends.
func newPostgresStore(t *testing.T) storage.Store { return postgrestest.Open(t) }
