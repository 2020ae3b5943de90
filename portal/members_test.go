package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

func TestAddMember(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		first := e.addMember(t, c.ID, "Ada@Acme.example", customer.RoleViewer)
		assert.Equal(t, customer.RoleAdmin, first.Role, "the first member becomes admin whatever was asked")
		assert.Equal(t, "ada@acme.example", first.User.Email, "e-mail is normalised")
		second := e.addMember(t, c.ID, "bob@acme.example", customer.RoleViewer)
		assert.Equal(t, customer.RoleViewer, second.Role)

		_, err := e.p.AddMember(e.owner, c.ID, portal.AddMemberParams{Email: "ADA@acme.example", Name: "Ada", Role: customer.RoleViewer})
		assertCode(t, portalerr.AlreadyExists, err, "e-mail compared case-insensitively")

		_, err = e.p.AddMember(e.owner, c.ID, portal.AddMemberParams{Email: "nope", Name: "", Role: "boss"})
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"email", "name", "role"}, fieldsOf(err), "every bad field at once")

		other := e.createCustomer(t, "Globex")
		foreign := e.createSite(t, other.ID, "Globex HQ")
		_, err = e.p.AddMember(e.owner, c.ID, portal.AddMemberParams{Email: "carl@acme.example", Name: "Carl", Role: customer.RoleViewer,
			SiteIDs: []customer.SiteID{foreign.ID}})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"site_ids[0]"}, fieldsOf(err))

		t.Run("one user in several customers", func(t *testing.T) {
			m := e.addMember(t, other.ID, "ada@acme.example", customer.RoleMaintainer)
			assert.Equal(t, first.User.ID, m.User.ID, "the same user")
			assert.Equal(t, customer.RoleAdmin, m.Role, "first member of Globex")
			_, err := e.p.GetCustomer(as(t, m), other.ID)
			require.NoError(t, err)
			_, err = e.p.GetCustomer(as(t, m), c.ID)
			assertCode(t, portalerr.NotFound, err, "a membership acts for its own customer only")
		})

		l, err := e.p.ListMembers(e.owner, c.ID, portal.ListMembersParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 2, "failed adds wrote nothing")
		assert.Equal(t, first.ID, l.Items[0].ID)
		assert.Equal(t, "bob@acme.example", l.Items[1].User.Email)
		l, err = e.p.ListMembers(e.owner, c.ID, portal.ListMembersParams{Role: customer.RoleViewer})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, second.ID, l.Items[0].ID)
	})
}

func TestLastAdminRule(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		ada := e.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		bob := e.addMember(t, c.ID, "bob@acme.example", customer.RoleViewer)

		_, err := e.p.ChangeRole(e.owner, c.ID, ada.ID, portal.ChangeRoleParams{Role: customer.RoleViewer})
		assertCode(t, portalerr.FailedPrecondition, err, "demote the last admin")
		_, err = e.p.DisableMember(e.owner, c.ID, ada.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "disable the last admin")
		err = e.p.RemoveMember(as(t, ada), c.ID, ada.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "remove the last admin, even oneself")

		got, err := e.p.GetMember(e.owner, c.ID, ada.ID)
		require.NoError(t, err)
		assert.Equal(t, ada.Membership, got.Membership, "nothing changed")

		// With a second admin, the first may step down.
		_, err = e.p.ChangeRole(as(t, ada), c.ID, bob.ID, portal.ChangeRoleParams{Role: customer.RoleAdmin, Version: bob.Version + 1})
		assertCode(t, portalerr.Conflict, err, "a stale version")
		_, err = e.p.ChangeSites(e.owner, c.ID, bob.ID, portal.ChangeSitesParams{Version: bob.Version + 1})
		assertCode(t, portalerr.Conflict, err, "a stale version")
		_, err = e.p.ChangeRole(as(t, ada), c.ID, bob.ID, portal.ChangeRoleParams{Role: customer.RoleAdmin, Version: bob.Version})
		require.NoError(t, err)
		down, err := e.p.ChangeRole(as(t, ada), c.ID, ada.ID, portal.ChangeRoleParams{Role: customer.RoleMaintainer})
		require.NoError(t, err)
		assert.Equal(t, customer.RoleMaintainer, down.Role)
		_, err = e.p.ListMembers(as(t, ada), c.ID, portal.ListMembersParams{})
		assertCode(t, portalerr.PermissionDenied, err, "a demoted admin loses admin rights at once")

		// A disabled admin does not count: bob is now the only active admin.
		_, err = e.p.DisableMember(e.owner, c.ID, bob.ID)
		assertCode(t, portalerr.FailedPrecondition, err)
		_, err = e.p.ChangeRole(e.owner, c.ID, ada.ID, portal.ChangeRoleParams{Role: customer.RoleAdmin})
		require.NoError(t, err)
		disabled, err := e.p.DisableMember(e.owner, c.ID, bob.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.MembershipDisabled, disabled.Status)
		_, err = e.p.GetCustomer(as(t, bob), c.ID)
		assertCode(t, portalerr.PermissionDenied, err, "a disabled membership is refused")
		assertCode(t, portalerr.FailedPrecondition, e.p.RemoveMember(e.owner, c.ID, ada.ID))

		enabled, err := e.p.EnableMember(e.owner, c.ID, bob.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.MembershipActive, enabled.Status)
		require.NoError(t, e.p.RemoveMember(e.owner, c.ID, ada.ID))
		_, err = e.p.GetCustomer(as(t, ada), c.ID)
		assertCode(t, portalerr.Unauthenticated, err, "a removed membership no longer works")
		_, err = e.p.GetMember(e.owner, c.ID, ada.ID)
		assertCode(t, portalerr.NotFound, err)
	})
}

func TestSiteLimitedMembers(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		north := e.createSite(t, c.ID, "North")
		south := e.createSite(t, c.ID, "South")
		e.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		northAdmin := e.addMember(t, c.ID, "nora@acme.example", customer.RoleAdmin, north.ID, north.ID)
		assert.Equal(t, []customer.SiteID{north.ID}, northAdmin.SiteIDs, "duplicates dropped")
		viewer := e.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer, north.ID)
		everywhere := e.addMember(t, c.ID, "eve@acme.example", customer.RoleViewer)

		l, err := e.p.ListSites(as(t, viewer), c.ID, portal.ListSitesParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, north.ID, l.Items[0].ID, "a site-limited member sees its sites only")
		_, err = e.p.GetSite(as(t, viewer), c.ID, south.ID)
		assertCode(t, portalerr.NotFound, err)
		l, err = e.p.ListSites(as(t, everywhere), c.ID, portal.ListSitesParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 2)

		nora := as(t, northAdmin)
		_, err = e.p.ChangeSites(nora, c.ID, viewer.ID, portal.ChangeSitesParams{SiteIDs: []customer.SiteID{north.ID, south.ID}})
		assertCode(t, portalerr.PermissionDenied, err, "cannot grant a site one is not responsible for")
		_, err = e.p.ChangeSites(nora, c.ID, viewer.ID, portal.ChangeSitesParams{})
		assertCode(t, portalerr.PermissionDenied, err, "cannot grant all sites")
		_, err = e.p.DisableMember(nora, c.ID, everywhere.ID)
		assertCode(t, portalerr.PermissionDenied, err, "cannot manage a member reaching beyond one's sites")

		moved, err := e.p.ChangeSites(e.owner, c.ID, viewer.ID, portal.ChangeSitesParams{SiteIDs: []customer.SiteID{south.ID}})
		require.NoError(t, err)
		assert.Equal(t, []customer.SiteID{south.ID}, moved.SiteIDs)
		_, err = e.p.GetSite(as(t, viewer), c.ID, south.ID)
		require.NoError(t, err, "new sites apply at once")
	})
}
