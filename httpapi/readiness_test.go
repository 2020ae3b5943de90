package httpapi_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage/sqlstore"
)

// TestReadinessFailsWhenWritesFail turns the database read-only under a
// running handler (SQLite's query_only on the store's one write
// connection): /readyz answers 503 while writes fail, though the database
// still answers, and 200 again once they succeed, with no restart.
func TestReadinessFailsWhenWritesFail(t *testing.T) {
	t.Parallel()
	store := portaltest.Store(t)
	e := newEnvOn(t, store, portal.SequentialIDs(), "")
	write, _ := store.(*sqlstore.Store).DB()
	readyz := func() (*http.Response, []byte) { return e.do(t, http.MethodGet, "/readyz", "", nil, nil) }

	res, body := readyz()
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", body)

	_, err := write.ExecContext(t.Context(), `PRAGMA query_only = ON`)
	require.NoError(t, err)
	e.clock.Advance(time.Second) // past the last probe's outcome
	res, body = readyz()
	problem(t, res, body, http.StatusServiceUnavailable, client.ProblemCodeInternal)
	res, body = e.do(t, http.MethodGet, "/healthz", "", nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "alive all the same: body: %s", body)

	_, err = write.ExecContext(t.Context(), `PRAGMA query_only = OFF`)
	require.NoError(t, err)
	e.clock.Advance(time.Second)
	res, body = readyz()
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", body)
}
