package portal

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Readiness probing: Ready reuses the outcome of a write probe for
// readyProbeInterval, so that load balancers and orchestrators probing
// every few hundred milliseconds, from several places, cost the writer at
// most one small transaction a second; and it gives the probe up to
// readyProbeTimeout, whoever is waiting for it.
const (
	readyProbeInterval = time.Second
	readyProbeTimeout  = 10 * time.Second
)

// readiness is the last outcome of the probe behind Ready.
type readiness struct {
	mu  sync.Mutex
	at  time.Time // when the last probe ended, by Config.Now; zero before the first
	err error     // what it found
	// running is closed when the probe under way ends; nil when none is.
	running chan struct{}
}

// Ready reports whether the portal can serve requests, for readiness
// probes: nil when the storage backend answers and commits a write (a
// heartbeat, storage.Store.Heartbeat), else why not. A database that
// answers but cannot write (a read-only file, a full disk, a read-only
// PostgreSQL after a failover) fails every use case that changes
// something, and so is not ready.
//
// Ready probes at most once per second (by Config.Now) and answers with
// the last probe's outcome in between, so it comes back to nil within a
// second of the database taking writes again, without a restart.
// Concurrent callers share one probe. When ctx ends before the probe does,
// Ready returns ctx's cause; the probe goes on, for the callers after. It
// needs no principal.
func (p *Portal) Ready(ctx context.Context) error {
	r := &p.ready
	r.mu.Lock()
	if r.running == nil {
		if age := p.now().Sub(r.at); !r.at.IsZero() && age >= 0 && age < readyProbeInterval {
			err := r.err
			r.mu.Unlock()
			return err
		}
		r.running = make(chan struct{})
		// Not the caller's cancellation: a caller that gives up must not
		// fail the probe that others wait for.
		go p.probe(context.WithoutCancel(ctx), r.running)
	}
	done := r.running
	r.mu.Unlock()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("portal: waiting for the storage probe: %w", context.Cause(ctx))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// probe pings the store and commits a heartbeat, records the outcome for
// Ready and closes done.
func (p *Portal) probe(ctx context.Context, done chan struct{}) {
	ctx, cancel := context.WithTimeout(ctx, readyProbeTimeout)
	defer cancel()
	err := p.store.Ping(ctx)
	if err != nil {
		err = fmt.Errorf("portal: the storage backend does not answer: %w", err)
	} else if err = p.store.Heartbeat(ctx, p.timestamp()); err != nil {
		err = fmt.Errorf("portal: the storage backend cannot commit writes: %w", err)
	}
	r := &p.ready
	r.mu.Lock()
	r.at, r.err, r.running = p.now(), err, nil
	r.mu.Unlock()
	close(done)
}
