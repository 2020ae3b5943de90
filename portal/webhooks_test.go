package portal_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

// receiver is a test receiver of webhooks: it verifies every request
// with the endpoint's secret (against the portal's clock) and keeps what
// it accepted. answer decides the status of each request; nil accepts.
type receiver struct {
	srv    *httptest.Server
	clock  *portaltest.Clock
	mu     sync.Mutex
	secret []string
	answer func(r *http.Request) (int, http.Header)
	// got are the accepted deliveries, in arrival order; tried counts
	// every request.
	got   []received
	tried int
}

type received struct {
	ID   string // webhook-id
	Body []byte
	Ev   webhook.Event
}

func newReceiver(t *testing.T, clock *portaltest.Clock) *receiver {
	rc := &receiver{clock: clock}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.tried++
	if rc.answer != nil {
		code, h := rc.answer(r)
		if code != 0 {
			for k, v := range h {
				w.Header()[k] = v
			}
			w.WriteHeader(code)
			_, _ = w.Write([]byte("not now"))
			return
		}
	}
	v := webhook.Verifier{Now: rc.clock.Now}
	ok := false
	for _, s := range rc.secret {
		if v.Verify(s, r.Header, body) == nil {
			ok = true
		}
	}
	if !ok {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var ev webhook.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	rc.got = append(rc.got, received{ID: r.Header.Get(webhook.HeaderID), Body: body, Ev: ev})
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) received() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.got...)
}

// local allows the test receiver: plain http on the loopback address.
func local(c *portal.Config) {
	c.Webhooks.AllowHTTP, c.Webhooks.AllowPrivateAddresses = true, true
}

func (e env) endpoint(t *testing.T, rc *receiver, types ...webhook.Type) portal.WebhookEndpointSecret {
	t.Helper()
	if types == nil {
		types = webhook.Types
	}
	ep, err := e.p.CreateWebhookEndpoint(e.owner, portal.CreateWebhookEndpointParams{URL: rc.srv.URL + "/hooks", EventTypes: types})
	require.NoError(t, err)
	rc.mu.Lock()
	rc.secret = append(rc.secret, ep.Secret)
	rc.mu.Unlock()
	return ep
}

// drain runs delivery passes until none claims anything.
func drain(t *testing.T, p *portal.Portal, opts portal.WebhookOptions) portal.WebhookReport {
	t.Helper()
	var sum portal.WebhookReport
	for range 20 {
		rep, err := p.DeliverWebhooks(t.Context(), opts)
		require.NoError(t, err)
		if rep.Claimed == 0 {
			return sum
		}
		sum.Claimed += rep.Claimed
		sum.Delivered += rep.Delivered
		sum.Retried += rep.Retried
		sum.Failed += rep.Failed
		sum.Released += rep.Released
	}
	t.Fatal("delivery does not settle")
	return sum
}

func types(rs []received) []webhook.Type {
	var out []webhook.Type
	for _, r := range rs {
		out = append(out, r.Ev.Type)
	}
	return out
}

// TestWebhookOrderStoryExactlyOnce follows the main order story with one
// endpoint subscribed to everything: the receiver gets every event of it
// exactly once, in a body whose id is the webhook-id, signed so that
// webhook.Verify accepts it.
func TestWebhookOrderStoryExactlyOnce(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := &portaltest.Recorder{}
			e := newEnv(t, newStore(t), local, func(c *portal.Config) { c.Mailer = rec })
			rc := newReceiver(t, e.clock)
			ep := e.endpoint(t, rc)
			assert.True(t, strings.HasPrefix(ep.Secret, "whsec_"))

			s := newShop(t, e, rec, customer.FeaturesPatch{})
			o := s.order(t, s.maintainer, line(s.laptop, 2))
			_, err := s.p.ConfirmOrder(s.owner, o.ID, portal.DecideOrderParams{})
			require.NoError(t, err)
			_, err = s.p.FulfilOrder(s.owner, o.ID, portal.DecideOrderParams{})
			require.NoError(t, err)
			withdrawn := s.order(t, s.maintainer, line(s.phone, 1))
			_, err = s.p.CancelOrder(as(t, s.maintainer), s.c.ID, withdrawn.ID, portal.CancelOrderParams{})
			require.NoError(t, err)
			refused := s.order(t, s.admin, line(s.phone, 1))
			_, err = s.p.RejectOrder(s.owner, refused.ID, portal.RejectOrderParams{Reason: "out of stock"})
			require.NoError(t, err)

			rep := drain(t, e.p, portal.WebhookOptions{})
			got := rc.received()
			want := []webhook.Type{
				// The provider's own changes: the endpoint and the portfolio.
				webhook.WebhookEndpointCreated,
				webhook.ProductCreated, webhook.ProductCreated, webhook.ProductCreated, webhook.ProductDeactivated,
				webhook.CustomerCreated, webhook.SiteCreated, webhook.SiteCreated,
				webhook.MembershipCreated, webhook.MembershipCreated, webhook.MembershipCreated, webhook.MembershipCreated,
				webhook.OrderSubmitted, webhook.OrderConfirmed, webhook.OrderFulfilled,
				webhook.OrderSubmitted, webhook.OrderCancelled,
				webhook.OrderSubmitted, webhook.OrderRejected,
			}
			assert.ElementsMatch(t, want, types(got), "every event of the story")
			assert.Equal(t, portal.WebhookReport{Claimed: len(want), Delivered: len(want)}, rep)
			ids := map[string]bool{}
			for _, r := range got {
				assert.False(t, ids[r.ID], "%s arrived twice", r.ID)
				ids[r.ID] = true
				assert.Equal(t, r.ID, string(r.Ev.ID), "the webhook-id is the event's ID")
				if r.Ev.Type != webhook.WebhookEndpointCreated && r.Ev.Type != webhook.ProductCreated && r.Ev.Type != webhook.ProductDeactivated {
					assert.Equal(t, s.c.ID, r.Ev.CustomerID, "%s is the customer's", r.Ev.Type)
				}
				assert.Equal(t, e.clock.Now(), r.Ev.Timestamp)
			}
			// The fulfilled order's event carries the order as it was then.
			for _, r := range got {
				if r.Ev.Type == webhook.OrderFulfilled {
					var data orders.Order
					require.NoError(t, json.Unmarshal(r.Ev.Data, &data))
					assert.Equal(t, o.ID, data.ID)
					assert.Equal(t, orders.StatusFulfilled, data.Status)
				}
			}
			assert.Equal(t, portal.WebhookReport{}, drain(t, e.p, portal.WebhookOptions{}), "nothing is sent twice")

			l, err := e.p.ListWebhookDeliveries(e.owner, ep.ID, portal.ListWebhookDeliveriesParams{Limit: 100})
			require.NoError(t, err)
			require.Len(t, l.Items, len(want))
			for _, d := range l.Items {
				assert.Equal(t, outbox.Sent, d.Status)
				assert.Equal(t, http.StatusNoContent, d.ResponseCode)
				assert.Equal(t, 1, d.Attempts)
				assert.Positive(t, d.Latency)
			}
		})
	}
}

// TestWebhookSubscriptionFilters: an endpoint gets only the types it
// subscribed to, of the customer it is limited to, and a disabled one
// gets nothing; a change rolled back publishes nothing.
func TestWebhookSubscriptionFilters(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		acme, globex := e.createCustomer(t, "Acme"), e.createCustomer(t, "Globex")
		rcAll, rcAcme, rcOff := newReceiver(t, e.clock), newReceiver(t, e.clock), newReceiver(t, e.clock)
		e.endpoint(t, rcAll, webhook.SiteCreated)
		ep, err := e.p.CreateWebhookEndpoint(e.owner, portal.CreateWebhookEndpointParams{
			URL: rcAcme.srv.URL, EventTypes: []webhook.Type{webhook.SiteCreated}, CustomerID: acme.ID})
		require.NoError(t, err)
		rcAcme.secret = []string{ep.Secret}
		off, err := e.p.CreateWebhookEndpoint(e.owner, portal.CreateWebhookEndpointParams{
			URL: rcOff.srv.URL, EventTypes: []webhook.Type{webhook.SiteCreated}, Disabled: true})
		require.NoError(t, err)
		rcOff.secret = []string{off.Secret}

		e.createSite(t, acme.ID, "HQ")
		e.createSite(t, globex.ID, "HQ")
		e.addMember(t, acme.ID, "a@acme.example", customer.RoleAdmin) // not subscribed
		_, err = e.p.CreateSite(e.owner, acme.ID, portal.SiteParams{Name: "HQ"})
		require.Error(t, err, "a duplicate name rolls the change back")
		drain(t, e.p, portal.WebhookOptions{})

		assert.Equal(t, []webhook.Type{webhook.SiteCreated, webhook.SiteCreated}, types(rcAll.received()))
		require.Len(t, rcAcme.received(), 1)
		assert.Equal(t, acme.ID, rcAcme.received()[0].Ev.CustomerID)
		assert.Empty(t, rcOff.received())
	}, local)
}

// killer is a transport that, once armed, lets one request reach the
// receiver and then panics before the worker learns the answer: the
// worker dies mid-delivery, as with SIGKILL, leaving its claim behind.
type killer struct {
	next http.RoundTripper
	// armed holds the hosts (receivers) whose next request the killer
	// dies on: the backends run in parallel and share the killer, so
	// each arms its own receiver, and neither arming may overwrite or
	// spend the other's.
	armed map[string]bool
	mu    sync.Mutex
}

type killed struct{}

func (k *killer) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := k.next.RoundTrip(r)
	k.mu.Lock()
	armed := k.armed[r.URL.Host]
	delete(k.armed, r.URL.Host)
	k.mu.Unlock()
	if armed {
		if res != nil {
			res.Body.Close()
		}
		panic(killed{})
	}
	return res, err
}

// TestWebhookAtLeastOnceAcrossKillAndDowntime: the worker dies after the
// receiver got a delivery and before it was settled, then the receiver is
// down (503, Retry-After: 60) for 60 seconds. Every event still arrives,
// the one in flight at the kill twice with the same webhook-id; nothing
// is lost.
func TestWebhookAtLeastOnceAcrossKillAndDowntime(t *testing.T) {
	t.Parallel()
	k := &killer{next: portal.NewWebhookTransport(true), armed: map[string]bool{}}
	eachBackend(t, func(t *testing.T, e env) {
		rc := newReceiver(t, e.clock)
		ep := e.endpoint(t, rc, webhook.CustomerCreated)
		for _, n := range []string{"Acme", "Globex", "Initech"} {
			e.createCustomer(t, n)
		}
		opts := portal.WebhookOptions{Concurrency: 1, BatchSize: 10, Lease: 5 * time.Minute}

		k.mu.Lock()
		k.armed[strings.TrimPrefix(rc.srv.URL, "http://")] = true
		k.mu.Unlock()
		func() {
			defer func() {
				assert.Equal(t, killed{}, recover(), "the worker died mid-delivery")
			}()
			_, _ = e.p.DeliverWebhooks(t.Context(), opts)
		}()
		require.Len(t, rc.received(), 1, "the receiver got the first delivery before the worker died")
		first := rc.received()[0].ID

		// A new worker starts; the dead one's claims wait out their lease.
		rep, err := e.p.DeliverWebhooks(t.Context(), opts)
		require.NoError(t, err)
		assert.Zero(t, rep.Claimed, "leased to the dead worker")

		// The receiver goes down for 60 seconds.
		down := e.clock.Now().Add(opts.Lease)
		rc.mu.Lock()
		rc.answer = func(*http.Request) (int, http.Header) {
			if e.clock.Now().Before(down.Add(60 * time.Second)) {
				return http.StatusServiceUnavailable, http.Header{"Retry-After": {"60"}}
			}
			return 0, nil
		}
		rc.mu.Unlock()
		e.clock.Advance(opts.Lease)
		rep, err = e.p.DeliverWebhooks(t.Context(), opts)
		require.NoError(t, err)
		assert.Equal(t, portal.WebhookReport{Claimed: 3, Retried: 3}, rep, "claimed again after the lease; the receiver is down")
		e.clock.Advance(30 * time.Second)
		assert.Zero(t, drain(t, e.p, opts).Claimed, "Retry-After is honoured")

		e.clock.Advance(30 * time.Second)
		rep = drain(t, e.p, opts)
		assert.Equal(t, portal.WebhookReport{Claimed: 3, Delivered: 3}, rep, "the receiver is back")

		got := rc.received()
		require.Len(t, got, 4, "three events, the one in flight at the kill twice")
		count := map[string]int{}
		for _, r := range got {
			count[r.ID]++
		}
		assert.Len(t, count, 3)
		assert.Equal(t, 2, count[first], "sent again with the same webhook-id")
		assert.Equal(t, got[0].Body, func() []byte {
			for _, r := range got[1:] {
				if r.ID == first {
					return r.Body
				}
			}
			return nil
		}(), "and the same body")

		l, err := e.p.ListWebhookDeliveries(e.owner, ep.ID, portal.ListWebhookDeliveriesParams{})
		require.NoError(t, err)
		for _, d := range l.Items {
			assert.Equal(t, outbox.Sent, d.Status)
			assert.Equal(t, 3, d.Attempts, "the dead worker's claim, the 503 and the success")
		}
	}, local, func(c *portal.Config) { c.Webhooks.Transport = k })
}

// TestWebhookRetryPolicy: 5xx and 429 are tried again with backoff until
// MaxAttempts; other answers fail at once; 410 Gone also disables the
// endpoint. Failed deliveries can be replayed, one or a time range, with
// the same webhook-id.
func TestWebhookRetryPolicy(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		rc := newReceiver(t, e.clock)
		status := http.StatusInternalServerError
		rc.answer = func(*http.Request) (int, http.Header) { return status, nil }
		ep := e.endpoint(t, rc, webhook.CustomerCreated)
		e.createCustomer(t, "Acme")
		opts := portal.WebhookOptions{MaxAttempts: 3, BaseDelay: time.Second, MaxDelay: time.Minute}
		for i := range 3 {
			rep := drain(t, e.p, opts)
			if i < 2 {
				assert.Equal(t, portal.WebhookReport{Claimed: 1, Retried: 1}, rep, "attempt %d", i+1)
			} else {
				assert.Equal(t, portal.WebhookReport{Claimed: 1, Failed: 1}, rep, "the last attempt")
			}
			e.clock.Advance(time.Minute)
		}
		l, err := e.p.ListWebhookDeliveries(e.owner, ep.ID, portal.ListWebhookDeliveriesParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		d := l.Items[0]
		assert.Equal(t, outbox.Failed, d.Status)
		assert.Equal(t, 500, d.ResponseCode)
		assert.Equal(t, "not now", d.ResponseBody)
		assert.Contains(t, d.LastError, "gave up after 3 attempts")

		status = http.StatusBadRequest
		e.createCustomer(t, "Globex")
		assert.Equal(t, portal.WebhookReport{Claimed: 1, Failed: 1}, drain(t, e.p, opts), "a 400 is not tried again")

		// Replays go out again with the same webhook-id.
		status = 0
		replay, err := e.p.ReplayWebhookDelivery(e.owner, d.ID)
		require.NoError(t, err)
		assert.Equal(t, d.EventID, replay.EventID)
		assert.Equal(t, d.ID, replay.ReplayOf)
		assert.Equal(t, portal.WebhookReport{Claimed: 1, Delivered: 1}, drain(t, e.p, opts))
		require.Len(t, rc.received(), 1)
		assert.Equal(t, string(d.EventID), rc.received()[0].ID)
		_, err = e.p.ReplayWebhookDelivery(e.owner, replay.ID)
		require.NoError(t, err, "a delivered one may be replayed too")
		n, err := e.p.ReplayWebhookDeliveries(e.owner, ep.ID, portal.ReplayWebhookDeliveriesParams{From: portaltest.Epoch, To: e.clock.Now().Add(time.Second)})
		require.NoError(t, err)
		assert.Equal(t, 2, n, "the two first deliveries of the range, not the replays")
		assert.Equal(t, portal.WebhookReport{Claimed: 3, Delivered: 3}, drain(t, e.p, opts))
		_, err = e.p.ReplayWebhookDeliveries(e.owner, ep.ID, portal.ReplayWebhookDeliveriesParams{From: e.clock.Now(), To: e.clock.Now()})
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))

		status = http.StatusGone
		e.createCustomer(t, "Initech")
		assert.Equal(t, portal.WebhookReport{Claimed: 1, Failed: 1}, drain(t, e.p, opts))
		got, err := e.p.GetWebhookEndpoint(e.owner, ep.ID)
		require.NoError(t, err)
		assert.False(t, got.Enabled, "410 Gone disables the endpoint")
		assert.Contains(t, got.DisabledReason, "410")
		_, err = e.p.ReplayWebhookDelivery(e.owner, d.ID)
		assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err), "not to a disabled endpoint")
	}, local)
}

// TestWebhookEndpointFailingForDaysIsDisabled: an endpoint whose every
// delivery fails for DisableAfter is disabled, and the active staff owners
// and admins are mailed.
func TestWebhookEndpointFailingForDaysIsDisabled(t *testing.T) {
	t.Parallel()
	rec := &portaltest.Recorder{}
	e := newEnv(t, newSQLiteStore(t), local, func(c *portal.Config) { c.Mailer = rec })
	admin, err := e.p.InviteStaff(e.owner, portal.InviteStaffParams{Email: "ops@provider.example", Name: "Ops", Role: identity.StaffAdmin})
	require.NoError(t, err)
	inv, ok := rec.Last(admin.Email)
	require.True(t, ok)
	_, err = e.p.SignInStaffWithLoginLink(t.Context(), inv.Token)
	require.NoError(t, err, "the admin is active")

	rc := newReceiver(t, e.clock)
	rc.answer = func(*http.Request) (int, http.Header) { return http.StatusBadGateway, nil }
	ep := e.endpoint(t, rc, webhook.CustomerCreated)
	opts := portal.WebhookOptions{DisableAfter: 72 * time.Hour, MaxDelay: time.Hour}
	for i := 0; i < 80; i++ {
		e.createCustomer(t, "Customer "+string(rune('A'+i%26))+string(rune('a'+i/26)))
		drain(t, e.p, opts)
		e.clock.Advance(time.Hour)
		got, err := e.p.GetWebhookEndpoint(e.owner, ep.ID)
		require.NoError(t, err)
		if !got.Enabled {
			assert.GreaterOrEqual(t, i, 72, "not before three days of failures")
			assert.Contains(t, got.DisabledReason, "every delivery failed since")
			m, ok := rec.Last(admin.Email)
			require.True(t, ok)
			assert.Equal(t, portal.NotifyWebhookDisabled, m.Kind)
			assert.Contains(t, m.Text, rc.srv.URL)
			assert.Contains(t, m.Text, portaltest.PublicURL+"/console/webhooks/"+string(ep.ID))
			return
		}
	}
	t.Fatal("the endpoint was never disabled")
}

// TestWebhookSSRF: URLs on loopback, private and link-local addresses and
// plain http are refused when registered; and a name that resolved to a
// public address then but leads to loopback at delivery time is refused
// by the dialer, so the receiver on it gets nothing.
func TestWebhookSSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t, newSQLiteStore(t))
	for _, u := range []string{
		"https://127.0.0.1/hooks", "https://[::1]/hooks", "https://10.0.0.7/hooks", "https://192.168.1.1/",
		"https://169.254.169.254/latest/meta-data", "https://[fe80::1]/", "https://localhost:8443/hooks", "https://0.0.0.0/",
		"http://erp.example.com/hooks", "ftp://erp.example.com/",
	} {
		_, err := e.p.CreateWebhookEndpoint(e.owner, portal.CreateWebhookEndpointParams{URL: u, EventTypes: []webhook.Type{webhook.OrderSubmitted}})
		require.Error(t, err, u)
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), u)
		assert.Equal(t, "url", portalerr.FieldsOf(err)[0].Field, u)
	}

	// DNS rebinding: the name looked public when registered.
	rebind := newEnv(t, newSQLiteStore(t), func(c *portal.Config) {
		c.Webhooks.AllowHTTP = true
		c.Webhooks.LookupIP = func(context.Context, string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("93.184.215.14")}, nil
		}
	})
	rc := newReceiver(t, rebind.clock)
	url := strings.Replace(rc.srv.URL, "127.0.0.1", "localhost", 1)
	ep, err := rebind.p.CreateWebhookEndpoint(rebind.owner, portal.CreateWebhookEndpointParams{URL: url, EventTypes: []webhook.Type{webhook.CustomerCreated}})
	require.NoError(t, err)
	rebind.createCustomer(t, "Acme")
	assert.Equal(t, portal.WebhookReport{Claimed: 1, Failed: 1}, drain(t, rebind.p, portal.WebhookOptions{}))
	assert.Zero(t, rc.tried, "the receiver on loopback was never reached")
	l, err := rebind.p.ListWebhookDeliveries(rebind.owner, ep.ID, portal.ListWebhookDeliveriesParams{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Contains(t, l.Items[0].LastError, "loopback, private or link-local")
}

// TestWebhookRotation: during the overlap both secrets sign; after it,
// only the new one. The secret is shown on creation and rotation only.
func TestWebhookRotation(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		rc := newReceiver(t, e.clock)
		ep := e.endpoint(t, rc, webhook.CustomerCreated)
		rot, err := e.p.RotateWebhookSecret(e.owner, ep.ID, portal.RotateWebhookSecretParams{Overlap: time.Hour})
		require.NoError(t, err)
		assert.NotEqual(t, ep.Secret, rot.Secret)
		assert.True(t, rot.Rotating)
		got, err := e.p.GetWebhookEndpoint(e.owner, ep.ID)
		require.NoError(t, err)
		assert.Empty(t, got.Secret, "never shown again")
		assert.Empty(t, got.PreviousSecret)

		check := func(old, new bool) {
			t.Helper()
			var hdr http.Header
			var body []byte
			rc.mu.Lock()
			rc.answer = func(r *http.Request) (int, http.Header) {
				hdr = r.Header.Clone()
				b, _ := io.ReadAll(r.Body)
				body = b
				return http.StatusOK, nil
			}
			rc.mu.Unlock()
			e.createCustomer(t, "C "+e.clock.Now().String())
			drain(t, e.p, portal.WebhookOptions{})
			require.NotNil(t, hdr)
			_ = body
			v := webhook.Verifier{Now: e.clock.Now}
			// The body the receiver read is gone with the request; verify
			// against the stored delivery's body instead.
			l, err := e.p.ListWebhookDeliveries(e.owner, ep.ID, portal.ListWebhookDeliveriesParams{Limit: 1})
			require.NoError(t, err)
			b := l.Items[0].Body
			assert.Equal(t, old, v.Verify(ep.Secret, hdr, b) == nil, "old secret")
			assert.Equal(t, new, v.Verify(rot.Secret, hdr, b) == nil, "new secret")
		}
		check(true, true)
		e.clock.Advance(time.Hour)
		check(false, true)
	}, local)
}

// TestWebhookEndpointsValidation: bad input changes nothing; what
// changes is in the audit log.
func TestWebhookEndpointsValidation(t *testing.T) {
	t.Parallel()
	store := newSQLiteStore(t)
	e := newEnv(t, store, local)
	for name, params := range map[string]portal.CreateWebhookEndpointParams{
		"no types":      {URL: "https://erp.example.com"},
		"unknown type":  {URL: "https://erp.example.com", EventTypes: []webhook.Type{"order.eaten"}},
		"no url":        {EventTypes: []webhook.Type{webhook.OrderSubmitted}},
		"no customer":   {URL: "https://erp.example.com", EventTypes: []webhook.Type{webhook.OrderSubmitted}, CustomerID: "cus_none"},
		"credentials":   {URL: "https://u:p@erp.example.com", EventTypes: []webhook.Type{webhook.OrderSubmitted}},
		"long describe": {URL: "https://erp.example.com", EventTypes: []webhook.Type{webhook.OrderSubmitted}, Description: strings.Repeat("x", 501)},
	} {
		_, err := e.p.CreateWebhookEndpoint(e.owner, params)
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), name)
	}
	l, err := e.p.ListWebhookEndpoints(e.owner, portal.ListWebhookEndpointsParams{})
	require.NoError(t, err)
	assert.Empty(t, l.Items)

	ep, err := e.p.CreateWebhookEndpoint(e.owner, portal.CreateWebhookEndpointParams{URL: "https://erp.example.com", EventTypes: []webhook.Type{webhook.OrderSubmitted}})
	require.NoError(t, err)
	_, err = e.p.UpdateWebhookEndpoint(e.owner, ep.ID, portal.UpdateWebhookEndpointParams{Version: 7, Enabled: ptr(false)})
	assert.Equal(t, portalerr.Conflict, portalerr.CodeOf(err))
	_, err = e.p.UpdateWebhookEndpoint(e.owner, ep.ID, portal.UpdateWebhookEndpointParams{EventTypes: []webhook.Type{"x"}})
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
	up, err := e.p.UpdateWebhookEndpoint(e.owner, ep.ID, portal.UpdateWebhookEndpointParams{Version: 1, Enabled: ptr(false), Description: ptr(" ERP ")})
	require.NoError(t, err)
	assert.False(t, up.Enabled)
	assert.Equal(t, "ERP", up.Description)
	assert.Equal(t, int64(2), up.Version)
	_, err = e.p.RotateWebhookSecret(e.owner, ep.ID, portal.RotateWebhookSecretParams{})
	require.NoError(t, err)
	require.NoError(t, e.p.DeleteWebhookEndpoint(e.owner, ep.ID))
	_, err = e.p.GetWebhookEndpoint(e.owner, ep.ID)
	assert.Equal(t, portalerr.NotFound, portalerr.CodeOf(err))
	assert.True(t, errors.Is(e.p.DeleteWebhookEndpoint(e.owner, ep.ID), portalerr.ErrNotFound))

	var actions []string
	require.NoError(t, store.ReadTx(t.Context(), func(r storage.Repos) error {
		l, err := r.Audit().List(t.Context(), storage.AuditFilter{ObjectID: string(ep.ID)}, storage.Page{Limit: storage.MaxLimit})
		for _, ev := range l.Items {
			actions = append(actions, ev.Action)
			assert.Equal(t, "staff:stf_owner", ev.Actor)
		}
		return err
	}))
	assert.Equal(t, []string{"webhook_endpoint.created", "webhook_endpoint.updated", "webhook_endpoint.secret_rotated", "webhook_endpoint.deleted"}, actions,
		"the refused changes are not recorded")
}

// TestWebhookWarehouseEvents: a fulfilled pre-order stocks its items, one
// stock_item.stocked each, and issuing, returning and retiring an item
// publish their events, with the item as it is after the move.
func TestWebhookWarehouseEvents(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rec := &portaltest.Recorder{}
			e := newEnv(t, newStore(t), local, func(c *portal.Config) { c.Mailer = rec })
			s := newShop(t, e, rec, customer.FeaturesPatch{PreOrders: ptr(true)})
			rc := newReceiver(t, e.clock)
			e.endpoint(t, rc, webhook.StockItemStocked, webhook.StockItemIssued, webhook.StockItemReturned, webhook.StockItemRetired)

			o, err := s.p.PlaceOrder(as(t, s.maintainer), s.c.ID, portal.PlaceOrderParams{
				Kind: orders.KindPreOrder, SiteID: s.hq.ID, Lines: []portal.OrderLineParams{line(s.laptop, 2)},
			})
			require.NoError(t, err)
			_, err = s.p.ConfirmOrder(s.owner, o.ID, portal.DecideOrderParams{})
			require.NoError(t, err)
			_, err = s.p.FulfilOrder(s.owner, o.ID, portal.DecideOrderParams{})
			require.NoError(t, err)
			items, err := s.p.ListStockItems(s.owner, s.c.ID, portal.ListStockItemsParams{})
			require.NoError(t, err)
			require.Len(t, items.Items, 2)
			id := items.Items[0].ID
			_, err = s.p.IssueStockItem(as(t, s.maintainer), s.c.ID, id, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Nina"}})
			require.NoError(t, err)
			_, err = s.p.ReturnStockItem(as(t, s.maintainer), s.c.ID, id, portal.ReturnStockItemParams{})
			require.NoError(t, err)
			_, err = s.p.RetireStockItem(as(t, s.admin), s.c.ID, id, portal.RetireStockItemParams{Reason: "broken"})
			require.NoError(t, err)

			drain(t, e.p, portal.WebhookOptions{Concurrency: 1})
			got := rc.received()
			assert.Equal(t, []webhook.Type{webhook.StockItemStocked, webhook.StockItemStocked, webhook.StockItemIssued,
				webhook.StockItemReturned, webhook.StockItemRetired}, types(got), "in the order written, one worker at a time")
			var retired portal.StockItem
			require.NoError(t, json.Unmarshal(got[4].Ev.Data, &retired))
			assert.Equal(t, id, retired.ID)
			assert.Equal(t, s.c.ID, got[4].Ev.CustomerID)
		})
	}
}

// TestWebhookTimeoutsRedirectsAndDeadReceivers: a receiver that does not
// answer within Timeout and one that is not there are tried again; a
// redirect is not followed and fails the delivery.
func TestWebhookTimeoutsRedirectsAndDeadReceivers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, newSQLiteStore(t), local)
	slow := newReceiver(t, e.clock)
	slow.answer = func(r *http.Request) (int, http.Header) {
		<-r.Context().Done() // until the worker gives up
		return http.StatusServiceUnavailable, nil
	}
	moved := newReceiver(t, e.clock)
	moved.answer = func(*http.Request) (int, http.Header) {
		return http.StatusFound, http.Header{"Location": {moved.srv.URL + "/elsewhere"}}
	}
	gone := newReceiver(t, e.clock)
	var ids []webhook.EndpointID
	for _, rc := range []*receiver{slow, moved, gone} {
		ids = append(ids, e.endpoint(t, rc, webhook.CustomerCreated).ID)
	}
	gone.srv.Close()
	e.createCustomer(t, "Acme")

	rep, err := e.p.DeliverWebhooks(t.Context(), portal.WebhookOptions{Timeout: 200 * time.Millisecond})
	require.NoError(t, err)
	assert.Equal(t, portal.WebhookReport{Claimed: 3, Retried: 2, Failed: 1}, rep)
	want := []struct {
		status outbox.Status
		code   int
		err    string
	}{
		{outbox.Pending, 0, "deadline exceeded"},
		{outbox.Failed, http.StatusFound, "answered 302"},
		{outbox.Pending, 0, "connection refused"},
	}
	for i, id := range ids {
		l, err := e.p.ListWebhookDeliveries(e.owner, id, portal.ListWebhookDeliveriesParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		d := l.Items[0]
		assert.Equal(t, want[i].status, d.Status, "endpoint %d", i)
		assert.Equal(t, want[i].code, d.ResponseCode, "endpoint %d", i)
		assert.Contains(t, d.LastError, want[i].err, "endpoint %d", i)
	}
	assert.Equal(t, 1, moved.tried, "the redirect is not followed")
}

// TestPurgeWebhookDeliveries keeps the delivery log for the retention:
// older settled deliveries go, pending ones stay.
func TestPurgeWebhookDeliveries(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		rc := newReceiver(t, e.clock)
		ep := e.endpoint(t, rc, webhook.CustomerCreated)
		e.createCustomer(t, "Acme")
		drain(t, e.p, portal.WebhookOptions{})
		e.clock.Advance(24 * time.Hour)
		rc.answer = func(*http.Request) (int, http.Header) { return http.StatusServiceUnavailable, nil }
		e.createCustomer(t, "Globex")
		drain(t, e.p, portal.WebhookOptions{})

		n, err := e.p.PurgeWebhookDeliveries(t.Context(), 12*time.Hour)
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the delivered one of a day ago")
		e.clock.Advance(365 * 24 * time.Hour)
		n, err = e.p.PurgeWebhookDeliveries(t.Context(), 0)
		require.NoError(t, err)
		assert.Zero(t, n, "the one waiting for its next attempt stays")
		l, err := e.p.ListWebhookDeliveries(e.owner, ep.ID, portal.ListWebhookDeliveriesParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, outbox.Pending, l.Items[0].Status)
		_, err = e.p.PurgeWebhookDeliveries(t.Context(), -time.Hour)
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
	}, local)
}

// TestWebhookSecretsAreSealed: an endpoint's signing secrets are stored
// sealed under the server key, never in clear, and still sign; a secret
// stored in clear before (as migration 00090 marks it, "plain:") signs
// too and is sealed by the first delivery pass.
func TestWebhookSecretsAreSealed(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := newStore(t)
			e := newEnv(t, store, local)
			stored := func(id webhook.EndpointID) webhook.Endpoint {
				t.Helper()
				var out webhook.Endpoint
				require.NoError(t, store.ReadTx(t.Context(), func(r storage.Repos) error {
					var err error
					out, err = r.Webhooks().Endpoint(t.Context(), id)
					return err
				}))
				return out
			}
			sealed := func(what, value, plain string) {
				t.Helper()
				assert.True(t, strings.HasPrefix(value, "sealed:"), "%s is stored sealed: %q", what, value)
				assert.NotContains(t, value, strings.TrimPrefix(plain, "whsec_"), "%s is not stored in clear", what)
			}

			rc := newReceiver(t, e.clock)
			ep := e.endpoint(t, rc, webhook.CustomerCreated)
			sealed("the secret", stored(ep.ID).Secret, ep.Secret)
			rot, err := e.p.RotateWebhookSecret(e.owner, ep.ID, portal.RotateWebhookSecretParams{Overlap: time.Hour})
			require.NoError(t, err)
			after := stored(ep.ID)
			sealed("the new secret", after.Secret, rot.Secret)
			sealed("the previous secret", after.PreviousSecret, ep.Secret)

			// An endpoint stored in clear before secrets were sealed.
			old := newReceiver(t, e.clock)
			plain := webhook.NewSecret()
			old.secret = []string{plain}
			now := e.clock.Now()
			legacy := webhook.Endpoint{ID: "wep_legacy", URL: old.srv.URL + "/hooks", Types: []webhook.Type{webhook.CustomerCreated},
				Enabled: true, Secret: "plain:" + plain, Version: 1, CreatedAt: now, UpdatedAt: now}
			require.NoError(t, store.InTx(t.Context(), func(r storage.Repos) error { return r.Webhooks().CreateEndpoint(t.Context(), legacy) }))

			rc.mu.Lock()
			rc.secret = []string{rot.Secret} // the old one was rotated away
			rc.mu.Unlock()
			e.createCustomer(t, "Acme")
			assert.Equal(t, portal.WebhookReport{Claimed: 2, Delivered: 2}, drain(t, e.p, portal.WebhookOptions{}))
			assert.Len(t, rc.received(), 1, "signed with the sealed secret")
			assert.Len(t, old.received(), 1, "signed with the secret stored in clear")
			sealed("the secret stored in clear", stored(legacy.ID).Secret, plain)
		})
	}
}

// TestWebhookOptionsShareTheRetryPolicy: WebhookOptions are checked as
// OutboxOptions are (one retry policy), field by field, under their own
// name for the timeout, plus DisableAfter.
func TestWebhookOptionsShareTheRetryPolicy(t *testing.T) {
	t.Parallel()
	fields := func(err error) []string {
		t.Helper()
		var pe *portalerr.Error
		require.ErrorAs(t, err, &pe)
		var out []string
		for _, f := range pe.Fields {
			out = append(out, f.Field)
		}
		return out
	}
	assert.NoError(t, portal.WebhookOptions{}.Validate())
	assert.ElementsMatch(t, []string{"timeout", "max_delay", "disable_after"},
		fields(portal.WebhookOptions{Timeout: -1, BaseDelay: time.Hour, MaxDelay: time.Minute, DisableAfter: -1}.Validate()))
	assert.ElementsMatch(t, []string{"send_timeout", "max_delay"},
		fields(portal.OutboxOptions{SendTimeout: -1, BaseDelay: time.Hour, MaxDelay: time.Minute}.Validate()))
	// The lease must outlast a pass: 1000 requests of 15 s, one at a time.
	assert.Equal(t, []string{"lease"}, fields(portal.WebhookOptions{BatchSize: 1000, Concurrency: 1, Lease: time.Hour}.Validate()))
}
