package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestRunDemoHRSync starts the demo and provisions an employee over SCIM
// with a token made through the API: the SCIM server is mounted, and the
// demo's HR export is synced.
func TestRunDemoHRSync(t *testing.T) {
	t.Parallel()
	s := start(t, t.TempDir(), "--demo")
	require.NotEmpty(t, s.key, s.output())
	assert.Contains(t, s.output(), "HR sync: Acme GmbH is licensed")
	c, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	q := "demo:acme"
	l, err := client.Check(c.ListCustomersWithResponse(t.Context(), &client.ListCustomersParams{Q: &q}))
	require.NoError(t, err)
	require.Len(t, l.JSON200.Items, 1)
	acme := l.JSON200.Items[0].Id
	emps, err := client.Check(c.ListEmployeesWithResponse(t.Context(), acme, nil))
	require.NoError(t, err)
	assert.Len(t, emps.JSON200.Items, 6)

	tok, err := client.Check(c.CreateSCIMTokenWithResponse(t.Context(), acme, nil, client.CreateSCIMTokenRequest{Name: "Entra ID"}))
	require.NoError(t, err)
	scim := func(token string) int {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.url+tok.JSON201.ScimBasePath+"/Users", strings.NewReader(
			`{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"otto@acme.example","externalId":"E-2001","active":true,"name":{"formatted":"Otto Neu"}}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/scim+json")
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = res.Body.Close()
		return res.StatusCode
	}
	assert.Equal(t, http.StatusUnauthorized, scim("pst_nope"))
	assert.Equal(t, http.StatusCreated, scim(tok.JSON201.Secret))
	emps, err = client.Check(c.ListEmployeesWithResponse(t.Context(), acme, nil))
	require.NoError(t, err)
	assert.Len(t, emps.JSON200.Items, 7)
}
