package portal_test

import (
	"testing"

	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

func newSQLiteStore(t *testing.T) storage.Store { return portaltest.Store(t) }

// newPostgresStore opens a store on a schema of its own, dropped when t
// ends.
func newPostgresStore(t *testing.T) storage.Store { return postgrestest.Open(t) }
