package outboxmetrics_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/outboxmetrics"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// scrape gathers reg and returns each metric's value by name.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			out[mf.GetName()] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	return out
}

// TestCollector scrapes a portal whose mail has waited for 90 seconds,
// then again after its worker sent it.
func TestCollector(t *testing.T) {
	clock := &portaltest.Clock{}
	rec := &portaltest.Recorder{}
	p := portaltest.New(t, clock, func(c *portal.Config) { c.Mailer = rec })
	owner := portaltest.Owner(t.Context())
	for _, name := range []string{"Acme", "Globex"} {
		_, err := p.CreateCustomer(owner, portal.CreateCustomerParams{Name: name,
			FirstUser: &portal.FirstUserParams{Email: "admin@" + strings.ToLower(name) + ".example"}})
		require.NoError(t, err)
	}
	clock.Advance(90 * time.Second)

	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(outboxmetrics.NewCollector(p)))
	assert.Equal(t, map[string]float64{
		"portalkit_outbox_pending_messages":           2,
		"portalkit_outbox_sending_messages":           0,
		"portalkit_outbox_oldest_pending_age_seconds": 90,
		"portalkit_outbox_sent_total":                 0,
		"portalkit_outbox_retried_total":              0,
		"portalkit_outbox_failed_total":               0,
		"portalkit_outbox_released_total":             0,
		"portalkit_outbox_stats_errors_total":         0,
	}, scrape(t, reg))

	require.Len(t, rec.Mails(), 2, "the worker sends both")
	got := scrape(t, reg)
	assert.Zero(t, got["portalkit_outbox_pending_messages"])
	assert.Zero(t, got["portalkit_outbox_oldest_pending_age_seconds"])
	assert.Equal(t, 2.0, got["portalkit_outbox_sent_total"])

	mfs, err := reg.Gather()
	require.NoError(t, err)
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	require.NoError(t, err)
	assert.Empty(t, problems, "names and help follow Prometheus' conventions")
}

// sourceFunc is a Source from a function.
type sourceFunc func(ctx context.Context) (portal.OutboxStats, error)

func (f sourceFunc) OutboxStats(ctx context.Context) (portal.OutboxStats, error) { return f(ctx) }

// TestCollectorStoreDown leaves the store's gauges out when it cannot be
// read, keeps the process's counters and counts the failed scrapes. Each
// scrape's read has the collector's timeout.
func TestCollectorStoreDown(t *testing.T) {
	var deadline time.Duration
	src := sourceFunc(func(ctx context.Context) (portal.OutboxStats, error) {
		if d, ok := ctx.Deadline(); ok {
			deadline = time.Until(d)
		}
		return portal.OutboxStats{Sent: 7, Failed: 1}, errors.New("database is down")
	})
	reg := prometheus.NewPedanticRegistry()
	require.NoError(t, reg.Register(outboxmetrics.NewCollector(src, outboxmetrics.WithTimeout(time.Second))))
	scrape(t, reg)
	assert.Equal(t, map[string]float64{
		"portalkit_outbox_sent_total":         7,
		"portalkit_outbox_retried_total":      0,
		"portalkit_outbox_failed_total":       1,
		"portalkit_outbox_released_total":     0,
		"portalkit_outbox_stats_errors_total": 2,
	}, scrape(t, reg), "no pending, sending or age gauges, and the scrape does not fail")
	assert.Positive(t, deadline, "a scrape's read has a deadline")
	assert.LessOrEqual(t, deadline, time.Second)
}
