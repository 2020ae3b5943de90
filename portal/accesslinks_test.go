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

func TestAccessLinksNeedTheFeature(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)

		_, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{})
		assertCode(t, portalerr.FeatureDisabled, err)
		l, err := s.p.ListAccessLinks(s.owner, c.ID, portal.ListAccessLinksParams{})
		require.NoError(t, err)
		assert.Empty(t, l.Items)

		s.allowAccessLinks(t, c.ID)
		sec, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)
		in, err := s.p.SignInWithAccessLink(t.Context(), sec.Token)
		require.NoError(t, err)
		password := s.signIn(t, ada)

		// Turned off again, the link no longer signs in, and its sessions end.
		setAccessLinks := func(on bool) {
			t.Helper()
			cur, err := s.p.GetCustomer(s.owner, c.ID)
			require.NoError(t, err)
			_, err = s.p.UpdateFeatures(s.owner, c.ID, portal.UpdateFeaturesParams{Version: cur.Version, FeaturesPatch: customer.FeaturesPatch{AccessLinks: ptr(on)}})
			require.NoError(t, err)
		}
		setAccessLinks(false)
		_, err = s.p.SignInWithAccessLink(t.Context(), sec.Token)
		assertCode(t, portalerr.Unauthenticated, err)
		s.assertUnauthenticated(t, in.Token, "a session of an access link ends with the feature")
		_, err = s.p.Authenticate(t.Context(), password.Token)
		assert.NoError(t, err, "other sessions stay")
		_, err = s.p.RefreshAccessLink(s.owner, c.ID, sec.Link.ID)
		assertCode(t, portalerr.FeatureDisabled, err)

		setAccessLinks(true)
		s.assertUnauthenticated(t, in.Token, "turning the feature on again does not revive the session")
		_, err = s.p.SignInWithAccessLink(t.Context(), sec.Token)
		assert.NoError(t, err, "the link itself works again")
	})
}

func TestCreateAccessLink(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.allowAccessLinks(t, c.ID)
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		vic := s.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer)
		other := s.createCustomer(t, "Globex")
		s.allowAccessLinks(t, other.ID)

		sec, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{ReadOnly: true})
		require.NoError(t, err)
		assert.True(t, invite.HasPrefix(sec.Token, invite.PrefixAccessLink), "token %q", sec.Token)
		assert.Equal(t, invite.HashToken(sec.Token), sec.Link.TokenHash)
		assert.True(t, sec.Link.ReadOnly)
		assert.Equal(t, ada.ID, sec.Link.MembershipID)
		assert.Equal(t, portaltest.Epoch.Add(invite.DefaultAccessLinkTTL), sec.Link.ExpiresAt, "six months by default")
		assert.Equal(t, "staff:stf_owner", sec.Link.CreatedBy)

		l, err := s.p.ListAccessLinks(s.owner, c.ID, portal.ListAccessLinksParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, sec.Link.ID, l.Items[0].ID)
		assert.NotEqual(t, sec.Token, string(l.Items[0].TokenHash), "the list holds no token")

		_, err = s.p.CreateAccessLink(s.owner, other.ID, ada.ID, portal.CreateAccessLinkParams{})
		assertCode(t, portalerr.NotFound, err, "a membership of another customer")
		for _, d := range []time.Duration{time.Hour, invite.MaxAccessLinkTTL + time.Hour, -time.Hour} {
			_, err = s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{ExpiresIn: d})
			assertCode(t, portalerr.Invalid, err, "expires in %s", d)
			assert.Equal(t, []string{"expires_in"}, fieldsOf(err))
		}
		_, err = s.p.CreateAccessLink(as(t, ada), c.ID, vic.ID, portal.CreateAccessLinkParams{})
		assertCode(t, portalerr.PermissionDenied, err, "only staff create access links")
		_, err = s.p.DisableMember(s.owner, c.ID, vic.ID)
		require.NoError(t, err)
		_, err = s.p.CreateAccessLink(s.owner, c.ID, vic.ID, portal.CreateAccessLinkParams{})
		assertCode(t, portalerr.FailedPrecondition, err, "a disabled membership")

		l, err = s.p.ListAccessLinks(s.owner, c.ID, portal.ListAccessLinksParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1, "failed creations wrote nothing")

		events := s.auditOf(t, string(sec.Link.ID))
		require.Len(t, events, 1)
		assert.Equal(t, "access_link.created", events[0].Action)
		assert.Equal(t, "staff:stf_owner", events[0].Actor)
		assert.Equal(t, c.ID, events[0].CustomerID)
	})
}

func TestSignInWithAccessLink(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.allowAccessLinks(t, c.ID)
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)

		ro, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{ReadOnly: true})
		require.NoError(t, err)
		seen := map[identity.SessionID]bool{}
		for i := range 3 {
			in, err := s.p.SignInWithAccessLink(t.Context(), ro.Token)
			require.NoError(t, err, "use %d: access links are multi-use", i+1)
			assert.False(t, seen[in.Session.ID], "a new session each time")
			seen[in.Session.ID] = true
			assert.Equal(t, ada.ID, in.Membership.ID)
			assert.Equal(t, identity.MethodAccessLink, in.Session.Method)
			assert.Equal(t, string(ro.Link.ID), in.Session.AccessLinkID)
			assert.True(t, in.Session.ReadOnly)

			ctx := s.authed(t, in.Token)
			who, _ := identity.FromContext(ctx)
			assert.True(t, who.ReadOnly, "the principal of a read-only link")
			_, err = s.p.GetCustomer(ctx, c.ID)
			assert.NoError(t, err, "a read-only session reads")
			_, err = s.p.ListMembers(ctx, c.ID, portal.ListMembersParams{})
			assertCode(t, portalerr.PermissionDenied, err, "an admin's read-only link acts as a viewer")
		}

		full, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)
		in, err := s.p.SignInWithAccessLink(t.Context(), full.Token)
		require.NoError(t, err)
		assert.False(t, in.Session.ReadOnly)
		_, err = s.p.ListMembers(s.authed(t, in.Token), c.ID, portal.ListMembersParams{})
		assert.NoError(t, err, "a full link acts with the membership's role")

		unknown, _ := invite.NewToken(invite.PrefixAccessLink)
		for _, tok := range []string{unknown, "", "pa_x", in.Token} {
			_, err = s.p.SignInWithAccessLink(t.Context(), tok)
			assertCode(t, portalerr.Unauthenticated, err, "token %q", tok)
		}
	})
}

func TestRefreshAndDisableAccessLink(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.allowAccessLinks(t, c.ID)
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		agent := portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent))
		sec, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{ExpiresIn: 30 * 24 * time.Hour})
		require.NoError(t, err)
		other, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)

		s.clock.Advance(10 * 24 * time.Hour)
		before, err := s.p.SignInWithAccessLink(t.Context(), sec.Token)
		require.NoError(t, err)
		bystander, err := s.p.SignInWithAccessLink(t.Context(), other.Token)
		require.NoError(t, err)
		refreshed, err := s.p.RefreshAccessLink(agent, c.ID, sec.Link.ID)
		require.NoError(t, err)
		require.NotEqual(t, sec.Token, refreshed.Token)
		assert.Equal(t, s.clock.Now().Add(30*24*time.Hour), refreshed.Link.ExpiresAt, "the link's lifetime starts anew")
		assert.Equal(t, invite.HashToken(refreshed.Token), refreshed.Link.TokenHash)

		_, err = s.p.SignInWithAccessLink(t.Context(), sec.Token)
		assertCode(t, portalerr.Unauthenticated, err, "the old token is dead")
		s.assertUnauthenticated(t, before.Token, "a session of the old token ends")
		_, err = s.p.Authenticate(t.Context(), bystander.Token)
		assert.NoError(t, err, "sessions of other links stay")
		after, err := s.p.SignInWithAccessLink(t.Context(), refreshed.Token)
		require.NoError(t, err)

		disabled, err := s.p.DisableAccessLink(agent, c.ID, sec.Link.ID)
		require.NoError(t, err)
		assert.Equal(t, s.clock.Now(), disabled.DisabledAt)
		_, err = s.p.SignInWithAccessLink(t.Context(), refreshed.Token)
		assertCode(t, portalerr.Unauthenticated, err, "a disabled link")
		s.assertUnauthenticated(t, after.Token, "its sessions end")
		l, err := s.p.ListAccessLinks(s.owner, c.ID, portal.ListAccessLinksParams{MembershipID: ada.ID})
		require.NoError(t, err)
		require.Len(t, l.Items, 2)
		assert.Equal(t, disabled.DisabledAt, l.Items[0].DisabledAt)

		again, err := s.p.RefreshAccessLink(s.owner, c.ID, sec.Link.ID)
		require.NoError(t, err)
		assert.True(t, again.Link.DisabledAt.IsZero(), "refreshing enables")
		_, err = s.p.SignInWithAccessLink(t.Context(), again.Token)
		assert.NoError(t, err)

		foreign := s.createCustomer(t, "Globex")
		s.allowAccessLinks(t, foreign.ID)
		_, err = s.p.RefreshAccessLink(s.owner, foreign.ID, sec.Link.ID)
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.DisableAccessLink(s.owner, foreign.ID, sec.Link.ID)
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.DisableAccessLink(as(t, ada), c.ID, sec.Link.ID)
		assertCode(t, portalerr.PermissionDenied, err)

		var got [][2]string
		for _, e := range s.auditOf(t, string(sec.Link.ID)) {
			got = append(got, [2]string{e.Action, e.Actor})
			assert.Equal(t, c.ID, e.CustomerID)
		}
		assert.Equal(t, [][2]string{
			{"access_link.created", "staff:stf_owner"},
			{"access_link.refreshed", "staff:stf_agent"},
			{"access_link.disabled", "staff:stf_agent"},
			{"access_link.refreshed", "staff:stf_owner"},
		}, got, "refused calls are not recorded")
	})
}

func TestAccessLinkExpiry(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.allowAccessLinks(t, c.ID)
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		sec, err := s.p.CreateAccessLink(s.owner, c.ID, ada.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)

		s.clock.Advance(invite.DefaultAccessLinkTTL - time.Hour)
		in, err := s.p.SignInWithAccessLink(t.Context(), sec.Token)
		require.NoError(t, err, "an hour before the end")
		assert.Equal(t, sec.Link.ExpiresAt, in.Session.ExpiresAt, "the session ends with the link")

		s.clock.Advance(time.Hour - time.Second)
		_, err = s.p.SignInWithAccessLink(t.Context(), sec.Token)
		require.NoError(t, err, "a second before the end")
		_, err = s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)

		s.clock.Advance(time.Second)
		_, err = s.p.SignInWithAccessLink(t.Context(), sec.Token)
		assertCode(t, portalerr.Unauthenticated, err, "after six months")
		s.assertUnauthenticated(t, in.Token, "its session ends with it")
	})
}

func TestAccessLinkSessionLimits(t *testing.T) {
	t.Parallel()
	for _, readOnly := range []bool{false, true} {
		t.Run(map[bool]string{false: "full", true: "read-only"}[readOnly], func(t *testing.T) {
			eachSignInBackend(t, func(t *testing.T, s signInEnv) {
				acme := s.createCustomer(t, "Acme")
				s.allowAccessLinks(t, acme.ID)
				ada := s.addMember(t, acme.ID, "ada@example.com", customer.RoleAdmin)
				globex := s.createCustomer(t, "Globex")
				inGlobex := s.addMember(t, globex.ID, "ada@example.com", customer.RoleAdmin)

				sec, err := s.p.CreateAccessLink(s.owner, acme.ID, ada.ID, portal.CreateAccessLinkParams{ReadOnly: readOnly})
				require.NoError(t, err)
				in, err := s.p.SignInWithAccessLink(t.Context(), sec.Token)
				require.NoError(t, err)
				ctx := s.authed(t, in.Token)

				err = s.p.SetPassword(ctx, portal.SetPasswordParams{New: "quiet harbour lanterns"})
				assertCode(t, portalerr.PermissionDenied, err, "an access link must not become a full login")
				_, err = s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@example.com", Password: "quiet harbour lanterns"})
				assertCode(t, portalerr.Unauthenticated, err, "no password was set")

				_, err = s.p.SwitchMembership(ctx, inGlobex.ID)
				assertCode(t, portalerr.FailedPrecondition, err, "the session is bound to the link's membership")
				who, err := s.p.Authenticate(t.Context(), in.Token)
				require.NoError(t, err)
				assert.Equal(t, acme.ID, who.CustomerID, "still acting in Acme")
			})
		})
	}

	t.Run("membership disabled", func(t *testing.T) {
		eachSignInBackend(t, func(t *testing.T, s signInEnv) {
			c := s.createCustomer(t, "Acme")
			s.allowAccessLinks(t, c.ID)
			s.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
			vic := s.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer)
			sec, err := s.p.CreateAccessLink(s.owner, c.ID, vic.ID, portal.CreateAccessLinkParams{})
			require.NoError(t, err)
			in, err := s.p.SignInWithAccessLink(t.Context(), sec.Token)
			require.NoError(t, err)

			_, err = s.p.DisableMember(s.owner, c.ID, vic.ID)
			require.NoError(t, err)
			_, err = s.p.SignInWithAccessLink(t.Context(), sec.Token)
			assertCode(t, portalerr.Unauthenticated, err)
			s.assertUnauthenticated(t, in.Token)

			_, err = s.p.EnableMember(s.owner, c.ID, vic.ID)
			require.NoError(t, err)
			_, err = s.p.SignInWithAccessLink(t.Context(), sec.Token)
			assert.NoError(t, err, "the link works again with the membership")
		})
	})
}
