package outboxmetrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/portalkit/portalkit/portal"
)

// WebhookSource is what a WebhookCollector reads on each scrape;
// *portal.Portal is one.
type WebhookSource interface {
	WebhookStats(ctx context.Context) (portal.WebhookStats, error)
}

var _ WebhookSource = (*portal.Portal)(nil)

// WebhookCollector is a prometheus.Collector of webhook delivery, as
// Collector is of mail: each scrape calls WebhookSource.WebhookStats once.
//
//	portalkit_webhook_pending_deliveries            gauge: waiting for a first or a next attempt
//	portalkit_webhook_sending_deliveries            gauge: claimed by a worker
//	portalkit_webhook_oldest_pending_age_seconds    gauge: the delivery lag
//	portalkit_webhook_delivered_total               counter: answered 2xx, by this process's workers
//	portalkit_webhook_retried_total                 counter: failed, due again after a backoff
//	portalkit_webhook_failed_total                  counter: failed for good
//	portalkit_webhook_released_total                counter: handed back untried by a stopping worker
//	portalkit_webhook_stats_errors_total            counter: scrapes that could not read the store
//
// As with Collector, the gauges describe the shared store (take their max
// across replicas) and are left out when it cannot be read.
type WebhookCollector struct {
	src     WebhookSource
	timeout time.Duration
	errors  prometheus.Counter
}

// NewWebhookCollector returns a WebhookCollector of src; of the options,
// WithTimeout applies.
func NewWebhookCollector(src WebhookSource, opts ...Option) *WebhookCollector {
	c := &Collector{timeout: DefaultTimeout}
	for _, o := range opts {
		o(c)
	}
	return &WebhookCollector{
		src: src, timeout: c.timeout,
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "portalkit_webhook_stats_errors_total",
			Help: "Scrapes that could not read the webhook deliveries' backlog from the store.",
		}),
	}
}

var (
	descHookPending = prometheus.NewDesc("portalkit_webhook_pending_deliveries",
		"Webhook deliveries waiting for their first or their next attempt, due or not.", nil, nil)
	descHookSending = prometheus.NewDesc("portalkit_webhook_sending_deliveries",
		"Webhook deliveries claimed by a worker: being sent, or left by a worker that died until their lease runs out.", nil, nil)
	descHookAge = prometheus.NewDesc("portalkit_webhook_oldest_pending_age_seconds",
		"How long the webhook delivery that became due longest ago has waited since; 0 when none is due.", nil, nil)
	descHookDelivered = prometheus.NewDesc("portalkit_webhook_delivered_total",
		"Webhook deliveries this process's workers delivered (a 2xx answer).", nil, nil)
	descHookRetried = prometheus.NewDesc("portalkit_webhook_retried_total",
		"Webhook deliveries this process's workers made due again after a failed attempt.", nil, nil)
	descHookFailed = prometheus.NewDesc("portalkit_webhook_failed_total",
		"Webhook deliveries this process's workers marked failed for good.", nil, nil)
	descHookReleased = prometheus.NewDesc("portalkit_webhook_released_total",
		"Webhook deliveries this process's workers handed back untried when stopped.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *WebhookCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descHookPending, descHookSending, descHookAge, descHookDelivered, descHookRetried, descHookFailed, descHookReleased} {
		ch <- d
	}
	c.errors.Describe(ch)
}

// Collect implements prometheus.Collector: it reads the stats once.
func (c *WebhookCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := c.src.WebhookStats(ctx)
	if err != nil {
		c.errors.Inc()
	} else {
		ch <- prometheus.MustNewConstMetric(descHookPending, prometheus.GaugeValue, float64(st.Pending))
		ch <- prometheus.MustNewConstMetric(descHookSending, prometheus.GaugeValue, float64(st.Sending))
		ch <- prometheus.MustNewConstMetric(descHookAge, prometheus.GaugeValue, st.OldestPendingAge.Seconds())
	}
	ch <- prometheus.MustNewConstMetric(descHookDelivered, prometheus.CounterValue, float64(st.Delivered))
	ch <- prometheus.MustNewConstMetric(descHookRetried, prometheus.CounterValue, float64(st.Retried))
	ch <- prometheus.MustNewConstMetric(descHookFailed, prometheus.CounterValue, float64(st.Failed))
	ch <- prometheus.MustNewConstMetric(descHookReleased, prometheus.CounterValue, float64(st.Released))
	c.errors.Collect(ch)
}
