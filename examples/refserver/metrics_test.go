package main

import (
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// get fetches url and returns its status and body.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	res, err := http.Get(url)
	require.NoError(t, err)
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(body)
}

// TestRunMetrics checks where /metrics is served: by default on the API's
// address, to loopback clients (as this test is; httpapi's
// TestMetricsFromLoopbackOnly refuses others); with --metrics-addr on a
// listener of its own, and no longer on the API's address.
func TestRunMetrics(t *testing.T) {
	t.Parallel()
	t.Run("default", func(t *testing.T) {
		s := start(t, t.TempDir())
		get(t, s.url+"/healthz")
		status, body := get(t, s.url+"/metrics")
		assert.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, `portalkit_http_requests_total{route="GET /healthz",status="200"} 1`)
	})
	t.Run("--metrics-addr", func(t *testing.T) {
		s := start(t, t.TempDir(), "--metrics-addr", "127.0.0.1:0")
		m := regexp.MustCompile(`(?m)^metrics on (http://\S+/metrics)$`).FindStringSubmatch(s.output())
		require.NotNil(t, m, s.output())
		get(t, s.url+"/healthz")

		status, body := get(t, s.url+"/metrics")
		assert.Equal(t, http.StatusNotFound, status, "the API's address no longer serves them: %s", body)
		assert.Contains(t, body, `"code":"not_found"`)

		status, body = get(t, m[1])
		assert.Equal(t, http.StatusOK, status, body)
		assert.Contains(t, body, `portalkit_http_requests_total{route="GET /healthz",status="200"} 1`)
		assert.Contains(t, body, `portalkit_http_requests_total{route="GET /metrics",status="404"} 1`, "the API still counts")
	})
	t.Run("PORTALKIT_METRICS_ADDR", func(t *testing.T) {
		vars := map[string]string{
			"PORTALKIT_ADDR":         "127.0.0.1:0",
			"PORTALKIT_DB":           "sqlite:" + filepath.Join(t.TempDir(), "portal.db"),
			"PORTALKIT_METRICS_ADDR": "127.0.0.1:99999",
		}
		env := func(k string) string { return vars[k] }
		err := run(t.Context(), nil, env, io.Discard)
		assert.ErrorContains(t, err, "--metrics-addr")
	})
}
