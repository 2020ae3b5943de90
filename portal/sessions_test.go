package portal_test

import (
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

func TestSessionIdleTimeout(t *testing.T) {
	t.Parallel()
	type step struct {
		advance time.Duration
		ok      bool
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"unused a second short of a day", []step{{24*time.Hour - time.Second, true}}},
		{"unused a day", []step{{24 * time.Hour, false}}},
		{"used after two minutes", []step{{2 * time.Minute, true}, {23*time.Hour + 59*time.Minute, true}}},
		{"used after two minutes, then idle a day", []step{{2 * time.Minute, true}, {24 * time.Hour, false}}},
		{"a use within a minute does not count", []step{{30 * time.Second, true}, {24*time.Hour - 30*time.Second, false}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachSignInBackend(t, func(t *testing.T, s signInEnv) {
				c := s.createCustomer(t, "Acme")
				in := s.signIn(t, s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin))
				for i, st := range tc.steps {
					s.clock.Advance(st.advance)
					_, err := s.p.Authenticate(t.Context(), in.Token)
					if st.ok {
						require.NoError(t, err, "step %d", i+1)
					} else {
						assertCode(t, portalerr.Unauthenticated, err, "step %d", i+1)
					}
				}
			})
		})
	}

	t.Run("configured", func(t *testing.T) {
		eachSignInBackend(t, func(t *testing.T, s signInEnv) {
			c := s.createCustomer(t, "Acme")
			in := s.signIn(t, s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin))
			s.clock.Advance(time.Hour - time.Second)
			_, err := s.p.Authenticate(t.Context(), in.Token)
			require.NoError(t, err)
			s.clock.Advance(time.Hour)
			s.assertUnauthenticated(t, in.Token)
		}, func(c *portal.Config) { c.SessionIdleTimeout = time.Hour })
	})
}

func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		in := s.signIn(t, s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin))
		assert.Equal(t, s.clock.Now().Add(14*24*time.Hour), in.Session.ExpiresAt)

		const every = 12 * time.Hour
		for elapsed := every; elapsed < 14*24*time.Hour; elapsed += every {
			s.clock.Advance(every)
			_, err := s.p.Authenticate(t.Context(), in.Token)
			require.NoError(t, err, "used every 12 hours, after %s", elapsed)
		}
		s.clock.Advance(every)
		s.assertUnauthenticated(t, in.Token, "14 days after sign-in, however used")
	})
}

func TestSessionEnds(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		end  func(t *testing.T, s signInEnv, c customer.Customer, m portal.Member, token string)
		// refusesNow: the change also refuses a principal authenticated
		// before it (logout ends only the session, not a running request).
		refusesNow bool
		// othersStay: other users' sessions are unaffected.
		othersStay bool
	}{
		{"logout", func(t *testing.T, s signInEnv, _ customer.Customer, _ portal.Member, token string) {
			require.NoError(t, s.p.Logout(s.authed(t, token)))
		}, false, true},
		{"membership disabled", func(t *testing.T, s signInEnv, c customer.Customer, m portal.Member, _ string) {
			_, err := s.p.DisableMember(s.owner, c.ID, m.ID)
			require.NoError(t, err)
		}, true, true},
		{"membership removed", func(t *testing.T, s signInEnv, c customer.Customer, m portal.Member, _ string) {
			require.NoError(t, s.p.RemoveMember(s.owner, c.ID, m.ID))
		}, true, true},
		{"customer suspended", func(t *testing.T, s signInEnv, c customer.Customer, _ portal.Member, _ string) {
			_, err := s.p.SuspendCustomer(s.owner, c.ID)
			require.NoError(t, err)
		}, true, false},
		{"user disabled", func(t *testing.T, s signInEnv, _ customer.Customer, m portal.Member, _ string) {
			_, err := s.p.DisableUser(s.owner, m.UserID)
			require.NoError(t, err)
		}, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachSignInBackend(t, func(t *testing.T, s signInEnv) {
				c := s.createCustomer(t, "Acme")
				s.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
				vic := s.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer)
				boss := s.signIn(t, s.addMember(t, c.ID, "boss2@acme.example", customer.RoleAdmin))
				in := s.signIn(t, vic)
				ctx := s.authed(t, in.Token)

				tc.end(t, s, c, vic, in.Token)

				s.assertUnauthenticated(t, in.Token, "at the next request")
				assert.Empty(t, s.sessions(t, storage.SessionFilter{UserID: vic.UserID}), "the session is gone from the store")
				if tc.refusesNow {
					_, err := s.p.GetCustomer(ctx, c.ID)
					assert.Error(t, err, "a principal taken before is refused too")
				}
				if tc.othersStay {
					_, err := s.p.Authenticate(t.Context(), boss.Token)
					assert.NoError(t, err, "other users' sessions stay")
				}
			})
		})
	}

	t.Run("ended for good", func(t *testing.T) {
		eachSignInBackend(t, func(t *testing.T, s signInEnv) {
			c := s.createCustomer(t, "Acme")
			in := s.signIn(t, s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin))
			_, err := s.p.SuspendCustomer(s.owner, c.ID)
			require.NoError(t, err)
			s.assertUnauthenticated(t, in.Token)
			_, err = s.p.ReactivateCustomer(s.owner, c.ID)
			require.NoError(t, err)
			s.assertUnauthenticated(t, in.Token, "reactivating the customer does not revive the session")
		})
	})

	t.Run("logout without a session", func(t *testing.T) {
		eachSignInBackend(t, func(t *testing.T, s signInEnv) {
			// API keys have no own account to sign out of; a staff member
			// signed in without a session has no session to end.
			assertCode(t, portalerr.FailedPrecondition, s.p.Logout(s.owner))
			key := identity.NewContext(t.Context(), identity.APIKeyPrincipal("key_1", identity.StaffOwner))
			assertCode(t, portalerr.PermissionDenied, s.p.Logout(key))
			assertCode(t, portalerr.Unauthenticated, s.p.Logout(t.Context()))
			// A user an application's own Authenticator signed in has no session here.
			c := s.createCustomer(t, "Acme")
			m := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
			assertCode(t, portalerr.FailedPrecondition, s.p.Logout(identity.NewContext(t.Context(), identity.User(m.Membership))))
		})
	})
}

func TestSwitchMembership(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme := s.createCustomer(t, "Acme")
		inAcme := s.addMember(t, acme.ID, "ada@example.com", customer.RoleAdmin)
		globex := s.createCustomer(t, "Globex")
		bob := s.addMember(t, globex.ID, "bob@example.com", customer.RoleAdmin)
		inGlobex := s.addMember(t, globex.ID, "ada@example.com", customer.RoleViewer)
		initech := s.createCustomer(t, "Initech")
		inInitech := s.addMember(t, initech.ID, "ada@example.com", customer.RoleAdmin)
		_, err := s.p.SuspendCustomer(s.owner, initech.ID)
		require.NoError(t, err)

		in := s.signIn(t, inAcme)
		ctx := s.authed(t, in.Token)
		mine, err := s.p.MyMemberships(ctx)
		require.NoError(t, err)
		current := map[customer.MembershipID]bool{}
		for _, m := range mine {
			current[m.ID] = m.Current
		}
		assert.Equal(t, map[customer.MembershipID]bool{inAcme.ID: true, inGlobex.ID: false}, current, "a suspended customer is left out")

		sess, err := s.p.SwitchMembership(ctx, inGlobex.ID)
		require.NoError(t, err)
		assert.Equal(t, globex.ID, sess.CustomerID)
		assert.Equal(t, in.Session.ID, sess.ID, "the same session")
		who, err := s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.Equal(t, globex.ID, who.CustomerID)
		assert.Equal(t, inGlobex.ID, who.MembershipID)
		ctx = identity.NewContext(t.Context(), who)
		_, err = s.p.GetCustomer(ctx, globex.ID)
		assert.NoError(t, err)
		_, err = s.p.GetCustomer(ctx, acme.ID)
		assertCode(t, portalerr.NotFound, err, "now acting in Globex only")
		_, err = s.p.ListMembers(ctx, globex.ID, portal.ListMembersParams{})
		assertCode(t, portalerr.PermissionDenied, err, "with the Globex membership's role")
		mine, err = s.p.MyMemberships(ctx)
		require.NoError(t, err)
		for _, m := range mine {
			assert.Equal(t, m.ID == inGlobex.ID, m.Current, m.CustomerName)
		}

		for _, id := range []customer.MembershipID{bob.ID, inInitech.ID, "mem_missing"} {
			_, err = s.p.SwitchMembership(ctx, id)
			assertCode(t, portalerr.NotFound, err, "membership %s", id)
		}
		who, err = s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.Equal(t, inGlobex.ID, who.MembershipID, "failed switches change nothing")

		_, err = s.p.SwitchMembership(as(t, inAcme), inGlobex.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "no session to switch")
		_, err = s.p.SwitchMembership(s.owner, inGlobex.ID)
		assertCode(t, portalerr.PermissionDenied, err)
		_, err = s.p.MyMemberships(s.owner)
		assertCode(t, portalerr.PermissionDenied, err)
	})
}

func TestPurgeExpired(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		s.signIn(t, ada)
		s.signIn(t, ada)
		s.clock.Advance(25 * time.Hour)
		fresh := s.signIn(t, ada)

		n, err := s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 4, n, "two idle sessions and their two expired login links")
		left := s.sessions(t, storage.SessionFilter{UserID: ada.UserID})
		require.Len(t, left, 1)
		assert.Equal(t, fresh.Session.ID, left[0].ID)
		_, err = s.p.Authenticate(t.Context(), fresh.Token)
		assert.NoError(t, err)

		n, err = s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		assert.Zero(t, n, "nothing left to purge")
	})
}
