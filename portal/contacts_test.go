package portal_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

func janeParams() portal.ContactParams {
	return portal.ContactParams{Name: "Jane Doe", Email: "Jane@Acme.example", Phone: "+49 30 1", JobTitle: "Buyer", Notes: "Fridays",
		Addresses: []customer.ContactAddress{
			{Label: "Office", Address: customer.Address{Line1: "Hauptstraße 1", City: "Berlin", Country: "DE"}, Primary: true},
			{Label: "Delivery", Address: customer.Address{Line1: "Hafen 2", City: "Hamburg", Country: "de"}},
		}}
}

func TestContactsKeptApartFromUsers(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme, globex := s.createCustomer(t, "Acme"), s.createCustomer(t, "Globex")
		admin := s.addMember(t, acme.ID, "admin@acme.example", customer.RoleAdmin)
		maint := s.addMember(t, acme.ID, "max@acme.example", customer.RoleMaintainer)
		adminCtx := as(t, admin)

		c, err := s.p.CreateContact(adminCtx, acme.ID, janeParams())
		require.NoError(t, err)
		assert.Equal(t, "jane@acme.example", c.Email)
		assert.Equal(t, "DE", c.Addresses[1].Address.Country)
		_, err = s.p.CreateContact(as(t, maint), acme.ID, janeParams())
		assertCode(t, portalerr.PermissionDenied, err, "a maintainer keeps no contacts")
		_, err = s.p.GetContact(s.owner, globex.ID, c.ID)
		assertCode(t, portalerr.NotFound, err, "under another customer")

		bad := janeParams()
		bad.Addresses[1].Primary = true
		_, err = s.p.CreateContact(adminCtx, acme.ID, bad)
		assertCode(t, portalerr.Invalid, err, "two primary addresses")

		p := janeParams()
		p.Name = "Jane Smith"
		p.Addresses = p.Addresses[1:]
		p.Addresses[0].Primary = false
		up, err := s.p.UpdateContact(s.owner, acme.ID, c.ID, portal.UpdateContactParams{Version: c.Version, ContactParams: p})
		require.NoError(t, err)
		assert.Equal(t, "Jane Smith", up.Name)
		assert.True(t, up.Addresses[0].Primary, "the one address left is primary")
		_, err = s.p.UpdateContact(s.owner, acme.ID, c.ID, portal.UpdateContactParams{Version: c.Version, ContactParams: p})
		assertCode(t, portalerr.Conflict, err)

		l, err := s.p.ListContacts(adminCtx, acme.ID, portal.ListContactsParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1)
		members, err := s.p.ListMembers(s.owner, acme.ID, portal.ListMembersParams{})
		require.NoError(t, err)
		assert.Len(t, members.Items, 2, "a contact is no user")

		require.NoError(t, s.p.DeleteContact(adminCtx, acme.ID, c.ID))
		_, err = s.p.GetContact(adminCtx, acme.ID, c.ID)
		assertCode(t, portalerr.NotFound, err)
	})
}

func TestContactPortalAccessInvitesAndLinks(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme := s.createCustomer(t, "Acme")
		admin := s.addMember(t, acme.ID, "admin@acme.example", customer.RoleAdmin)
		c, err := s.p.CreateContact(s.owner, acme.ID, janeParams())
		require.NoError(t, err)
		got, err := s.p.EnableContactPortalAccess(as(t, admin), acme.ID, c.ID, portal.ContactAccessParams{Role: customer.RoleViewer, Message: "Hi Jane"})
		require.NoError(t, err)
		assert.NotEmpty(t, got.InvitationID)
		assert.Empty(t, got.UserID, "not until she accepts")
		n := s.lastNotice(t, "jane@acme.example")
		require.Equal(t, portal.NotifyInvitation, n.Kind)
		in := s.accept(t, n.Token, "Jane Doe")
		got, err = s.p.GetContact(s.owner, acme.ID, c.ID)
		require.NoError(t, err)
		assert.Equal(t, in.Membership.UserID, got.UserID, "the contact is linked to the user it became")
		_, err = s.p.EnableContactPortalAccess(s.owner, acme.ID, c.ID, portal.ContactAccessParams{Role: customer.RoleViewer})
		assertCode(t, portalerr.FailedPrecondition, err, "linked already")

		// A contact whose address is a member already is linked at once.
		max := s.addMember(t, acme.ID, "max@acme.example", customer.RoleMaintainer)
		p := janeParams()
		p.Email = "max@acme.example"
		mc, err := s.p.CreateContact(s.owner, acme.ID, p)
		require.NoError(t, err)
		mc, err = s.p.EnableContactPortalAccess(s.owner, acme.ID, mc.ID, portal.ContactAccessParams{Role: customer.RoleViewer})
		require.NoError(t, err)
		assert.Equal(t, max.User.ID, mc.UserID)
		assert.Empty(t, mc.InvitationID)

		p.Email = ""
		nc, err := s.p.CreateContact(s.owner, acme.ID, p)
		require.NoError(t, err)
		_, err = s.p.EnableContactPortalAccess(s.owner, acme.ID, nc.ID, portal.ContactAccessParams{Role: customer.RoleViewer})
		assertCode(t, portalerr.FailedPrecondition, err, "no address")
	})
}

func TestStaffCorrectUserNameAndEmail(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		acme := s.createCustomer(t, "Acme")
		m := s.addMember(t, acme.ID, "ann@acme.example", customer.RoleViewer)
		other := s.addMember(t, acme.ID, "bob@acme.example", customer.RoleViewer)
		u := m.User
		out, err := s.p.UpdateUser(s.owner, u.ID, portal.UpdateUserParams{Version: u.Version, Name: ptr("Ann Example-Smith"), Email: ptr("Ann@New.example")})
		require.NoError(t, err)
		assert.Equal(t, "Ann Example-Smith", out.User.Name, "the name at once")
		assert.Equal(t, "ann@acme.example", out.User.Email, "the address only once confirmed")
		assert.Equal(t, "ann@new.example", out.PendingEmail)
		pending, err := s.p.PendingEmailChange(s.owner, u.ID)
		require.NoError(t, err)
		assert.Equal(t, "ann@new.example", pending)

		n := s.lastNotice(t, "ann@new.example")
		require.Equal(t, portal.NotifyEmailChange, n.Kind)
		assert.Contains(t, n.Link, "/confirm-email?token=")
		require.NoError(t, s.p.ConfirmEmailChange(t.Context(), n.Token))
		assertCode(t, portalerr.NotFound, s.p.ConfirmEmailChange(t.Context(), n.Token), "the link works once")
		got, err := s.p.GetMember(s.owner, acme.ID, m.ID)
		require.NoError(t, err)
		assert.Equal(t, "ann@new.example", got.User.Email)

		_, err = s.p.UpdateUser(s.owner, other.User.ID, portal.UpdateUserParams{Version: other.User.Version, Email: ptr("ann@new.example")})
		assertCode(t, portalerr.AlreadyExists, err, "another user's address")
		_, err = s.p.UpdateUser(s.owner, u.ID, portal.UpdateUserParams{Version: u.Version, Name: ptr("Stale")})
		assertCode(t, portalerr.Conflict, err)
		_, err = s.p.UpdateUser(as(t, m), u.ID, portal.UpdateUserParams{Version: got.User.Version, Name: ptr("Me")})
		assertCode(t, portalerr.PermissionDenied, err)
	})
}
