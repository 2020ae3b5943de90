package main

import (
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
	"github.com/portalkit/portalkit/webhook"
)

// TestRunWebhooks: the reference server's webhook worker delivers an
// event to a receiver on this machine (allowed by the flags) soon after
// the change, signed with the secret the API showed; without the flags
// such an endpoint is refused.
func TestRunWebhooks(t *testing.T) {
	t.Parallel()
	var (
		mu     sync.Mutex
		bodies []string
		hdrs   []http.Header
	)
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies, hdrs = append(bodies, string(b)), append(hdrs, r.Header.Clone())
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(recv.Close)
	ctx := t.Context()

	plain := start(t, t.TempDir())
	staff, err := client.New(plain.url, client.WithAPIKey(plain.key))
	require.NoError(t, err)
	_, err = client.Check(staff.CreateWebhookEndpointWithResponse(ctx, client.CreateWebhookEndpointRequest{
		Url: recv.URL, EventTypes: []client.WebhookEventType{client.WebhookEventTypeCustomerCreated}}))
	assert.ErrorIs(t, err, client.ErrInvalid, "plain http on loopback is refused by default")
	require.NoError(t, plain.shutdown(t))

	s := start(t, t.TempDir(), "--webhooks-allow-http", "--webhooks-allow-private")
	staff, err = client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	ep, err := client.Check(staff.CreateWebhookEndpointWithResponse(ctx, client.CreateWebhookEndpointRequest{
		Url: recv.URL, EventTypes: []client.WebhookEventType{client.WebhookEventTypeCustomerCreated}}))
	require.NoError(t, err)
	created, err := client.Check(staff.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{Name: "Acme GmbH"}))
	require.NoError(t, err)

	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(bodies) > 0
	}, 30*time.Second, 10*time.Millisecond, "the worker delivers the event")
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, bodies, 1)
	assert.NoError(t, webhook.Verify(ep.JSON201.Secret, hdrs[0], []byte(bodies[0])))
	assert.True(t, strings.Contains(bodies[0], `"type":"customer.created"`), bodies[0])
	assert.Contains(t, bodies[0], `"data":{"address":{}`, "the customer as the API shows it")
	assert.Contains(t, bodies[0], created.JSON201.Id)
}
