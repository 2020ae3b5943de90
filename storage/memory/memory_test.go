package memory_test

import (
	"testing"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/memory"
	"github.com/portalkit/portalkit/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.Run(t, func(t *testing.T) storage.Store {
		s := memory.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}
