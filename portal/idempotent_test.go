package portal_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

// createVia returns a run for Idempotent that creates a customer named
// name and answers 201 with its ID, counting its runs.
func createVia(t *testing.T, p *portal.Portal, name string, runs *int) func(context.Context) idempotency.Response {
	return func(ctx context.Context) idempotency.Response {
		*runs++
		c, err := p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: name})
		if err != nil {
			return idempotency.Response{Status: http.StatusConflict, Body: []byte(portalerr.MessageOf(err))}
		}
		return idempotency.Response{Status: http.StatusCreated, ContentType: "text/plain", Body: []byte(c.ID)}
	}
}

func TestIdempotent(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		runs := 0
		_, replayed, err := e.p.Idempotent(e.owner, "key-1", "fp-acme", createVia(t, e.p, "Acme", &runs))
		require.NoError(t, err)
		assert.False(t, replayed)
		assert.Equal(t, 1, runs)

		got, replayed, err := e.p.Idempotent(e.owner, "key-1", "fp-acme", createVia(t, e.p, "Acme", &runs))
		require.NoError(t, err)
		assert.True(t, replayed, "a repeat is answered from the record")
		assert.Equal(t, 1, runs, "and does not run")
		assert.Equal(t, http.StatusCreated, got.Status)
		assert.Equal(t, "text/plain", got.ContentType)
		l, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1, "one customer")
		assert.Equal(t, string(l.Items[0].ID), string(got.Body), "the first answer")

		_, _, err = e.p.Idempotent(e.owner, "key-1", "fp-globex", createVia(t, e.p, "Globex", &runs))
		assertCode(t, portalerr.Invalid, err, "the same key with another request")
		assert.True(t, portal.IsKeyReused(err))
		assert.Equal(t, 1, runs)

		// Keys are the caller's own: another caller's key-1 runs.
		other := portaltest.As(t.Context(), identity.Staff("stf_other", identity.StaffAdmin))
		_, replayed, err = e.p.Idempotent(other, "key-1", "fp-globex", createVia(t, e.p, "Globex", &runs))
		require.NoError(t, err)
		assert.False(t, replayed)
		assert.Equal(t, 2, runs)

		// Without a key every request runs.
		_, replayed, err = e.p.Idempotent(e.owner, "", "fp-initech", createVia(t, e.p, "Initech", &runs))
		require.NoError(t, err)
		assert.False(t, replayed)
		_, _, err = e.p.Idempotent(e.owner, "", "fp-initech", createVia(t, e.p, "Initech 2", &runs))
		require.NoError(t, err)
		assert.Equal(t, 4, runs)
	})
}

// A refusal that changed nothing is kept too (a retry gets it again), but
// a 5xx is not, so that a retry of a transient failure runs.
func TestIdempotentRefusalsAndServerErrors(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		refuse := func(status int, runs *int) func(context.Context) idempotency.Response {
			return func(context.Context) idempotency.Response {
				*runs++
				return idempotency.Response{Status: status}
			}
		}
		runs := 0
		for range 2 {
			_, _, err := e.p.Idempotent(e.owner, "key-400", "fp", refuse(http.StatusBadRequest, &runs))
			require.NoError(t, err)
		}
		assert.Equal(t, 1, runs, "the refusal is replayed")

		runs = 0
		for range 2 {
			_, replayed, err := e.p.Idempotent(e.owner, "key-503", "fp", refuse(http.StatusServiceUnavailable, &runs))
			require.NoError(t, err)
			assert.False(t, replayed)
		}
		assert.Equal(t, 2, runs, "a server error is run again")
	})
}

// While the first request with a key runs, a second one with that key is
// refused with Conflict.
func TestIdempotentInFlight(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		var inner error
		runs := 0
		_, _, err := e.p.Idempotent(e.owner, "key-1", "fp", func(ctx context.Context) idempotency.Response {
			c, err := e.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Acme"})
			require.NoError(t, err)
			// The change committed with the key; its answer is not kept yet.
			_, _, inner = e.p.Idempotent(e.owner, "key-1", "fp", createVia(t, e.p, "Acme", &runs))
			return idempotency.Response{Status: http.StatusCreated, Body: []byte(c.ID)}
		})
		require.NoError(t, err)
		assertCode(t, portalerr.Conflict, inner)
		assert.Zero(t, runs)
	})
}
