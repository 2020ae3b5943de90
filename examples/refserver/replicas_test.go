package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/uuid"
	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/internal/smtptest"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// replica is a reference server running as a process of its own, from the
// real binary, so that it can be killed.
type replica struct {
	url string
	key string // the owner API key, if this replica created the database
	cmd *exec.Cmd
	eof chan struct{} // closed when its output ended: the process exited

	mu    sync.Mutex
	out   strings.Builder
	raced bool // the race detector reported a data race in it
}

// runAsServer is the environment variable that makes the test binary run
// main instead of the tests; TestMain reads it.
const runAsServer = "PORTALKIT_REFSERVER_TEST_RUN_MAIN"

// TestMain lets a test start the reference server as a process of its own
// without building it: the test binary, started again with runAsServer set,
// is the server. Building a separate binary cost a minute of compiling when
// the test ran under the race detector on a cold cache.
func TestMain(m *testing.M) {
	if os.Getenv(runAsServer) == "1" {
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// serverBinary returns the program that runs the reference server: this
// test binary, which TestMain turns into the server when runAsServer is set.
func serverBinary(t *testing.T) string {
	t.Helper()
	bin, err := os.Executable()
	require.NoError(t, err)
	return bin
}

// startReplica starts bin on the database db, mailing through smtpURL,
// with env ("KEY=value") added to its environment, and waits until it
// listens. It is stopped (SIGTERM) when the test ends, unless the test
// killed it first; then the test fails if the race detector reported a
// data race in it, killed or not (bin is this test binary, built with
// -race when the tests are).
func startReplica(t *testing.T, bin, db, smtpURL string, env ...string) *replica {
	t.Helper()
	r := &replica{eof: make(chan struct{})}
	r.cmd = exec.Command(bin, "--addr", "127.0.0.1:0")
	r.cmd.Env = append(os.Environ(),
		runAsServer+"=1",
		"PORTALKIT_DATABASE_URL="+db,
		"PORTALKIT_SMTP_URL="+smtpURL,
		"PORTALKIT_MAIL_FROM=portal@provider.example",
	)
	r.cmd.Env = append(r.cmd.Env, env...)
	// A pipe of our own rather than StdoutPipe, whose reading end Wait
	// closes: what a killed process wrote last, a race report say, is
	// read to the end.
	stdout, w, err := os.Pipe()
	require.NoError(t, err)
	r.cmd.Stdout, r.cmd.Stderr = w, w
	err = r.cmd.Start()
	_ = w.Close()
	if err != nil {
		_ = stdout.Close()
		require.NoError(t, err)
	}
	ready := make(chan struct{})
	go func() {
		defer close(r.eof)
		defer stdout.Close()
		sc := bufio.NewScanner(stdout)
		listening := false
		for sc.Scan() {
			line := sc.Text()
			r.mu.Lock()
			r.out.WriteString(line + "\n")
			if m := keyRE.FindStringSubmatch(line); m != nil && r.key == "" {
				r.key = m[1]
			}
			if m := listeningRE.FindStringSubmatch(line); m != nil && !listening {
				r.url, listening = m[1], true
				close(ready)
			}
			if strings.Contains(line, "WARNING: DATA RACE") {
				r.raced = true
			}
			r.mu.Unlock()
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		_ = r.cmd.Process.Kill()
		t.Fatalf("replica did not listen within 60s:\n%s", r.output())
	}
	t.Cleanup(func() {
		_ = r.cmd.Process.Signal(syscall.SIGTERM)
		_ = r.cmd.Wait()
		select {
		case <-r.eof:
		case <-time.After(30 * time.Second):
			t.Errorf("the replica's output did not end within 30s of its exit")
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.raced {
			t.Errorf("the race detector reported a data race in the replica:\n%s", r.out.String())
		}
	})
	return r
}

func (r *replica) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.out.String()
}

// client returns an API client of r acting with token.
func (r *replica) client(t *testing.T, opt client.Option) *client.Client {
	t.Helper()
	c, err := client.New(r.url, opt)
	require.NoError(t, err)
	return c
}

var linkTokenRE = regexp.MustCompile(`https?://\S+\?token=(pi_[A-Za-z0-9_-]+)`)

// invitationToken returns the token of the one invitation mail the SMTP
// server received for email, waiting for it.
func invitationToken(t *testing.T, srv *smtptest.Server, email string) string {
	t.Helper()
	var token string
	require.Eventually(t, func() bool {
		for _, m := range srv.Messages() {
			if len(m.To) == 1 && m.To[0] == email {
				p := smtptest.Parse(t, m.Data)
				if mm := linkTokenRE.FindStringSubmatch(p.Parts["text/plain"]); mm != nil {
					token = mm[1]
					return true
				}
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "no invitation mail to %s", email)
	return token
}

// TestReplicasOnPostgreSQL runs two reference-server processes on one
// PostgreSQL database, each with its own outbox worker, and spreads one
// client's requests across them: sessions and API keys work on either, an
// Idempotency-Key reused on the other replica still gives one order, every
// mail is delivered exactly once, the sign-in rate limit holds for both
// replicas together, a list's cursor from one opens on the other, and a
// replica killed with SIGKILL in the middle of a load loses no order it
// had answered with 2xx.
func TestReplicasOnPostgreSQL(t *testing.T) {
	t.Parallel()
	db := postgrestest.URL(t)
	mail := smtptest.Start(t, nil)
	bin := serverBinary(t)
	a := startReplica(t, bin, db, mail.URL())
	require.NotEmpty(t, a.key, "the first replica creates the database and prints its key:\n%s", a.output())
	b := startReplica(t, bin, db, mail.URL())
	assert.Empty(t, b.key, "the second replica finds the database made")
	ctx := t.Context()

	// The API key works on both replicas.
	staff := []*client.Client{a.client(t, client.WithAPIKey(a.key)), b.client(t, client.WithAPIKey(a.key))}
	on := true
	created, err := client.Check(staff[1].CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{
		Name:      "Acme GmbH",
		FirstUser: &client.FirstUser{Email: "ada@acme.example"},
		Features:  &client.FeaturesPatch{OrderAuthorization: &on},
	}))
	require.NoError(t, err)
	acme := created.JSON201
	product, err := client.Check(staff[0].CreateProductWithResponse(ctx, nil, client.CreateProductRequest{
		Sku: "LAP-14", Name: "Laptop 14", Price: client.Money{Amount: 129_900, Currency: "EUR"},
	}))
	require.NoError(t, err)

	// The invitation mailed by one of the workers is accepted on B; the
	// session works on both.
	name := "Ada"
	in, err := client.Check(staff[1].AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{
		Token: invitationToken(t, mail, "ada@acme.example"), Name: &name,
	}))
	require.NoError(t, err)
	users := []*client.Client{a.client(t, client.WithSessionToken(in.JSON201.Token)), b.client(t, client.WithSessionToken(in.JSON201.Token))}
	for i, u := range users {
		me, err := client.Check(u.GetMeWithResponse(ctx))
		require.NoError(t, err, "the session works on replica %d", i)
		require.NotNil(t, me.JSON200.Principal.CustomerId)
		assert.Equal(t, acme.Id, *me.JSON200.Principal.CustomerId)
	}

	order := client.PlaceOrderRequest{
		Lines:     []client.OrderLineRequest{{ProductId: product.JSON201.Id, Quantity: 2}},
		Recipient: &client.Employee{Name: "Nina Newhire"},
	}
	place := func(c *client.Client, key string) (*client.PlaceOrderResponse, error) {
		return c.PlaceOrderWithResponse(ctx, acme.Id, &client.PlaceOrderParams{IdempotencyKey: &key}, order)
	}

	// One Idempotency-Key, sent to A and then to B: one order.
	key := uuid.NewString()
	first, err := client.Check(place(users[0], key))
	require.NoError(t, err)
	again, err := client.Check(place(users[1], key))
	require.NoError(t, err, "the replay on the other replica answers like the first")
	assert.Equal(t, first.JSON201.Id, again.JSON201.Id, "the same order, not a second one")
	assert.Equal(t, []string{first.JSON201.Id}, allOrders(t, staff[1], acme.Id), "one order in the database")

	// Mail from both workers: 20 more invitations, made on alternating
	// replicas, each delivered exactly once. With the first user's
	// invitation and the order's confirmation mail that is 22 messages.
	for i := range 20 {
		_, err := client.Check(staff[i%2].InviteWithResponse(ctx, acme.Id, nil, client.InviteRequest{
			Email: openapi_types.Email(fmt.Sprintf("user%02d@acme.example", i)), Role: client.RoleViewer,
		}))
		require.NoError(t, err)
	}
	const wantMail = 22
	// Wait until the outbox says every message is sent: a worker sends
	// before it marks, so by then any second sending of a message by a
	// worker whose claim was not exclusive has reached the server too.
	mailIn := func(st client.MailMessageStatus) int {
		limit := 100
		r, err := client.Check(staff[0].ListMailMessagesWithResponse(ctx, &client.ListMailMessagesParams{Status: &st, Limit: &limit}))
		require.NoError(t, err)
		return len(r.JSON200.Items)
	}
	require.Eventually(t, func() bool {
		return mailIn(client.MailMessageStatusSent) == wantMail && mailIn(client.MailMessageStatusPending) == 0 && mailIn(client.MailMessageStatusSending) == 0
	}, 60*time.Second, 50*time.Millisecond, "all mail sent; the server got %d of %d", len(mail.Messages()), wantMail)
	ids := map[string]int{}
	for _, m := range mail.Messages() {
		ids[smtptest.Parse(t, m.Data).Header.Get("Message-Id")]++
	}
	assert.Len(t, mail.Messages(), wantMail, "no message sent twice")
	for id, n := range ids {
		assert.Equal(t, 1, n, "message %s delivered %d times", id, n)
	}

	// Password guesses at one address, alternating replicas, count
	// together: the limit's attempts are answered 401, and the next is
	// refused with 429 on either replica. Per process, each would allow the
	// limit on its own, and both would answer 401.
	anon := make([]*client.Client, 2)
	for i, r := range []*replica{a, b} {
		anon[i], err = client.New(r.url)
		require.NoError(t, err)
	}
	guess := func(c *client.Client) *client.SignInWithPasswordResponse {
		r, err := c.SignInWithPasswordWithResponse(ctx, client.PasswordSignInRequest{Email: "mallory@acme.example", Password: "a guess, not a password"})
		require.NoError(t, err)
		return r
	}
	limit := portal.DefaultRateLimits.PerEmail.N
	for i := range limit {
		r := guess(anon[i%2])
		require.Equal(t, http.StatusUnauthorized, r.StatusCode(), "guess %d, on replica %d: %s", i+1, i%2, r.Body)
	}
	for i, c := range anon {
		r := guess(c)
		assert.Equal(t, http.StatusTooManyRequests, r.StatusCode(), "guess %d, on replica %d: %s", limit+1+i, i, r.Body)
		assert.NotEmpty(t, r.HTTPResponse.Header.Get("Retry-After"), "replica %d", i)
	}

	// A list paged on alternating replicas: each seals and opens cursors
	// with the key they share in the database. 21 invitations, 5 a page.
	var invited []string
	for page, cursor := 0, ""; page == 0 || cursor != ""; page++ {
		pageSize := 5
		params := &client.ListInvitationsParams{Limit: &pageSize}
		if cursor != "" {
			params.Cursor = &cursor
		}
		r, err := client.Check(staff[page%2].ListInvitationsWithResponse(ctx, acme.Id, params))
		require.NoError(t, err, "page %d on replica %d", page, page%2)
		for _, inv := range r.JSON200.Items {
			invited = append(invited, inv.Id)
		}
		cursor = r.JSON200.NextCursor
	}
	assert.Len(t, invited, 21, "the first user's invitation and 20 more")

	// Load on both replicas; B is killed with SIGKILL half-way. Every order
	// either replica answered with 201 must be in the database.
	var (
		mu       sync.Mutex
		answered []string
	)
	loadCtx, stop := context.WithTimeout(ctx, 4*time.Second)
	defer stop()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := 0; loadCtx.Err() == nil; i++ {
				r, err := place(users[(w+i)%2], uuid.NewString())
				if err != nil || r.StatusCode() != http.StatusCreated {
					continue // refused or cut off: the client would retry with the same key
				}
				mu.Lock()
				answered = append(answered, r.JSON201.Id)
				mu.Unlock()
			}
		})
	}
	time.Sleep(2 * time.Second)
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGKILL))
	wg.Wait()
	_ = b.cmd.Wait()
	require.NotEmpty(t, answered)
	stored := map[string]bool{}
	for _, id := range allOrders(t, staff[0], acme.Id) {
		stored[id] = true
	}
	for _, id := range answered {
		assert.True(t, stored[id], "order %s was answered 201 but is not stored", id)
	}
	t.Logf("%d orders answered 201 across both replicas, B killed after 2s; all stored (%d in the database)", len(answered), len(stored))
}

// allOrders returns the IDs of every order of customer cid, page by page.
func allOrders(t *testing.T, c *client.Client, cid string) []string {
	t.Helper()
	var (
		ids    []string
		cursor *string
	)
	limit := 100
	for {
		r, err := client.Check(c.ListOrdersWithResponse(t.Context(), cid, &client.ListOrdersParams{Cursor: cursor, Limit: &limit}))
		require.NoError(t, err)
		for _, o := range r.JSON200.Items {
			ids = append(ids, o.Id)
		}
		if r.JSON200.NextCursor == "" {
			return ids
		}
		cursor = &r.JSON200.NextCursor
	}
}
