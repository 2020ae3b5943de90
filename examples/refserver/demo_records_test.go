package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestRunDemoRecords checks the demo's shared records over HTTP: Acme's
// four, and the contract waiting to be claimed.
func TestRunDemoRecords(t *testing.T) {
	t.Parallel()
	s := start(t, t.TempDir(), "--demo")
	require.NotEmpty(t, s.key, s.output())
	assert.Contains(t, s.output(), "contract number V-2002 and customer number K-0815")
	c, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	q := "demo:acme"
	l, err := client.Check(c.ListCustomersWithResponse(t.Context(), &client.ListCustomersParams{Q: &q}))
	require.NoError(t, err)
	require.Len(t, l.JSON200.Items, 1)
	acme := l.JSON200.Items[0]
	recs, err := client.Check(c.ListRecordsWithResponse(t.Context(), acme.Id, nil))
	require.NoError(t, err)
	assert.Len(t, recs.JSON200.Items, 4)
	free, err := client.Check(c.ListAllRecordsWithResponse(t.Context(), &client.ListAllRecordsParams{Unassigned: ptrTo(true)}))
	require.NoError(t, err)
	require.Len(t, free.JSON200.Items, 1)
	assert.Equal(t, "V-2002", free.JSON200.Items[0].Values["contract_number"])
	require.NoError(t, s.shutdown(t))
}

func ptrTo[T any](v T) *T { return &v }
