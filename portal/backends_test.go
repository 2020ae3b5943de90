package portal_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/memory"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
	"github.com/portalkit/portalkit/storage/sqlite"
)

func newMemoryStore(*testing.T) storage.Store { return memory.New() }

func newSQLiteStore(t *testing.T) storage.Store {
	t.Helper()
	s, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "portal.db"))
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newPostgresStore opens a store on a schema of its own, dropped when t
// ends.
func newPostgresStore(t *testing.T) storage.Store { return postgrestest.Open(t) }
