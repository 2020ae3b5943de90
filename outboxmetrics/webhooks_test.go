package outboxmetrics_test

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/outboxmetrics"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/webhook"
)

// TestWebhookCollector scrapes a portal with a delivery to a disabled
// endpoint that has waited 45 seconds, then after a pass failed it.
func TestWebhookCollector(t *testing.T) {
	clock := &portaltest.Clock{}
	p := portaltest.New(t, clock)
	owner := portaltest.Owner(t.Context())
	ep, err := p.CreateWebhookEndpoint(owner, portal.CreateWebhookEndpointParams{URL: "https://93.184.215.14/hooks", EventTypes: []webhook.Type{webhook.CustomerCreated}})
	require.NoError(t, err)
	_, err = p.CreateCustomer(owner, portal.CreateCustomerParams{Name: "Acme"})
	require.NoError(t, err)
	_, err = p.UpdateWebhookEndpoint(owner, ep.ID, portal.UpdateWebhookEndpointParams{Enabled: new(bool)})
	require.NoError(t, err)
	clock.Advance(45 * time.Second)

	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(outboxmetrics.NewWebhookCollector(p)))
	assert.Equal(t, map[string]float64{
		"portalkit_webhook_pending_deliveries":         1,
		"portalkit_webhook_sending_deliveries":         0,
		"portalkit_webhook_oldest_pending_age_seconds": 45,
		"portalkit_webhook_delivered_total":            0,
		"portalkit_webhook_retried_total":              0,
		"portalkit_webhook_failed_total":               0,
		"portalkit_webhook_released_total":             0,
		"portalkit_webhook_stats_errors_total":         0,
	}, scrape(t, reg))

	_, err = p.DeliverWebhooks(t.Context(), portal.WebhookOptions{})
	require.NoError(t, err)
	got := scrape(t, reg)
	assert.Equal(t, float64(0), got["portalkit_webhook_pending_deliveries"])
	assert.Equal(t, float64(0), got["portalkit_webhook_oldest_pending_age_seconds"])
	assert.Equal(t, float64(1), got["portalkit_webhook_failed_total"], "to a disabled endpoint")

	mfs, err := reg.Gather()
	require.NoError(t, err)
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	require.NoError(t, err)
	assert.Empty(t, problems)
}
