package httpapi_test

import (
	"testing"

	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// emptySQLite hands out copies of an empty, migrated database; TestMain
// removes it.
var emptySQLite sqlitepool.Empty

// emptyStore returns an empty SQLite store, which an earlier test may have
// used and emptied again.
func emptyStore(t *testing.T) *sqlite.Store {
	t.Helper()
	return emptySQLite.Take(t)
}
