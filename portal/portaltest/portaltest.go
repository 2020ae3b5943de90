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

// FastArgon2 makes password hashing cheap, for tests only.
var FastArgon2 = identity.Argon2Params{Memory: 64, Time: 1, Threads: 1}

// New returns a Portal for tests: a fresh memory store, clock as
// Config.Now, portal.SequentialIDs, cheap password hashing, no padding of
// login-link requests, and notifications kept by a Recorder. Options may change the
// config before New is called (for example to set Entitlements, another
// Store or a Recorder as Notifier). It fails the test when the portal cannot
// be built.
func New(tb testing.TB, clock *Clock, opts ...func(*portal.Config)) *portal.Portal {
	tb.Helper()
	cfg := portal.Config{
		Store:                memory.New(),
		Now:                  clock.Now,
		IDs:                  portal.SequentialIDs(),
		Argon2:               FastArgon2,
		LoginLinkMinDuration: -1,
		Notifier:             &Recorder{},
	}
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

// Recorder is a portal.Notifier that keeps what it is given. Safe for
// concurrent use; the zero value is ready.
type Recorder struct {
	mu   sync.Mutex
	sent []portal.Notification
}

// Notify implements portal.Notifier.
func (r *Recorder) Notify(_ context.Context, n portal.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, n)
	return nil
}

// Notifications returns a copy of everything recorded so far.
func (r *Recorder) Notifications() []portal.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]portal.Notification(nil), r.sent...)
}

// Last returns the last notification to the address, and false if there is none.
func (r *Recorder) Last(to string) (portal.Notification, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.sent) - 1; i >= 0; i-- {
		if r.sent[i].To == to {
			return r.sent[i], true
		}
	}
	return portal.Notification{}, false
}
