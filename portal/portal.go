package portal

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/ticket"
)

// Config configures a Portal. Only Store is required.
type Config struct {
	// Store is the storage backend.
	Store storage.Store
	// Now returns the current time; default time.Now. Times are kept in UTC
	// with microsecond precision.
	Now func() time.Time
	// IDs makes new IDs; default UUIDv7IDs.
	IDs IDSource
	// Entitlements are the paid capabilities the provider holds.
	Entitlements customer.Entitlements
	// Logger receives what operators should know; default slog.Default().
	Logger *slog.Logger

	// Mailer delivers mail: invitations, sign-in links and other messages.
	// Use cases write each message into the outbox in the transaction of
	// the change that causes it; RunOutbox (or DeliverOutbox) renders and
	// sends due messages through Mailer. Without one, messages wait in the
	// outbox and the outbox workers refuse to run. mailer.NewSMTP sends
	// through an SMTP server; mailer.NewLog writes messages, links and their
	// tokens included, to a log, for development.
	Mailer mailer.Mailer
	// MailFrom is the sender of every message; default "noreply@" and the
	// host of Branding.PublicBaseURL.
	MailFrom string
	// Branding is the provider's look in every message, and
	// Branding.PublicBaseURL the address the messages' links are built on:
	// required with a Mailer. ProductName defaults to "portalkit". Replies
	// go to Branding.SupportEmail, if set.
	Branding mailer.Branding
	// DefaultLocale is the language of mail to recipients whose own locale
	// has no templates; default "en". See mailer.Locales.
	DefaultLocale string
	// RateLimiter counts sign-in attempts; default a MemoryRateLimiter,
	// which counts in this process only. Where several processes serve one
	// database (replicas on PostgreSQL), a StoreRateLimiter on the store
	// makes the limits hold for all of them together.
	RateLimiter RateLimiter
	// RateLimits bound sign-in attempts; zero fields take DefaultRateLimits.
	RateLimits RateLimits

	// SessionIdleTimeout ends a session unused this long; default 24 hours.
	SessionIdleTimeout time.Duration
	// SessionLifetime ends a session this long after sign-in, however used; default 14 days.
	SessionLifetime time.Duration
	// LoginLinkMinDuration is the least time RequestLoginLink takes, so that
	// known and unknown e-mail addresses cannot be told apart by timing;
	// default 300ms. Negative turns the padding off (tests).
	LoginLinkMinDuration time.Duration
	// Argon2 sets the password hashing cost; default identity.DefaultArgon2.
	Argon2 identity.Argon2Params
	// PasswordLockout locks a user's password sign-in after Limit.N failures
	// for Limit.Window; default 5 failures, 15 minutes.
	PasswordLockout Limit

	// CursorKey seals the cursors of lists (HMAC-SHA256), so that a cursor
	// opens only on the list, and with the filters, it was made for: at
	// least MinCursorKeyLen random bytes, the same on every server of one
	// database. Default: a random key the first Portal on the database
	// creates and keeps in it (storage.ServerKeyRepo), which every Portal
	// on it then reads once. Changing the key ends every cursor handed out.
	CursorKey []byte

	// TicketTypes are the types of support tickets; default
	// ticket.DefaultRegistry(). Register a provider's own types on it.
	TicketTypes *ticket.Registry
	// TicketReopenWindow is how long after resolving a ticket its
	// customer may reopen it; default ticket.DefaultReopenWindow.
	TicketReopenWindow time.Duration
	// ServiceDeskEmail receives a message for every new ticket; empty
	// sends none.
	ServiceDeskEmail string

	// Files keeps the files attached to tickets and their comments, such
	// as a *filestore.Store. Without one, the attachment use cases answer
	// FailedPrecondition.
	Files FileStore
	// FileLimits bound what may be attached; zero fields take the
	// defaults of filemeta.Limits.
	FileLimits filemeta.Limits
	// KeepPictureMetadata keeps site pictures exactly as uploaded, EXIF
	// and its GPS position included. Off (the default), pictures are
	// re-encoded on upload, which leaves every metadata block out
	// (fieldwork.Prepare). Pictures share Files and FileLimits.MaxBytes.
	KeepPictureMetadata bool

	// HRSources gives the pull source of a customer's HR sync (an adapter
	// of its HR system's API), or nil for a customer without one, whose
	// employees then come from CSV files and SCIM. RunDueSyncs pulls from
	// it every HRSyncEvery; nil: no customer has one.
	HRSources func(customer.ID) hrsync.Source
	// HRSyncEvery is how often each customer's source is pulled; default
	// hrsync.DefaultEvery (3 hours).
	HRSyncEvery time.Duration
	// RecordTypes are the record types defined in Go; default
	// record.DefaultRegistry() (contract, domain, task, meter). Staff
	// define further types through the API, under other names.
	RecordTypes *record.Registry
	// RecordClaimLimit bounds a customer's attempts to claim records;
	// default DefaultClaimLimit. They are counted by RateLimiter.
	RecordClaimLimit Limit
	// Webhooks configures the webhooks staff register: which URLs they
	// may use and the form of the events' data. See WebhookConfig.
	Webhooks WebhookConfig
	// MailOverrides are the provider's own texts of kinds of mail, by kind
	// and locale ("en", "de"), used where no customer's override applies:
	// for mail about no customer yet (access_request_confirm,
	// access_request_rejected) and for customers without an override of
	// their own. Each is checked as PutMailTemplate checks an override.
	MailOverrides map[mailer.Kind]map[string]mailer.Override
	// SSORedirectURL is where customers' identity providers send people
	// back after they signed in: the redirect URI to register with them.
	// Default: Branding.PublicBaseURL + "/sso/callback"; without either,
	// single sign-on is off.
	SSORedirectURL string
	// SSOHTTPClient talks to identity providers; default a client with a
	// 10-second timeout.
	SSOHTTPClient *http.Client
	// StaffSSO is the provider's own OpenID Connect identity provider, for
	// staff to sign in through; off when its Issuer is empty.
	StaffSSO StaffSSOConfig
	// AuditRetention is how long audit events are kept: PurgeExpired
	// deletes older ones. Zero keeps them for ever.
	AuditRetention time.Duration
}

// RateLimits bound attempts per e-mail address and per client address.
type RateLimits struct {
	// PerEmail bounds login-link requests and password sign-ins per e-mail address.
	PerEmail Limit
	// PerClient bounds them per client (IP) address.
	PerClient Limit
}

// DefaultRateLimits: 5 per e-mail and 30 per client address in 15 minutes.
var DefaultRateLimits = RateLimits{
	PerEmail:  Limit{N: 5, Window: 15 * time.Minute},
	PerClient: Limit{N: 30, Window: 15 * time.Minute},
}

// Portal runs the use cases. It is safe for concurrent use.
type Portal struct {
	store    storage.Store
	now      func() time.Time
	ids      IDSource
	ent      customer.Entitlements
	log      *slog.Logger
	limiter  RateLimiter
	limits   RateLimits
	idle     time.Duration
	lifetime time.Duration
	linkPad  time.Duration
	argon    identity.Argon2Params
	lockout  Limit
	cursors  cursorKey
	tickets  ticketSetup
	records  recordSetup
	files    FileStore
	fileLim  filemeta.Limits
	// keepPictureMeta is Config.KeepPictureMetadata.
	keepPictureMeta bool
	phantom         phantomLocks
	ready           readiness
	// dummyHash is verified against when a sign-in names no known
	// password, so that failures take the same time either way.
	dummyHash string

	mail mailSetup
	sso  ssoSetup
	// retention is Config.AuditRetention.
	retention time.Duration
	// delivered counts what this Portal's outbox workers settled.
	delivered outboxCounts
	// wake tells this Portal's outbox workers that a transaction enqueued
	// mail, so they need not wait for their next poll.
	wake chan struct{}

	// hrSources and hrEvery are Config.HRSources and HRSyncEvery.
	hrSources func(customer.ID) hrsync.Source
	hrEvery   time.Duration
	// hooks is the webhook set-up; hooked counts what this Portal's
	// webhook workers settled.
	hooks  webhookSetup
	hooked webhookCounts
}

// New returns a Portal for cfg. It fails when cfg.Store is nil, and with a
// portalerr Invalid error for a bad mail configuration (Branding, MailFrom,
// DefaultLocale; a Mailer without Branding.PublicBaseURL), partly set
// Argon2 parameters or a CursorKey shorter than MinCursorKeyLen.
func New(cfg Config) (*Portal, error) {
	if cfg.Store == nil {
		return nil, errors.New("portal: Config.Store is required")
	}
	p := &Portal{
		store: cfg.Store, now: cfg.Now, ids: cfg.IDs, ent: cfg.Entitlements, log: cfg.Logger,
		limiter: cfg.RateLimiter, limits: cfg.RateLimits,
		idle: cfg.SessionIdleTimeout, lifetime: cfg.SessionLifetime, linkPad: cfg.LoginLinkMinDuration,
		argon: cfg.Argon2, lockout: cfg.PasswordLockout,
		hrSources: cfg.HRSources, hrEvery: cfg.HRSyncEvery,
	}
	if p.hrEvery <= 0 {
		p.hrEvery = hrsync.DefaultEvery
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&p.idle, 24*time.Hour)
	def(&p.lifetime, 14*24*time.Hour)
	def(&p.linkPad, 300*time.Millisecond)
	if p.now == nil {
		p.now = time.Now
	}
	if p.ids == nil {
		p.ids = UUIDv7IDs()
	}
	if p.log == nil {
		p.log = slog.Default()
	}
	mail, err := newMailSetup(cfg)
	if err != nil {
		return nil, err
	}
	if err := mail.withProviderOverrides(cfg.MailOverrides); err != nil {
		return nil, err
	}
	p.mail, p.wake = mail, make(chan struct{}, 1)
	if p.limiter == nil {
		p.limiter = &MemoryRateLimiter{}
	}
	if p.limits.PerEmail == (Limit{}) {
		p.limits.PerEmail = DefaultRateLimits.PerEmail
	}
	if p.limits.PerClient == (Limit{}) {
		p.limits.PerClient = DefaultRateLimits.PerClient
	}
	if p.argon == (identity.Argon2Params{}) {
		p.argon = identity.DefaultArgon2
	}
	if a := p.argon; a.Time < 1 || a.Threads < 1 || a.Memory < 8*uint32(a.Threads) {
		// argon2 panics on these; a partly filled Argon2 is a mistake.
		return nil, portalerr.Invalidf("argon2", "needs Time ≥ 1, Threads ≥ 1 and Memory ≥ 8 KiB per thread (or all zero for the defaults)")
	}
	switch n := len(cfg.CursorKey); {
	case n > 0 && n < MinCursorKeyLen:
		return nil, portalerr.Invalidf("cursor_key", "must be at least %d bytes long", MinCursorKeyLen)
	case n > 0:
		p.cursors.key = slices.Clone(cfg.CursorKey)
	}
	if p.lockout == (Limit{}) {
		p.lockout = Limit{N: 5, Window: 15 * time.Minute}
	}
	p.files, p.fileLim = cfg.Files, cfg.FileLimits
	p.keepPictureMeta = cfg.KeepPictureMetadata
	p.tickets = ticketSetup{types: cfg.TicketTypes, reopen: cfg.TicketReopenWindow, desk: strings.TrimSpace(cfg.ServiceDeskEmail)}
	if p.tickets.types == nil {
		p.tickets.types = ticket.DefaultRegistry()
	}
	p.records = recordSetup{types: cfg.RecordTypes, claim: cfg.RecordClaimLimit}
	if p.records.types == nil {
		p.records.types = record.DefaultRegistry()
	}
	if p.records.claim == (Limit{}) {
		p.records.claim = DefaultClaimLimit
	}
	if p.tickets.reopen == 0 {
		p.tickets.reopen = ticket.DefaultReopenWindow
	}
	if p.tickets.desk != "" {
		if email, err := customer.NormalizeEmail(p.tickets.desk); err != nil {
			return nil, portalerr.Invalidf("service_desk_email", "must be a plain e-mail address")
		} else {
			p.tickets.desk = email
		}
	}
	p.hooks = newWebhookSetup(cfg.Webhooks)
	p.dummyHash = identity.HashPassword("portalkit: no such password", p.argon)
	p.sso.init(cfg)
	if err := p.sso.initStaff(cfg); err != nil {
		return nil, err
	}
	p.retention = cfg.AuditRetention
	return p, nil
}

// timestamp returns the current time as stored: UTC, microsecond precision.
func (p *Portal) timestamp() time.Time {
	return p.now().UTC().Truncate(time.Microsecond)
}

// write runs fn in a read-write transaction. Once a transaction that
// enqueued mail commits, it wakes this Portal's outbox workers. The first
// write under WithIdempotencyKey records the key in the same transaction,
// after fn, with the objects fn noted (noteObject).
func (p *Portal) write(ctx context.Context, fn func(storage.Repos) error) error {
	if s := sharedSnapshotOf(ctx); s != nil {
		s.end() // a writer must not wait for its own request's reader
	}
	var queued, hooked bool
	iw := pendingWrite(ctx)
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		w := &writeTx{Repos: r}
		if err := fn(w); err != nil {
			return err
		}
		queued, hooked = w.queued, w.hooked
		if iw != nil {
			return iw.begin(ctx, r, p.timestamp(), w.objects)
		}
		return nil
	})
	if iw != nil {
		iw.settle(err)
	}
	if err == nil && queued {
		p.wakeOutbox()
	}
	if err == nil && hooked {
		p.wakeWebhooks()
	}
	return err
}

// read runs fn in a read-only transaction: in the snapshot the request
// shares with Authenticate (WithSharedSnapshot), which it then ends, when
// Authenticate left one open; else in one of its own.
func (p *Portal) read(ctx context.Context, fn func(storage.Repos) error) error {
	if s := sharedSnapshotOf(ctx); s != nil {
		if r, ok := s.take(); ok {
			defer s.end()
			return fn(snapshotRepos{r, s})
		}
	}
	return p.store.ReadTx(ctx, fn)
}

// readShared runs fn in a read-only transaction that it leaves open for
// the request's next read, when ctx shares one (WithSharedSnapshot).
func (p *Portal) readShared(ctx context.Context, fn func(storage.Repos) error) error {
	s := sharedSnapshotOf(ctx)
	if s == nil {
		return p.store.ReadTx(ctx, fn)
	}
	r, err := s.open(ctx, p.store)
	switch {
	case err != nil:
		return err
	case r == nil:
		return p.store.ReadTx(ctx, fn)
	}
	if err := fn(snapshotRepos{r, s}); err != nil {
		s.end()
		return err
	}
	return nil
}
