package httpapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/webhook"
)

// TestWebhooksThroughTheAPI registers an endpoint through the API, makes
// changes through it, and checks that each event's data is the object as
// the API's GET shows it (httpapi.EventData), that the delivery log shows
// the deliveries, and that a replay through the API arrives with the same
// webhook-id.
func TestWebhooksThroughTheAPI(t *testing.T) {
	t.Parallel()
	clock := &portaltest.Clock{}
	var (
		mu  sync.Mutex
		got []*http.Request
		raw [][]byte
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, raw = append(got, r), append(raw, b)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	p := portaltest.New(t, clock, func(c *portal.Config) {
		c.Webhooks = portal.WebhookConfig{AllowHTTP: true, AllowPrivateAddresses: true, Data: httpapi.EventData}
	})
	boot, err := p.Bootstrap(t.Context(), portal.BootstrapParams{})
	require.NoError(t, err)
	srv := httptest.NewServer(httpapi.NewHandler(p))
	t.Cleanup(srv.Close)
	owner, err := client.NewClientWithResponses(srv.URL, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+boot.APIKey)
		return nil
	}))
	require.NoError(t, err)
	ctx := t.Context()

	all := make([]client.WebhookEventType, len(webhook.Types))
	for i, ty := range webhook.Types {
		all[i] = client.WebhookEventType(ty)
	}
	created, err := owner.CreateWebhookEndpointWithResponse(ctx, client.CreateWebhookEndpointRequest{Url: recv.URL, EventTypes: all})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
	assert.Equal(t, "no-store", created.HTTPResponse.Header.Get("Cache-Control"), "the secret is not cached")
	secret, ep := created.JSON201.Secret, created.JSON201.Endpoint

	cus, err := owner.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: "Acme"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, cus.StatusCode())
	cid := cus.JSON201.Id
	site, err := owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "HQ"})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, site.StatusCode())
	member, err := owner.AddMemberWithResponse(ctx, cid, nil, client.AddMemberRequest{Email: "ada@acme.example", Name: "Ada", Role: client.RoleAdmin})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, member.StatusCode(), "%s", member.Body)

	// One at a time, so that they arrive in the order written.
	rep, err := p.DeliverWebhooks(ctx, portal.WebhookOptions{Concurrency: 1})
	require.NoError(t, err)
	// The endpoint, subscribed to every type, hears of its own creation.
	require.Equal(t, portal.WebhookReport{Claimed: 4, Delivered: 4}, rep)

	getJSON := func(r interface{ StatusCode() int }, body []byte) map[string]any {
		t.Helper()
		require.Equal(t, http.StatusOK, r.StatusCode())
		var m map[string]any
		require.NoError(t, json.Unmarshal(body, &m))
		return m
	}
	gc, err := owner.GetCustomerWithResponse(ctx, cid)
	require.NoError(t, err)
	gs, err := owner.GetSiteWithResponse(ctx, cid, site.JSON201.Id)
	require.NoError(t, err)
	gm, err := owner.GetMemberWithResponse(ctx, cid, member.JSON201.Id)
	require.NoError(t, err)
	ge, err := owner.GetWebhookEndpointWithResponse(ctx, ep.Id)
	require.NoError(t, err)
	want := map[string]map[string]any{
		"webhook_endpoint.created": getJSON(ge, ge.Body),
		"customer.created":         getJSON(gc, gc.Body),
		"site.created":             getJSON(gs, gs.Body),
		"membership.created":       getJSON(gm, gm.Body),
	}
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, raw, 4)
	v := webhook.Verifier{Now: clock.Now}
	for i, b := range raw {
		require.NoError(t, v.Verify(secret, got[i].Header, b), "signed with the secret shown once")
		var ev struct {
			ID   string         `json:"id"`
			Type string         `json:"type"`
			Data map[string]any `json:"data"`
		}
		require.NoError(t, json.Unmarshal(b, &ev))
		assert.Equal(t, want[ev.Type], ev.Data, "%s: the data is the object as GET shows it", ev.Type)
		assert.Equal(t, got[i].Header.Get("webhook-id"), ev.ID)
	}
	var cev client.WebhookCustomerEvent
	require.NoError(t, json.Unmarshal(raw[1], &cev), "the body decodes as its documented schema")
	assert.Equal(t, client.WebhookCustomerEventTypeCustomerCreated, cev.Type)
	assert.Equal(t, cid, cev.Data.Id)

	log, err := owner.ListWebhookDeliveriesWithResponse(ctx, ep.Id, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, log.StatusCode())
	require.Len(t, log.JSON200.Items, 4)
	first := log.JSON200.Items[3]
	assert.Equal(t, client.WebhookDeliveryStatusSent, first.Status)
	assert.Equal(t, http.StatusNoContent, *first.ResponseCode)
	assert.Nil(t, first.Body, "lists leave the body out")
	one, err := owner.GetWebhookDeliveryWithResponse(ctx, first.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, one.StatusCode())
	assert.Equal(t, string(raw[0]), *one.JSON200.Body, "the body as signed and sent")

	replay, err := owner.ReplayWebhookDeliveryWithResponse(ctx, first.Id)
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, replay.StatusCode(), "%s", replay.Body)
	mu.Unlock()
	_, err = p.DeliverWebhooks(ctx, portal.WebhookOptions{})
	mu.Lock()
	require.NoError(t, err)
	// The replay, and the event that it was made (webhook_delivery.replayed).
	require.Len(t, raw, 6)
	ids := []string{got[4].Header.Get("webhook-id"), got[5].Header.Get("webhook-id")}
	assert.Contains(t, ids, got[0].Header.Get("webhook-id"), "a replay keeps the webhook-id")

	rot, err := owner.RotateWebhookSecretWithResponse(ctx, ep.Id, client.RotateWebhookSecretRequest{OverlapSeconds: int(time.Hour / time.Second)})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, rot.StatusCode())
	assert.NotEqual(t, secret, rot.JSON200.Secret)
	assert.NotNil(t, rot.JSON200.Endpoint.PreviousSecretUntil)

	bad, err := owner.CreateWebhookEndpointWithResponse(ctx, client.CreateWebhookEndpointRequest{Url: recv.URL, EventTypes: []client.WebhookEventType{"order.eaten"}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, bad.StatusCode())
}

// TestRecordWebhookAction: a record type's webhook action opens no ticket
// (202) and an endpoint subscribed to record.action receives the record
// as customers see it, the action and who took it.
func TestRecordWebhookAction(t *testing.T) {
	t.Parallel()
	clock := &portaltest.Clock{}
	var (
		mu  sync.Mutex
		raw [][]byte
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		raw = append(raw, b)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	p := portaltest.New(t, clock, func(c *portal.Config) {
		c.Webhooks = portal.WebhookConfig{AllowHTTP: true, AllowPrivateAddresses: true, Data: httpapi.EventData}
	})
	boot, err := p.Bootstrap(t.Context(), portal.BootstrapParams{})
	require.NoError(t, err)
	srv := httptest.NewServer(httpapi.NewHandler(p))
	t.Cleanup(srv.Close)
	owner, err := client.NewClientWithResponses(srv.URL, client.WithRequestEditorFn(func(_ context.Context, r *http.Request) error {
		r.Header.Set("Authorization", "Bearer "+boot.APIKey)
		return nil
	}))
	require.NoError(t, err)
	ctx := t.Context()

	created, err := owner.CreateWebhookEndpointWithResponse(ctx, client.CreateWebhookEndpointRequest{Url: recv.URL,
		EventTypes: []client.WebhookEventType{client.WebhookEventType(webhook.RecordAction)}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, created.StatusCode(), "%s", created.Body)
	cus, err := owner.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: "Acme"})
	require.NoError(t, err)
	cid := cus.JSON201.Id

	bad, err := owner.DefineRecordTypeWithResponse(ctx, client.RecordTypeDefinition{Name: "pump", Fields: []client.RecordField{
		{Name: "serial", Kind: client.RecordFieldKindText, Required: ptr(true), Identifier: ptr(true), Customer: ptr(true)}},
		Actions: &[]client.RecordAction{{Name: "service", Webhook: ptr(true), TicketType: ptr("generic")}}})
	require.NoError(t, err)
	assert.Equal(t, http.StatusBadRequest, bad.StatusCode(), "a webhook action names no ticket type")
	assert.Contains(t, string(bad.Body), "actions[0].ticket_type")
	def, err := owner.DefineRecordTypeWithResponse(ctx, client.RecordTypeDefinition{Name: "pump", Fields: []client.RecordField{
		{Name: "serial", Kind: client.RecordFieldKindText, Required: ptr(true), Identifier: ptr(true), Customer: ptr(true)},
		{Name: "cost", Kind: client.RecordFieldKindText}},
		Actions: &[]client.RecordAction{{Name: "service", Webhook: ptr(true)}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusCreated, def.StatusCode(), "%s", def.Body)
	up, err := owner.UpsertRecordsWithResponse(ctx, client.UpsertRecordsRequest{Records: []client.UpsertRecord{
		{CustomerId: ptr(cid), Type: "pump", ExternalRef: "erp-p1", Values: client.RecordValues{"serial": "P-1", "cost": "secret cost"}}}})
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, up.StatusCode(), "%s", up.Body)
	rid := up.JSON200.Results[0].RecordId

	run, err := owner.RunRecordActionWithResponse(ctx, cid, rid, "service", client.RecordActionRequest{Description: ptr("It hums.")})
	require.NoError(t, err)
	require.Equal(t, http.StatusAccepted, run.StatusCode(), "%s", run.Body)

	rep, err := p.DeliverWebhooks(ctx, portal.WebhookOptions{})
	require.NoError(t, err)
	require.Equal(t, portal.WebhookReport{Claimed: 1, Delivered: 1}, rep)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, raw, 1)
	var ev client.WebhookRecordActionEvent
	require.NoError(t, json.Unmarshal(raw[0], &ev), "the body decodes as its documented schema")
	assert.Equal(t, client.WebhookRecordActionEventTypeRecordAction, ev.Type)
	assert.Equal(t, "service", ev.Data.Action)
	assert.True(t, strings.HasPrefix(ev.Data.By, "api_key:"), ev.Data.By)
	assert.Equal(t, "It hums.", *ev.Data.Description)
	assert.Equal(t, rid, ev.Data.Record.Id)
	assert.Equal(t, "P-1", ev.Data.Record.Values["serial"])
	assert.NotContains(t, ev.Data.Record.Values, "cost", "the record as customers see it")
	assert.Nil(t, ev.Data.Record.ExternalRef)
}
