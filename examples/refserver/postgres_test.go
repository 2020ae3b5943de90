package main

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// TestRunOnPostgreSQL runs the real run on a PostgreSQL database of its
// own (skipped without PORTALKIT_TEST_POSTGRES_URL): a new database prints
// its owner key, serves the API and is ready; started again, it finds its
// data and prints no second key.
func TestRunOnPostgreSQL(t *testing.T) {
	t.Parallel()
	db := postgrestest.URL(t)
	s := startOn(t, db)
	require.NotEmpty(t, s.key, "a new database prints its owner key:\n%s", s.output())
	ctx := t.Context()
	staff, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	r, err := client.Check(staff.CreateCustomerWithResponse(ctx, nil, client.CreateCustomerRequest{
		Name:      "Acme GmbH",
		FirstUser: &client.FirstUser{Email: "ada@acme.example"},
	}))
	require.NoError(t, err)
	acme := r.JSON201

	ready, err := http.Get(s.url + "/readyz")
	require.NoError(t, err)
	_ = ready.Body.Close()
	assert.Equal(t, http.StatusOK, ready.StatusCode, "/readyz pings PostgreSQL")
	assert.NoError(t, s.shutdown(t))

	again := startOn(t, db)
	assert.Empty(t, again.key, "the database is not new any more")
	staff, err = client.New(again.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	list, err := client.Check(staff.ListCustomersWithResponse(ctx, nil))
	require.NoError(t, err)
	require.Len(t, list.JSON200.Items, 1)
	assert.Equal(t, acme.Id, list.JSON200.Items[0].Id)
	// The outbox worker of one of the two runs mailed (here: logged) the
	// invitation; which one depends on when the first run stopped.
	var token string
	require.Eventually(t, func() bool {
		for _, m := range tokenRE.FindAllStringSubmatch(s.output()+again.output(), -1) {
			if m[1] == "ada@acme.example" {
				token = m[2]
			}
		}
		return token != ""
	}, 30*time.Second, 5*time.Millisecond, "the invitation is logged by one of the runs")
	name := "Ada"
	in, err := client.Check(staff.AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{Token: token, Name: &name}))
	require.NoError(t, err, "an invitation from before the restart is accepted")
	assert.NotEmpty(t, in.JSON201.Token)
	assert.NoError(t, again.shutdown(t))
}
