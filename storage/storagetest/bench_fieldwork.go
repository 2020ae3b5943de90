package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/storage"
)

// VisitBench is how a backend takes part in the visit-list benchmark, as
// CustomerBench is for customers.
type VisitBench struct {
	Open   func(b *testing.B) storage.Store
	Settle func(b *testing.B, s storage.Store)
	// Sizes are the table sizes to measure; nil means 10k, 100k and 1M.
	Sizes []int
}

// benchVisitEnd is the newest visit's start; visits lie one every five
// minutes before it, alternating between two customers.
var benchVisitEnd = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

// seed stores n visits of two customers, with ten sites and a job each,
// in transactions of 10k.
func (vb VisitBench) seed(b *testing.B, s storage.Store, n int) customer.ID {
	b.Helper()
	ctx := b.Context()
	started := time.Now()
	var jobs [2][]fieldwork.Job
	var cids [2]customer.ID
	require.NoError(b, s.InTx(ctx, func(r storage.Repos) error {
		for c := range 2 {
			cu := newCustomer(fmt.Sprintf("Customer %d", c))
			cids[c] = cu.ID
			if err := r.Customers().Create(ctx, cu); err != nil {
				return err
			}
			for k := range 10 {
				site := newSite(cu.ID, fmt.Sprintf("Site %d", k))
				if err := r.Sites().Create(ctx, site); err != nil {
					return err
				}
				j := newJob(cu.ID, site.ID, "Job", benchVisitEnd)
				if err := r.Jobs().Create(ctx, j); err != nil {
					return err
				}
				jobs[c] = append(jobs[c], j)
			}
		}
		return nil
	}))
	const batch = 10_000
	for start := 0; start < n; start += batch {
		err := s.InTx(ctx, func(r storage.Repos) error {
			for i := start; i < min(start+batch, n); i++ {
				c := i % 2
				v := newVisit(jobs[c][(i/2)%10], benchVisitEnd.Add(-time.Duration(i)*5*time.Minute))
				v.ID = fieldwork.VisitID(fmt.Sprintf("vis_%012d", i))
				if err := r.Visits().Create(ctx, v); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(b, err)
	}
	if vb.Settle != nil {
		vb.Settle(b, s)
	}
	b.Logf("seeded %d visits in %s", n, time.Since(started).Round(time.Millisecond))
	return cids[0]
}

// BenchmarkVisitList measures the portal's default view, the first page of
// one customer's visits of the last 30 days, and a page deep inside a
// range, over tables of growing size: with the range selected along the
// (customer_id, started_at, id) index, the time per list stays flat.
func BenchmarkVisitList(b *testing.B, vb VisitBench) {
	sizes := vb.Sizes
	if sizes == nil {
		sizes = []int{10_000, 100_000, 1_000_000}
	}
	for _, n := range sizes {
		b.Run(fmt.Sprintf("visits=%dk", n/1000), func(b *testing.B) {
			ctx := b.Context()
			s := vb.Open(b)
			cid := vb.seed(b, s, n)
			f := storage.VisitFilter{CustomerID: cid, Range: fieldwork.Range{From: benchVisitEnd.Add(-30 * 24 * time.Hour), To: benchVisitEnd}}
			b.ReportAllocs()
			for b.Loop() {
				err := s.ReadTx(ctx, func(r storage.Repos) error {
					l, err := r.Visits().List(ctx, f, storage.Page{Limit: 50})
					if err == nil && len(l.Items) != 50 {
						err = fmt.Errorf("got %d visits, want 50", len(l.Items))
					}
					if err == nil {
						// The next page: the keyset cursor seeks, it does not skip.
						_, err = r.Visits().List(ctx, f, storage.Page{Limit: 50, Cursor: l.NextCursor})
					}
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
