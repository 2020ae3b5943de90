// Package outboxmetrics exports how the portal's outbox is doing as
// Prometheus metrics: the backlog, how late its oldest due message is, and
// what this process's workers sent, retried, failed and released. It is
// the one piece between portal, which knows nothing of Prometheus, and a
// registry such as the one httpapi serves at /metrics:
//
//	reg := prometheus.NewRegistry()
//	reg.MustRegister(outboxmetrics.NewCollector(p))
//	h := httpapi.NewHandler(p, httpapi.WithMetrics(reg))
package outboxmetrics
