package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		return openStore(t, filepath.Join(t.TempDir(), "portal.db"))
	})
}
