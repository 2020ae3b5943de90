package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/filestore"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/webhook"
)

// env is a running handler over SQLite with an owner API key.
type env struct {
	p     *portal.Portal
	store storage.Store
	clock *portaltest.Clock
	notes *portaltest.Recorder
	srv   *httptest.Server
	owner string // the owner API key
	logs  *bytes.Buffer
}

func newEnv(t *testing.T, opts ...httpapi.Option) *env {
	t.Helper()
	return newEnvOn(t, emptyStore(t), portal.SequentialIDs(), "", opts...)
}

// newEnvOn is newEnv on store, drawing IDs from ids. owner is the owner
// API key the store holds already; "" bootstraps one.
func newEnvOn(t *testing.T, s storage.Store, ids portal.IDSource, owner string, opts ...httpapi.Option) *env {
	t.Helper()
	return newEnvFiles(t, s, ids, owner, "", opts...)
}

// newEnvFiles is newEnvOn with ticket attachments kept in the file store
// filesURL names; "" is a local directory of the test's own.
func newEnvFiles(t *testing.T, s storage.Store, ids portal.IDSource, owner, filesURL string, opts ...httpapi.Option) *env {
	t.Helper()
	if filesURL == "" {
		filesURL = (&url.URL{Scheme: "file", Path: t.TempDir()}).String()
	}
	files, err := filestore.Open(t.Context(), filesURL)
	require.NoError(t, err)
	t.Cleanup(func() { _ = files.Close() })
	e := &env{store: s, clock: &portaltest.Clock{}, notes: &portaltest.Recorder{}, logs: &bytes.Buffer{}, owner: owner}
	e.p = portaltest.New(t, e.clock, func(c *portal.Config) {
		c.Store = s
		c.Mailer = e.notes
		c.IDs = ids
		c.Files = files
		// Every event any operation publishes goes through the API form,
		// so the matrices fail for an object EventData does not know.
		c.Webhooks.Data = httpapi.EventData
	})
	if e.owner == "" {
		var err error
		boot, err := e.p.Bootstrap(t.Context(), portal.BootstrapParams{})
		require.NoError(t, err)
		e.owner = boot.APIKey
		// An endpoint subscribed to every event (never delivered to: the
		// tests that deliver register their own), so that every change a
		// test makes publishes through EventData.
		_, err = e.p.CreateWebhookEndpoint(portaltest.Owner(t.Context()), portal.CreateWebhookEndpointParams{
			URL: "https://93.184.215.14/every-event", EventTypes: webhook.Types})
		require.NoError(t, err)
	}
	require.NotEmpty(t, e.owner)
	logger := slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	e.srv = httptest.NewServer(httpapi.NewHandler(e.p, append([]httpapi.Option{httpapi.WithLogger(logger)}, opts...)...))
	t.Cleanup(e.srv.Close)
	return e
}

// snapshotMemo keeps a fixture's last snapshot together with the number of
// rows its store, a copy from a pool, had written when it was taken
// (sqlitepool.Writes). While that number stands nothing was written, and
// the snapshot is reused rather than read again through a dozen use cases:
// most calls of the matrices are refusals that change nothing.
type snapshotMemo struct {
	writes int64
	snap   map[string]any
}

// memo returns m's snapshot while e's store has written nothing since it
// was taken, and else a fresh one from take, which must not write.
func (e *env) memo(t *testing.T, m *snapshotMemo, take func() map[string]any) map[string]any {
	t.Helper()
	n, _, ok := e.writes(t)
	if !ok {
		return take()
	}
	if m.snap == nil || n != m.writes {
		m.snap, m.writes = take(), n
	}
	return m.snap
}

// writes returns how many rows e's store has written, and the tables
// written since it was last put back; false for a store that is not a
// copy from a pool.
func (e *env) writes(t *testing.T) (int64, []string, bool) {
	t.Helper()
	s, ok := e.store.(*sqlite.Store)
	if !ok {
		return 0, nil, false
	}
	n, tables, err := sqlitepool.Writes(t.Context(), s)
	return n, tables, err == nil
}

// watch notes e's store as it is before calls that must change nothing,
// and returns the check to make after them. On a copy from a pool the
// check is that they wrote no row at all (stricter than any snapshot, and
// it reads nothing); elsewhere that snap reads the same as before. Each
// check starts watching again, so that a change is reported once.
func (e *env) watch(t *testing.T, snap func(*testing.T) map[string]any) (check func(msg string)) {
	t.Helper()
	if n, _, ok := e.writes(t); ok {
		return func(msg string) {
			t.Helper()
			now, tables, _ := e.writes(t)
			assert.Equal(t, n, now, "%s: it wrote rows (tables written by this test: %v)", msg, tables)
			n = now
		}
	}
	before := snap(t)
	return func(msg string) {
		t.Helper()
		now := snap(t)
		for part, v := range before {
			assert.Equal(t, v, now[part], "%s: %s", msg, part)
		}
		before = now
	}
}

// useKeys calls the API once with each staff API key, as a fixture's
// template is built: a key notes when it was last used (once a minute, by
// the portal's clock, which stands still in tests), so that copies of the
// template do not write that note at their first call, which must change
// nothing.
func (e *env) useKeys(t *testing.T, keys ...string) {
	t.Helper()
	for _, key := range keys {
		res, body := e.do(t, http.MethodGet, "/v1/customers?limit=1", key, nil, nil)
		require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", body)
	}
}

// firstSnapshot is the snapshot of a fixture as its database file has it,
// which every copy from its pool starts with (sqlitepool gives back the
// file's rows): read once, through the first copy, and shared.
type firstSnapshot struct {
	once sync.Once
	snap map[string]any
}

// startMemo returns the memo of a fresh copy of a fixture: fs's snapshot,
// taken with take on the first copy, as the one of e's store as it is now.
// Snapshots are read, never changed, so the copies may share it.
func (e *env) startMemo(t *testing.T, fs *firstSnapshot, take func() map[string]any) snapshotMemo {
	t.Helper()
	fs.once.Do(func() { fs.snap = take() })
	n, _, ok := e.writes(t)
	if !ok || fs.snap == nil {
		return snapshotMemo{}
	}
	return snapshotMemo{snap: fs.snap, writes: n}
}

// client returns a generated client that sends token as its bearer token.
func (e *env) client(t *testing.T, token string) *client.ClientWithResponses {
	t.Helper()
	addBearer := func(_ context.Context, req *http.Request) error {
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		return nil
	}
	c, err := client.NewClientWithResponses(e.srv.URL, client.WithHTTPClient(e.srv.Client()), client.WithRequestEditorFn(addBearer))
	require.NoError(t, err)
	return c
}

// do sends a raw request, for what the generated client cannot send.
func (e *env) do(t *testing.T, method, path, token string, body io.Reader, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, e.srv.URL+path, body)
	require.NoError(t, err)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := e.srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, b
}

// problem decodes a problem document and checks the status, content type
// and code it must have.
func problem(t *testing.T, res *http.Response, body []byte, status int, code client.ProblemCode) client.Problem {
	t.Helper()
	require.Equal(t, status, res.StatusCode, "body: %s", body)
	assert.Equal(t, "application/problem+json", res.Header.Get("Content-Type"))
	var p client.Problem
	require.NoError(t, json.Unmarshal(body, &p), "body: %s", body)
	assert.Equal(t, code, p.Code)
	assert.Equal(t, status, p.Status)
	assert.Equal(t, "urn:portalkit:problem:"+string(code), p.Type)
	require.NotNil(t, p.RequestId)
	assert.Equal(t, res.Header.Get("X-Request-ID"), *p.RequestId)
	return p
}

func fields(p client.Problem) map[string]string {
	out := map[string]string{}
	if p.Fields != nil {
		for _, f := range *p.Fields {
			out[f.Field] = f.Message
		}
	}
	return out
}

func dropIfMatch(_ context.Context, req *http.Request) error {
	req.Header.Del("If-Match")
	return nil
}

func createCustomer(t *testing.T, c *client.ClientWithResponses, name string) client.Customer {
	t.Helper()
	res, err := c.CreateCustomerWithResponse(t.Context(), nil, client.CreateCustomerJSONRequestBody{Name: name})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, res.StatusCode(), "body: %s", res.Body)
	assert.Equal(t, `"1"`, res.HTTPResponse.Header.Get("ETag"))
	return *res.JSON201
}

func TestCustomerLifecycle(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()

	acme := createCustomer(t, owner, "Acme GmbH")

	got, err := owner.GetCustomerWithResponse(ctx, acme.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, got.StatusCode())
	tag := got.HTTPResponse.Header.Get("ETag")
	assert.Equal(t, `"1"`, tag)
	assert.Equal(t, "Acme GmbH", got.JSON200.Name)
	assert.True(t, got.JSON200.Features.InheritGlobalPortfolio)

	up, err := owner.UpdateCustomerWithResponse(ctx, acme.Id, &client.UpdateCustomerParams{IfMatch: tag},
		client.UpdateCustomerJSONRequestBody{Phone: ptr("+49 40 1234567")})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, up.StatusCode(), "body: %s", up.Body)
	assert.Equal(t, `"2"`, up.HTTPResponse.Header.Get("ETag"))
	assert.Equal(t, "+49 40 1234567", *up.JSON200.Phone)

	t.Run("stale If-Match is 412 conflict", func(t *testing.T) {
		res, err := owner.UpdateCustomerWithResponse(ctx, acme.Id, &client.UpdateCustomerParams{IfMatch: tag},
			client.UpdateCustomerJSONRequestBody{Phone: ptr("+49 40 0")})
		require.NoError(t, err)
		problem(t, res.HTTPResponse, res.Body, http.StatusPreconditionFailed, client.ProblemCodeConflict)
	})
	t.Run("weak or wildcard If-Match never matches", func(t *testing.T) {
		for _, h := range []string{`W/"2"`, `*`, `2`, `"+2"`} {
			res, err := owner.UpdateCustomerWithResponse(ctx, acme.Id, &client.UpdateCustomerParams{IfMatch: h},
				client.UpdateCustomerJSONRequestBody{Phone: ptr("+49 40 0")})
			require.NoError(t, err)
			problem(t, res.HTTPResponse, res.Body, http.StatusPreconditionFailed, client.ProblemCodeConflict)
		}
	})
	t.Run("missing If-Match is 428", func(t *testing.T) {
		res, err := owner.UpdateCustomerWithResponse(ctx, acme.Id, &client.UpdateCustomerParams{},
			client.UpdateCustomerJSONRequestBody{Phone: ptr("+49 40 0")}, dropIfMatch)
		require.NoError(t, err)
		p := problem(t, res.HTTPResponse, res.Body, http.StatusPreconditionRequired, client.ProblemCodeInvalid)
		assert.Contains(t, fields(p), "If-Match")
	})

	t.Run("features", func(t *testing.T) {
		f, err := owner.GetFeaturesWithResponse(ctx, acme.Id)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, f.StatusCode())
		assert.Equal(t, `"2"`, f.HTTPResponse.Header.Get("ETag"))

		// auto_confirm_orders needs order_authorization.
		bad, err := owner.UpdateFeaturesWithResponse(ctx, acme.Id, &client.UpdateFeaturesParams{IfMatch: `"2"`},
			client.UpdateFeaturesJSONRequestBody{AutoConfirmOrders: ptr(true)})
		require.NoError(t, err)
		p := problem(t, bad.HTTPResponse, bad.Body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Contains(t, fields(p), "auto_confirm_orders")

		ok, err := owner.UpdateFeaturesWithResponse(ctx, acme.Id, &client.UpdateFeaturesParams{IfMatch: `"2"`},
			client.UpdateFeaturesJSONRequestBody{PreOrders: ptr(true)})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, ok.StatusCode(), "body: %s", ok.Body)
		assert.True(t, ok.JSON200.SupplierWarehouse, "pre_orders turns supplier_warehouse on")
		assert.Equal(t, `"3"`, ok.HTTPResponse.Header.Get("ETag"))

		stale, err := owner.UpdateFeaturesWithResponse(ctx, acme.Id, &client.UpdateFeaturesParams{IfMatch: `"2"`},
			client.UpdateFeaturesJSONRequestBody{Tickets: ptr(true)})
		require.NoError(t, err)
		problem(t, stale.HTTPResponse, stale.Body, http.StatusPreconditionFailed, client.ProblemCodeConflict)
	})

	t.Run("sites", func(t *testing.T) {
		cr, err := owner.CreateSiteWithResponse(ctx, acme.Id, nil, client.CreateSiteJSONRequestBody{Name: "Hamburg HQ"})
		require.NoError(t, err)
		require.Equal(t, http.StatusCreated, cr.StatusCode(), "body: %s", cr.Body)
		site := *cr.JSON201

		stale, err := owner.RenameSiteWithResponse(ctx, acme.Id, site.Id, &client.RenameSiteParams{IfMatch: `"7"`},
			client.RenameSiteJSONRequestBody{Name: "Hamburg"})
		require.NoError(t, err)
		problem(t, stale.HTTPResponse, stale.Body, http.StatusPreconditionFailed, client.ProblemCodeConflict)

		rn, err := owner.RenameSiteWithResponse(ctx, acme.Id, site.Id, &client.RenameSiteParams{IfMatch: cr.HTTPResponse.Header.Get("ETag")},
			client.RenameSiteJSONRequestBody{Name: "Hamburg"})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, rn.StatusCode(), "body: %s", rn.Body)
		assert.Equal(t, "Hamburg", rn.JSON200.Name)

		l, err := owner.ListSitesWithResponse(ctx, acme.Id, nil)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, l.StatusCode())
		require.Len(t, l.JSON200.Items, 1)

		del, err := owner.DeleteSiteWithResponse(ctx, acme.Id, site.Id)
		require.NoError(t, err)
		assert.Equal(t, http.StatusNoContent, del.StatusCode(), "body: %s", del.Body)
	})

	t.Run("status changes", func(t *testing.T) {
		s, err := owner.SuspendCustomerWithResponse(ctx, acme.Id)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, s.StatusCode(), "body: %s", s.Body)
		assert.Equal(t, client.CustomerStatusSuspended, s.JSON200.Status)
		r, err := owner.ReactivateCustomerWithResponse(ctx, acme.Id)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, r.StatusCode(), "body: %s", r.Body)
		l, err := owner.ListCustomersWithResponse(ctx, &client.ListCustomersParams{Status: &[]client.CustomerStatus{client.CustomerStatusActive}})
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, l.StatusCode(), "body: %s", l.Body)
		assert.Len(t, l.JSON200.Items, 1)
	})
}

func TestCustomerUserSeesOnlyItsCustomer(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	acme := createCustomer(t, owner, "Acme GmbH")
	globex := createCustomer(t, owner, "Globex")

	staff := portaltest.Owner(ctx)
	_, err := e.p.Invite(staff, customer.ID(acme.Id), portal.InviteParams{Email: "ada@acme.example", Role: customer.RoleAdmin})
	require.NoError(t, err)
	n, ok := e.notes.Last("ada@acme.example")
	require.True(t, ok)
	in, err := e.p.AcceptInvitation(ctx, n.Token, portal.AcceptInvitationParams{Name: "Ada"})
	require.NoError(t, err)
	ada := e.client(t, in.Token)

	own, err := ada.GetCustomerWithResponse(ctx, acme.Id)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, own.StatusCode(), "body: %s", own.Body)

	other, err := ada.GetCustomerWithResponse(ctx, globex.Id)
	require.NoError(t, err)
	problem(t, other.HTTPResponse, other.Body, http.StatusNotFound, client.ProblemCodeNotFound)

	me, err := ada.GetMeWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, me.StatusCode(), "body: %s", me.Body)
	assert.Equal(t, client.PrincipalKindUser, me.JSON200.Principal.Kind)
	assert.Equal(t, "Acme GmbH", *me.JSON200.CustomerName)

	create, err := ada.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerJSONRequestBody{Name: "Mine"})
	require.NoError(t, err)
	problem(t, create.HTTPResponse, create.Body, http.StatusForbidden, client.ProblemCodePermissionDenied)
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	acme := createCustomer(t, owner, "Acme GmbH")

	t.Run("malformed JSON", func(t *testing.T) {
		res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner, strings.NewReader(`{"name":`), nil)
		problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
	})
	t.Run("unknown field", func(t *testing.T) {
		res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner, strings.NewReader(`{"name":"X","colour":"red"}`), nil)
		p := problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Contains(t, fields(p), "colour")
	})
	t.Run("wrong type and nested field", func(t *testing.T) {
		res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner,
			strings.NewReader(`{"name":1,"address":{"city":"Hamburg","planet":"Earth"}}`), nil)
		p := problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Contains(t, fields(p), "name")
		assert.Contains(t, fields(p), "address.planet")
	})
	t.Run("missing required field", func(t *testing.T) {
		res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner, strings.NewReader(`{}`), nil)
		p := problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Contains(t, fields(p), "name")
	})
	t.Run("oversized body", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
		res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner, strings.NewReader(big), nil)
		problem(t, res, body, http.StatusRequestEntityTooLarge, client.ProblemCodeInvalid)
	})
	t.Run("oversized chunked body", func(t *testing.T) {
		big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
		// A reader of unknown length makes the request chunked, without Content-Length.
		res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner, io.MultiReader(strings.NewReader(big)), nil)
		problem(t, res, body, http.StatusRequestEntityTooLarge, client.ProblemCodeInvalid)
	})
	t.Run("bad token", func(t *testing.T) {
		c := e.client(t, "pk_forged")
		res, err := c.GetCustomerWithResponse(t.Context(), acme.Id)
		require.NoError(t, err)
		problem(t, res.HTTPResponse, res.Body, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
	})
	t.Run("anonymous", func(t *testing.T) {
		res, err := e.client(t, "").GetCustomerWithResponse(t.Context(), acme.Id)
		require.NoError(t, err)
		problem(t, res.HTTPResponse, res.Body, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
	})
	t.Run("unknown path", func(t *testing.T) {
		res, body := e.do(t, http.MethodGet, "/v1/nothing", e.owner, nil, nil)
		problem(t, res, body, http.StatusNotFound, client.ProblemCodeNotFound)
	})
	t.Run("request ID is kept", func(t *testing.T) {
		res, _ := e.do(t, http.MethodGet, "/healthz", "", nil, map[string]string{"X-Request-ID": "abc-123"})
		assert.Equal(t, "abc-123", res.Header.Get("X-Request-ID"))
		res, _ = e.do(t, http.MethodGet, "/healthz", "", nil, map[string]string{"X-Request-ID": "bad id!"})
		assert.True(t, strings.HasPrefix(res.Header.Get("X-Request-ID"), "req_"))
	})
}

func TestInternalErrorsShowNoDetail(t *testing.T) {
	t.Parallel()
	secret := errors.New("dial tcp 10.0.0.7:5432: password authentication failed for user portal")
	e := newEnv(t, httpapi.WithAuthenticator(identity.AuthenticatorFunc(
		func(context.Context, string) (identity.Principal, error) { return identity.Principal{}, secret })))
	res, body := e.do(t, http.MethodGet, "/v1/me", "anything", nil, nil)
	p := problem(t, res, body, http.StatusInternalServerError, client.ProblemCodeInternal)
	assert.Equal(t, "internal error", *p.Detail)
	assert.NotContains(t, string(body), "10.0.0.7")
	assert.Contains(t, e.logs.String(), "10.0.0.7", "the cause is logged")
	assert.Contains(t, e.logs.String(), *p.RequestId, "with the request ID")
}

func TestRateLimitedSaysWhenToRetry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, httpapi.WithAuthenticator(identity.AuthenticatorFunc(
		func(context.Context, string) (identity.Principal, error) {
			return identity.Principal{}, &portalerr.Error{Code: portalerr.RateLimited, Message: "too many attempts", RetryAfter: 89500 * time.Millisecond}
		})))
	res, body := e.do(t, http.MethodGet, "/v1/me", "anything", nil, nil)
	p := problem(t, res, body, http.StatusTooManyRequests, client.ProblemCodeRateLimited)
	assert.Equal(t, "90", res.Header.Get("Retry-After"))
	require.NotNil(t, p.RetryAfterSeconds)
	assert.Equal(t, 90, *p.RetryAfterSeconds)
}

func TestOptions(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	e := newEnv(t, httpapi.WithMaxBodyBytes(64), httpapi.WithMetrics(reg))
	res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner, strings.NewReader(`{"name":"`+strings.Repeat("x", 100)+`"}`), nil)
	problem(t, res, body, http.StatusRequestEntityTooLarge, client.ProblemCodeInvalid)

	mfs, err := reg.Gather()
	require.NoError(t, err)
	var names []string
	for _, mf := range mfs {
		names = append(names, mf.GetName())
	}
	assert.Contains(t, names, "portalkit_http_requests_total")
}

func TestSystemRoutes(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t, "")
	ctx := t.Context()

	h, err := c.GetHealthWithResponse(ctx)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, h.StatusCode())

	r, err := c.GetReadinessWithResponse(ctx)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, r.StatusCode(), "body: %s", r.Body)

	// The generated client cannot decode YAML; read the bytes.
	res, spec := e.do(t, http.MethodGet, "/openapi.yaml", "", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Equal(t, "application/yaml", res.Header.Get("Content-Type"))
	assert.Contains(t, string(spec), "openapi: 3.0.3")
	assert.Contains(t, string(spec), "/v1/customers/{customerId}:")

	m, err := c.GetMetricsWithResponse(ctx)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, m.StatusCode())
	assert.Contains(t, string(m.Body), `portalkit_http_requests_total{route="GET /healthz",status="200"} 1`)
	assert.Contains(t, string(m.Body), `portalkit_http_request_duration_seconds_bucket{route="GET /readyz"`)
	assert.Contains(t, e.logs.String(), `route="GET /healthz"`, "access log")
}

func TestReadinessFailsWhenStorageIsDown(t *testing.T) {
	t.Parallel()
	s, err := sqlite.Open(t.Context(), t.TempDir()+"/portal.db")
	require.NoError(t, err)
	p := portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) { c.Store = s })
	srv := httptest.NewServer(httpapi.NewHandler(p, httpapi.WithLogger(slog.New(slog.DiscardHandler))))
	t.Cleanup(srv.Close)
	require.NoError(t, s.Close())

	res, err := srv.Client().Get(srv.URL + "/readyz")
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	problem(t, res, body, http.StatusServiceUnavailable, client.ProblemCodeInternal)
}

func ptr[T any](v T) *T { return &v }
