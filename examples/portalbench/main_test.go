package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMain lets the test binary be the server child too: portalbench starts
// its servers as `<itself> serve …`.
func TestMain(m *testing.M) {
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		if err := serve(signalContext(), os.Args[2:], os.Stdout); err != nil {
			_, _ = io.WriteString(os.Stderr, err.Error()+"\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	code := m.Run()
	if benchData.db != "" {
		_ = os.RemoveAll(filepath.Dir(benchData.db))
	}
	os.Exit(code)
}

// TestBenchSmall runs the whole tool on a tiny database for a moment: every
// scenario answers as expected on portalkit, the floor and the ceiling
// answer their scenarios, the foreign-order reads are all refused, and the
// JSON report is written. It checks that the tool works, not how fast.
func TestBenchSmall(t *testing.T) {
	dir := t.TempDir()
	jsonPath := filepath.Join(dir, "out.json")
	var out strings.Builder
	rep, err := bench(t.Context(), []string{
		"-customers", "4", "-users", "2", "-products", "5", "-orders", "40", "-items", "2",
		"-conns", "2", "-warmup", "0s", "-duration", "300ms",
		"-db", filepath.Join(dir, "bench.db"), "-json", jsonPath,
	}, &out)
	require.NoError(t, err, "%s", out.String())
	assert.Empty(t, rep.Failures)
	want := map[string][]string{
		"portalkit": scenarioNames,
		"floor":     {"view", "list", "place"},
		"ceiling":   {"view"},
	}
	for server, scenarios := range want {
		for _, sc := range scenarios {
			r, ok := rep.find(sc, server)
			if assert.True(t, ok, "%s on %s measured", sc, server) {
				assert.Positive(t, r.Requests, "%s on %s answered", sc, server)
				assert.Zero(t, r.Leaked, "%s on %s: nothing foreign readable", sc, server)
				if server != "ceiling" {
					assert.Zero(t, r.Unexpected+r.Errors, "%s on %s: %v", sc, server, r.Statuses)
				}
			}
		}
	}
	assert.Contains(t, out.String(), "vs floor")
	if r, ok := rep.find(hookScenario, "portalkit"); assert.True(t, ok) && assert.NotNil(t, r.Webhooks) {
		assert.Positive(t, r.Webhooks.Delivered, "the receiver got the orders' events")
		assert.Positive(t, r.Webhooks.LagMaxms, "and their lag is measured")
	}
	_, err = os.Stat(jsonPath)
	assert.NoError(t, err, "the JSON report is written")

	_, err = bench(t.Context(), []string{"-db", filepath.Join(dir, "bench.db")}, io.Discard)
	assert.ErrorContains(t, err, "exists", "an existing database is not seeded again")
}
