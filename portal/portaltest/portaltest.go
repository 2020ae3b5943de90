package portaltest

import (
	"context"
	"log/slog"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
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

// Logger returns a logger that writes into tb's log until tb's cleanup
// runs, and nowhere after: a background worker of the portal may still log
// when the test is over, and logging to a finished test panics.
func Logger(tb testing.TB) *slog.Logger {
	w := &testLog{tb: tb}
	tb.Cleanup(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.done = true
	})
	return slog.New(slog.NewTextHandler(w, nil))
}

// testLog is Logger's writer.
type testLog struct {
	mu   sync.Mutex
	tb   testing.TB
	done bool
}

func (w *testLog) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.tb.Log(strings.TrimSuffix(string(b), "\n"))
	}
	return len(b), nil
}

// FastArgon2 makes password hashing cheap, for tests only.
var FastArgon2 = identity.Argon2Params{Memory: 64, Time: 1, Threads: 1}

// PublicURL is the public base URL of the portals New builds: the links
// in their mail start with it.
const PublicURL = "https://portal.example.com"

// New returns a Portal for tests: a fresh store (Store), clock as
// Config.Now, portal.SequentialIDs, cheap password hashing, no padding of
// login-link requests, and mail kept by a Recorder, branded "Portal Test"
// on PublicURL, logging into the test's log (Logger), which go test shows
// for a failed test or with -v. Options may change the config before New is called (for
// example to set Entitlements, another Store or a Recorder of the test's
// own as Mailer). When the Mailer is a *Recorder, New attaches it to the
// Portal, so that reading it first delivers the Portal's due mail. It
// fails the test when the portal cannot be built.
func New(tb testing.TB, clock *Clock, opts ...func(*portal.Config)) *portal.Portal {
	tb.Helper()
	cfg := portal.Config{
		Now:                  clock.Now,
		IDs:                  portal.SequentialIDs(),
		Argon2:               FastArgon2,
		LoginLinkMinDuration: -1,
		Mailer:               &Recorder{},
		Branding:             mailer.Branding{ProductName: "Portal Test", PublicBaseURL: PublicURL},
		Logger:               Logger(tb),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.Store == nil {
		cfg.Store = Store(tb)
	}
	p, err := portal.New(cfg)
	if err != nil {
		tb.Fatalf("portaltest: %v", err)
	}
	if r, ok := cfg.Mailer.(*Recorder); ok {
		r.attach(tb, p)
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

// ServiceDesk returns ctx acting as a staff agent with the service-desk
// capability, who works tickets.
func ServiceDesk(ctx context.Context) context.Context {
	return As(ctx, identity.ServiceDeskStaff("stf_desk", identity.StaffAgent))
}

// Recorder is a mailer.Mailer that keeps the mail a Portal's outbox
// worker sends, for tests. Attached to a Portal by New, it delivers the
// Portal's due mail (Portal.DeliverOutbox, as a running worker would)
// before each of its methods answers: a test sees the mail of every use
// case it has called, and reads it as rendered, links included. Safe for
// concurrent use; the zero value is ready.
type Recorder struct {
	// Err, if set, is called for every message; a non-nil result is
	// returned from Send and the message is not kept. Tests use it to make
	// a message bounce (a *mailer.SendError with Permanent set) or fail
	// for a while.
	Err func(mailer.Message) error
	// Options are what delivery passes with; zero fields take the
	// portal's defaults, except Concurrency, which is 1 unless set, so
	// that the mail is kept in the order it was written.
	Options portal.OutboxOptions

	mu    sync.Mutex
	mails []Mail
	tb    testing.TB
	p     *portal.Portal
}

var _ mailer.Mailer = (*Recorder)(nil)

// Mail is one message a Recorder was given, and what a test wants from it.
type Mail struct {
	mailer.Message
	// Kind is the kind of message, from its X-Portalkit-Kind header.
	Kind portal.NotificationKind
	// Link is the message's link that carries a token, else its first
	// link; "" when it has none.
	Link string
	// Token is the token the link carries, "" for none.
	Token string
}

// Send keeps msg. Like a real Mailer it refuses an invalid msg with a
// portalerr Invalid error.
func (r *Recorder) Send(ctx context.Context, msg mailer.Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.Err != nil {
		if err := r.Err(msg); err != nil {
			return err
		}
	}
	m := Mail{Message: msg, Kind: portal.NotificationKind(msg.Headers["X-Portalkit-Kind"])}
	m.To = slices.Clone(msg.To)
	m.Headers = maps.Clone(msg.Headers)
	for _, l := range msg.Links() {
		u, err := url.Parse(l)
		if err != nil {
			continue
		}
		if tok := u.Query().Get("token"); tok != "" {
			m.Link, m.Token = l, tok
			break
		}
		if m.Link == "" {
			m.Link = l
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mails = append(r.mails, m)
	return nil
}

// attach makes r deliver p's due mail before it answers.
func (r *Recorder) attach(tb testing.TB, p *portal.Portal) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tb, r.p = tb, p
}

// Deliver delivers the attached Portal's due mail, batch after batch, as a
// worker would; every method that reads r calls it first. A failure fails
// the test.
func (r *Recorder) Deliver() {
	r.mu.Lock()
	tb, p, opts := r.tb, r.p, r.Options
	r.mu.Unlock()
	if p == nil {
		return
	}
	size := opts.BatchSize
	if size == 0 {
		size = portal.DefaultOutboxBatchSize
	}
	if opts.Concurrency == 0 {
		opts.Concurrency = 1
	}
	for {
		rep, err := p.DeliverOutbox(context.Background(), opts)
		if err != nil {
			tb.Errorf("portaltest: delivering mail: %v", err)
			return
		}
		if rep.Claimed < size {
			return
		}
	}
}

// Mails returns a copy of every message kept so far, oldest first.
func (r *Recorder) Mails() []Mail {
	r.Deliver()
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.mails)
}

// Last returns the last message to the address, and false if there is none.
func (r *Recorder) Last(to string) (Mail, bool) {
	r.Deliver()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.mails) - 1; i >= 0; i-- {
		if slices.Contains(r.mails[i].To, to) {
			return r.mails[i], true
		}
	}
	return Mail{}, false
}

// Store returns a fresh, empty store for tests: SQLite in a temporary
// directory (sqlite.OpenTemp), closed and removed when tb ends.
func Store(tb testing.TB) storage.Store {
	tb.Helper()
	s, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		tb.Fatalf("portaltest: %v", err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	return s
}
