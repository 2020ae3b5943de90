package portal_test

import (
	"testing"

	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// emptySQLite hands out copies of an empty, migrated database; TestMain
// removes it.
var emptySQLite sqlitepool.Empty

// newSQLiteStore returns an empty SQLite store, which an earlier test may
// have used and emptied again.
func newSQLiteStore(t *testing.T) storage.Store { return emptySQLite.Take(t) }

// newPostgresStore opens a store on a schema of its own, dropped when t
// ends.
func newPostgresStore(t *testing.T) storage.Store { return postgrestest.Open(t) }
