package portal_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlstore"
)

// refuseWrites makes every connection that the store of backend writes
// through refuse writes (on) or take them again (off), as a database
// turned read-only does: SQLite's query_only on its one write connection,
// PostgreSQL's session default of READ ONLY transactions on each pooled
// connection. The store's own statements then fail the way they would on
// a read-only file or a read-only server.
func refuseWrites(t *testing.T, backend string, s storage.Store, on bool) {
	t.Helper()
	write, _ := s.(*sqlstore.Store).DB()
	ctx := t.Context()
	switch backend {
	case "sqlite":
		// The write pool has one connection; the pragma stays on it.
		q := `PRAGMA query_only = OFF`
		if on {
			q = `PRAGMA query_only = ON`
		}
		_, err := write.ExecContext(ctx, q)
		require.NoError(t, err)
	case "postgres":
		q := `SET SESSION CHARACTERISTICS AS TRANSACTION READ WRITE`
		if on {
			q = `SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`
		}
		// Hold as many connections as the pool may open, so that each
		// one it has, or will open, gets the setting; the pool keeps them
		// all when they are returned.
		n := write.Stats().MaxOpenConnections
		require.Positive(t, n, "the pool is bounded")
		conns := make([]interface{ Close() error }, 0, n)
		for range n {
			c, err := write.Conn(ctx)
			require.NoError(t, err)
			conns = append(conns, c)
			_, err = c.ExecContext(ctx, q)
			require.NoError(t, err)
		}
		for _, c := range conns {
			require.NoError(t, c.Close())
		}
	default:
		t.Fatalf("refuseWrites: unknown backend %q", backend)
	}
}

// TestReadyFollowsWrites makes the store refuse writes and take them again:
// Ready fails while writes do, and is nil again once they succeed, on the
// same Portal. Between probes it reuses the last outcome for a second of
// Config.Now.
func TestReadyFollowsWrites(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := newStore(t)
			e := newEnv(t, store)
			ctx := t.Context()
			require.NoError(t, e.p.Ready(ctx))

			refuseWrites(t, name, store, true)
			assert.NoError(t, e.p.Ready(ctx), "within the second, the last probe's outcome")
			e.clock.Advance(time.Second)
			assert.Error(t, e.p.Ready(ctx), "the database answers, but refuses writes")
			assert.NoError(t, e.p.Ping(ctx), "Ping only asks whether it answers")
			_, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme"})
			require.Error(t, err, "use cases that write fail too")

			refuseWrites(t, name, store, false)
			assert.Error(t, e.p.Ready(ctx), "within the second, the last probe's outcome")
			e.clock.Advance(time.Second)
			assert.NoError(t, e.p.Ready(ctx), "ready again, without a restart")
			_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme"})
			assert.NoError(t, err)
		})
	}
}

// beatingStore counts heartbeats; when started is set, each heartbeat says
// so there and then waits for release.
type beatingStore struct {
	storage.Store
	beats   atomic.Int32
	started chan struct{}
	release chan struct{}
}

func (s *beatingStore) Heartbeat(ctx context.Context, now time.Time) error {
	s.beats.Add(1)
	if s.started != nil {
		s.started <- struct{}{}
		<-s.release
	}
	return s.Store.Heartbeat(ctx, now)
}

// TestReadyProbesOncePerSecond has 50 callers ask at once, and more during
// the next second: one heartbeat serves them all, and the next second
// takes one more.
func TestReadyProbesOncePerSecond(t *testing.T) {
	t.Parallel()
	store := &beatingStore{Store: newSQLiteStore(t)}
	e := newEnv(t, store)
	var wg sync.WaitGroup
	errs := make([]error, 50)
	for i := range errs {
		wg.Go(func() { errs[i] = e.p.Ready(t.Context()) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, store.beats.Load(), "one probe for 50 callers")

	e.clock.Advance(999 * time.Millisecond)
	require.NoError(t, e.p.Ready(t.Context()))
	assert.EqualValues(t, 1, store.beats.Load(), "the outcome holds for a second")
	e.clock.Advance(time.Millisecond)
	require.NoError(t, e.p.Ready(t.Context()))
	assert.EqualValues(t, 2, store.beats.Load(), "then the next caller probes again")
}

// TestReadyCallerGivesUp has a caller give up while the probe runs: it gets
// its context's error, and the probe goes on to serve the next caller.
func TestReadyCallerGivesUp(t *testing.T) {
	t.Parallel()
	store := &beatingStore{Store: newSQLiteStore(t), started: make(chan struct{}, 8), release: make(chan struct{})}
	e := newEnv(t, store)

	ctx, cancel := context.WithCancel(t.Context())
	gaveUp := make(chan error, 1)
	go func() { gaveUp <- e.p.Ready(ctx) }()
	<-store.started
	cancel()
	assert.ErrorIs(t, <-gaveUp, context.Canceled)

	next := make(chan error, 1)
	go func() { next <- e.p.Ready(t.Context()) }()
	close(store.release) // the probe the first caller started ends
	assert.NoError(t, <-next)
	assert.EqualValues(t, 1, store.beats.Load(), "the next caller waited for the same probe")
}
