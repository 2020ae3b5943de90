package portal_test

// Regression tests for the findings of the review of package portal: each
// failed before the fixes in commits 201ab13 and 7a67546.

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func TestRegressionWorkingAdminRule(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		a := s.addMember(t, c.ID, "a@acme.example", customer.RoleAdmin)
		b := s.addMember(t, c.ID, "b@acme.example", customer.RoleAdmin)
		_, err := s.p.DisableUser(s.owner, b.UserID)
		require.NoError(t, err, "a still works")

		// b's admin membership is active, but its user is disabled: a is the
		// last admin who can sign in.
		_, err = s.p.ChangeRole(s.owner, c.ID, a.ID, portal.ChangeRoleParams{Role: customer.RoleViewer})
		assertCode(t, portalerr.FailedPrecondition, err, "demoting the last working admin")
		_, err = s.p.DisableMember(s.owner, c.ID, a.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "disabling the last working admin")
		err = s.p.RemoveMember(s.owner, c.ID, a.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "removing the last working admin")
		got, err := s.p.GetMember(s.owner, c.ID, a.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.RoleAdmin, got.Role, "refused changes changed nothing")
		assert.Equal(t, customer.MembershipActive, got.Status, "refused changes changed nothing")

		// Globex's only admin is b, whose user is disabled: the next member
		// becomes admin, as in a customer without any admin.
		globex := s.createCustomer(t, "Globex")
		onlyAdmin := s.addMember(t, globex.ID, "b@acme.example", customer.RoleAdmin)
		require.Equal(t, customer.RoleAdmin, onlyAdmin.Role)
		require.Equal(t, customer.UserDisabled, onlyAdmin.User.Status)
		next := s.addMember(t, globex.ID, "c@globex.example", customer.RoleViewer)
		assert.Equal(t, customer.RoleAdmin, next.Role, "a customer without a working admin gets one")
	})
}

func TestRegressionInvitationRoleWithoutAdmin(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		inv, token := s.invite(t, c.ID, "vic@acme.example", customer.RoleViewer)
		assert.Equal(t, customer.RoleViewer, inv.Role, "the invitation keeps the role asked for")
		assert.False(t, inv.FirstAdmin)
		// Accepting it while the customer still has no working admin gives
		// the customer one all the same.
		in := s.accept(t, token, "Vic")
		assert.Equal(t, customer.RoleAdmin, in.Membership.Role)

		globex, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{
			Name: "Globex", FirstUser: &portal.FirstUserParams{Email: "first@globex.example"},
		})
		require.NoError(t, err)
		l, err := s.p.ListInvitations(s.owner, globex.ID, portal.ListInvitationsParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, customer.RoleAdmin, l.Items[0].Role)
		assert.True(t, l.Items[0].FirstAdmin, "the first user's invitation makes an admin")
	})
}

func TestRegressionEndedSessionsStayEnded(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
		vic := s.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer)

		// No Authenticate in between: the old token must be dead because
		// disabling ended it, not because a use while disabled did.
		in := s.signIn(t, vic)
		_, err := s.p.DisableMember(s.owner, c.ID, vic.ID)
		require.NoError(t, err)
		_, err = s.p.EnableMember(s.owner, c.ID, vic.ID)
		require.NoError(t, err)
		s.assertUnauthenticated(t, in.Token, "a session survived disabling the membership")

		in = s.signIn(t, vic)
		_, err = s.p.SuspendCustomer(s.owner, c.ID)
		require.NoError(t, err)
		_, err = s.p.ReactivateCustomer(s.owner, c.ID)
		require.NoError(t, err)
		s.assertUnauthenticated(t, in.Token, "a session survived suspending the customer")

		_, err = s.p.Authenticate(t.Context(), s.signIn(t, vic).Token)
		assert.NoError(t, err, "signing in again works")
	})
}

// fakeStore is a storage.Store whose read transactions hand fn the Repos
// that repos makes of the real ones, when repos is set.
type fakeStore struct {
	storage.Store
	repos func(storage.Repos) storage.Repos
}

func (s *fakeStore) ReadTx(ctx context.Context, fn func(storage.Repos) error) error {
	return s.Store.ReadTx(ctx, func(r storage.Repos) error {
		if s.repos != nil {
			r = s.repos(r)
		}
		return fn(r)
	})
}

// fakeRepos is a storage.Repos with its own session repository.
type fakeRepos struct {
	storage.Repos
	sessions storage.SessionRepo
}

func (r fakeRepos) Sessions() storage.SessionRepo { return r.sessions }

// fakeSessions is a storage.SessionRepo whose GetStandingByTokenHash is get.
type fakeSessions struct {
	storage.SessionRepo
	get func(ctx context.Context, hash string) (identity.Session, storage.Standing, error)
}

func (s fakeSessions) GetStandingByTokenHash(ctx context.Context, hash string) (identity.Session, storage.Standing, error) {
	return s.get(ctx, hash)
}

func TestRegressionStorageErrorKeepsSession(t *testing.T) {
	t.Parallel()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			// The hiccup hits the lookup of the session and its account
			// (membership, user and customer) inside Authenticate's read
			// transaction: the check that used to end the session on any
			// error.
			var hiccup atomic.Bool
			store := &fakeStore{Store: newStore(t)}
			store.repos = func(r storage.Repos) storage.Repos {
				return fakeRepos{Repos: r, sessions: fakeSessions{SessionRepo: r.Sessions(),
					get: func(ctx context.Context, hash string) (identity.Session, storage.Standing, error) {
						if hiccup.CompareAndSwap(true, false) {
							return identity.Session{}, storage.Standing{}, errors.New("disk hiccup")
						}
						return r.Sessions().GetStandingByTokenHash(ctx, hash)
					}}}
			}
			s := newSignInEnv(t, store)
			c := s.createCustomer(t, "Acme")
			in := s.signIn(t, s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin))

			hiccup.Store(true)
			_, err := s.p.Authenticate(t.Context(), in.Token)
			require.Error(t, err)
			assertCode(t, portalerr.Internal, err, "a storage error is no verdict on the account")
			require.False(t, hiccup.Load(), "the fake failed a lookup")

			_, err = s.p.Authenticate(t.Context(), in.Token)
			assert.NoError(t, err, "the session outlives the hiccup")
		})
	}
}

func TestRegressionLockoutRevealsNoAccount(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		require.NoError(t, s.p.SetPassword(as(t, ada), portal.SetPasswordParams{New: goodPassword}))
		signIn := func(email string) error {
			_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: email, Password: otherPassword})
			return err
		}
		same := func(known, unknown error, when string) {
			t.Helper()
			assert.Equal(t, portalerr.CodeOf(known), portalerr.CodeOf(unknown), "code %s", when)
			assert.Equal(t, portalerr.MessageOf(known), portalerr.MessageOf(unknown), "message %s", when)
			if portalerr.CodeOf(known) == portalerr.RateLimited {
				assert.Equal(t, retryAfter(known), retryAfter(unknown), "RetryAfter %s", when)
			}
		}

		for i := range 5 {
			known, unknown := signIn("ada@acme.example"), signIn("nobody@acme.example")
			assertCode(t, portalerr.Unauthenticated, known, "failure %d", i+1)
			same(known, unknown, "at a failed sign-in")
		}
		for _, step := range []struct {
			advance time.Duration
			when    string
			want    portalerr.Code
		}{
			{0, "right after the 5th failure", portalerr.RateLimited},
			{14 * time.Minute, "14 minutes after the 5th failure", portalerr.RateLimited},
			{2 * time.Minute, "16 minutes after the 5th failure", portalerr.Unauthenticated},
		} {
			s.clock.Advance(step.advance)
			known, unknown := signIn("ada@acme.example"), signIn("nobody@acme.example")
			assertCode(t, step.want, known, step.when)
			same(known, unknown, step.when)
		}
	}, func(c *portal.Config) {
		c.RateLimits.PerEmail = portal.Limit{N: 1000, Window: 15 * time.Minute}
	})
}

func TestRegressionPasswordFailuresLeaveLoginLinks(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		require.NoError(t, s.p.SetPassword(as(t, ada), portal.SetPasswordParams{New: goodPassword}))
		for range 5 {
			_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: otherPassword})
			assertCode(t, portalerr.Unauthenticated, err)
		}
		// loginLink fails the test unless the link is sent.
		_, err := s.p.SignInWithLoginLink(t.Context(), s.loginLink(t, "ada@acme.example"), portal.SignInParams{})
		assert.NoError(t, err, "failed passwords do not block e-mail links")
	})
}

func TestRegressionClientLimitIgnoresPort(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		request := func(email, addr string) error {
			return s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: email, ClientAddr: addr})
		}
		require.NoError(t, request("a@example.com", "203.0.113.7:1234"))
		require.NoError(t, request("b@example.com", "203.0.113.7:5678"))
		err := request("c@example.com", "203.0.113.7:9012")
		assertCode(t, portalerr.RateLimited, err, "one host, whatever its ports")
		assert.Positive(t, retryAfter(err))
		assert.NoError(t, request("d@example.com", "198.51.100.1:1234"), "another host has its own bucket")
	}, func(c *portal.Config) {
		c.RateLimits.PerClient = portal.Limit{N: 2, Window: 15 * time.Minute}
	})
}

func TestRegressionSiteLimitedAdmin(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		north := s.createSite(t, c.ID, "North")
		south := s.createSite(t, c.ID, "South")
		boss := s.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
		nadia := s.addMember(t, c.ID, "nadia@acme.example", customer.RoleAdmin, north.ID)
		nora := s.addMember(t, c.ID, "nora@acme.example", customer.RoleViewer, north.ID)
		sam := s.addMember(t, c.ID, "sam@acme.example", customer.RoleViewer, south.ID)
		inviteTo := func(email string, sites ...customer.SiteID) invite.Invitation {
			t.Helper()
			inv, err := s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: email, Role: customer.RoleViewer, SiteIDs: sites})
			require.NoError(t, err)
			return inv
		}
		everywhere := inviteTo("all@acme.example")
		inSouth := inviteTo("south@acme.example", south.ID)
		inNorth := inviteTo("north@acme.example", north.ID)
		alsoNorth := inviteTo("north2@acme.example", north.ID)
		ctx := as(t, nadia)

		for _, inv := range []invite.Invitation{everywhere, inSouth} {
			_, err := s.p.ResendInvitation(ctx, c.ID, inv.ID, portal.ResendInvitationParams{})
			assertCode(t, portalerr.PermissionDenied, err, "resend %s to %v", inv.Email, inv.SiteIDs)
			_, err = s.p.RevokeInvitation(ctx, c.ID, inv.ID)
			assertCode(t, portalerr.PermissionDenied, err, "revoke %s to %v", inv.Email, inv.SiteIDs)
		}
		_, err := s.p.ResendInvitation(ctx, c.ID, inNorth.ID, portal.ResendInvitationParams{})
		assert.NoError(t, err, "an invitation within North")
		_, err = s.p.RevokeInvitation(ctx, c.ID, inNorth.ID)
		assert.NoError(t, err, "an invitation within North")

		invs, err := s.p.ListInvitations(ctx, c.ID, portal.ListInvitationsParams{})
		require.NoError(t, err)
		var invIDs []invite.ID
		for _, inv := range invs.Items {
			invIDs = append(invIDs, inv.ID)
		}
		assert.ElementsMatch(t, []invite.ID{inNorth.ID, alsoNorth.ID}, invIDs, "only invitations within North")

		members, err := s.p.ListMembers(ctx, c.ID, portal.ListMembersParams{})
		require.NoError(t, err)
		var memberIDs []customer.MembershipID
		for _, m := range members.Items {
			memberIDs = append(memberIDs, m.ID)
		}
		assert.ElementsMatch(t, []customer.MembershipID{nadia.ID, nora.ID}, memberIDs, "only members within North")

		_, err = s.p.GetMember(ctx, c.ID, boss.ID)
		assertCode(t, portalerr.NotFound, err, "an unrestricted member")
		_, err = s.p.GetMember(ctx, c.ID, sam.ID)
		assertCode(t, portalerr.NotFound, err, "a member in South")
		_, err = s.p.GetMember(ctx, c.ID, nora.ID)
		assert.NoError(t, err, "a member in North")
	})
}

func TestRegressionAcceptKeepsExistingPassword(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme := s.createCustomer(t, "Acme")
		ada := s.addMember(t, acme.ID, "ada@acme.example", customer.RoleAdmin)
		require.NoError(t, s.p.SetPassword(as(t, ada), portal.SetPasswordParams{New: goodPassword}))
		globex := s.createCustomer(t, "Globex")
		s.addMember(t, globex.ID, "boss@globex.example", customer.RoleAdmin)
		_, token := s.invite(t, globex.ID, "ada@acme.example", customer.RoleViewer)

		in, err := s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Password: otherPassword})
		require.NoError(t, err, "a password given for an account that has one is ignored")
		assert.Equal(t, globex.ID, in.Membership.CustomerID)

		_, err = s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: goodPassword})
		assert.NoError(t, err, "the old password still signs in")
		_, err = s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: otherPassword})
		assertCode(t, portalerr.Unauthenticated, err, "the invitation did not replace the password")
	})
}

func TestRegressionAccessLinkSeesOwnMembershipOnly(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme := s.createCustomer(t, "Acme")
		s.addMember(t, acme.ID, "boss@acme.example", customer.RoleAdmin)
		vic := s.addMember(t, acme.ID, "vic@example.com", customer.RoleViewer)
		globex := s.createCustomer(t, "Globex")
		s.addMember(t, globex.ID, "boss@globex.example", customer.RoleAdmin)
		s.addMember(t, globex.ID, "vic@example.com", customer.RoleViewer)
		s.allowAccessLinks(t, acme.ID)

		all, err := s.p.MyMemberships(s.authed(t, s.signIn(t, vic).Token))
		require.NoError(t, err)
		require.Len(t, all, 2, "vic belongs to two customers")

		sec, err := s.p.CreateAccessLink(s.owner, acme.ID, vic.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)
		in, err := s.p.SignInWithAccessLink(t.Context(), sec.Token)
		require.NoError(t, err)
		mine, err := s.p.MyMemberships(s.authed(t, in.Token))
		require.NoError(t, err)
		require.Len(t, mine, 1, "an access link's session learns of no other customer")
		assert.Equal(t, vic.ID, mine[0].ID)
		assert.True(t, mine[0].Current)
		assert.Equal(t, "Acme", mine[0].CustomerName)
	})
}

func TestRegressionRepeatedRevocationAuditedOnce(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		countOf := func(events []audit.Event, action string) int {
			n := 0
			for _, e := range events {
				if e.Action == action {
					n++
				}
			}
			return n
		}

		key, err := s.p.CreateAPIKey(s.owner, portal.CreateAPIKeyParams{Name: "ci", Role: identity.StaffAgent})
		require.NoError(t, err)
		for range 2 {
			_, err := s.p.RevokeAPIKey(s.owner, key.Key.ID)
			require.NoError(t, err)
		}
		assert.Equal(t, 1, countOf(s.auditOf(t, string(key.Key.ID)), "api_key.revoked"))

		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		s.allowAccessLinks(t, c.ID)
		sec, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)
		for range 2 {
			_, err := s.p.DisableAccessLink(s.owner, c.ID, sec.Link.ID)
			require.NoError(t, err)
		}
		assert.Equal(t, 1, countOf(s.auditOf(t, string(sec.Link.ID)), "access_link.disabled"))
	})
}
