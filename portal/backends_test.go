package portal_test

import (
	"testing"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/memory"
)

func newMemoryStore(*testing.T) storage.Store { return memory.New() }
