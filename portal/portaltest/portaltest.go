package portaltest

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/memory"
)

// Epoch is the time a Clock starts at: 2026-01-05 09:00:00 UTC.
var Epoch = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// Clock is a manual clock for Config.Now. The zero value stands at Epoch.
type Clock struct {
	mu  sync.Mutex
	off time.Duration
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return Epoch.Add(c.off)
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.off += d
}

// New returns a Portal over a fresh memory store, with clock as Config.Now
// and portal.SequentialIDs. Options may change the config before New is
// called (for example to set Entitlements or another Store). It fails the
// test when the portal cannot be built.
func New(tb testing.TB, clock *Clock, opts ...func(*portal.Config)) *portal.Portal {
	tb.Helper()
	cfg := portal.Config{Store: memory.New(), Now: clock.Now, IDs: portal.SequentialIDs()}
	for _, o := range opts {
		o(&cfg)
	}
	p, err := portal.New(cfg)
	if err != nil {
		tb.Fatalf("portaltest: %v", err)
	}
	return p
}

// As returns ctx carrying p as the caller.
func As(ctx context.Context, p identity.Principal) context.Context {
	return identity.NewContext(ctx, p)
}

// Owner returns ctx carrying a staff owner, who may do everything.
func Owner(ctx context.Context) context.Context {
	return As(ctx, identity.Staff("stf_owner", identity.StaffOwner))
}
