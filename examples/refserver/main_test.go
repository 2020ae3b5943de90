package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// server is a running refserver: run on a free port, its output parsed.
type server struct {
	url  string
	key  string // the owner API key, when it printed one
	done chan error
	stop context.CancelFunc

	mu  sync.Mutex
	out strings.Builder
}

var (
	listeningRE = regexp.MustCompile(`^portalkit listening on (http://\S+)$`)
	keyRE       = regexp.MustCompile(`^\s+(pk_\S+)$`)
	tokenRE     = regexp.MustCompile(`msg="mailer: message" to=\[(\S+)\] .*links="?\[\S*\?token=(pi_[^\s\]"]+)`)
)

// start runs the real run with the SQLite database portalkit.db in dir
// and waits until it listens. Where there is no database yet, it starts on
// an empty, migrated one (migrated); TestRunOnboarding starts on nothing.
func start(t *testing.T, dir string, args ...string) *server {
	t.Helper()
	path := filepath.Join(dir, "portalkit.db")
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		migrated(t, path)
	}
	return startOn(t, "sqlite:"+path, args...)
}

// migrated writes an empty database with every migration applied to
// path, which must not exist, and returns its database URL. Migrating
// anew costs seconds under the race detector, for every server the tests
// start, so it writes the bytes of emptyDatabase. A server on it still
// finds no API key and bootstraps as on a new database.
func migrated(t *testing.T, path string) string {
	t.Helper()
	data, err := emptyDatabase()
	require.NoError(t, err)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	require.NoError(t, err)
	_, err = f.Write(data)
	require.NoError(t, errors.Join(err, f.Close()))
	return "sqlite:" + path
}

// emptyDatabase returns the bytes of a database file that sqlite.Backup
// wrote of the empty, migrated database sqlite.OpenTemp gives. It is made
// once per process: opening that store and copying it with VACUUM INTO
// cost half a second under the race detector each time.
var emptyDatabase = sync.OnceValues(func() ([]byte, error) {
	ctx := context.Background()
	s, err := sqlite.OpenTemp(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	dir, err := os.MkdirTemp("", "refserver-empty-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "portalkit.db")
	if err := sqlite.Backup(ctx, s, path); err != nil {
		return nil, err
	}
	return os.ReadFile(path)
})

// startOn runs the real run on the database that PORTALKIT_DATABASE_URL
// names and waits until it listens.
func startOn(t *testing.T, db string, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	env := func(k string) string {
		if k == "PORTALKIT_DATABASE_URL" {
			return db
		}
		return ""
	}
	s := &server{done: make(chan error, 1), stop: cancel}
	r, w := io.Pipe()
	go func() {
		s.done <- run(ctx, append([]string{"--addr", "127.0.0.1:0"}, args...), env, w)
		_ = w.Close()
	}()
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.out.WriteString(line + "\n")
			if m := keyRE.FindStringSubmatch(line); m != nil && s.key == "" {
				s.key = m[1]
			}
			if m := listeningRE.FindStringSubmatch(line); m != nil {
				s.url = m[1]
				close(ready)
			}
			s.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	select {
	case <-ready:
	case err := <-s.done:
		t.Fatalf("run returned before listening: %v\n%s", err, s.output())
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not listen within 30s:\n%s", s.output())
	}
	t.Cleanup(func() { s.shutdown(t) })
	return s
}

func (s *server) output() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.out.String()
}

// invitationToken returns the token of the last invitation the log mailer
// wrote for email. The outbox worker sends mail after the request that
// caused it, so it waits for the line to appear (at most 30s).
func (s *server) invitationToken(t *testing.T, email string) string {
	t.Helper()
	var token string
	found := func() bool {
		for _, m := range tokenRE.FindAllStringSubmatch(s.output(), -1) {
			if m[1] == email {
				token = m[2]
			}
		}
		return token != ""
	}
	if !found() {
		require.Eventually(t, found, 30*time.Second, 5*time.Millisecond, "no invitation to %s is logged:\n%s", email, s.output())
	}
	return token
}

// shutdown cancels run's context and returns what run returned.
func (s *server) shutdown(t *testing.T) error {
	t.Helper()
	s.stop()
	select {
	case err, ok := <-s.done:
		if ok {
			close(s.done)
		}
		return err
	case <-time.After(30 * time.Second):
		t.Fatalf("run did not return within 30s of cancel")
		return nil
	}
}

func TestRunOnboarding(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// On nothing, as a newcomer's first run: the server migrates it.
	s := startOn(t, "sqlite:"+filepath.Join(dir, "portalkit.db"))
	require.NotEmpty(t, s.key, "a new database prints its owner key:\n%s", s.output())

	staff, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	ctx := t.Context()

	r, err := client.Check(staff.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{
		Name:      "Acme GmbH",
		FirstUser: &client.FirstUser{Email: "ada@acme.example"},
	}))
	require.NoError(t, err)
	acme := r.JSON201
	assert.Equal(t, "Acme GmbH", acme.Name)

	list, err := client.Check(staff.ListCustomersWithResponse(ctx, nil))
	require.NoError(t, err)
	require.Len(t, list.JSON200.Items, 1)
	assert.Equal(t, acme.Id, list.JSON200.Items[0].Id)

	// Without SMTP the invitation is logged, token included.
	token := s.invitationToken(t, "ada@acme.example")
	name := "Ada"
	in, err := client.Check(staff.AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: token, Name: &name}))
	require.NoError(t, err)

	ada, err := client.New(s.url, client.WithSessionToken(in.JSON201.Token))
	require.NoError(t, err)
	me, err := client.Check(ada.GetMeWithResponse(ctx))
	require.NoError(t, err)
	require.NotNil(t, me.JSON200.Membership)
	assert.Equal(t, acme.Id, me.JSON200.Membership.CustomerId)
	assert.Equal(t, client.RoleAdmin, me.JSON200.Membership.Role)

	// A customer user cannot see the staff-wide list of API keys.
	_, err = client.Check(ada.ListAPIKeysWithResponse(ctx, nil))
	assert.ErrorIs(t, err, client.ErrPermissionDenied)

	assert.NoError(t, s.shutdown(t))

	// The database is not new any more: no second owner key.
	again := start(t, dir)
	assert.Empty(t, again.key)
	assert.NoError(t, again.shutdown(t))
}

func TestRunDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := start(t, dir, "--demo")
	out := s.output()
	for _, want := range []string{"Acme GmbH", "Globex AG", "ada@acme.example", "/access?token=pa_", "/v1/auth/access-links/redeem", "/accept?token=pi_",
		"Portfolio: 7 products", "PO-000001  standard  submitted", "confirmed", "rejected", "cancelled", "fulfilled", "pre_order"} {
		assert.Contains(t, out, want)
	}
	block := out[strings.Index(out, "Demo data:"):]
	block = block[:strings.Index(block, "Staff API keys")]
	assert.NotContains(t, block, "level=", "the sign-in block is one, without log lines inside")
	link := regexp.MustCompile(`"token":"(pa_[^"]+)"`).FindStringSubmatch(out)
	require.NotNil(t, link, out)
	c, err := client.New(s.url)
	require.NoError(t, err)
	in, err := client.Check(c.SignInWithAccessLinkWithResponse(t.Context(), client.RedeemAccessLinkRequest{Token: link[1]}))
	require.NoError(t, err)
	assert.NotEmpty(t, in.JSON201.Token)

	// The printed link itself opens the web UI: a click signs the person in.
	page := regexp.MustCompile(`(http://\S+/access\?token=pa_\S+)`).FindStringSubmatch(out)
	require.NotNil(t, page, out)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar}
	resp, err := browser.Get(page[1])
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "/access", resp.Request.URL.Path, "the token left the address bar")
	assert.Contains(t, string(body), `<form method="post" action="/access">`)
	resp, err = browser.PostForm(s.url+"/access", nil)
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Contains(t, string(body), "Ada Admin", "signed in as the link's person")
	assert.Equal(t, "/", resp.Request.URL.Path, "the start page")
	for _, title := range []string{"Service hours over the holidays", "Your new laptop line", "Returning devices"} {
		assert.Contains(t, string(body), title, "the demo's news on the start page")
	}

	// The staff member's link opens the console.
	staffLink := regexp.MustCompile(`(http://\S+/console/accept\?token=psi_[\w-]+)`).FindStringSubmatch(out)
	require.NotNil(t, staffLink, out)
	jar, err = cookiejar.New(nil)
	require.NoError(t, err)
	browser = &http.Client{Jar: jar}
	resp, err = browser.Get(staffLink[1])
	require.NoError(t, err)
	_ = resp.Body.Close()
	resp, err = browser.PostForm(s.url+"/console/accept", nil)
	require.NoError(t, err)
	body, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "/console/customers", resp.Request.URL.Path, "in the console")
	assert.Contains(t, string(body), "Acme GmbH", "the console lists the customers")

	assert.NoError(t, s.shutdown(t))

	// A second start finds the demo data and seeds nothing.
	again := start(t, dir, "--demo")
	assert.Contains(t, again.output(), "Demo data is already in this database")
	assert.NoError(t, again.shutdown(t))
}

func TestRunAPIKeyCreate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := func(k string) string {
		if k == "PORTALKIT_DB" {
			return filepath.Join(dir, "portalkit.db")
		}
		return ""
	}
	var out strings.Builder
	err := run(t.Context(), []string{"apikey", "create", "--name", "erp", "--role", "admin"}, env, &out)
	require.NoError(t, err)
	key := regexp.MustCompile(`(?m)^\s+(pk_\S+)$`).FindStringSubmatch(out.String())
	require.NotNil(t, key, out.String())

	s := start(t, dir)
	c, err := client.New(s.url, client.WithAPIKey(key[1]))
	require.NoError(t, err)
	_, err = client.Check(c.ListCustomersWithResponse(t.Context(), nil))
	assert.NoError(t, err)

	err = run(t.Context(), []string{"apikey", "create", "--name", "x", "--role", "emperor"}, env, io.Discard)
	assert.Error(t, err)
}

func TestRunBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"--db", "postgres://portal@127.0.0.1:1/portal?connect_timeout=5"}, want: "postgres: opening"},
		{env: map[string]string{"PORTALKIT_DATABASE_URL": "postgresql://portal@127.0.0.1:1/portal?connect_timeout=5"}, want: "postgres: opening"},
		{args: []string{"--db", "mysql://localhost/portal"}, want: "want postgres://…, a file path or sqlite:path"},
		{env: map[string]string{"PORTALKIT_DB": "mysql://localhost/portal"}, want: "want postgres://…, a file path or sqlite:path"},
		{args: []string{"--public-url", "portal.example"}, want: "want an absolute http or https URL"},
		{env: map[string]string{"PORTALKIT_DEMO": "sure"}, want: "PORTALKIT_DEMO"},
		{args: []string{"serve"}, want: "unknown command"},
		{args: []string{"--smtp-url", "http://mail.example"}, want: "--smtp-url: scheme must be smtp or smtps"},
		{env: map[string]string{"PORTALKIT_SMTP_URL": "smtp://user:hunter2@mail.example?tls=maybe"}, want: `--smtp-url: tls="maybe"`},
		{args: []string{"--mail-from", "not an address"}, want: "--mail-from"},
		{args: []string{"--outbox-concurrency", "0"}, want: "--outbox-concurrency 0: must be at least 1"},
		{env: map[string]string{"PORTALKIT_OUTBOX_BATCH_SIZE": "lots"}, want: `PORTALKIT_OUTBOX_BATCH_SIZE="lots": want a whole number`},
		{args: []string{"--outbox-batch-size", "5000"}, want: "--outbox-batch-size: must be between 1 and 1000"},
		{args: []string{"--outbox-max-attempts", "many"}, want: `invalid value "many" for flag -outbox-max-attempts`},
		{env: map[string]string{"PORTALKIT_OUTBOX_LEASE": "forever"}, want: `PORTALKIT_OUTBOX_LEASE="forever": want a duration`},
		// 100 messages, 8 at a time, 16s each: a pass may take 3m34s.
		{args: []string{"--outbox-lease", "3m"}, want: "--outbox-lease: must be longer than a pass can take, the send timeout (16s) × (--outbox-batch-size + concurrency − 1) / concurrency (3m34s)"},
		{env: map[string]string{"PORTALKIT_OUTBOX_CONCURRENCY": "1", "PORTALKIT_OUTBOX_LEASE": "20m"}, want: "--outbox-lease: must be longer than a pass can take"},
		{args: []string{"--outbox-base-delay", "2h"}, want: "--outbox-max-delay: must be at least --outbox-base-delay"},
		{args: []string{"--outbox-poll-interval", "-1s"}, want: "--outbox-poll-interval -1s: must be positive"},
		{env: map[string]string{"PORTALKIT_OUTBOX_MAX_DELAY": "0s"}, want: "--outbox-max-delay 0s: must be positive"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			// A free port and a database of the test's own, unless the
			// case is about them: nothing binds 8080 or writes to the
			// package directory.
			defaults := map[string]string{"PORTALKIT_ADDR": "127.0.0.1:0", "PORTALKIT_DB": "sqlite:" + filepath.Join(t.TempDir(), "portal.db")}
			env := func(k string) string {
				if v, ok := tt.env[k]; ok {
					return v
				}
				return defaults[k]
			}
			err := run(t.Context(), tt.args, env, io.Discard)
			assert.ErrorContains(t, err, tt.want)
		})
	}
}

// TestRunDemoRefusesADatabaseInUse checks that --demo does not add its
// customers beside customers of the database's own.
func TestRunDemoRefusesADatabaseInUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := start(t, dir)
	staff, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	_, err = client.Check(staff.CreateCustomerWithResponse(t.Context(), nil, client.CreateCustomerRequest{Name: "Real Customer AG"}))
	require.NoError(t, err)
	require.NoError(t, s.shutdown(t))

	env := func(k string) string {
		return map[string]string{"PORTALKIT_ADDR": "127.0.0.1:0", "PORTALKIT_DB": "sqlite:" + filepath.Join(dir, "portalkit.db")}[k]
	}
	err = run(t.Context(), []string{"--demo"}, env, io.Discard)
	require.ErrorIs(t, err, errDemoNotEmpty)
	assert.ErrorContains(t, err, "--demo seeds a database without customers")

	again := start(t, dir)
	staff, err = client.New(again.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	l, err := client.Check(staff.ListCustomersWithResponse(t.Context(), nil))
	require.NoError(t, err)
	require.Len(t, l.JSON200.Items, 1, "nothing was seeded")
}

// TestRunDrains checks that a request under way when run's context ends
// still gets its answer before run returns.
func TestRunDrains(t *testing.T) {
	t.Parallel()
	s := start(t, t.TempDir())
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.url, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	body := `{"name":"Acme GmbH"}`
	_, err = fmt.Fprintf(conn, "POST /v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", s.key, len(body))
	require.NoError(t, err)
	// 100 Continue says the handler is waiting for the body: the request is under way.
	r := bufio.NewReader(conn)
	resp, err := http.ReadResponse(r, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusContinue, resp.StatusCode)

	s.stop()
	require.Eventually(t, func() bool { return strings.Contains(s.output(), "shutting down") }, 10*time.Second, 10*time.Millisecond)
	_, err = io.WriteString(conn, body)
	require.NoError(t, err)
	resp, err = http.ReadResponse(r, nil)
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.NoError(t, s.shutdown(t))
}

// TestOutboxFlags reads the outbox worker's settings from flags and their
// variables; a flag wins over its variable, and an unset lease is left to
// portal's default.
func TestOutboxFlags(t *testing.T) {
	t.Parallel()
	parse := func(t *testing.T, args []string, env map[string]string) config {
		t.Helper()
		fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		cfg, err := parseFlags(fs, args, func(k string) string { return env[k] })
		require.NoError(t, err)
		cfg.outbox.Jitter = nil
		return cfg
	}
	assert.Equal(t, portal.OutboxOptions{
		BatchSize: 100, Concurrency: 8, SendTimeout: 16 * time.Second, MaxAttempts: 10,
		BaseDelay: 30 * time.Second, MaxDelay: time.Hour, PollInterval: time.Second,
	}, parse(t, nil, nil).outbox, "the defaults")

	got := parse(t, []string{"--outbox-concurrency", "16", "--outbox-lease", "15m", "--outbox-max-delay", "2h"}, map[string]string{
		"PORTALKIT_OUTBOX_CONCURRENCY":   "4",
		"PORTALKIT_OUTBOX_BATCH_SIZE":    "500",
		"PORTALKIT_OUTBOX_POLL_INTERVAL": "250ms",
		"PORTALKIT_OUTBOX_MAX_ATTEMPTS":  "3",
		"PORTALKIT_OUTBOX_BASE_DELAY":    "5s",
		"PORTALKIT_OUTBOX_LEASE":         "1h",
	})
	assert.Equal(t, portal.OutboxOptions{
		BatchSize: 500, Concurrency: 16, SendTimeout: 16 * time.Second, Lease: 15 * time.Minute, MaxAttempts: 3,
		BaseDelay: 5 * time.Second, MaxDelay: 2 * time.Hour, PollInterval: 250 * time.Millisecond,
	}, got.outbox)
}

// TestRunOutboxMetrics scrapes /metrics after the server mailed an
// invitation: the outbox's gauges and counters are there beside the HTTP
// metrics.
func TestRunOutboxMetrics(t *testing.T) {
	t.Parallel()
	s := start(t, t.TempDir(), "--outbox-concurrency", "2", "--outbox-batch-size", "10")
	staff, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	_, err = client.Check(staff.CreateCustomerWithResponse(t.Context(), nil, client.CreateCustomerRequest{
		Name: "Acme GmbH", FirstUser: &client.FirstUser{Email: "ada@acme.example"},
	}))
	require.NoError(t, err)
	s.invitationToken(t, "ada@acme.example")

	var body string
	require.Eventually(t, func() bool {
		resp, err := http.Get(s.url + "/metrics")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == http.StatusOK && strings.Contains(body, "\nportalkit_outbox_sent_total 1\n")
	}, 30*time.Second, 10*time.Millisecond, "the invitation is counted as sent")
	for _, want := range []string{
		"\nportalkit_outbox_pending_messages 0\n",
		"\nportalkit_outbox_sending_messages 0\n",
		"\nportalkit_outbox_oldest_pending_age_seconds 0\n",
		"\nportalkit_outbox_failed_total 0\n",
		"\nportalkit_outbox_stats_errors_total 0\n",
		"\nportalkit_http_requests_total{",
	} {
		assert.Contains(t, body, want)
	}
	assert.NoError(t, s.shutdown(t))
}

func TestDefaultFilesURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	got, err := defaultFilesURL("sqlite:" + filepath.Join(dir, "portal.db"))
	require.NoError(t, err)
	assert.Equal(t, "file://"+filepath.ToSlash(filepath.Join(dir, "portalkit-files")), got)
	got, err = defaultFilesURL("postgres://db.internal/portal")
	require.NoError(t, err)
	wd, err := os.Getwd()
	require.NoError(t, err)
	assert.Equal(t, "file://"+filepath.ToSlash(filepath.Join(wd, "portalkit-files")), got)
}
