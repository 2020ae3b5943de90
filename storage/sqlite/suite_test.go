package sqlite_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// TestConformance runs the suite on stores from OpenTemp: each a copy of
// one migrated database, as Open would leave a new file, without
// migrating hundreds of times (Open itself is tested in sqlite_test.go).
func TestConformance(t *testing.T) {
	storagetest.RunParallel(t, func(t *testing.T) storage.Store {
		s, err := sqlite.OpenTemp(t.Context())
		require.NoError(t, err)
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
