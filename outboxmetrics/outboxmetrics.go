package outboxmetrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/portalkit/portalkit/portal"
)

// Source is what a Collector reads on each scrape; *portal.Portal is one.
type Source interface {
	OutboxStats(ctx context.Context) (portal.OutboxStats, error)
}

var _ Source = (*portal.Portal)(nil)

// DefaultTimeout bounds the statement a scrape runs, unless WithTimeout
// says otherwise.
const DefaultTimeout = 5 * time.Second

// Collector is a prometheus.Collector of the outbox's metrics. Each scrape
// calls Source.OutboxStats once, which reads the store (one cheap
// statement) and this process's counts:
//
//	portalkit_outbox_pending_messages            gauge: waiting for a first or a next attempt, due or not
//	portalkit_outbox_sending_messages            gauge: claimed by a worker
//	portalkit_outbox_oldest_pending_age_seconds  gauge: how long the message due longest ago has waited
//	portalkit_outbox_sent_total                  counter: sent by this process's workers
//	portalkit_outbox_retried_total               counter: failed temporarily, due again after a backoff
//	portalkit_outbox_failed_total                counter: failed for good
//	portalkit_outbox_released_total              counter: handed back untried by a stopping worker
//	portalkit_outbox_stats_errors_total          counter: scrapes that could not read the store
//
// The gauges describe the store, which every replica on it shares: take
// their max across replicas, not their sum. When the store cannot be read
// they are left out of the scrape, and the error counter goes up; the
// counters of this process are reported either way. Delivery keeps up
// while the oldest pending age stays near zero; it grows when the workers
// fall behind or do not run, not while a message waits out a backoff.
type Collector struct {
	src     Source
	timeout time.Duration
	errors  prometheus.Counter
}

// Option configures NewCollector.
type Option func(*Collector)

// WithTimeout bounds the statement each scrape runs; default
// DefaultTimeout. A scrape that runs out counts as an error.
func WithTimeout(d time.Duration) Option {
	return func(c *Collector) {
		if d > 0 {
			c.timeout = d
		}
	}
}

// NewCollector returns a Collector of src's outbox metrics, to register
// with the registry that /metrics serves.
func NewCollector(src Source, opts ...Option) *Collector {
	c := &Collector{
		src:     src,
		timeout: DefaultTimeout,
		errors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "portalkit_outbox_stats_errors_total",
			Help: "Scrapes that could not read the outbox's backlog from the store.",
		}),
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

var (
	descPending = prometheus.NewDesc("portalkit_outbox_pending_messages",
		"Outbox messages waiting for their first or their next attempt, due or not.", nil, nil)
	descSending = prometheus.NewDesc("portalkit_outbox_sending_messages",
		"Outbox messages claimed by a worker: being sent, or left by a worker that died until their lease runs out.", nil, nil)
	descAge = prometheus.NewDesc("portalkit_outbox_oldest_pending_age_seconds",
		"How long the outbox message that became due longest ago has waited since (its age, if it was not tried yet); 0 when none is due.", nil, nil)
	descSent = prometheus.NewDesc("portalkit_outbox_sent_total",
		"Outbox messages this process's workers sent.", nil, nil)
	descRetried = prometheus.NewDesc("portalkit_outbox_retried_total",
		"Outbox messages this process's workers made due again after a temporary failure.", nil, nil)
	descFailed = prometheus.NewDesc("portalkit_outbox_failed_total",
		"Outbox messages this process's workers marked failed for good.", nil, nil)
	descReleased = prometheus.NewDesc("portalkit_outbox_released_total",
		"Outbox messages this process's workers handed back untried when stopped.", nil, nil)
)

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPending, descSending, descAge, descSent, descRetried, descFailed, descReleased} {
		ch <- d
	}
	c.errors.Describe(ch)
}

// Collect implements prometheus.Collector: it reads the stats once.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	st, err := c.src.OutboxStats(ctx)
	if err != nil {
		c.errors.Inc()
	} else {
		ch <- prometheus.MustNewConstMetric(descPending, prometheus.GaugeValue, float64(st.Pending))
		ch <- prometheus.MustNewConstMetric(descSending, prometheus.GaugeValue, float64(st.Sending))
		ch <- prometheus.MustNewConstMetric(descAge, prometheus.GaugeValue, st.OldestPendingAge.Seconds())
	}
	ch <- prometheus.MustNewConstMetric(descSent, prometheus.CounterValue, float64(st.Sent))
	ch <- prometheus.MustNewConstMetric(descRetried, prometheus.CounterValue, float64(st.Retried))
	ch <- prometheus.MustNewConstMetric(descFailed, prometheus.CounterValue, float64(st.Failed))
	ch <- prometheus.MustNewConstMetric(descReleased, prometheus.CounterValue, float64(st.Released))
	c.errors.Collect(ch)
}
