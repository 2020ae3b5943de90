package portal_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

func TestRequestLoginLink(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)

		err := s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "nobody@acme.example"})
		require.NoError(t, err, "an unknown address answers the same")
		assert.Empty(t, s.rec.Mails(), "and nothing is sent")
		queued, err := s.p.ListMail(s.owner, portal.ListMailParams{})
		require.NoError(t, err)
		assert.Empty(t, queued.Items, "nor queued")

		err = s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "not an address"})
		assertCode(t, portalerr.Invalid, err)

		require.NoError(t, s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: " ADA@acme.example "}))
		n := s.lastNotice(t, "ada@acme.example")
		assert.Equal(t, portal.NotifyLoginLink, n.Kind)
		assert.True(t, invite.HasPrefix(n.Token, invite.PrefixLoginLink), "token %q", n.Token)
		assert.Equal(t, portaltest.PublicURL+"/login?token="+n.Token, n.Link)
		assert.Contains(t, n.Text, "expires at "+expires(s.clock.Now().Add(invite.LoginLinkTTL)))
		assert.Equal(t, c.ID, s.lastOutbox(t, "ada@acme.example").CustomerID, "the link is about Acme")

		in, err := s.p.SignInWithLoginLink(t.Context(), n.Token, portal.SignInParams{})
		require.NoError(t, err)
		assert.Equal(t, ada.ID, in.Membership.ID)
		assert.Equal(t, identity.MethodLoginLink, in.Session.Method)
		who, err := s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.Equal(t, string(ada.UserID), who.ID)

		_, err = s.p.SignInWithLoginLink(t.Context(), n.Token, portal.SignInParams{})
		assertCode(t, portalerr.Unauthenticated, err, "a login link works once")

		unknown, _ := invite.NewToken(invite.PrefixLoginLink)
		for _, tok := range []string{unknown, "", "pl_short", in.Token} {
			_, err = s.p.SignInWithLoginLink(t.Context(), tok, portal.SignInParams{})
			assertCode(t, portalerr.Unauthenticated, err, "token %q", tok)
		}
	})
}

func TestLoginLinkExpiry(t *testing.T) {
	t.Parallel()
	cases := []struct {
		after time.Duration
		ok    bool
	}{
		{invite.LoginLinkTTL - time.Second, true},
		{invite.LoginLinkTTL, false},
		{invite.LoginLinkTTL + time.Second, false},
	}
	for _, tc := range cases {
		t.Run(tc.after.String(), func(t *testing.T) {
			eachSignInBackend(t, func(t *testing.T, s signInEnv) {
				c := s.createCustomer(t, "Acme")
				s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
				token := s.loginLink(t, "ada@acme.example")
				s.clock.Advance(tc.after)
				_, err := s.p.SignInWithLoginLink(t.Context(), token, portal.SignInParams{})
				if tc.ok {
					assert.NoError(t, err)
				} else {
					assertCode(t, portalerr.Unauthenticated, err)
				}
			})
		})
	}
}

func TestNewerLoginLinkEndsOlder(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		older := s.loginLink(t, "ada@acme.example")
		s.clock.Advance(time.Minute)
		newer := s.loginLink(t, "ada@acme.example")
		require.NotEqual(t, older, newer)

		_, err := s.p.SignInWithLoginLink(t.Context(), older, portal.SignInParams{})
		assertCode(t, portalerr.Unauthenticated, err, "the older link is dead")
		_, err = s.p.SignInWithLoginLink(t.Context(), newer, portal.SignInParams{})
		assert.NoError(t, err)
	})
}

func TestNoLoginLinkForRefusedUsers(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		refuse func(t *testing.T, s signInEnv, c customer.Customer, m portal.Member)
	}{
		{"disabled membership", func(t *testing.T, s signInEnv, c customer.Customer, m portal.Member) {
			_, err := s.p.DisableMember(s.owner, c.ID, m.ID)
			require.NoError(t, err)
		}},
		{"suspended customer", func(t *testing.T, s signInEnv, c customer.Customer, _ portal.Member) {
			_, err := s.p.SuspendCustomer(s.owner, c.ID)
			require.NoError(t, err)
		}},
		{"disabled user", func(t *testing.T, s signInEnv, _ customer.Customer, m portal.Member) {
			_, err := s.p.DisableUser(s.owner, m.UserID)
			require.NoError(t, err)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachSignInBackend(t, func(t *testing.T, s signInEnv) {
				c := s.createCustomer(t, "Acme")
				s.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
				vic := s.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer)
				earlier := s.loginLink(t, "vic@acme.example")

				tc.refuse(t, s, c, vic)

				require.NoError(t, s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "vic@acme.example"}),
					"the answer is the same as for anyone")
				assert.Equal(t, 1, s.noticesTo("vic@acme.example"), "no new link is sent")
				_, err := s.p.SignInWithLoginLink(t.Context(), earlier, portal.SignInParams{})
				assertCode(t, portalerr.Unauthenticated, err, "a link sent before does not sign in")
			})
		})
	}

	t.Run("other membership still active", func(t *testing.T) {
		eachSignInBackend(t, func(t *testing.T, s signInEnv) {
			acme := s.createCustomer(t, "Acme")
			s.addMember(t, acme.ID, "boss@acme.example", customer.RoleAdmin)
			vic := s.addMember(t, acme.ID, "vic@example.com", customer.RoleViewer)
			globex := s.createCustomer(t, "Globex")
			inGlobex := s.addMember(t, globex.ID, "vic@example.com", customer.RoleAdmin)
			_, err := s.p.DisableMember(s.owner, acme.ID, vic.ID)
			require.NoError(t, err)

			in, err := s.p.SignInWithLoginLink(t.Context(), s.loginLink(t, "vic@example.com"), portal.SignInParams{})
			require.NoError(t, err)
			assert.Equal(t, inGlobex.ID, in.Membership.ID, "the active membership is picked")
			assert.Equal(t, globex.ID, s.lastOutbox(t, "vic@example.com").CustomerID, "the link is about Globex")
		})
	})
}

func TestLoginLinkRateLimit(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		s.addMember(t, c.ID, "bob@acme.example", customer.RoleViewer)
		request := func(email string) error {
			return s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: email})
		}

		for i := range portal.DefaultRateLimits.PerEmail.N {
			require.NoError(t, request("ada@acme.example"), "request %d", i+1)
			require.NoError(t, request("ghost@acme.example"), "request %d", i+1)
		}
		s.clock.Advance(5 * time.Minute)
		err := request("ADA@acme.example")
		assertCode(t, portalerr.RateLimited, err, "the 6th request in 15 minutes")
		assert.Equal(t, 10*time.Minute, retryAfter(err), "until the window ends")
		assert.Equal(t, 5, s.noticesTo("ada@acme.example"), "no 6th link")
		err = request("ghost@acme.example")
		assertCode(t, portalerr.RateLimited, err, "unknown addresses are limited the same")
		assert.Positive(t, retryAfter(err))

		require.NoError(t, request("bob@acme.example"), "other addresses are unaffected")
		assert.Equal(t, 1, s.noticesTo("bob@acme.example"))

		s.clock.Advance(10 * time.Minute)
		require.NoError(t, request("ada@acme.example"), "after the window")
		assert.Equal(t, 6, s.noticesTo("ada@acme.example"))
	})
}

func TestLoginLinkClientRateLimit(t *testing.T) {
	t.Parallel()
	limits := func(c *portal.Config) {
		c.RateLimits = portal.RateLimits{PerClient: portal.Limit{N: 3, Window: time.Minute}}
	}
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		request := func(email, client string) error {
			return s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: email, ClientAddr: client})
		}
		for _, email := range []string{"a@example.com", "b@example.com", "c@example.com"} {
			require.NoError(t, request(email, "203.0.113.7"))
		}
		err := request("d@example.com", "203.0.113.7")
		assertCode(t, portalerr.RateLimited, err, "the 4th address from one client")
		assert.Equal(t, time.Minute, retryAfter(err))
		assert.NoError(t, request("d@example.com", "198.51.100.1"), "another client")
		assert.NoError(t, request("e@example.com", ""), "no client address: only the e-mail limit")

		s.clock.Advance(time.Minute)
		assert.NoError(t, request("f@example.com", "203.0.113.7"), "after the window")
	}, limits)
}

func TestSignInWithLoginLinkChoosesCustomer(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme := s.createCustomer(t, "Acme")
		inAcme := s.addMember(t, acme.ID, "ada@example.com", customer.RoleAdmin)
		globex := s.createCustomer(t, "Globex")
		inGlobex := s.addMember(t, globex.ID, "ada@example.com", customer.RoleAdmin)
		other := s.createCustomer(t, "Initech")

		in, err := s.p.SignInWithLoginLink(t.Context(), s.loginLink(t, "ada@example.com"), portal.SignInParams{})
		require.NoError(t, err)
		assert.Equal(t, inAcme.ID, in.Membership.ID, "the oldest membership by default")

		in, err = s.p.SignInWithLoginLink(t.Context(), s.loginLink(t, "ada@example.com"), portal.SignInParams{CustomerID: globex.ID})
		require.NoError(t, err)
		assert.Equal(t, inGlobex.ID, in.Membership.ID)
		who, err := s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.Equal(t, globex.ID, who.CustomerID)

		_, err = s.p.SignInWithLoginLink(t.Context(), s.loginLink(t, "ada@example.com"), portal.SignInParams{CustomerID: other.ID})
		assertCode(t, portalerr.Unauthenticated, err, "not a member there")
	})
}
