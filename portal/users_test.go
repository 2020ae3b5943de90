package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

func TestDisableUserKeepsAnAdmin(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		in := s.signIn(t, ada)

		_, err := s.p.DisableUser(s.owner, ada.UserID)
		assertCode(t, portalerr.FailedPrecondition, err, "the last active admin")
		_, err = s.p.GetCustomer(as(t, ada), c.ID)
		assert.NoError(t, err, "still active")
		_, err = s.p.Authenticate(t.Context(), in.Token)
		assert.NoError(t, err, "the session stays")

		bea := s.addMember(t, c.ID, "bea@acme.example", customer.RoleAdmin)
		u, err := s.p.DisableUser(s.owner, ada.UserID)
		require.NoError(t, err, "another admin remains")
		assert.Equal(t, customer.UserDisabled, u.Status)

		_, err = s.p.DisableUser(s.owner, bea.UserID)
		assertCode(t, portalerr.FailedPrecondition, err, "ada's admin membership belongs to a disabled user: bea is the last working admin")
		_, err = s.p.GetCustomer(as(t, bea), c.ID)
		assert.NoError(t, err)
	})
}

func TestDisableAndEnableUser(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme := s.createCustomer(t, "Acme")
		s.addMember(t, acme.ID, "boss@acme.example", customer.RoleAdmin)
		vic := s.addMember(t, acme.ID, "vic@example.com", customer.RoleViewer)
		globex := s.createCustomer(t, "Globex")
		s.addMember(t, globex.ID, "boss@globex.example", customer.RoleAdmin)
		vicGlobex := s.addMember(t, globex.ID, "vic@example.com", customer.RoleMaintainer)
		in := s.signIn(t, vic)
		inGlobex := s.signIn(t, vicGlobex)

		u, err := s.p.DisableUser(s.owner, vic.UserID)
		require.NoError(t, err)
		assert.Equal(t, customer.UserDisabled, u.Status)
		_, err = s.p.GetCustomer(as(t, vic), acme.ID)
		assertCode(t, portalerr.PermissionDenied, err, "refused in every customer")
		_, err = s.p.GetCustomer(as(t, vicGlobex), globex.ID)
		assertCode(t, portalerr.PermissionDenied, err, "refused in every customer")
		s.assertUnauthenticated(t, in.Token)
		s.assertUnauthenticated(t, inGlobex.Token)
		require.NoError(t, s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "vic@example.com"}))
		assert.Equal(t, 2, s.noticesTo("vic@example.com"), "no login link for a disabled user")

		again, err := s.p.DisableUser(s.owner, vic.UserID)
		require.NoError(t, err, "disabling twice is no error")
		assert.Equal(t, customer.UserDisabled, again.Status)

		u, err = s.p.EnableUser(s.owner, vic.UserID)
		require.NoError(t, err)
		assert.Equal(t, customer.UserActive, u.Status)
		_, err = s.p.GetCustomer(as(t, vic), acme.ID)
		assert.NoError(t, err, "let in again")
		s.assertUnauthenticated(t, in.Token, "ended sessions stay ended")
		fresh := s.signIn(t, vic)
		_, err = s.p.Authenticate(t.Context(), fresh.Token)
		assert.NoError(t, err, "and may sign in")

		agent := portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent))
		boss := s.addMember(t, acme.ID, "boss2@acme.example", customer.RoleAdmin)
		_, err = s.p.DisableUser(agent, vic.UserID)
		assertCode(t, portalerr.PermissionDenied, err, "staff agents may not")
		_, err = s.p.DisableUser(as(t, boss), vic.UserID)
		assertCode(t, portalerr.PermissionDenied, err, "customer admins may not")
		_, err = s.p.EnableUser(as(t, boss), vic.UserID)
		assertCode(t, portalerr.PermissionDenied, err)
		_, err = s.p.GetCustomer(as(t, vic), acme.ID)
		assert.NoError(t, err, "refused calls changed nothing")

		_, err = s.p.DisableUser(s.owner, "usr_missing")
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.EnableUser(s.owner, "usr_missing")
		assertCode(t, portalerr.NotFound, err)
	})
}

func TestUpdateMyAccount(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleViewer)
		ctx := as(t, ada)

		u, err := s.p.UpdateMyAccount(ctx, portal.UpdateMyAccountParams{Name: "Ada L.", Locale: "de"})
		require.NoError(t, err)
		assert.Equal(t, "Ada L.", u.Name)
		assert.Equal(t, "de", u.Locale)
		me, err := s.p.Me(ctx)
		require.NoError(t, err)
		assert.Equal(t, "Ada L.", me.User.Name)
		assert.Equal(t, "de", me.User.Locale)

		for _, bad := range []portal.UpdateMyAccountParams{
			{Name: ""},
			{Name: "Ada\nL."},
			{Name: "Ada", Locale: "not a language!"},
		} {
			_, err := s.p.UpdateMyAccount(ctx, bad)
			assertCode(t, portalerr.Invalid, err, "%+v", bad)
		}
		me, err = s.p.Me(ctx)
		require.NoError(t, err)
		assert.Equal(t, "Ada L.", me.User.Name, "nothing changed")

		_, err = s.p.UpdateMyAccount(portaltest.Owner(t.Context()), portal.UpdateMyAccountParams{Name: "Staff"})
		assertCode(t, portalerr.PermissionDenied, err, "staff have no customer account")
	})
}
