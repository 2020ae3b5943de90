package storagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

var webhookTests = []test{
	{"EndpointRoundTrip", testWebhookEndpointRoundTrip},
	{"EndpointUpdateVersion", testWebhookEndpointUpdate},
	{"EndpointMissing", testWebhookEndpointMissing},
	{"EnabledEndpoints", testWebhookEnabledEndpoints},
	{"DeleteEndpointTakesDeliveries", testWebhookDeleteEndpoint},
	{"DeliveryRoundTrip", testWebhookDeliveryRoundTrip},
	{"DeliveryNeedsEndpoint", testWebhookDeliveryNeedsEndpoint},
	{"ClaimAndSettle", testWebhookClaimSettle},
	{"LeaseExpiryFencesOldClaim", testWebhookLeaseExpiry},
	{"Release", testWebhookRelease},
	{"ListNewestFirst", testWebhookListDeliveries},
	{"Between", testWebhookBetween},
	{"Stats", testWebhookStats},
	{"DeleteSettled", testWebhookDeleteSettled},
}

var webhookConcurrencyTests = []test{
	{"WebhookDeliveryClaimedOnce", testWebhookClaimedOnce},
}

func newEndpoint(url string, types ...webhook.Type) webhook.Endpoint {
	return webhook.Endpoint{
		ID: webhook.EndpointID(newID("wep_")), URL: url, Types: types, Enabled: true,
		Secret: webhook.NewSecret(), Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func createEndpoint(t *testing.T, s storage.Store, e webhook.Endpoint) webhook.Endpoint {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Webhooks().CreateEndpoint(ctx, e)
	}))
	return e
}

func newDelivery(ep webhook.EndpointID, typ webhook.Type, at time.Time) webhook.Delivery {
	id := newID("wev_")
	return webhook.Delivery{
		ID: webhook.DeliveryID(newID("wdl_")), EndpointID: ep, EventID: webhook.EventID(id), Type: typ, CustomerID: "cus_1",
		Body:   []byte(`{"id":"` + id + `","type":"` + string(typ) + `"}`),
		Status: outbox.Pending, NextAttemptAt: at, CreatedAt: at, UpdatedAt: at,
	}
}

func enqueueDelivery(t *testing.T, s storage.Store, d webhook.Delivery) webhook.Delivery {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Webhooks().EnqueueDelivery(ctx, d)
	}))
	return d
}

func claimDeliveries(t *testing.T, s storage.Store, now time.Time, limit int) []webhook.Delivery {
	t.Helper()
	var out []webhook.Delivery
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.Webhooks().ClaimDeliveries(ctx, now, limit, lease)
		return err
	}))
	return out
}

func settleDelivery(t *testing.T, s storage.Store, d webhook.Delivery, claim int, release bool) (webhook.Delivery, error) {
	t.Helper()
	var out webhook.Delivery
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.Webhooks().SettleDelivery(ctx, d, claim, release)
		return err
	})
	return out, err
}

func getDelivery(t *testing.T, s storage.Store, id webhook.DeliveryID) webhook.Delivery {
	t.Helper()
	d, err := get(t, s, func(ctx context.Context, r storage.Repos) (webhook.Delivery, error) {
		return r.Webhooks().Delivery(ctx, id)
	})
	require.NoError(t, err)
	return d
}

func testWebhookEndpointRoundTrip(t *testing.T, s storage.Store) {
	e := newEndpoint("https://erp.example.com/hooks", webhook.OrderSubmitted, webhook.OrderConfirmed)
	e.CustomerID = "cus_gone"
	e.Description = "ERP"
	e.PreviousSecret, e.PreviousUntil = webhook.NewSecret(), base.Add(time.Hour)
	e.FailingSince = base.Add(-time.Hour)
	createEndpoint(t, s, e)
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (webhook.Endpoint, error) {
		return r.Webhooks().Endpoint(ctx, e.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, e, got)
	assert.ErrorIs(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Webhooks().CreateEndpoint(ctx, e)
	}), storage.ErrAlreadyExists)
}

func testWebhookEndpointUpdate(t *testing.T, s storage.Store) {
	e := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	var got webhook.Endpoint
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		got, err = r.Webhooks().UpdateEndpoint(ctx, e.ID, func(e *webhook.Endpoint) error {
			e.URL = "https://b.example.com"
			e.Types = append(e.Types, webhook.TicketOpened)
			e.Disable("failing")
			return nil
		})
		return err
	}))
	assert.Equal(t, int64(2), got.Version)
	again, err := get(t, s, func(ctx context.Context, r storage.Repos) (webhook.Endpoint, error) {
		return r.Webhooks().Endpoint(ctx, e.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, got, again)
	assert.Equal(t, []webhook.Type{webhook.OrderSubmitted, webhook.TicketOpened}, again.Types)
	assert.False(t, again.Enabled)
	assert.Equal(t, "failing", again.DisabledReason)
}

func testWebhookEndpointMissing(t *testing.T, s storage.Store) {
	_, err := get(t, s, func(ctx context.Context, r storage.Repos) (webhook.Endpoint, error) {
		return r.Webhooks().Endpoint(ctx, "wep_none")
	})
	assert.ErrorIs(t, err, storage.ErrNotFound)
	assert.ErrorIs(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Webhooks().DeleteEndpoint(ctx, "wep_none")
	}), storage.ErrNotFound)
	assert.ErrorIs(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Webhooks().UpdateEndpoint(ctx, "wep_none", func(*webhook.Endpoint) error { return nil })
		return err
	}), storage.ErrNotFound)
}

func testWebhookEnabledEndpoints(t *testing.T, s storage.Store) {
	a := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	off := newEndpoint("https://b.example.com", webhook.OrderSubmitted)
	off.Enabled = false
	createEndpoint(t, s, off)
	c := createEndpoint(t, s, newEndpoint("https://c.example.com", webhook.TicketOpened))
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]webhook.Endpoint, error) {
		return r.Webhooks().EnabledEndpoints(ctx)
	})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, a.ID, got[0].ID)
	assert.Equal(t, c.ID, got[1].ID)
	n, err := get(t, s, func(ctx context.Context, r storage.Repos) (int, error) { return r.Webhooks().CountEndpoints(ctx) })
	require.NoError(t, err)
	assert.Equal(t, 3, n)
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[webhook.Endpoint], error) {
		return r.Webhooks().Endpoints(ctx, storage.Page{Limit: 2})
	})
	require.NoError(t, err)
	assert.Len(t, l.Items, 2)
	assert.NotEmpty(t, l.NextCursor)
}

func testWebhookDeleteEndpoint(t *testing.T, s storage.Store) {
	e := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	d := enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base))
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Webhooks().DeleteEndpoint(ctx, e.ID)
	}))
	_, err := get(t, s, func(ctx context.Context, r storage.Repos) (webhook.Delivery, error) {
		return r.Webhooks().Delivery(ctx, d.ID)
	})
	assert.ErrorIs(t, err, storage.ErrNotFound, "the deliveries went with the endpoint")
}

func testWebhookDeliveryRoundTrip(t *testing.T, s storage.Store) {
	e := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	d := newDelivery(e.ID, webhook.OrderSubmitted, base)
	d.ReplayOf = "wdl_first"
	enqueueDelivery(t, s, d)
	assert.Equal(t, d, getDelivery(t, s, d.ID))
	assert.ErrorIs(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Webhooks().EnqueueDelivery(ctx, d)
	}), storage.ErrAlreadyExists)
}

func testWebhookDeliveryNeedsEndpoint(t *testing.T, s storage.Store) {
	assert.ErrorIs(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Webhooks().EnqueueDelivery(ctx, newDelivery("wep_none", webhook.OrderSubmitted, base))
	}), storage.ErrNotFound)
}

func testWebhookClaimSettle(t *testing.T, s storage.Store) {
	e := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	first := enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base))
	later := enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base.Add(time.Minute)))
	got := claimDeliveries(t, s, base, 10)
	require.Len(t, got, 1, "only what is due")
	c := got[0]
	assert.Equal(t, first.ID, c.ID)
	assert.Equal(t, outbox.Sending, c.Status)
	assert.Equal(t, 1, c.Attempts)
	assert.Equal(t, 1, c.Claims)
	assert.Equal(t, base.Add(lease), c.ClaimedUntil)
	assert.Empty(t, claimDeliveries(t, s, base, 10), "a leased delivery is not claimed again")

	// A failed attempt: due again later, with the answer kept.
	c.Status, c.NextAttemptAt = outbox.Pending, base.Add(30*time.Second)
	c.ResponseCode, c.ResponseBody, c.Latency, c.LastError = 503, "busy", 1500*time.Millisecond, "503 Service Unavailable"
	c.AttemptedAt, c.UpdatedAt = base.Add(2*time.Second), base.Add(2*time.Second)
	out, err := settleDelivery(t, s, c, c.Claims, false)
	require.NoError(t, err)
	assert.Equal(t, outbox.Pending, out.Status)
	assert.Equal(t, 503, out.ResponseCode)
	assert.Equal(t, "busy", out.ResponseBody)
	assert.Equal(t, 1500*time.Millisecond, out.Latency)
	assert.True(t, out.ClaimedUntil.IsZero())
	assert.Equal(t, out, getDelivery(t, s, c.ID))

	got = claimDeliveries(t, s, base.Add(time.Minute), 10)
	require.Len(t, got, 2)
	for _, d := range got {
		d.Status, d.ResponseCode, d.DeliveredAt, d.AttemptedAt, d.UpdatedAt = outbox.Sent, 204, base.Add(time.Minute), base.Add(time.Minute), base.Add(time.Minute)
		out, err := settleDelivery(t, s, d, d.Claims, false)
		require.NoError(t, err)
		assert.Equal(t, outbox.Sent, out.Status)
	}
	assert.Equal(t, 2, getDelivery(t, s, first.ID).Attempts)
	assert.Equal(t, 1, getDelivery(t, s, later.ID).Attempts)
	assert.Empty(t, claimDeliveries(t, s, base.Add(365*24*time.Hour), 10), "delivered is final")
	_, err = settleDelivery(t, s, getDelivery(t, s, first.ID), 2, false)
	assert.ErrorIs(t, err, storage.ErrConflict, "settling a delivered one")
	_, err = settleDelivery(t, s, webhook.Delivery{ID: "wdl_none", Status: outbox.Sent}, 1, false)
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testWebhookLeaseExpiry(t *testing.T, s storage.Store) {
	e := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	d := enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base))
	first := claimDeliveries(t, s, base, 1)
	require.Len(t, first, 1)
	// The worker died: once its lease runs out another claims the delivery.
	second := claimDeliveries(t, s, base.Add(lease), 1)
	require.Len(t, second, 1)
	assert.Equal(t, d.ID, second[0].ID)
	assert.Equal(t, 2, second[0].Claims)
	late := first[0]
	late.Status = outbox.Sent
	_, err := settleDelivery(t, s, late, first[0].Claims, false)
	assert.ErrorIs(t, err, storage.ErrConflict, "the first claim no longer holds it")
	ok := second[0]
	ok.Status, ok.DeliveredAt = outbox.Sent, base.Add(lease)
	_, err = settleDelivery(t, s, ok, second[0].Claims, false)
	assert.NoError(t, err)
}

func testWebhookRelease(t *testing.T, s storage.Store) {
	e := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base))
	c := claimDeliveries(t, s, base, 1)[0]
	c.Status = outbox.Pending
	out, err := settleDelivery(t, s, c, c.Claims, true)
	require.NoError(t, err)
	assert.Equal(t, 0, out.Attempts, "a release gives the attempt back")
	assert.Equal(t, 1, out.Claims, "but not the claim")
	assert.Len(t, claimDeliveries(t, s, base, 1), 1)
}

func testWebhookListDeliveries(t *testing.T, s storage.Store) {
	a := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	b := createEndpoint(t, s, newEndpoint("https://b.example.com", webhook.OrderSubmitted))
	var ids []webhook.DeliveryID
	for i := range 5 {
		ids = append(ids, enqueueDelivery(t, s, newDelivery(a.ID, webhook.OrderSubmitted, base.Add(time.Duration(i)*time.Second))).ID)
	}
	other := enqueueDelivery(t, s, newDelivery(b.ID, webhook.OrderSubmitted, base))
	list := func(f storage.DeliveryFilter, p storage.Page) storage.List[webhook.Delivery] {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[webhook.Delivery], error) {
			return r.Webhooks().Deliveries(ctx, f, p)
		})
		require.NoError(t, err)
		return l
	}
	p1 := list(storage.DeliveryFilter{EndpointID: a.ID}, storage.Page{Limit: 3})
	require.Len(t, p1.Items, 3)
	assert.Equal(t, ids[4], p1.Items[0].ID, "newest first")
	p2 := list(storage.DeliveryFilter{EndpointID: a.ID}, storage.Page{Limit: 3, Cursor: p1.NextCursor})
	require.Len(t, p2.Items, 2)
	assert.Equal(t, ids[0], p2.Items[1].ID)
	assert.Empty(t, p2.NextCursor)
	byEvent := list(storage.DeliveryFilter{EventID: other.EventID}, storage.Page{})
	require.Len(t, byEvent.Items, 1)
	assert.Equal(t, other.ID, byEvent.Items[0].ID)
	assert.Empty(t, list(storage.DeliveryFilter{Status: outbox.Sent}, storage.Page{}).Items)
}

func testWebhookBetween(t *testing.T, s storage.Store) {
	a := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	var ds []webhook.Delivery
	for i := range 4 {
		ds = append(ds, enqueueDelivery(t, s, newDelivery(a.ID, webhook.OrderSubmitted, base.Add(time.Duration(i)*time.Hour))))
	}
	replay := ds[1].Replay(webhook.DeliveryID(newID("wdl_")), base.Add(time.Hour+time.Minute))
	enqueueDelivery(t, s, replay)
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]webhook.Delivery, error) {
		return r.Webhooks().DeliveriesBetween(ctx, a.ID, base.Add(time.Hour), base.Add(3*time.Hour), 10)
	})
	require.NoError(t, err)
	require.Len(t, got, 2, "[from, to), without the replay")
	assert.Equal(t, ds[1].ID, got[0].ID)
	assert.Equal(t, ds[2].ID, got[1].ID)
}

func testWebhookStats(t *testing.T, s storage.Store) {
	a := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	enqueueDelivery(t, s, newDelivery(a.ID, webhook.OrderSubmitted, base))
	enqueueDelivery(t, s, newDelivery(a.ID, webhook.OrderSubmitted, base.Add(time.Minute)))
	claimDeliveries(t, s, base, 1)
	st, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.OutboxStats, error) {
		return r.Webhooks().DeliveryStats(ctx)
	})
	require.NoError(t, err)
	assert.Equal(t, 1, st.Pending)
	assert.Equal(t, 1, st.Sending)
	assert.Equal(t, base.Add(time.Minute), st.FirstDue)
}

func testWebhookClaimedOnce(t *testing.T, s storage.Store) {
	const n, workers = 40, 6
	e := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	for range n {
		enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base))
	}
	ctx := t.Context()
	var (
		mu   sync.Mutex
		seen = map[webhook.DeliveryID]int{}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				var batch []webhook.Delivery
				err := s.InTx(ctx, func(r storage.Repos) error {
					var err error
					batch, err = r.Webhooks().ClaimDeliveries(ctx, base, 3, lease)
					return err
				})
				if !assert.NoError(t, err) || len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, d := range batch {
					seen[d.ID]++
				}
				mu.Unlock()
				for _, d := range batch {
					claim := d.Claims
					d.Status, d.DeliveredAt = outbox.Sent, base
					err := s.InTx(ctx, func(r storage.Repos) error {
						_, err := r.Webhooks().SettleDelivery(ctx, d, claim, false)
						return err
					})
					assert.NoError(t, err, fmt.Sprintf("settling %s", d.ID))
				}
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, n)
	for id, k := range seen {
		assert.Equal(t, 1, k, "%s was claimed %d times", id, k)
	}
}

func testWebhookDeleteSettled(t *testing.T, s storage.Store) {
	e := createEndpoint(t, s, newEndpoint("https://a.example.com", webhook.OrderSubmitted))
	old := enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base))
	oldPending := enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base.Add(time.Second)))
	young := enqueueDelivery(t, s, newDelivery(e.ID, webhook.OrderSubmitted, base.Add(time.Hour)))
	for _, d := range claimDeliveries(t, s, base.Add(time.Hour), 10) {
		if d.ID == oldPending.ID {
			d.Status, d.NextAttemptAt = outbox.Pending, base.Add(48*time.Hour)
		} else {
			d.Status, d.DeliveredAt = outbox.Sent, base.Add(time.Hour)
		}
		_, err := settleDelivery(t, s, d, d.Claims, false)
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Webhooks().DeleteSettledDeliveries(ctx, base.Add(time.Minute))
		return err
	}))
	assert.Equal(t, 1, n)
	_, err := get(t, s, func(ctx context.Context, r storage.Repos) (webhook.Delivery, error) {
		return r.Webhooks().Delivery(ctx, old.ID)
	})
	assert.ErrorIs(t, err, storage.ErrNotFound, "settled and old")
	assert.Equal(t, outbox.Pending, getDelivery(t, s, oldPending.ID).Status, "old but still to be sent")
	assert.Equal(t, outbox.Sent, getDelivery(t, s, young.ID).Status, "settled but young")
}
