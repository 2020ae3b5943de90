package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/internal/smtptest"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// killCycles is how many times the kill tests kill the server: 10 unless
// PORTALKIT_TEST_KILL_CYCLES says otherwise (for a longer run by hand).
func killCycles(t *testing.T) int {
	t.Helper()
	if v := os.Getenv("PORTALKIT_TEST_KILL_CYCLES"); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err, "PORTALKIT_TEST_KILL_CYCLES")
		return n
	}
	return 10
}

func TestKillNineOnSQLite(t *testing.T) {
	t.Parallel()
	killNine(t, migrated(t, filepath.Join(t.TempDir(), "portalkit.db")))
}

func TestKillNineOnPostgreSQL(t *testing.T) {
	t.Parallel()
	if !postgrestest.Enabled() {
		t.Skipf("set %s to run the PostgreSQL tests", postgrestest.EnvURL)
	}
	killNine(t, postgrestest.URL(t))
}

// killOutcome is what the clients of a kill test saw.
type killOutcome struct {
	mu        sync.Mutex
	acked     map[string]string // Idempotency-Key → the order its 201 named
	open      map[string]bool   // keys sent and not acknowledged yet
	stuck     map[string]string // keys a running server refused with 409: why
	next      int               // the number of the next new key
	placed    int               // first answers (not replays) acknowledged
	conflicts int               // answers 409
}

// killNine runs the reference server on db, has four clients place orders
// with an Idempotency-Key each (a client whose request failed retries the
// same key on the next server), and kills the server with SIGKILL at a
// random moment, killCycles times. Then every key sent is retried until it
// is acknowledged. Nothing acknowledged may be lost, no key may place two
// orders, and no key may be stuck: a retry after the crash gets its order.
func killNine(t *testing.T, db string) {
	ctx := t.Context()
	mail := smtptest.Start(t, nil)
	bin := serverBinary(t)

	// A customer that may order, its first user and a product.
	first := startReplica(t, bin, db, mail.URL())
	require.NotEmpty(t, first.key, first.output())
	staff := first.client(t, client.WithAPIKey(first.key))
	on := true
	created, err := client.Check(staff.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{
		Name: "Acme GmbH", FirstUser: &client.FirstUser{Email: "ada@acme.example"},
		Features: &client.FeaturesPatch{OrderAuthorization: &on},
	}))
	require.NoError(t, err)
	cid := created.JSON201.Id
	product, err := client.Check(staff.CreateProductWithResponse(ctx, nil, client.CreateProductRequest{
		Sku: "LAP-14", Name: "Laptop 14", Price: client.Money{Amount: 129_900, Currency: "EUR"},
	}))
	require.NoError(t, err)
	name := "Ada"
	in, err := client.Check(staff.AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{
		Token: invitationToken(t, mail, "ada@acme.example"), Name: &name,
	}))
	require.NoError(t, err)
	session := in.JSON201.Token
	order := client.PlaceOrderRequest{
		Lines:     []client.OrderLineRequest{{ProductId: product.JSON201.Id, Quantity: 1}},
		Recipient: &client.Employee{Name: "Nina Newhire"},
	}
	require.NoError(t, first.cmd.Process.Kill())
	_ = first.cmd.Wait()

	out := &killOutcome{acked: map[string]string{}, open: map[string]bool{}, stuck: map[string]string{}}
	cycles := killCycles(t)
	for cycle := range cycles {
		r := startReplica(t, bin, db, mail.URL())
		user := r.client(t, client.WithSessionToken(session))
		var wg sync.WaitGroup
		for range 4 {
			wg.Go(func() { placeUntilDown(ctx, user, cid, order, out) })
		}
		time.Sleep(time.Duration(100+rand.IntN(400)) * time.Millisecond)
		require.NoError(t, r.cmd.Process.Kill(), "cycle %d", cycle)
		_ = r.cmd.Wait()
		wg.Wait()
	}

	// Every key sent and not acknowledged is retried on a running server:
	// it places its order now, or gets the one it placed before the kill.
	r := startReplica(t, bin, db, mail.URL())
	user := r.client(t, client.WithSessionToken(session))
	out.mu.Lock()
	open := make([]string, 0, len(out.open))
	for key := range out.open {
		open = append(open, key)
	}
	out.mu.Unlock()
	for _, key := range open {
		require.NoError(t, place(ctx, user, cid, order, key, out), "retrying %s", key)
	}

	orders := allOrders(t, r.client(t, client.WithAPIKey(first.key)), cid)
	byID := map[string]bool{}
	for _, id := range orders {
		byID[id] = true
	}
	keysOf := map[string][]string{}
	lost := 0
	for key, id := range out.acked {
		keysOf[id] = append(keysOf[id], key)
		if !byID[id] {
			lost++
			t.Errorf("key %s was acknowledged with order %s, which is gone", key, id)
		}
	}
	for id, keys := range keysOf {
		if len(keys) > 1 {
			t.Errorf("keys %v got one order %s", keys, id)
		}
	}
	for key, why := range out.stuck {
		t.Errorf("key %s was stuck after a crash: %s", key, why)
	}
	assert.Len(t, orders, len(out.acked), "one order per acknowledged key: none duplicated, none without a key")
	t.Logf("%d kills: %d keys acknowledged (%d first answers, %d replays), %d lost, %d duplicated, %d stuck, %d conflicts, %d orders; outbox at the end: %s",
		cycles, len(out.acked), out.placed, len(out.acked)-out.placed, lost, len(orders)-len(keysOf), len(out.stuck), out.conflicts, len(orders),
		outboxLag(t, r.url))
}

// placeUntilDown places orders with new keys (first retrying the keys of
// requests that failed) until the server stops answering.
func placeUntilDown(ctx context.Context, c *client.Client, cid string, order client.PlaceOrderRequest, out *killOutcome) {
	for ctx.Err() == nil {
		out.mu.Lock()
		key := ""
		for k := range out.open {
			key = k
			break
		}
		if key == "" {
			key = fmt.Sprintf("order-%06d", out.next)
			out.next++
		}
		delete(out.open, key) // this client owns it now
		out.mu.Unlock()
		if err := place(ctx, c, cid, order, key, out); err != nil {
			return
		}
	}
}

// errDown is a request the server did not answer.
var errDown = errors.New("the server did not answer")

// place sends one placement with key and records what came back; errDown
// (and the key open again) when the server did not answer.
func place(ctx context.Context, c *client.Client, cid string, order client.PlaceOrderRequest, key string, out *killOutcome) error {
	res, err := c.PlaceOrderWithResponse(ctx, cid, &client.PlaceOrderParams{IdempotencyKey: &key}, order)
	out.mu.Lock()
	defer out.mu.Unlock()
	switch {
	case err != nil:
		out.open[key] = true
		return errDown
	case res.StatusCode() == http.StatusCreated:
		id := res.JSON201.Id
		if prev, ok := out.acked[key]; ok && prev != id {
			out.stuck[key] = fmt.Sprintf("acknowledged with %s and then %s", prev, id)
		}
		out.acked[key] = id
		if res.HTTPResponse.Header.Get("Idempotent-Replayed") != "true" {
			out.placed++
		}
		return nil
	default:
		if res.StatusCode() == http.StatusConflict {
			out.conflicts++
		}
		out.stuck[key] = fmt.Sprintf("%d %s", res.StatusCode(), res.Body)
		return nil
	}
}

// outboxLag reads the outbox's backlog from the /metrics of the server at
// url, for the log.
func outboxLag(t *testing.T, url string) string {
	t.Helper()
	res, err := http.Get(url + "/metrics")
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "portalkit_outbox_pending_messages ") || strings.HasPrefix(line, "portalkit_outbox_oldest_pending_age_seconds ") {
			out = append(out, strings.TrimPrefix(line, "portalkit_outbox_"))
		}
	}
	return strings.Join(out, ", ")
}
