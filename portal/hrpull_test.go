package portal_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// staticSource is a pull source with fixed records, counting its calls;
// with err set it fails.
type staticSource struct {
	recs  []hrsync.Record
	err   error
	calls atomic.Int64
}

func (s *staticSource) Name() string { return "personio" }

func (s *staticSource) List(context.Context) ([]hrsync.Record, error) {
	s.calls.Add(1)
	return s.recs, s.err
}

func sourceOf(n int) *staticSource {
	s := &staticSource{}
	for i := 1; i <= n; i++ {
		s.recs = append(s.recs, hrsync.Record{ExternalID: fmt.Sprintf("P%d", i), Name: fmt.Sprintf("Person %d", i)})
	}
	return s
}

func TestSyncFromSource(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHREnv(t, e)
		src := sourceOf(3)
		src.recs = append(src.recs, hrsync.Record{ExternalID: "P9"}) // no name
		run, err := e.p.SyncFrom(as(t, h.admin), h.acme.ID, src)
		require.NoError(t, err)
		assert.Equal(t, hrsync.RunApplied, run.Status)
		assert.Equal(t, "personio", run.Source)
		assert.Equal(t, hrsync.Counts{Create: 3, Errors: 1}, run.Plan.Counts)
		assert.Equal(t, []hrsync.RowError{{Line: 4, ExternalID: "P9", Message: "name is required"}}, run.Plan.Errors)
		assert.Equal(t, "personio", employeesOf(t, e, h.acme.ID, "")["P1"].Source)

		_, err = e.p.SyncFrom(as(t, h.viewer), h.acme.ID, src)
		assertCode(t, portalerr.PermissionDenied, err)
		assert.Equal(t, int64(1), src.calls.Load(), "a refused caller does not make the portal call the source")

		broken := &staticSource{err: errors.New("HTTP 503 from the HR system")}
		run, err = e.p.SyncFrom(as(t, h.admin), h.acme.ID, broken)
		assertCode(t, portalerr.FailedPrecondition, err)
		assert.Equal(t, hrsync.RunFailed, run.Status)
		runs, err := e.p.ListSyncRuns(e.owner, h.acme.ID, portal.ListSyncRunsParams{})
		require.NoError(t, err)
		require.Len(t, runs.Items, 2)
		assert.Equal(t, hrsync.RunFailed, runs.Items[0].Status, "the failure is in the run history")
		assert.Contains(t, runs.Items[0].Plan.Errors[0].Message, "HTTP 503")
		assert.Len(t, employeesOf(t, e, h.acme.ID, ""), 3, "nothing changed")
	})
}

// eachSharedStore runs fn on each backend with an HR env (newHREnv) and
// its store, which the replicas of a test (replicaOf) share.
func eachSharedStore(t *testing.T, fn func(t *testing.T, h hrEnv, store storage.Store)) {
	t.Helper()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := newStore(t)
			fn(t, newHREnv(t, newEnv(t, store)), store)
		})
	}
}

// replicaOf returns one more replica of the portal over store: on clock,
// drawing IDs of its own, pulling each customer from what sources returns
// for it (nil: no source).
func replicaOf(t *testing.T, store storage.Store, clock *portaltest.Clock, sources func(customer.ID) hrsync.Source, opts ...func(*portal.Config)) *portal.Portal {
	return portaltest.New(t, clock, append([]func(*portal.Config){func(c *portal.Config) {
		c.Store = store
		c.IDs = portal.UUIDv7IDs()
		c.HRSources = sources
	}}, opts...)...)
}

// sourceFor returns HRSources that pull customer cid from src, and no
// other customer.
func sourceFor(cid customer.ID, src func() hrsync.Source) func(customer.ID) hrsync.Source {
	return func(id customer.ID) hrsync.Source {
		if id == cid {
			return src()
		}
		return nil
	}
}

// TestRunDueSyncsOncePerDueRun runs the scheduler of three replicas (three
// Portals over one database) at once, again and again: each customer's
// source is pulled exactly once per due run, every 3 hours.
func TestRunDueSyncsOncePerDueRun(t *testing.T) {
	t.Parallel()
	eachSharedStore(t, func(t *testing.T, h hrEnv, store storage.Store) {
		sources := map[customer.ID]*staticSource{h.acme.ID: sourceOf(5), h.globex.ID: sourceOf(2)}
		clock := &portaltest.Clock{}
		replicas := make([]*portal.Portal, 3)
		for i := range replicas {
			replicas[i] = replicaOf(t, store, clock, func(cid customer.ID) hrsync.Source {
				if s, ok := sources[cid]; ok {
					return s
				}
				return nil
			})
		}
		tick := func() int {
			t.Helper()
			var wg sync.WaitGroup
			var total atomic.Int64
			for _, p := range replicas {
				for range 2 {
					wg.Go(func() {
						n, err := p.RunDueSyncs(t.Context())
						assert.NoError(t, err)
						total.Add(int64(n))
					})
				}
			}
			wg.Wait()
			return int(total.Load())
		}
		assert.Equal(t, 2, tick(), "both customers are due at once")
		assert.Equal(t, int64(1), sources[h.acme.ID].calls.Load())
		assert.Equal(t, int64(1), sources[h.globex.ID].calls.Load())
		assert.Len(t, employeesOf(t, h.env, h.acme.ID, ""), 5)

		clock.Advance(2 * time.Hour)
		assert.Equal(t, 0, tick(), "not due yet")
		clock.Advance(time.Hour)
		assert.Equal(t, 2, tick(), "due again after 3 hours")
		assert.Equal(t, int64(2), sources[h.acme.ID].calls.Load())
		runs, err := h.p.ListSyncRuns(h.owner, h.acme.ID, portal.ListSyncRunsParams{})
		require.NoError(t, err)
		require.Len(t, runs.Items, 2)
		assert.Equal(t, "scheduler", runs.Items[0].StartedBy)
		assert.Equal(t, hrsync.Counts{Unchanged: 5}, runs.Items[0].Plan.Counts)
	})
}

// stuckSource is a pull source that answers only when the run's context
// ends, as a hung HR system or a replica that dies mid-pull does.
type stuckSource struct {
	calls   atomic.Int64
	started chan struct{} // gets a value when a pull starts
}

func (s *stuckSource) Name() string { return "personio" }

func (s *stuckSource) List(ctx context.Context) ([]hrsync.Record, error) {
	s.calls.Add(1)
	s.started <- struct{}{}
	<-ctx.Done()
	return nil, ctx.Err()
}

// TestRunDueSyncsAfterAReplicaStops stops a replica in the middle of a
// scheduled pull: the sync is not lost until its next run (3 hours on),
// but held for the run's lease and then run by another replica.
func TestRunDueSyncsAfterAReplicaStops(t *testing.T) {
	t.Parallel()
	eachSharedStore(t, func(t *testing.T, h hrEnv, store storage.Store) {
		stuck := &stuckSource{started: make(chan struct{}, 1)}
		good := sourceOf(3)
		var src hrsync.Source = stuck
		clock := &portaltest.Clock{}
		sources := sourceFor(h.acme.ID, func() hrsync.Source { return src })
		first, second := replicaOf(t, store, clock, sources), replicaOf(t, store, clock, sources)

		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { _, err := first.RunDueSyncs(ctx); done <- err }()
		<-stuck.started
		stop() // the replica stops mid-pull
		require.ErrorIs(t, <-done, context.Canceled)

		src = good
		n, err := second.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n, "the stopped run holds the sync for its lease")
		clock.Advance(hrsync.RunLease - time.Minute)
		n, err = second.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n, "still within the lease")

		clock.Advance(time.Minute)
		n, err = second.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 1, n, "once the lease ends, another replica runs the sync")
		assert.Equal(t, int64(1), good.calls.Load())
		assert.Len(t, employeesOf(t, h.env, h.acme.ID, ""), 3)
		runs, err := h.p.ListSyncRuns(h.owner, h.acme.ID, portal.ListSyncRunsParams{})
		require.NoError(t, err)
		require.Len(t, runs.Items, 1, "the stopped run recorded nothing")
		assert.Equal(t, hrsync.RunApplied, runs.Items[0].Status)

		clock.Advance(hrsync.DefaultEvery - time.Minute)
		n, err = first.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n, "the finished run moved the sync on by its period")
		clock.Advance(time.Minute)
		n, err = first.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		assert.Equal(t, int64(2), good.calls.Load())
	})
}

// TestRunDueSyncsStopsAPullAtItsLease runs a scheduled pull whose source
// never answers: it is stopped when its lease ends and recorded as
// failed, and the sync moves on to its next run.
func TestRunDueSyncsStopsAPullAtItsLease(t *testing.T) {
	t.Parallel()
	eachSharedStore(t, func(t *testing.T, h hrEnv, store storage.Store) {
		stuck := &stuckSource{started: make(chan struct{}, 1)}
		clock := &portaltest.Clock{}
		p := replicaOf(t, store, clock, sourceFor(h.acme.ID, func() hrsync.Source { return stuck }),
			func(c *portal.Config) { c.HRSyncEvery = time.Second }) // the lease is a second too
		n, err := p.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 1, n)
		<-stuck.started
		runs, err := h.p.ListSyncRuns(h.owner, h.acme.ID, portal.ListSyncRunsParams{})
		require.NoError(t, err)
		require.Len(t, runs.Items, 1)
		assert.Equal(t, hrsync.RunFailed, runs.Items[0].Status)
		assert.Contains(t, runs.Items[0].Plan.Errors[0].Message, "no answer within 1s")

		n, err = p.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n, "the failed run moved the sync on")
		clock.Advance(time.Second)
		n, err = p.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 1, n, "due again a period later")
	})
}

// funcSource is a pull source whose List is a function.
type funcSource func(context.Context) ([]hrsync.Record, error)

func (funcSource) Name() string { return "personio" }

func (f funcSource) List(ctx context.Context) ([]hrsync.Record, error) { return f(ctx) }

// TestRunDueSyncsLeaseStartsAtTheClaim has one replica run two due syncs
// whose first pull takes 29 minutes: the second sync's lease starts when
// it is claimed, so another replica asking while its pull runs, a lease
// after the first claim, finds nothing due and pulls nothing twice.
func TestRunDueSyncsLeaseStartsAtTheClaim(t *testing.T) {
	t.Parallel()
	eachSharedStore(t, func(t *testing.T, h hrEnv, store storage.Store) {
		clock := &portaltest.Clock{}
		var other *portal.Portal
		var pulls atomic.Int64
		otherRuns := -1
		sources := map[customer.ID]hrsync.Source{
			h.acme.ID: funcSource(func(context.Context) ([]hrsync.Record, error) {
				pulls.Add(1)
				clock.Advance(29 * time.Minute) // a slow pull
				return sourceOf(2).recs, nil
			}),
			h.globex.ID: funcSource(func(ctx context.Context) ([]hrsync.Record, error) {
				if pulls.Add(1) == 2 {
					clock.Advance(2 * time.Minute) // past the first claim's lease
					n, err := other.RunDueSyncs(ctx)
					assert.NoError(t, err)
					otherRuns = n
				}
				return sourceOf(1).recs, nil
			}),
		}
		pick := func(cid customer.ID) hrsync.Source { return sources[cid] }
		first := replicaOf(t, store, clock, pick)
		other = replicaOf(t, store, clock, pick)
		n, err := first.RunDueSyncs(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 2, n)
		assert.Zero(t, otherRuns, "the sync being pulled is held by its own lease")
		assert.Equal(t, int64(2), pulls.Load(), "each source pulled once")
	})
}
