package httpapi_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// getMetrics asks h for /metrics as a client at remote (host:port).
func getMetrics(t *testing.T, h http.Handler, remote string) (*http.Response, []byte) {
	t.Helper()
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil)
	req.RemoteAddr = remote
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res, body
}

// TestMetricsFromLoopbackOnly checks who may read /metrics: by default
// clients on a loopback address only, whatever they claim in
// X-Forwarded-For; WithMetricsFrom says otherwise; WithoutMetricsEndpoint
// serves them to nobody here while still counting in the registry.
func TestMetricsFromLoopbackOnly(t *testing.T) {
	t.Parallel()
	p := portaltest.New(t, &portaltest.Clock{})
	quiet := httpapi.WithLogger(slog.New(slog.DiscardHandler))

	h := httpapi.NewHandler(p, quiet)
	h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/healthz", nil))
	for _, remote := range []string{"127.0.0.1:40000", "127.9.9.9:1", "[::1]:40000", "[::ffff:127.0.0.1]:40000"} {
		res, body := getMetrics(t, h, remote)
		assert.Equal(t, http.StatusOK, res.StatusCode, "from %s: %s", remote, body)
		assert.Contains(t, string(body), "portalkit_http_requests_total", "from %s", remote)
	}
	for _, remote := range []string{"203.0.113.7:40000", "10.0.0.2:40000", "[2001:db8::1]:40000", "garbage"} {
		res, body := getMetrics(t, h, remote)
		p := problem(t, res, body, http.StatusForbidden, client.ProblemCodePermissionDenied)
		assert.NotContains(t, string(body), "portalkit_http_requests_total", "from %s", remote)
		assert.Equal(t, "/metrics", *p.Instance)
	}
	req := httptest.NewRequestWithContext(t.Context(), http.MethodGet, "/metrics", nil)
	req.RemoteAddr = "203.0.113.7:40000"
	req.Header.Set("X-Forwarded-For", "127.0.0.1")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	assert.Equal(t, http.StatusForbidden, rec.Code, "X-Forwarded-For is not trusted")

	open := httpapi.NewHandler(p, quiet, httpapi.WithMetricsFrom(func(*http.Request) bool { return true }))
	res, body := getMetrics(t, open, "203.0.113.7:40000")
	assert.Equal(t, http.StatusOK, res.StatusCode, "WithMetricsFrom lets anyone in: %s", body)

	reg := prometheus.NewRegistry()
	elsewhere := httpapi.NewHandler(p, quiet, httpapi.WithMetrics(reg), httpapi.WithoutMetricsEndpoint())
	res, body = getMetrics(t, elsewhere, "127.0.0.1:40000")
	problem(t, res, body, http.StatusNotFound, client.ProblemCodeNotFound)
	mfs, err := reg.Gather()
	require.NoError(t, err)
	var names []string
	for _, mf := range mfs {
		names = append(names, mf.GetName())
	}
	assert.Contains(t, names, "portalkit_http_requests_total", "the registry still counts, for the application to serve")
}
