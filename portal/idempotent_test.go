package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
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
		_, replayed, err := e.p.Idempotent(e.owner, "key-1", "fp-acme", createVia(t, e.p, "Acme", &runs), nil)
		require.NoError(t, err)
		assert.False(t, replayed)
		assert.Equal(t, 1, runs)

		got, replayed, err := e.p.Idempotent(e.owner, "key-1", "fp-acme", createVia(t, e.p, "Acme", &runs), nil)
		require.NoError(t, err)
		assert.True(t, replayed, "a repeat is answered from the record")
		assert.Equal(t, 1, runs, "and does not run")
		assert.Equal(t, http.StatusCreated, got.Status)
		assert.Equal(t, "text/plain", got.ContentType)
		l, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1, "one customer")
		assert.Equal(t, string(l.Items[0].ID), string(got.Body), "the first answer")

		_, _, err = e.p.Idempotent(e.owner, "key-1", "fp-globex", createVia(t, e.p, "Globex", &runs), nil)
		assertCode(t, portalerr.Invalid, err, "the same key with another request")
		assert.True(t, portal.IsKeyReused(err))
		assert.Equal(t, 1, runs)

		// Keys are the caller's own: another caller's key-1 runs.
		other := portaltest.As(t.Context(), identity.Staff("stf_other", identity.StaffAdmin))
		_, replayed, err = e.p.Idempotent(other, "key-1", "fp-globex", createVia(t, e.p, "Globex", &runs), nil)
		require.NoError(t, err)
		assert.False(t, replayed)
		assert.Equal(t, 2, runs)

		// Without a key every request runs.
		_, replayed, err = e.p.Idempotent(e.owner, "", "fp-initech", createVia(t, e.p, "Initech", &runs), nil)
		require.NoError(t, err)
		assert.False(t, replayed)
		_, _, err = e.p.Idempotent(e.owner, "", "fp-initech", createVia(t, e.p, "Initech 2", &runs), nil)
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
			_, _, err := e.p.Idempotent(e.owner, "key-400", "fp", refuse(http.StatusBadRequest, &runs), nil)
			require.NoError(t, err)
		}
		assert.Equal(t, 1, runs, "the refusal is replayed")

		for _, status := range []int{http.StatusServiceUnavailable, http.StatusInternalServerError,
			http.StatusConflict, http.StatusTooManyRequests, http.StatusRequestTimeout} {
			runs = 0
			key := fmt.Sprintf("key-%d", status)
			for range 2 {
				_, replayed, err := e.p.Idempotent(e.owner, key, "fp", refuse(status, &runs), nil)
				require.NoError(t, err)
				assert.False(t, replayed)
			}
			assert.Equal(t, 2, runs, "a transient %d is run again", status)
		}

		// A request whose caller went away is not kept, whatever it answered.
		runs = 0
		gone, cancel := context.WithCancel(e.owner)
		_, _, err := e.p.Idempotent(gone, "key-gone", "fp", func(context.Context) idempotency.Response {
			runs++
			cancel()
			return idempotency.Response{Status: http.StatusBadRequest}
		}, nil)
		require.NoError(t, err)
		_, replayed, err := e.p.Idempotent(e.owner, "key-gone", "fp", refuse(http.StatusBadRequest, &runs), nil)
		require.NoError(t, err)
		assert.False(t, replayed)
		assert.Equal(t, 2, runs, "a cancelled request is run again")
	})
}

// A change that committed with its key but whose answer was never kept
// (the process stopped in between) is answered from the object the change
// made, through the rebuild, rather than refused for a day.
func TestIdempotentAfterCrash(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		now := e.clock.Now()
		rec := idempotency.Record{Key: "key-1", Fingerprint: "fp",
			CreatedAt: now, ExpiresAt: now.Add(idempotency.TTL)}
		who, ok := identity.FromContext(e.owner)
		require.True(t, ok)
		rec.Scope = who.Actor()
		// What a crash after the commit leaves: the change with its key,
		// and no answer.
		crashed, _ := portal.WithIdempotencyKey(e.owner, rec)
		c, err := e.p.CreateCustomer(crashed, portal.CreateCustomerParams{Name: "Acme"})
		require.NoError(t, err)

		runs := 0
		var rebuiltFrom []string
		rebuild := func(ctx context.Context, ids []string) (idempotency.Response, error) {
			rebuiltFrom = ids
			got, err := e.p.GetCustomer(ctx, customer.ID(ids[0]))
			return idempotency.Response{Status: http.StatusCreated, Body: []byte(got.Name)}, err
		}
		for range 2 {
			got, replayed, err := e.p.Idempotent(e.owner, "key-1", "fp", createVia(t, e.p, "Acme", &runs), rebuild)
			require.NoError(t, err)
			assert.True(t, replayed)
			assert.Equal(t, idempotency.Response{Status: http.StatusCreated, Body: []byte("Acme")}, got)
		}
		assert.Zero(t, runs, "the change is not made again")
		assert.Equal(t, []string{string(c.ID)}, rebuiltFrom, "rebuilt from the customer it created")

		_, _, err = e.p.Idempotent(e.owner, "key-1", "fp-other", createVia(t, e.p, "Globex", &runs), rebuild)
		assert.True(t, portal.IsKeyReused(err), "another request with the key is still refused")

		l, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1, "one customer")
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
			_, _, inner = e.p.Idempotent(e.owner, "key-1", "fp", createVia(t, e.p, "Acme", &runs), nil)
			return idempotency.Response{Status: http.StatusCreated, Body: []byte(c.ID)}
		}, nil)
		require.NoError(t, err)
		assertCode(t, portalerr.Conflict, inner, "without a rebuild")
		assert.Zero(t, runs)
	})
}
