package portal_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// storeLimiter has the portal count attempts in its store.
func storeLimiter(c *portal.Config) {
	c.RateLimiter = portal.NewStoreRateLimiter(c.Store.(storage.AttemptCounter))
}

// TestRateLimitsAcrossReplicas runs two Portals on one store, as two
// server replicas on one database, and spreads one address's attempts over
// them: with a StoreRateLimiter the limit holds for both together, and
// the attempt past it is refused on either; with the default
// MemoryRateLimiter each replica allows the whole limit.
func TestRateLimitsAcrossReplicas(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		limiter func(*portal.Config)
		shared  bool
	}{
		{storeLimiter, true},
		{func(*portal.Config) {}, false},
	} {
		name := map[bool]string{true: "store", false: "memory"}[tc.shared]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for backend, newStore := range backends {
				t.Run(backend, func(t *testing.T) {
					t.Parallel()
					store := newStore(t)
					a := newSignInEnv(t, store, tc.limiter)
					b := portaltest.New(t, a.clock, func(c *portal.Config) { c.Store = store }, tc.limiter)
					replicas := []*portal.Portal{a.p, b}
					n := portal.DefaultRateLimits.PerEmail.N
					const client = "203.0.113.7:4711"

					// Login links for a known address, and password
					// sign-ins for an unknown one, alternating replicas.
					cid := a.createCustomer(t, "Acme").ID
					a.addMember(t, cid, "ada@acme.example", customer.RoleAdmin)
					link := func(p *portal.Portal) error {
						return p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "ada@acme.example", ClientAddr: client})
					}
					signIn := func(p *portal.Portal) error {
						_, err := p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "eve@acme.example", Password: "a guess, not a password", ClientAddr: client})
						return err
					}
					for i := range n {
						require.NoError(t, link(replicas[i%2]), "login link %d", i+1)
						assertCode(t, portalerr.Unauthenticated, signIn(replicas[i%2]), "sign-in %d", i+1)
					}
					a.clock.Advance(5 * time.Minute)
					for i, p := range replicas {
						linkErr, signInErr := link(p), signIn(p)
						if !tc.shared {
							assert.NoError(t, linkErr, "replica %d counted only its own login links", i)
							assertCode(t, portalerr.Unauthenticated, signInErr, "replica %d counted only its own sign-ins", i)
							continue
						}
						assertCode(t, portalerr.RateLimited, linkErr, "login link %d, on replica %d", n+1+i, i)
						assert.Equal(t, 10*time.Minute, retryAfter(linkErr), "until the window of the first attempt ends")
						assertCode(t, portalerr.RateLimited, signInErr, "sign-in %d, on replica %d", n+1+i, i)
						assert.Equal(t, 10*time.Minute, retryAfter(signInErr))
					}
					if tc.shared {
						assert.Equal(t, n, a.noticesTo("ada@acme.example"), "no link past the limit")
						a.clock.Advance(10 * time.Minute)
						assert.NoError(t, link(b), "a new window")
						assertCode(t, portalerr.Unauthenticated, signIn(a.p), "a new window")
					}
				})
			}
		})
	}
}

// limiterFunc is a RateLimiter of a function.
type limiterFunc func(ctx context.Context, key string, limit portal.Limit, now time.Time) (bool, time.Duration, error)

func (f limiterFunc) Allow(ctx context.Context, key string, limit portal.Limit, now time.Time) (bool, time.Duration, error) {
	return f(ctx, key, limit, now)
}

// TestRateLimiterFailureRefusesAttempts has the rate limiter fail: the
// attempt is refused with an internal error, not let through uncounted,
// even with the right password; nothing is sent and no session opens.
// Once the limiter works again, so does signing in.
func TestRateLimiterFailureRefusesAttempts(t *testing.T) {
	t.Parallel()
	errDown := errors.New("rate limiter: database unreachable")
	var down bool
	limiter := limiterFunc(func(ctx context.Context, key string, limit portal.Limit, now time.Time) (bool, time.Duration, error) {
		if down {
			return false, 0, errDown
		}
		return true, 0, nil
	})
	s := newSignInEnv(t, newSQLiteStore(t), func(c *portal.Config) { c.RateLimiter = limiter })
	cid := s.createCustomer(t, "Acme").ID
	ada := s.addMember(t, cid, "ada@acme.example", customer.RoleAdmin)
	require.NoError(t, s.p.SetPassword(as(t, ada), portal.SetPasswordParams{New: goodPassword}))
	sent := s.noticesTo("ada@acme.example")

	down = true
	err := s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "ada@acme.example"})
	assert.ErrorIs(t, err, errDown)
	assertCode(t, portalerr.Internal, err)
	_, err = s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: goodPassword})
	assert.ErrorIs(t, err, errDown)
	assertCode(t, portalerr.Internal, err)
	assert.Equal(t, sent, s.noticesTo("ada@acme.example"), "no login link sent")
	assert.Empty(t, s.sessions(t, storage.SessionFilter{UserID: ada.UserID}), "no session opened")

	down = false
	in, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: goodPassword})
	require.NoError(t, err)
	assert.Equal(t, identity.MethodPassword, in.Session.Method)
}

// TestPurgeExpiredDeletesEndedRateWindows counts attempts in the store and
// purges once their windows ended: the windows go, and counting starts
// anew.
func TestPurgeExpiredDeletesEndedRateWindows(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		request := func(email string) error {
			return s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: email, ClientAddr: "203.0.113.7"})
		}
		require.NoError(t, request("a@example.com"))
		require.NoError(t, request("b@example.com"))
		n, err := s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n, "windows still running are kept")

		s.clock.Advance(portal.DefaultRateLimits.PerEmail.Window)
		n, err = s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 3, n, "two addresses' windows and the client's")
		n, err = s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n)
	}, storeLimiter)
}
