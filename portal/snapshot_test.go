package portal_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// standingCountingStore counts read transactions and standing lookups.
type standingCountingStore struct {
	storage.Store
	reads, standings atomic.Int64
}

func (s *standingCountingStore) ReadTx(ctx context.Context, fn func(storage.Repos) error) error {
	s.reads.Add(1)
	return s.Store.ReadTx(ctx, func(r storage.Repos) error { return fn(standingCountingRepos{r, s}) })
}

type standingCountingRepos struct {
	storage.Repos
	s *standingCountingStore
}

func (r standingCountingRepos) Memberships() storage.MembershipRepo {
	return standingCountingMemberships{r.Repos.Memberships(), r.s}
}

type standingCountingMemberships struct {
	storage.MembershipRepo
	s *standingCountingStore
}

func (m standingCountingMemberships) GetStanding(ctx context.Context, id customer.MembershipID) (storage.Standing, error) {
	m.s.standings.Add(1)
	return m.MembershipRepo.GetStanding(ctx, id)
}

// within fails the test unless fn returns within a few seconds: a snapshot
// left open would block a writer for good on the memory backend.
func within(t *testing.T, what string, fn func()) {
	t.Helper()
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: blocked", what)
	}
}

func TestSharedSnapshot(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			store := &standingCountingStore{Store: newStore(t)}
			s := newSignInEnv(t, store)
			c := s.createCustomer(t, "Acme")
			ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
			in := s.signIn(t, ada)
			reads := func() (int64, int64) { return store.reads.Load(), store.standings.Load() }

			// Authenticate and a read use case, sharing: one transaction,
			// and the standing Authenticate read serves the use case.
			r0, s0 := reads()
			ctx, end := portal.WithSharedSnapshot(t.Context())
			who, err := s.p.Authenticate(ctx, in.Token)
			require.NoError(t, err)
			sites, err := s.p.ListSites(identity.NewContext(ctx, who), c.ID, portal.ListSitesParams{})
			require.NoError(t, err)
			assert.Empty(t, sites.Items)
			end()
			r1, s1 := reads()
			assert.Equal(t, int64(1), r1-r0, "one read transaction")
			assert.Equal(t, int64(0), s1-s0, "no second standing lookup")

			// Without sharing: two transactions, and the use case checks the
			// caller again.
			who, err = s.p.Authenticate(t.Context(), in.Token)
			require.NoError(t, err)
			_, err = s.p.ListSites(identity.NewContext(t.Context(), who), c.ID, portal.ListSitesParams{})
			require.NoError(t, err)
			r2, s2 := reads()
			assert.Equal(t, int64(2), r2-r1)
			assert.Equal(t, int64(1), s2-s1)

			// Only the first read after Authenticate shares; later ones run
			// on their own and check the caller again.
			ctx, end = portal.WithSharedSnapshot(t.Context())
			who, err = s.p.Authenticate(ctx, in.Token)
			require.NoError(t, err)
			actx := identity.NewContext(ctx, who)
			_, err = s.p.ListSites(actx, c.ID, portal.ListSitesParams{})
			require.NoError(t, err)
			_, err = s.p.ListSites(actx, c.ID, portal.ListSitesParams{})
			require.NoError(t, err)
			end()
			r3, s3 := reads()
			assert.Equal(t, int64(2), r3-r2)
			assert.Equal(t, int64(1), s3-s2)

			// A write under the shared context ends the snapshot first, and
			// checks the caller in its own transaction.
			ctx, end = portal.WithSharedSnapshot(t.Context())
			who, err = s.p.Authenticate(ctx, in.Token)
			require.NoError(t, err)
			within(t, "a write after Authenticate", func() {
				_, err = s.p.Invite(identity.NewContext(ctx, who), c.ID, portal.InviteParams{Email: "bob@acme.example", Role: customer.RoleViewer})
			})
			require.NoError(t, err)
			end()

			// A snapshot nobody took is ended by end, and then blocks no
			// writer.
			ctx, end = portal.WithSharedSnapshot(t.Context())
			_, err = s.p.Authenticate(ctx, in.Token)
			require.NoError(t, err)
			end()
			end() // twice is harmless
			within(t, "a write after end", func() {
				_, err = s.p.CreateSite(s.owner, c.ID, portal.SiteParams{Name: "Paris"})
			})
			require.NoError(t, err)

			// A refused token leaves nothing open.
			ctx, end = portal.WithSharedSnapshot(t.Context())
			_, err = s.p.Authenticate(ctx, "ps_nonsense")
			assertCode(t, portalerr.Unauthenticated, err)
			within(t, "a write after a refused token", func() {
				_, err = s.p.CreateSite(s.owner, c.ID, portal.SiteParams{Name: "Rome"})
			})
			require.NoError(t, err)
			end()
		})
	}
}

// The use case decides on the standing of the snapshot it reads in: a
// membership disabled after Authenticate read it is still honoured by the
// read sharing that snapshot (the request happened before the change) and
// refused from the next request on.
func TestSharedSnapshotIsOneSnapshot(t *testing.T) {
	t.Parallel()
	s := newSignInEnv(t, newSQLiteStore(t)) // readers do not block writers
	c := s.createCustomer(t, "Acme")
	ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
	bob := s.addMember(t, c.ID, "bob@acme.example", customer.RoleViewer)
	in := s.signIn(t, bob)

	ctx, end := portal.WithSharedSnapshot(t.Context())
	defer end()
	who, err := s.p.Authenticate(ctx, in.Token)
	require.NoError(t, err)
	_, err = s.p.DisableMember(as(t, ada), c.ID, bob.Membership.ID)
	require.NoError(t, err)
	_, err = s.p.ListSites(identity.NewContext(ctx, who), c.ID, portal.ListSitesParams{})
	assert.NoError(t, err, "read in the snapshot Authenticate saw")

	_, err = s.p.Authenticate(t.Context(), in.Token)
	assertCode(t, portalerr.Unauthenticated, err, "the next request is refused")
}
