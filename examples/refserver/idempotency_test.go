package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestRunIdempotencyKey checks that the reference server keeps
// Idempotency-Keys: a retried create answers as the first did.
func TestRunIdempotencyKey(t *testing.T) {
	t.Parallel()
	s := start(t, t.TempDir())
	staff, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	ctx := t.Context()
	key := client.IdempotencyKey("5f0c1c8e-2b1f-4d6a-9a43-7c1f0d9e8b21")
	params := &client.CreateCustomerParams{IdempotencyKey: &key}

	first, err := client.Check(staff.CreateCustomerWithResponse(ctx, params, client.CreateCustomerRequest{Name: "Acme GmbH"}))
	require.NoError(t, err)
	again, err := client.Check(staff.CreateCustomerWithResponse(ctx, params, client.CreateCustomerRequest{Name: "Acme GmbH"}))
	require.NoError(t, err)
	assert.Equal(t, http.StatusCreated, again.StatusCode())
	assert.Equal(t, "true", again.HTTPResponse.Header.Get("Idempotent-Replayed"))
	assert.Equal(t, first.JSON201.Id, again.JSON201.Id)

	list, err := client.Check(staff.ListCustomersWithResponse(ctx, nil))
	require.NoError(t, err)
	assert.Len(t, list.JSON200.Items, 1, "one customer, not two")

	_, err = client.Check(staff.CreateCustomerWithResponse(ctx, params, client.CreateCustomerRequest{Name: "Globex"}))
	var ce *client.Error
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, http.StatusUnprocessableEntity, ce.Status)
}
