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
	"github.com/portalkit/portalkit/storage"
)

// requestReset asks for a customer user's password reset and returns the
// token its mail carried.
func (s signInEnv) requestReset(t *testing.T, email string) string {
	t.Helper()
	before := s.noticesTo(email)
	require.NoError(t, s.p.RequestPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: email}))
	require.Equal(t, before+1, s.noticesTo(email), "a reset link was sent to %s", email)
	n := s.lastNotice(t, email)
	require.Equal(t, portal.NotifyPasswordReset, n.Kind)
	return n.Token
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		old := s.signIn(t, ada)

		require.NoError(t, s.p.RequestPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: "nobody@acme.example"}),
			"an unknown address answers the same")
		assert.Zero(t, s.noticesTo("nobody@acme.example"), "and nothing is sent")
		assertCode(t, portalerr.Invalid, s.p.RequestPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: "not an address"}))

		require.NoError(t, s.p.RequestPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: " ADA@acme.example "}))
		n := s.lastNotice(t, "ada@acme.example")
		assert.Equal(t, portal.NotifyPasswordReset, n.Kind)
		assert.True(t, invite.HasPrefix(n.Token, invite.PrefixPasswordReset), "token %q", n.Token)
		assert.Equal(t, portaltest.PublicURL+"/reset-password?token="+n.Token, n.Link)
		assert.Contains(t, n.Text, "expires at "+expires(s.clock.Now().Add(identity.PasswordResetTTL)))

		_, err := s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: n.Token, NewPassword: "password1"})
		assertCode(t, portalerr.Invalid, err, "a weak password")
		assert.Equal(t, []string{"new_password"}, fieldsOf(err))
		_, err = s.p.Authenticate(t.Context(), old.Token)
		require.NoError(t, err, "a refused reset ends nothing")

		const pw = "correct horse battery staple"
		got, err := s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: n.Token, NewPassword: pw})
		require.NoError(t, err, "the link survived the weak password")
		assert.Equal(t, portal.PasswordReset{UserID: ada.UserID, Email: "ada@acme.example"}, got)
		s.assertUnauthenticated(t, old.Token, "a reset ends the user's sessions")
		assert.Empty(t, s.sessions(t, storage.SessionFilter{UserID: ada.UserID}))

		in, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: pw})
		require.NoError(t, err, "the new password signs in")
		assert.Equal(t, ada.ID, in.Membership.ID)

		_, err = s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: n.Token, NewPassword: "another long phrase"})
		assertCode(t, portalerr.Unauthenticated, err, "a reset link works once")
		unknown, _ := invite.NewToken(invite.PrefixPasswordReset)
		login, _ := invite.NewToken(invite.PrefixLoginLink)
		for _, tok := range []string{unknown, login, "ppr_short"} {
			_, err = s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: tok, NewPassword: "another long phrase"})
			assertCode(t, portalerr.Unauthenticated, err, "token %q", tok)
		}

		events := s.auditOf(t, string(ada.UserID))
		require.NotEmpty(t, events)
		last := events[len(events)-1]
		assert.Equal(t, "user.password_reset", last.Action)
		assert.Equal(t, "user:"+string(ada.UserID), last.Actor)
	})
}

// TestPasswordResetEndsLockout checks that a reset lets a user locked out
// by wrong passwords in at once, with the new password.
func TestPasswordResetEndsLockout(t *testing.T) {
	t.Parallel()
	lenient := func(c *portal.Config) {
		c.RateLimits = portal.RateLimits{PerEmail: portal.Limit{N: 100, Window: time.Hour}, PerClient: portal.Limit{N: 100, Window: time.Hour}}
	}
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		ctx := s.authed(t, s.signIn(t, ada).Token)
		require.NoError(t, s.p.SetPassword(ctx, portal.SetPasswordParams{New: "first long phrase"}))
		for range 5 {
			_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: "wrong long phrase"})
			require.Error(t, err)
		}
		_, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: "first long phrase"})
		assertCode(t, portalerr.RateLimited, err, "locked")

		_, err = s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: s.requestReset(t, "ada@acme.example"), NewPassword: "second long phrase"})
		require.NoError(t, err)
		_, err = s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: "second long phrase"})
		assert.NoError(t, err, "the reset ended the lockout")
	}, lenient)
}

func TestPasswordResetExpiry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		after time.Duration
		ok    bool
	}{
		{identity.PasswordResetTTL - time.Second, true},
		{identity.PasswordResetTTL, false},
	} {
		t.Run(tc.after.String(), func(t *testing.T) {
			eachSignInBackend(t, func(t *testing.T, s signInEnv) {
				c := s.createCustomer(t, "Acme")
				s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
				token := s.requestReset(t, "ada@acme.example")
				s.clock.Advance(tc.after)
				_, err := s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: token, NewPassword: "correct horse battery staple"})
				if tc.ok {
					assert.NoError(t, err)
				} else {
					assertCode(t, portalerr.Unauthenticated, err)
				}
			})
		})
	}
}

// TestPasswordResetSupersededAndRefused checks that a newer link ends the
// older one, and that disabled users get no link and cannot use one.
func TestPasswordResetSupersededAndRefused(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		bob := s.addMember(t, c.ID, "bob@acme.example", customer.RoleViewer)
		first := s.requestReset(t, "ada@acme.example")
		second := s.requestReset(t, "ada@acme.example")
		_, err := s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: first, NewPassword: "correct horse battery staple"})
		assertCode(t, portalerr.Unauthenticated, err, "the newer link ends the older")
		_, err = s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: second, NewPassword: "correct horse battery staple"})
		assert.NoError(t, err)

		token := s.requestReset(t, "bob@acme.example")
		_, err = s.p.DisableUser(s.owner, bob.UserID)
		require.NoError(t, err)
		_, err = s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: token, NewPassword: "correct horse battery staple"})
		assertCode(t, portalerr.Unauthenticated, err, "a disabled user's link")
		require.NoError(t, s.p.RequestPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: "bob@acme.example"}))
		assert.Equal(t, 1, s.noticesTo("bob@acme.example"), "a disabled user gets no new link")
	})
}

func TestPasswordResetRateLimited(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		req := portal.RequestPasswordResetParams{Email: "nobody@acme.example", ClientAddr: "192.0.2.1:1234"}
		for range portal.DefaultRateLimits.PerEmail.N {
			require.NoError(t, s.p.RequestPasswordReset(t.Context(), req))
		}
		err := s.p.RequestPasswordReset(t.Context(), req)
		assertCode(t, portalerr.RateLimited, err, "unknown addresses are limited alike")
		assert.Positive(t, retryAfter(err))
		assert.NoError(t, s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: req.Email}),
			"resets count apart from login links")
	})
}

func TestStaffPasswordReset(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		_, in := s.staffSignIn(t, s.owner, "ann@provider.example", identity.StaffAdmin)
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)

		require.NoError(t, s.p.RequestStaffPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: "ada@acme.example"}))
		assert.Zero(t, s.noticesTo("ada@acme.example"), "a customer user is no staff member")
		require.NoError(t, s.p.RequestPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: "ann@provider.example"}))
		assert.Equal(t, 1, s.noticesTo("ann@provider.example"), "nor a staff member a customer user (1: the invitation)")

		require.NoError(t, s.p.RequestStaffPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: "ANN@provider.example"}))
		n := s.lastNotice(t, "ann@provider.example")
		require.Equal(t, portal.NotifyStaffPasswordReset, n.Kind)
		assert.Equal(t, portaltest.PublicURL+"/console/reset-password?token="+n.Token, n.Link)

		const pw = "correct horse battery staple"
		got, err := s.p.ResetPassword(t.Context(), portal.ResetPasswordParams{Token: n.Token, NewPassword: pw})
		require.NoError(t, err)
		assert.Equal(t, portal.PasswordReset{StaffID: in.Staff.ID, Email: "ann@provider.example"}, got)
		s.assertUnauthenticated(t, in.Token, "a reset ends the member's sessions")
		si, err := s.p.SignInStaffWithPassword(t.Context(), portal.StaffPasswordSignInParams{Email: "ann@provider.example", Password: pw})
		require.NoError(t, err)
		assert.Equal(t, in.Staff.ID, si.Staff.ID)
		events := s.auditOf(t, string(in.Staff.ID))
		assert.Equal(t, "staff.password_reset", events[len(events)-1].Action)

		invited, _ := s.inviteStaff(t, s.owner, "sam@provider.example", identity.StaffAgent)
		require.NoError(t, s.p.RequestStaffPasswordReset(t.Context(), portal.RequestPasswordResetParams{Email: invited.Email}))
		assert.Equal(t, portal.NotifyStaffInvitation, s.lastNotice(t, invited.Email).Kind, "an invited member accepts its invitation instead")
	})
}
