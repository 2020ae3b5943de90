package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage"
)

// newIdempotentEnv is newEnv with Idempotency-Key handling on, keeping the
// keys in the portal's own store, which it also returns.
func newIdempotentEnv(t *testing.T) (*env, storage.Store) {
	t.Helper()
	s := portaltest.Store(t)
	var err error
	e := &env{clock: &portaltest.Clock{}, notes: &portaltest.Recorder{}, logs: &bytes.Buffer{}}
	e.p = portaltest.New(t, e.clock, func(c *portal.Config) {
		c.Store = s
		c.Mailer = e.notes
	})
	boot, err := e.p.Bootstrap(t.Context(), portal.BootstrapParams{})
	require.NoError(t, err)
	e.owner = boot.APIKey
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.srv = httptest.NewServer(httpapi.NewHandler(e.p, httpapi.WithLogger(logger)))
	t.Cleanup(e.srv.Close)
	return e, s
}

// post sends a JSON body with an Idempotency-Key ("" for none).
func (e *env) post(t *testing.T, path, token, key, body string) (*http.Response, []byte) {
	t.Helper()
	var h map[string]string
	if key != "" {
		h = map[string]string{"Idempotency-Key": key}
	}
	return e.do(t, http.MethodPost, path, token, strings.NewReader(body), h)
}

// customerNames lists the names of all customers.
func (e *env) customerNames(t *testing.T) []string {
	t.Helper()
	res, err := e.client(t, e.owner).ListCustomersWithResponse(t.Context(), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, res.StatusCode(), "body: %s", res.Body)
	var names []string
	for _, c := range res.JSON200.Items {
		names = append(names, c.Name)
	}
	return names
}

func TestIdempotencyReplay(t *testing.T) {
	t.Parallel()
	e, _ := newIdempotentEnv(t)
	const body = `{"name":"Acme GmbH"}`

	first, firstBody := e.post(t, "/v1/customers", e.owner, "key-1", body)
	require.Equal(t, http.StatusCreated, first.StatusCode, "body: %s", firstBody)
	assert.Empty(t, first.Header.Get("Idempotent-Replayed"))

	again, againBody := e.post(t, "/v1/customers", e.owner, "key-1", body)
	require.Equal(t, http.StatusCreated, again.StatusCode, "body: %s", againBody)
	assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	assert.Equal(t, "application/json", again.Header.Get("Content-Type"))
	assert.Equal(t, first.Header.Get("ETag"), again.Header.Get("ETag"))
	assert.JSONEq(t, string(firstBody), string(againBody), "the first answer, the same customer")
	assert.Equal(t, []string{"Acme GmbH"}, e.customerNames(t), "one customer, not two")

	t.Run("another body is 422 and writes nothing", func(t *testing.T) {
		res, b := e.post(t, "/v1/customers", e.owner, "key-1", `{"name":"Globex"}`)
		p := problem(t, res, b, http.StatusUnprocessableEntity, client.ProblemCodeInvalid)
		assert.Contains(t, fields(p), "Idempotency-Key")
		assert.Equal(t, []string{"Acme GmbH"}, e.customerNames(t))
	})
	t.Run("another path is another request", func(t *testing.T) {
		var c client.Customer
		require.NoError(t, json.Unmarshal(firstBody, &c))
		res, b := e.post(t, "/v1/customers/"+c.Id+"/sites", e.owner, "key-1", body)
		problem(t, res, b, http.StatusUnprocessableEntity, client.ProblemCodeInvalid)
	})
	t.Run("a refused request is replayed too", func(t *testing.T) {
		const orphan = `{"name":"Acme GmbH","parent_id":"cus_01912d6e-5b7a-7c3e-9f10-3b1f2a4c5d6e"}`
		res, b := e.post(t, "/v1/customers", e.owner, "key-2", orphan)
		problem(t, res, b, http.StatusBadRequest, client.ProblemCodeInvalid)
		again, againB := e.post(t, "/v1/customers", e.owner, "key-2", orphan)
		assert.Equal(t, http.StatusBadRequest, again.StatusCode)
		assert.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
		assert.Equal(t, "application/problem+json", again.Header.Get("Content-Type"))
		assert.JSONEq(t, string(b), string(againB))
	})
	t.Run("an expired key runs again", func(t *testing.T) {
		e.clock.Advance(idempotency.TTL)
		res, b := e.post(t, "/v1/customers", e.owner, "key-1", body)
		require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
		assert.Empty(t, res.Header.Get("Idempotent-Replayed"))
		assert.Equal(t, []string{"Acme GmbH", "Acme GmbH"}, e.customerNames(t))
	})
}

func TestIdempotencyInFlight(t *testing.T) {
	t.Parallel()
	e, s := newIdempotentEnv(t)
	const body = `{"name":"Acme GmbH"}`
	owner, err := e.p.Authenticate(t.Context(), e.owner)
	require.NoError(t, err)
	now := e.p.Now()
	require.NoError(t, s.InTx(t.Context(), func(r storage.Repos) error {
		return r.Idempotency().Begin(t.Context(), idempotency.Record{
			Scope:       owner.Actor(),
			Key:         "key-1",
			Fingerprint: httpapi.Fingerprint(http.MethodPost, "/v1/customers", []byte(body)),
			CreatedAt:   now,
			ExpiresAt:   now.Add(time.Hour),
		})
	}))

	res, b := e.post(t, "/v1/customers", e.owner, "key-1", body)
	problem(t, res, b, http.StatusConflict, client.ProblemCodeConflict)
	assert.Empty(t, e.customerNames(t), "nothing is written")

	res, b = e.post(t, "/v1/customers", e.owner, "key-1", `{"name":"Globex"}`)
	problem(t, res, b, http.StatusUnprocessableEntity, client.ProblemCodeInvalid)
}

func TestIdempotencyScopedByCaller(t *testing.T) {
	t.Parallel()
	e, _ := newIdempotentEnv(t)
	created, err := e.client(t, e.owner).CreateAPIKeyWithResponse(t.Context(), nil,
		client.CreateAPIKeyJSONRequestBody{Name: "ERP", Role: client.StaffRoleOwner})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), "body: %s", created.Body)
	other := created.JSON201.Token

	res, b := e.post(t, "/v1/customers", e.owner, "same-key", `{"name":"Acme GmbH"}`)
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
	res, b = e.post(t, "/v1/customers", other, "same-key", `{"name":"Globex"}`)
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
	assert.Empty(t, res.Header.Get("Idempotent-Replayed"))
	assert.ElementsMatch(t, []string{"Acme GmbH", "Globex"}, e.customerNames(t))
}

func TestIdempotencyKeepsNoSecret(t *testing.T) {
	t.Parallel()
	e, _ := newIdempotentEnv(t)
	const body = `{"name":"ERP","role":"admin"}`
	res, b := e.post(t, "/v1/api-keys", e.owner, "key-1", body)
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
	var sec client.APIKeySecret
	require.NoError(t, json.Unmarshal(b, &sec))
	require.NotEmpty(t, sec.Token)

	res, b = e.post(t, "/v1/api-keys", e.owner, "key-1", body)
	p := problem(t, res, b, http.StatusConflict, client.ProblemCodeConflict)
	assert.Equal(t, "true", res.Header.Get("Idempotent-Replayed"))
	require.NotNil(t, p.Detail)
	assert.Contains(t, *p.Detail, sec.ApiKey.Id, "the problem names the key")
	assert.NotContains(t, string(b), sec.Token, "the secret is not replayed")

	keys, err := e.client(t, e.owner).ListAPIKeysWithResponse(t.Context(), nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, keys.StatusCode())
	assert.Len(t, keys.JSON200.Items, 2, "the bootstrap key and one new key")

	t.Run("access link", func(t *testing.T) {
		cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{AccessLinks: ptr(true)})
		path := "/v1/customers/" + cid + "/access-links"
		body := `{"membership_id":"` + ada.Membership.Id + `","read_only":true}`
		res, b := e.post(t, path, e.owner, "link-1", body)
		require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
		var sec client.AccessLinkSecret
		require.NoError(t, json.Unmarshal(b, &sec))
		require.NotEmpty(t, sec.Token)

		res, b = e.post(t, path, e.owner, "link-1", body)
		p := problem(t, res, b, http.StatusConflict, client.ProblemCodeConflict)
		require.NotNil(t, p.Detail)
		assert.Contains(t, *p.Detail, sec.AccessLink.Id, "the problem names the link")
		assert.NotContains(t, string(b), sec.Token, "the token is not replayed")
		links := must(e.client(t, e.owner).ListAccessLinksWithResponse(t.Context(), cid, nil))(t).JSON200
		assert.Len(t, links.Items, 1, "one link, not two")
	})
}

func TestIdempotencyKeyBounds(t *testing.T) {
	t.Parallel()
	e, _ := newIdempotentEnv(t)
	res, b := e.post(t, "/v1/customers", e.owner, strings.Repeat("k", 201), `{"name":"Acme GmbH"}`)
	p := problem(t, res, b, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, fields(p), "Idempotency-Key")
	assert.Empty(t, e.customerNames(t))

	t.Run("without a key every request runs", func(t *testing.T) {
		for range 2 {
			res, b := e.post(t, "/v1/customers", e.owner, "", `{"name":"Acme GmbH"}`)
			require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
		}
		assert.Len(t, e.customerNames(t), 2)
	})
}

// Keys are honoured by every handler: the portal keeps them in its own
// store, with no option to set.
func TestIdempotencyOnByDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var first []byte
	for i := range 2 {
		res, b := e.post(t, "/v1/customers", e.owner, "key-1", `{"name":"Acme GmbH"}`)
		require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", b)
		if i == 0 {
			first = b
			assert.Empty(t, res.Header.Get("Idempotent-Replayed"))
			continue
		}
		assert.Equal(t, "true", res.Header.Get("Idempotent-Replayed"))
		assert.JSONEq(t, string(first), string(b), "the replay is the first answer")
	}
	assert.Len(t, e.customerNames(t), 1, "the retry made no second customer")
}

// failingStore is a storage.Store whose write transactions fail with an
// internal error while fail is set.
type failingStore struct {
	storage.Store
	fail atomic.Bool
}

func (s *failingStore) InTx(ctx context.Context, fn func(storage.Repos) error) error {
	if s.fail.Load() {
		return errors.New("failingStore: disk on fire")
	}
	return s.Store.InTx(ctx, fn)
}

func TestIdempotencyServerErrorReleasesKey(t *testing.T) {
	t.Parallel()
	store := &failingStore{Store: portaltest.Store(t)}
	clock := &portaltest.Clock{}
	p := portaltest.New(t, clock, func(c *portal.Config) { c.Store = store })
	boot, err := p.Bootstrap(t.Context(), portal.BootstrapParams{})
	require.NoError(t, err)
	owner := boot.APIKey
	logs := &bytes.Buffer{}
	e := &env{p: p, clock: clock, owner: owner, logs: logs}
	e.srv = httptest.NewServer(httpapi.NewHandler(p, httpapi.WithLogger(slog.New(slog.NewTextHandler(logs, nil)))))
	t.Cleanup(e.srv.Close)
	principal, err := p.Authenticate(t.Context(), owner)
	require.NoError(t, err)

	store.fail.Store(true)
	res, b := e.post(t, "/v1/customers", owner, "key-1", `{"name":"Acme GmbH"}`)
	problem(t, res, b, http.StatusInternalServerError, client.ProblemCodeInternal)
	err = store.ReadTx(t.Context(), func(r storage.Repos) error {
		_, err := r.Idempotency().Get(t.Context(), principal.Actor(), "key-1")
		return err
	})
	assert.ErrorIs(t, err, storage.ErrNotFound, "the key went with the change that failed")

	store.fail.Store(false)
	res, b = e.post(t, "/v1/customers", owner, "key-1", `{"name":"Acme GmbH"}`)
	require.Equal(t, http.StatusCreated, res.StatusCode, "the retry runs: body: %s", b)
	assert.Empty(t, res.Header.Get("Idempotent-Replayed"))
}

// failingComplete is an idempotency store whose next Complete fails, as a
// database hiccup after the order committed would make it.
type failingComplete struct {
	storage.Store
	fail atomic.Bool
}

func (s *failingComplete) InTx(ctx context.Context, fn func(storage.Repos) error) error {
	return s.Store.InTx(ctx, func(r storage.Repos) error { return fn(failingCompleteRepos{r, s}) })
}

type failingCompleteRepos struct {
	storage.Repos
	s *failingComplete
}

func (r failingCompleteRepos) Idempotency() storage.IdempotencyRepo {
	return failingCompleteRepo{r.Repos.Idempotency(), r.s}
}

type failingCompleteRepo struct {
	storage.IdempotencyRepo
	s *failingComplete
}

func (r failingCompleteRepo) Complete(ctx context.Context, scope, key string, resp idempotency.Response) error {
	if r.s.fail.CompareAndSwap(true, false) {
		return errors.New("disk I/O error")
	}
	return r.IdempotencyRepo.Complete(ctx, scope, key, resp)
}

// newOrderingEnv is a server on idem(a SQLite store), with a customer that may order, its admin, and the body of
// an order of one laptop.
func newOrderingEnv(t *testing.T, idem func(storage.Store) storage.Store) (e *env, cid string, ada client.SignIn, body string) {
	t.Helper()
	s := portaltest.Store(t)
	var err error
	e = &env{clock: &portaltest.Clock{}, notes: &portaltest.Recorder{}, logs: &bytes.Buffer{}}
	e.p = portaltest.New(t, e.clock, func(c *portal.Config) { c.Store = idem(s); c.Mailer = e.notes })
	boot, err := e.p.Bootstrap(t.Context(), portal.BootstrapParams{})
	require.NoError(t, err)
	e.owner = boot.APIKey
	e.srv = httptest.NewServer(httpapi.NewHandler(e.p, httpapi.WithLogger(slog.New(slog.NewTextHandler(e.logs, nil)))))
	t.Cleanup(e.srv.Close)

	cid, ada = e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{OrderAuthorization: ptr(true)})
	laptop := e.createProduct(t, "LAP-14", "Laptop 14")
	body = `{"lines":[{"product_id":"` + string(laptop.ID) + `","quantity":1}],"recipient":{"name":"Bob"}}`
	return e, cid, ada, body
}

// When keeping the answer fails after the change committed (as a crash
// between the two would leave it), a retry is answered from the object
// the change made, marked as a replay, and makes no second change. An
// operation whose answer held a secret answers 409 naming what it made.
func TestIdempotencyAnswerRebuiltWhenKeepingItFails(t *testing.T) {
	t.Parallel()
	var idem *failingComplete
	e, cid, ada, order := newOrderingEnv(t, func(s storage.Store) storage.Store {
		idem = &failingComplete{Store: s}
		return idem
	})
	staff := portaltest.Owner(t.Context())
	c, err := e.p.GetCustomer(staff, customer.ID(cid))
	require.NoError(t, err)
	_, err = e.p.UpdateFeatures(staff, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{Tickets: ptr(true)}})
	require.NoError(t, err)
	tk, err := e.p.OpenTicket(portaltest.ServiceDesk(t.Context()), c.ID, portal.OpenTicketParams{Type: "generic", Subject: "Help"})
	require.NoError(t, err)
	for _, tc := range []struct {
		name, path, token, body string
		want                    int
	}{
		{"placeOrder", "/v1/customers/" + cid + "/orders", ada.Token, order, http.StatusCreated},
		{"createCustomer", "/v1/customers", e.owner, `{"name":"Globex"}`, http.StatusCreated},
		{"createSite", "/v1/customers/" + cid + "/sites", e.owner, `{"name":"Plant"}`, http.StatusCreated},
		{"invite", "/v1/customers/" + cid + "/invitations", ada.Token, `{"email":"bob@acme.example","role":"viewer"}`, http.StatusCreated},
		{"createAPIKey", "/v1/api-keys", e.owner, `{"name":"ERP","role":"agent"}`, http.StatusConflict},
		{"openTicket", "/v1/customers/" + cid + "/tickets", ada.Token, `{"type":"generic","subject":"Broken"}`, http.StatusCreated},
		{"addTicketComment", "/v1/customers/" + cid + "/tickets/" + string(tk.ID) + "/comments", ada.Token, `{"body":"Any news?"}`, http.StatusCreated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			idem.fail.Store(true)
			res, first := e.post(t, tc.path, tc.token, "key-"+tc.name, tc.body)
			require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", first)
			res, again := e.post(t, tc.path, tc.token, "key-"+tc.name, tc.body) // the client's retry
			require.Equal(t, tc.want, res.StatusCode, "body: %s", again)
			assert.Equal(t, "true", res.Header.Get("Idempotent-Replayed"))
			var made struct{ ID string }
			require.NoError(t, json.Unmarshal(first, &made))
			if tc.want == http.StatusConflict {
				assert.Contains(t, string(again), made.ID, "names what the first request made")
				return
			}
			assert.JSONEq(t, string(first), string(again), "the first answer, rebuilt")
		})
	}
	l := must(e.client(t, ada.Token).ListOrdersWithResponse(t.Context(), cid, nil))(t).JSON200
	assert.Len(t, l.Items, 1, "one Idempotency-Key, one order")
	assert.Equal(t, []string{"Acme GmbH", "Globex"}, e.customerNames(t), "one customer made")
}

// Requests with one key racing each other place one order; the others
// replay its answer or, while it is being kept, meet 409. This guards the
// outcome over HTTP; that the key is recorded in the order's own
// transaction is shown by portal's TestIdempotencyKeyRecordedWithTheChange,
// which the earlier two-transaction design fails.
func TestIdempotencyConcurrentRequestsPlaceOneOrder(t *testing.T) {
	t.Parallel()
	e, cid, ada, body := newOrderingEnv(t, func(s storage.Store) storage.Store { return s })

	const n = 12
	var (
		wg       sync.WaitGroup
		statuses [n]int
		replayed [n]bool
		bodies   [n][]byte
	)
	for i := range n {
		wg.Go(func() {
			res, b := e.post(t, "/v1/customers/"+cid+"/orders", ada.Token, "order-1", body)
			statuses[i], replayed[i], bodies[i] = res.StatusCode, res.Header.Get("Idempotent-Replayed") == "true", b
		})
	}
	wg.Wait()
	placed := 0
	for i := range n {
		switch {
		case statuses[i] == http.StatusCreated && !replayed[i]:
			placed++
		case statuses[i] == http.StatusCreated, statuses[i] == http.StatusConflict:
		default:
			t.Errorf("request %d: %d %s", i, statuses[i], bodies[i])
		}
	}
	assert.Equal(t, 1, placed, "one request placed the order")
	l := must(e.client(t, ada.Token).ListOrdersWithResponse(t.Context(), cid, nil))(t).JSON200
	assert.Len(t, l.Items, 1, "one Idempotency-Key, one order")
}
