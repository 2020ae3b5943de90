package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// customerBench runs storagetest's customer benchmarks on a fresh file each.
var customerBench = storagetest.CustomerBench{
	Open: func(b *testing.B) storage.Store { return openStore(b, filepath.Join(b.TempDir(), "portal.db")) },
}

func BenchmarkCustomerCreate(b *testing.B) { storagetest.BenchmarkCustomerCreate(b, customerBench) }

func BenchmarkCustomerList(b *testing.B) { storagetest.BenchmarkCustomerList(b, customerBench) }

// BenchmarkVisitList runs storagetest's visit-list benchmark on a fresh
// file per size: the first two pages of a 30-day range of one customer's
// visits, at 10k, 100k and 1M visits.
func BenchmarkVisitList(b *testing.B) {
	storagetest.BenchmarkVisitList(b, storagetest.VisitBench{
		Open: func(b *testing.B) storage.Store { return openStore(b, filepath.Join(b.TempDir(), "portal.db")) },
	})
}
