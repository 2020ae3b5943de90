// Command refserver is portalkit's reference server: a working customer portal API over SQLite
// or PostgreSQL, for trying portalkit out, for demos and for development.
//
//	go run ./examples/refserver                       # http://127.0.0.1:8080, SQLite in ./portalkit.db
//	go run ./examples/refserver --db postgres://user:pass@db.internal:5432/portal
//	go run ./examples/refserver --demo                # and demo customers, users and sign-in links
//	go run ./examples/refserver apikey create --name erp --role admin
//
// On a new database it prints a first owner API key, once: keep it, it is the way in. Further keys
// come from `refserver apikey create` or POST /v1/api-keys. Beside it, it prints a one-time sign-in
// link, {public-url}/console/login?token=…, for the first owner staff member (--owner-email): a
// person's way in, who then invites further staff (POST /v1/staff).
//
// Flags, each also read from an environment variable (the flag wins):
//
//	--addr        PORTALKIT_ADDR          listen address (default 127.0.0.1:8080)
//	--db          PORTALKIT_DATABASE_URL  database: postgres://… (or postgresql://…) for PostgreSQL, else a
//	                                      file path or sqlite:path (default sqlite:portalkit.db); when it
//	                                      is unset, PORTALKIT_DB is read as before
//	--public-url  PORTALKIT_PUBLIC_URL    base URL in printed links (default http:// and the listen address)
//	--demo        PORTALKIT_DEMO          seed demo data on first start and print its sign-in links
//	--smtp-url    PORTALKIT_SMTP_URL      SMTP server for mail: smtp://user:pass@host:587, smtps://…, ?tls=none
//	--mail-from   PORTALKIT_MAIL_FROM     sender of its mail (default portalkit@localhost)
//	--owner-email PORTALKIT_OWNER_EMAIL   the first owner staff member, made on a database without staff
//	                                      members, with a sign-in link printed once (default owner@localhost)
//	--files       PORTALKIT_FILES_URL     where ticket attachments are kept: file:///dir, s3://bucket?region=…
//	                                      (default file:// and portalkit-files beside the SQLite database,
//	                                      or in the working directory with PostgreSQL)
//	--max-file-mib PORTALKIT_MAX_FILE_MIB the largest ticket attachment accepted, in MiB, 1 to 1024 (default 10)
//	--metrics-addr PORTALKIT_METRICS_ADDR listen address of a listener of its own for /metrics, which
//	                                      --addr then no longer serves; without it, /metrics is on
//	                                      --addr for clients on a loopback address only
//
// Mail (invitations, sign-in links) goes through the portal's outbox: each message is written in
// the transaction of the change that causes it, and the server's outbox worker sends it right
// after, retrying with backoff while the mail server is unreachable; a restart loses nothing.
// With --smtp-url it is sent through that SMTP server. Without it, every message is written to
// the log, its links and their tokens included: fine for development and demos, but anyone who
// reads that log can sign in as the recipients. The worker's settings (portal.OutboxOptions):
//
//	--outbox-poll-interval  PORTALKIT_OUTBOX_POLL_INTERVAL  how often it looks for due mail unless woken (default 1s)
//	--outbox-batch-size     PORTALKIT_OUTBOX_BATCH_SIZE     messages claimed per pass, 1 to 1000 (default 100)
//	--outbox-concurrency    PORTALKIT_OUTBOX_CONCURRENCY    messages sent at once (default 8)
//	--outbox-lease          PORTALKIT_OUTBOX_LEASE          how long claimed messages stay reserved for their worker: a
//	                                                        worker killed mid-pass leaves them to others after that long
//	                                                        (default 10m, or twice the longest pass when that is longer)
//	--outbox-max-attempts   PORTALKIT_OUTBOX_MAX_ATTEMPTS   attempts before a message fails for good (default 10)
//	--outbox-base-delay     PORTALKIT_OUTBOX_BASE_DELAY     backoff after the first failed attempt, doubled after each
//	                                                        further one, jittered (default 30s)
//	--outbox-max-delay      PORTALKIT_OUTBOX_MAX_DELAY      longest backoff (default 1h)
//
// /metrics reports the outbox's backlog and lag (package outboxmetrics) beside the HTTP metrics.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/filestore"
	_ "github.com/portalkit/portalkit/filestore/s3" // s3:// for --files
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outboxmetrics"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/scimapi"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/webui"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

// Timeouts of the HTTP server and of a graceful shutdown.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	shutdownTimeout   = 20 * time.Second
	// defaultOwnerEmail is the first owner staff member's address unless
	// --owner-email names another.
	defaultOwnerEmail = "owner@localhost"
	purgeInterval     = time.Hour
)

// config is what the flags and PORTALKIT_* variables say.
type config struct {
	addr      string
	db        string
	publicURL string
	demo      bool
	smtpURL   string       // as given; "" logs mail instead of sending it
	smtp      *mailer.SMTP // from smtpURL; its String hides the password
	mailFrom  string
	// serviceDesk receives a message for every new support ticket.
	serviceDesk string
	// staffSSO is the provider's own identity provider for staff (#21).
	staffSSO        portal.StaffSSOConfig
	staffSSODomains string
	// ownerEmail is the first owner staff member's address, made on a
	// database without staff members.
	ownerEmail string
	outbox     portal.OutboxOptions
	// metricsAddr is where /metrics is served on a listener of its own;
	// "" serves it on addr, to loopback clients only.
	metricsAddr string
	// files is the URL of the file store for attachments; "" opens none
	// (only the serve command derives a default, in run).
	files string
	// tiles and tileCredit are the site map's tile URL template and its
	// attribution; an empty template shows markers on a plain background.
	tiles, tileCredit string
	// maxFileMiB bounds an attachment's size (portal.Config.FileLimits).
	maxFileMiB int
	// webhooksHTTP and webhooksPrivate let webhook endpoints use plain
	// http, and loopback, private and link-local addresses (a receiver
	// on the same machine or in the provider's network).
	webhooksHTTP, webhooksPrivate bool
	// webhooks are the webhook worker's settings.
	webhooks portal.WebhookOptions
}

// run is the whole program: it serves until ctx ends, then drains in-flight
// requests and returns nil. Everything it prints, logs included, goes to
// stdout; env reads the environment.
func run(ctx context.Context, args []string, env func(string) string, stdout io.Writer) error {
	log := slog.New(slog.NewTextHandler(stdout, nil))
	if len(args) > 0 && args[0] == "apikey" {
		return runAPIKey(ctx, args[1:], env, stdout, log)
	}
	fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
	fs.SetOutput(stdout)
	cfg, err := parseFlags(fs, args, env)
	if err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unknown command %q (the one command is `apikey create`)", fs.Arg(0))
	}

	listeners, err := listen(cfg)
	if err != nil {
		return err
	}
	// Closed by their servers once serving; here when run fails before.
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ln := listeners[0]
	base := cfg.publicURL
	if base == "" {
		base = "http://" + ln.Addr().String()
	}
	mail := newMailer(cfg, log)
	if cfg.files == "" {
		if cfg.files, err = defaultFilesURL(cfg.db); err != nil {
			return err
		}
	}
	p, store, err := openPortal(ctx, cfg, log, mail, base)
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()

	boot, err := p.Bootstrap(ctx, portal.BootstrapParams{OwnerEmail: cfg.ownerEmail})
	if err != nil {
		return fmt.Errorf("creating the first API key and owner: %w", err)
	}
	if boot.APIKey != "" {
		fmt.Fprintf(stdout, "\nA new database: here is its owner API key. It is shown only this once; keep it.\n\n    %s\n\n", boot.APIKey)
	}
	if boot.OwnerLoginToken != "" {
		fmt.Fprintf(stdout, "The first owner, %s, signs in to the console once with this link (valid for %s; later, ask for a sign-in link by e-mail):\n\n    %s/console/login?token=%s\n\n",
			boot.Owner.Email, inDays(portal.StaffInvitationTTL), base, url.QueryEscape(boot.OwnerLoginToken))
	}
	if cfg.smtp != nil {
		fmt.Fprintf(stdout, "Mail goes through %s, from %s.\n", cfg.smtp, cfg.mailFrom)
	} else {
		fmt.Fprintln(stdout, "No --smtp-url: mail is written to the log, links and their tokens included.")
	}
	if cfg.demo {
		if err := seedDemo(ctx, p, mail, cfg.outbox, base, stdout); err != nil {
			return fmt.Errorf("seeding demo data: %w", err)
		}
	}
	// The outbox worker stops with ctx, after the message in hand; what is
	// left waits in the database for the next start.
	wctx, stopWorker := context.WithCancel(ctx)
	worker := make(chan error, 1)
	go func() { worker <- p.RunOutbox(wctx, cfg.outbox) }()
	// The HR sync scheduler runs in every replica; the database keeps each
	// due sync to one of them. The reference server configures no pull
	// source (Config.HRSources): an embedder adds its HR systems' adapters.
	hrDone := make(chan struct{})
	go func() {
		defer close(hrDone)
		_ = p.RunHRSyncScheduler(wctx, time.Minute)
	}()
	defer func() { stopWorker(); <-hrDone }()
	// The webhook worker, likewise: deliveries in flight are settled,
	// the rest wait in the database.
	hooks := make(chan error, 1)
	go func() { hooks <- p.RunWebhooks(wctx, cfg.webhooks) }()
	defer func() {
		stopWorker()
		if err := <-worker; err != nil {
			log.Error("refserver: outbox worker", "err", err)
		}
		if err := <-hooks; err != nil {
			log.Error("refserver: webhook worker", "err", err)
		}
	}()

	reg := prometheus.NewRegistry()
	reg.MustRegister(outboxmetrics.NewCollector(p))
	reg.MustRegister(outboxmetrics.NewWebhookCollector(p))
	apiOpts := []httpapi.Option{httpapi.WithLogger(log), httpapi.WithMetrics(reg)}
	ownMetrics := len(listeners) > 1
	if ownMetrics {
		apiOpts = append(apiOpts, httpapi.WithoutMetricsEndpoint())
	}
	mux := http.NewServeMux()
	api := httpapi.NewHandler(p, apiOpts...)
	for _, path := range []string{"/v1/", "/healthz", "/readyz", "/metrics", "/openapi.yaml"} {
		mux.Handle(path, api)
	}
	uiOpts := []webui.Option{webui.WithLogger(log), webui.WithBranding(webui.Branding{Name: productName})}
	if strings.HasPrefix(base, "https://") {
		// TLS ends at a proxy in front of the server.
		uiOpts = append(uiOpts, webui.WithSecureCookies())
	}
	uiOpts = append(uiOpts, webui.WithMapTiles(cfg.tiles, cfg.tileCredit))
	mux.Handle("/", webui.New(p, uiOpts...))
	// Customers' identity providers provision employees here (HR sync).
	mux.Handle(scimapi.Prefix, scimapi.NewHandler(p))
	servers := []*http.Server{newHTTPServer(ctx, mux, log)}
	if ownMetrics {
		// Its own listener is its access control: whoever reaches it may read it.
		m := http.NewServeMux()
		m.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}))
		servers = append(servers, newHTTPServer(ctx, m, log))
	}
	go purge(ctx, p, log)

	served := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { served <- srv.Serve(listeners[i]) }()
	}
	if ownMetrics {
		fmt.Fprintf(stdout, "metrics on http://%s/metrics\n", listeners[1].Addr())
	}
	fmt.Fprintf(stdout, "portalkit listening on http://%s\n", ln.Addr())

	select {
	case err := <-served:
		for _, srv := range servers {
			_ = srv.Close()
		}
		return err
	case <-ctx.Done():
	}
	log.Info("refserver: shutting down: draining in-flight requests", "deadline", shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownTimeout)
	defer cancel()
	for _, srv := range servers {
		if err := srv.Shutdown(sctx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	for range servers {
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			return err
		}
	}
	return nil
}

// inDays says how long d is, in whole days when it is that long: "7 days".
func inDays(d time.Duration) string {
	if days := d / (24 * time.Hour); days >= 1 && d%(24*time.Hour) == 0 {
		if days == 1 {
			return "1 day"
		}
		return fmt.Sprintf("%d days", days)
	}
	return d.String()
}

// listen opens the listeners of cfg: the API's, and then that of /metrics
// when it has one of its own.
func listen(cfg config) ([]net.Listener, error) {
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, err
	}
	if cfg.metricsAddr == "" {
		return []net.Listener{ln}, nil
	}
	mln, err := net.Listen("tcp", cfg.metricsAddr)
	if err != nil {
		_ = ln.Close()
		return nil, fmt.Errorf("--metrics-addr: %w", err)
	}
	return []net.Listener{ln, mln}, nil
}

// newHTTPServer returns a server of h with the reference server's
// timeouts, logging to log, whose requests' contexts outlive ctx so that
// a shutdown drains them.
func newHTTPServer(ctx context.Context, h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
}

// parseFlags reads the flags of fs from args, with defaults from env.
func parseFlags(fs *flag.FlagSet, args []string, env func(string) string) (config, error) {
	def := func(name, fallback string) string {
		if v := env(name); v != "" {
			return v
		}
		return fallback
	}
	demo := false
	if v := env("PORTALKIT_DEMO"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return config{}, fmt.Errorf("PORTALKIT_DEMO=%q: want true or false", v)
		}
		demo = b
	}
	var cfg config
	fs.StringVar(&cfg.addr, "addr", def("PORTALKIT_ADDR", "127.0.0.1:8080"), "listen `address` (PORTALKIT_ADDR)")
	fs.StringVar(&cfg.db, "db", def("PORTALKIT_DATABASE_URL", def("PORTALKIT_DB", "sqlite:portalkit.db")),
		"database: postgres://… for PostgreSQL, or a file path or sqlite:`path` for SQLite (PORTALKIT_DATABASE_URL)")
	fs.StringVar(&cfg.publicURL, "public-url", env("PORTALKIT_PUBLIC_URL"), "base `URL` in printed links; default http:// and the listen address (PORTALKIT_PUBLIC_URL)")
	fs.BoolVar(&cfg.demo, "demo", demo, "seed demo customers and users into a database without customers and print their sign-in links (PORTALKIT_DEMO)")
	fs.StringVar(&cfg.smtpURL, "smtp-url", env("PORTALKIT_SMTP_URL"), "SMTP server `URL` for mail: smtp://user:pass@host:587, smtps://user:pass@host:465 or smtp://host:25?tls=none; without it mail is logged (PORTALKIT_SMTP_URL)")
	fs.StringVar(&cfg.mailFrom, "mail-from", def("PORTALKIT_MAIL_FROM", defaultMailFrom), "sender `address` of mail (PORTALKIT_MAIL_FROM)")
	fs.StringVar(&cfg.serviceDesk, "service-desk-email", def("PORTALKIT_SERVICE_DESK_EMAIL", ""), "`address` told of every new support ticket; none when empty (PORTALKIT_SERVICE_DESK_EMAIL)")
	fs.StringVar(&cfg.ownerEmail, "owner-email", def("PORTALKIT_OWNER_EMAIL", defaultOwnerEmail),
		"e-mail `address` of the first owner staff member, made on a database without staff members (PORTALKIT_OWNER_EMAIL)")
	check, err := outboxFlags(fs, env, &cfg.outbox)
	if err != nil {
		return config{}, err
	}
	fs.StringVar(&cfg.files, "files", env("PORTALKIT_FILES_URL"), "`URL` of the store for ticket attachments: file:///dir or s3://bucket?region=…; default file:// and portalkit-files beside the SQLite database, or in the working directory (PORTALKIT_FILES_URL)")
	fs.StringVar(&cfg.tiles, "tiles", def("PORTALKIT_TILES", webui.DefaultTileURL),
		"tile `URL` template of the site map, with {z}, {x} and {y}; \"\" shows the markers on a plain background (PORTALKIT_TILES)")
	fs.StringVar(&cfg.tileCredit, "tiles-attribution", def("PORTALKIT_TILES_ATTRIBUTION", webui.DefaultTileAttribution),
		"the attribution the tiles' provider asks for, shown under the map (PORTALKIT_TILES_ATTRIBUTION)")
	maxFile, err := envOr(env, "PORTALKIT_MAX_FILE_MIB", 10, strconv.Atoi, "a whole number")
	if err != nil {
		return config{}, err
	}
	fs.IntVar(&cfg.maxFileMiB, "max-file-mib", maxFile, "the largest ticket attachment accepted, in `MiB`, 1 to 1024 (PORTALKIT_MAX_FILE_MIB)")
	fs.StringVar(&cfg.staffSSO.Issuer, "staff-oidc-issuer", env("PORTALKIT_STAFF_OIDC_ISSUER"), "issuer `URL` of the provider's own OpenID Connect identity provider, through which staff may sign in to the console; off when empty (PORTALKIT_STAFF_OIDC_ISSUER)")
	fs.StringVar(&cfg.staffSSO.ClientID, "staff-oidc-client-id", env("PORTALKIT_STAFF_OIDC_CLIENT_ID"), "the console's client `ID` at that provider (PORTALKIT_STAFF_OIDC_CLIENT_ID)")
	fs.StringVar(&cfg.staffSSO.ClientSecret, "staff-oidc-client-secret", env("PORTALKIT_STAFF_OIDC_CLIENT_SECRET"), "the console's client `secret`; prefer the environment variable (PORTALKIT_STAFF_OIDC_CLIENT_SECRET)")
	fs.StringVar(&cfg.staffSSODomains, "staff-oidc-domains", env("PORTALKIT_STAFF_OIDC_DOMAINS"), "comma-separated e-mail `domains` staff sign in with; the redirect URI to register is --public-url + /console/sso/callback (PORTALKIT_STAFF_OIDC_DOMAINS)")
	fs.StringVar(&cfg.metricsAddr, "metrics-addr", env("PORTALKIT_METRICS_ADDR"), "serve /metrics on a listener of its own at this `address`, and no longer on --addr; without it, /metrics is on --addr for loopback clients only (PORTALKIT_METRICS_ADDR)")
	for _, f := range []struct {
		name, env, usage string
		p                *bool
	}{
		{"webhooks-allow-http", "PORTALKIT_WEBHOOKS_ALLOW_HTTP", "let webhook endpoints use plain http URLs; default https only", &cfg.webhooksHTTP},
		{"webhooks-allow-private", "PORTALKIT_WEBHOOKS_ALLOW_PRIVATE", "let webhook endpoints reach loopback, private and link-local addresses, such as a receiver on this machine; refused by default (SSRF)", &cfg.webhooksPrivate},
	} {
		v := false
		if s := env(f.env); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return config{}, fmt.Errorf("%s=%q: want true or false", f.env, s)
			}
			v = b
		}
		fs.BoolVar(f.p, f.name, v, f.usage+" ("+f.env+")")
	}
	for _, f := range []struct {
		name, env, usage string
		p                *time.Duration
	}{
		{"webhooks-timeout", "PORTALKIT_WEBHOOKS_TIMEOUT", "how long one webhook request may take (default 15s)", &cfg.webhooks.Timeout},
		{"webhooks-lease", "PORTALKIT_WEBHOOKS_LEASE", "how long claimed webhook deliveries stay reserved for their worker; a worker killed mid-pass leaves them to others after that long, and they are sent again with the same webhook-id (default 10m, or twice the longest a pass can take)", &cfg.webhooks.Lease},
	} {
		def, err := envOr(env, f.env, 0, time.ParseDuration, "a duration such as 30s, 10m or 1h")
		if err != nil {
			return config{}, err
		}
		fs.DurationVar(f.p, f.name, def, f.usage+" ("+f.env+")")
	}
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	if err := cfg.webhooks.Validate(); err != nil {
		return config{}, fmt.Errorf("--webhooks-timeout, --webhooks-lease: %w", err)
	}
	if err := check(); err != nil {
		return config{}, err
	}
	cfg.publicURL = strings.TrimRight(cfg.publicURL, "/")
	if u, err := url.Parse(cfg.publicURL); cfg.publicURL != "" && (err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "") {
		return config{}, fmt.Errorf("--public-url %q: want an absolute http or https URL", cfg.publicURL)
	}
	if cfg.smtpURL != "" {
		var err error
		if cfg.smtp, err = newSMTP(cfg.smtpURL); err != nil {
			return config{}, err
		}
	}
	if err := checkMailFrom(cfg.mailFrom); err != nil {
		return config{}, err
	}
	if cfg.maxFileMiB < 1 || cfg.maxFileMiB > 1024 {
		return config{}, fmt.Errorf("--max-file-mib %d: want 1 to 1024", cfg.maxFileMiB)
	}
	if _, err := customer.NormalizeEmail(cfg.ownerEmail); err != nil {
		return config{}, fmt.Errorf("--owner-email %q: want a plain e-mail address such as owner@example.com", cfg.ownerEmail)
	}
	return cfg, nil
}

// outboxFlags defines the flags of the outbox worker's settings in fs,
// with defaults from env, to be parsed into o. check, called after
// fs.Parse, says which flag holds a bad value.
func outboxFlags(fs *flag.FlagSet, env func(string) string, o *portal.OutboxOptions) (check func() error, err error) {
	type intFlag struct {
		name, envName, usage string
		p                    *int
		def                  int
	}
	type durFlag struct {
		name, envName, usage string
		p                    *time.Duration
		def                  time.Duration
	}
	// field maps the names of portal's fields to the flags'.
	field := map[string]string{}
	ints := []intFlag{
		{"outbox-batch-size", "PORTALKIT_OUTBOX_BATCH_SIZE", "outbox messages claimed per pass, 1 to 1000", &o.BatchSize, portal.DefaultOutboxBatchSize},
		{"outbox-concurrency", "PORTALKIT_OUTBOX_CONCURRENCY", "outbox messages sent at once", &o.Concurrency, portal.DefaultOutboxConcurrency},
		{"outbox-max-attempts", "PORTALKIT_OUTBOX_MAX_ATTEMPTS", "attempts before an outbox message fails for good", &o.MaxAttempts, portal.DefaultOutboxMaxAttempts},
	}
	durs := []durFlag{
		{"outbox-poll-interval", "PORTALKIT_OUTBOX_POLL_INTERVAL", "how often the outbox worker looks for due mail unless a change wakes it", &o.PollInterval, portal.DefaultOutboxPoll},
		{"outbox-lease", "PORTALKIT_OUTBOX_LEASE", "how long claimed outbox messages stay reserved for their worker; a worker killed mid-pass leaves them to others after that long (default 10m, or twice the longest a pass can take when that is longer)", &o.Lease, 0},
		{"outbox-base-delay", "PORTALKIT_OUTBOX_BASE_DELAY", "backoff after an outbox message's first failed attempt, doubled after each further one, jittered", &o.BaseDelay, portal.DefaultOutboxBaseDelay},
		{"outbox-max-delay", "PORTALKIT_OUTBOX_MAX_DELAY", "longest backoff of an outbox message", &o.MaxDelay, portal.DefaultOutboxMaxDelay},
	}
	for _, f := range ints {
		field[optionName(f.name)] = f.name
		def, err := envOr(env, f.envName, f.def, strconv.Atoi, "a whole number")
		if err != nil {
			return nil, err
		}
		fs.IntVar(f.p, f.name, def, f.usage+" ("+f.envName+")")
	}
	for _, f := range durs {
		field[optionName(f.name)] = f.name
		def, err := envOr(env, f.envName, f.def, time.ParseDuration, "a duration such as 30s, 10m or 1h")
		if err != nil {
			return nil, err
		}
		fs.DurationVar(f.p, f.name, def, f.usage+" ("+f.envName+")")
	}
	return func() error {
		// Zero would mean portal's default here; the flags say it outright.
		for _, f := range ints {
			if *f.p < 1 {
				return fmt.Errorf("--%s %d: must be at least 1", f.name, *f.p)
			}
		}
		for _, f := range durs {
			if *f.p < 0 || (*f.p == 0 && f.def != 0) {
				return fmt.Errorf("--%s %s: must be positive", f.name, *f.p)
			}
		}
		o.SendTimeout = outboxSendTimeout
		err := o.Validate()
		if pe, ok := errors.AsType[*portalerr.Error](err); ok && len(pe.Fields) > 0 {
			// portal's messages name its fields; say the flags instead.
			names := []string{"send_timeout", fmt.Sprintf("the send timeout (%s)", outboxSendTimeout)}
			for k, name := range field {
				if strings.Contains(k, "_") {
					names = append(names, k, "--"+name)
				}
			}
			v := pe.Fields[0]
			if name, ok := field[v.Field]; ok {
				return fmt.Errorf("--%s: %s", name, strings.NewReplacer(names...).Replace(v.Message))
			}
		}
		return err
	}, nil
}

// optionName is the name portal's errors give the OutboxOptions field of
// an outbox flag: "outbox-batch-size" is "batch_size".
func optionName(flag string) string {
	return strings.ReplaceAll(strings.TrimPrefix(flag, "outbox-"), "-", "_")
}

// envOr returns the variable name of env as parse reads it, or def when it
// is unset; an error saying it wants what when parse fails.
func envOr[T any](env func(string) string, name string, def T, parse func(string) (T, error), want string) (T, error) {
	v := env(name)
	if v == "" {
		return def, nil
	}
	t, err := parse(v)
	if err != nil {
		return def, fmt.Errorf("%s=%q: want %s", name, v, want)
	}
	return t, nil
}

// openPortal opens the database, applying its migrations, and a Portal on
// it that mails through m (nil: mail stays in the outbox) with links on
// base. The caller closes the store, which also keeps Idempotency-Keys.
func openPortal(ctx context.Context, cfg config, log *slog.Logger, m mailer.Mailer, base string) (*portal.Portal, storage.Store, error) {
	store, err := openStore(ctx, cfg.db)
	if err != nil {
		return nil, nil, err
	}
	c := portal.Config{Store: store, Logger: log}
	c.Webhooks = portal.WebhookConfig{AllowHTTP: cfg.webhooksHTTP, AllowPrivateAddresses: cfg.webhooksPrivate, Data: httpapi.EventData}
	if cfg.files != "" {
		files, err := filestore.Open(ctx, cfg.files)
		if err != nil {
			_ = store.Close()
			return nil, nil, fmt.Errorf("--files: %w", err)
		}
		// The bucket holds no connection worth closing before exit: a
		// local directory, or an S3 client, which the process ends with.
		c.Files = files
		c.FileLimits.MaxBytes = int64(cfg.maxFileMiB) << 20
	}
	if isPostgres(cfg.db) {
		// Replicas share a PostgreSQL database: counting sign-in attempts
		// there makes the rate limits hold for all of them together. One
		// process serves an SQLite file, and the default, in-process
		// limiter counts the same without a write per attempt.
		counter, ok := store.(storage.AttemptCounter)
		if !ok {
			_ = store.Close()
			return nil, nil, fmt.Errorf("the %T store does not count attempts", store)
		}
		c.RateLimiter = portal.NewStoreRateLimiter(counter)
	}
	if m != nil {
		c.Mailer, c.MailFrom, c.ServiceDeskEmail = m, cfg.mailFrom, cfg.serviceDesk
		c.Branding = mailer.Branding{ProductName: productName, PublicBaseURL: base}
	}
	if cfg.staffSSO.Issuer != "" {
		c.StaffSSO = cfg.staffSSO
		c.StaffSSO.Domains = strings.FieldsFunc(cfg.staffSSODomains, func(r rune) bool { return r == ',' || r == ' ' })
		if c.Branding.PublicBaseURL == "" {
			c.StaffSSO.RedirectURL = strings.TrimSuffix(base, "/") + "/console/sso/callback"
		}
	}
	p, err := portal.New(c)
	if err != nil {
		_ = store.Close()
		return nil, nil, err
	}
	return p, store, nil
}

// defaultFilesURL returns the file store beside the database a --db value
// names: portalkit-files in the SQLite file's directory, or in the working
// directory for PostgreSQL.
func defaultFilesURL(db string) (string, error) {
	dir := "."
	if !isPostgres(db) {
		path, err := sqlitePath(db)
		if err != nil {
			return "", err
		}
		dir = filepath.Dir(path)
	}
	abs, err := filepath.Abs(filepath.Join(dir, "portalkit-files"))
	if err != nil {
		return "", fmt.Errorf("--files: %w", err)
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs)}).String(), nil
}

// openStore opens the database a --db value names: PostgreSQL for a
// postgres:// or postgresql:// URL, else an SQLite file.
func openStore(ctx context.Context, db string) (storage.Store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db)
	}
	path, err := sqlitePath(db)
	if err != nil {
		return nil, err
	}
	return sqlite.Open(ctx, path)
}

// isPostgres reports whether a --db value names a PostgreSQL database.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// sqlitePath returns the SQLite file a --db value names.
func sqlitePath(db string) (string, error) {
	switch {
	case strings.HasPrefix(db, "sqlite://"):
		db = strings.TrimPrefix(db, "sqlite://")
	case strings.HasPrefix(db, "sqlite:"):
		db = strings.TrimPrefix(db, "sqlite:")
	case strings.Contains(db, "://"):
		return "", fmt.Errorf("--db %q: want postgres://…, a file path or sqlite:path", db)
	}
	if db == "" {
		return "", errors.New("--db: empty database path")
	}
	return db, nil
}

// purge deletes ended sessions, links, Idempotency-Keys and rate-limit
// windows every purgeInterval until ctx ends.
func purge(ctx context.Context, p *portal.Portal, log *slog.Logger) {
	t := time.NewTicker(purgeInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			n, err := p.PurgeExpired(ctx)
			if err != nil {
				log.Error("refserver: purging expired sessions and links", "err", err)
				continue
			}
			log.Info("refserver: purged expired sessions and links", "count", n)
			if n, err := p.PurgeWebhookDeliveries(ctx, 0); err != nil {
				log.Error("refserver: purging webhook deliveries", "err", err)
			} else {
				log.Info("refserver: purged webhook deliveries older than their retention", "count", n)
			}
		}
	}
}

// runAPIKey is `refserver apikey create --name N --role R`: it creates an
// API key directly in the database, as the operator, and prints its secret.
func runAPIKey(ctx context.Context, args []string, env func(string) string, stdout io.Writer, log *slog.Logger) error {
	if len(args) == 0 || args[0] != "create" {
		return errors.New("usage: refserver apikey create --name NAME --role owner|admin|agent [--db URL|PATH]")
	}
	fs := flag.NewFlagSet("refserver apikey create", flag.ContinueOnError)
	fs.SetOutput(stdout)
	name := fs.String("name", "", "the key's `name`, such as the system that uses it")
	role := fs.String("role", "", "the staff `role` it acts as: owner, admin or agent")
	cfg, err := parseFlags(fs, args[1:], env)
	if err != nil {
		return err
	}
	p, store, err := openPortal(ctx, cfg, log, nil, "")
	if err != nil {
		return err
	}
	defer func() { _ = store.Close() }()
	// Whoever can run this can read the database: they act as its owner.
	operator := identity.NewContext(ctx, identity.Staff("operator", identity.StaffOwner))
	k, err := p.CreateAPIKey(operator, portal.CreateAPIKeyParams{Name: *name, Role: identity.StaffRole(*role)})
	if err != nil {
		return fmt.Errorf("creating the API key: %w", err)
	}
	fmt.Fprintf(stdout, "API key %s (%s, %s). Its secret is shown only this once:\n\n    %s\n\n", k.Key.ID, k.Key.Name, k.Key.Role, k.Token)
	return nil
}
