package postgres_test

import (
	"testing"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
	"github.com/portalkit/portalkit/storage/storagetest"
)

func TestConformance(t *testing.T) {
	storagetest.RunParallel(t, func(t *testing.T) storage.Store { return postgrestest.OpenShared(t) })
}
