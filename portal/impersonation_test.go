package portal_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

func TestImpersonation(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		staff, in := s.staffSignIn(t, s.owner, "sam@provider.example", identity.StaffAdmin)
		agent, _ := s.staffSignIn(t, s.owner, "abe@provider.example", identity.StaffAgent)
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		params := portal.StartImpersonationParams{MembershipID: ada.ID, Reason: "ticket T-42: cannot invite"}

		_, err := s.p.StartImpersonation(agent, c.ID, params)
		assertCode(t, portalerr.PermissionDenied, err, "agents may not")
		key := identity.NewContext(t.Context(), identity.APIKeyPrincipal("key_1", identity.StaffOwner))
		_, err = s.p.StartImpersonation(key, c.ID, params)
		assertCode(t, portalerr.PermissionDenied, err, "API keys may not: a person answers for it")
		_, err = s.p.StartImpersonation(staff, c.ID, portal.StartImpersonationParams{MembershipID: ada.ID})
		assertCode(t, portalerr.Invalid, err, "a reason is required")

		// Read-only by default.
		imp, err := s.p.StartImpersonation(staff, c.ID, params)
		require.NoError(t, err)
		assert.True(t, imp.Impersonation.ReadOnly)
		assert.Equal(t, s.clock.Now().Add(identity.MaxImpersonation).UTC(), imp.Session.ExpiresAt)
		actingAs := s.authed(t, imp.Token)
		who, _ := identity.FromContext(actingAs)
		assert.Equal(t, in.Staff.ID, who.Impersonator)
		assert.Equal(t, "staff:"+string(in.Staff.ID)+" as user:"+string(ada.UserID), who.Actor())
		_, err = s.p.ListMembers(actingAs, c.ID, portal.ListMembersParams{})
		assertCode(t, portalerr.PermissionDenied, err, "read-only: viewer rights")
		_, err = s.p.GetCustomer(actingAs, c.ID)
		require.NoError(t, err, "reads work")
		s.clock.Advance(identity.MaxImpersonation)
		s.assertUnauthenticated(t, imp.Token, "it ends after 15 minutes")

		// With writes: changes are recorded as both people.
		params.Write = true
		imp, err = s.p.StartImpersonation(staff, c.ID, params)
		require.NoError(t, err)
		actingAs = s.authed(t, imp.Token)
		inv, err := s.p.Invite(actingAs, c.ID, portal.InviteParams{Email: "new@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err)
		assert.Equal(t, "staff:"+string(in.Staff.ID)+" as user:"+string(ada.UserID), inv.InvitedBy)
		err = s.p.SetPassword(actingAs, portal.SetPasswordParams{New: "correct horse battery staple"})
		assertCode(t, portalerr.PermissionDenied, err, "the person's own account stays its own")
		_, err = s.p.SwitchMembership(actingAs, ada.ID)
		assertCode(t, portalerr.PermissionDenied, err)
		me, err := s.p.Me(actingAs)
		require.NoError(t, err, "Me works, for the banner")
		assert.Equal(t, in.Staff.ID, me.Principal.Impersonator)
		assert.Equal(t, in.Staff.ID, me.Impersonator.ID, "the banner names the staff member")
		assert.Equal(t, "sam@provider.example", me.Impersonator.Email)
		plain, err := s.p.Me(as(t, ada))
		require.NoError(t, err)
		assert.Empty(t, plain.Impersonator.ID, "nobody stands behind the member's own session")

		// The customer's admin sees it.
		list, err := s.p.ListImpersonations(as(t, ada), c.ID, portal.ListImpersonationsParams{})
		require.NoError(t, err)
		require.Len(t, list.Items, 2)
		assert.Equal(t, imp.Impersonation.ID, list.Items[0].ID, "newest first")
		assert.Equal(t, in.Staff.ID, list.Items[0].StaffID)
		assert.Equal(t, "ticket T-42: cannot invite", list.Items[0].Reason)
		assert.False(t, list.Items[0].ReadOnly)

		// Leaving ends it for the record.
		require.NoError(t, s.p.Logout(actingAs))
		s.assertUnauthenticated(t, imp.Token)
		list, err = s.p.ListImpersonations(s.owner, c.ID, portal.ListImpersonationsParams{})
		require.NoError(t, err)
		assert.False(t, list.Items[0].EndedAt.IsZero())

		// The customer's admin forbids it: the next one is refused, and one
		// under way ends.
		imp, err = s.p.StartImpersonation(staff, c.ID, params)
		require.NoError(t, err)
		err = s.p.SetImpersonationForbidden(staff, c.ID, true)
		assertCode(t, portalerr.PermissionDenied, err, "staff cannot decide it for the customer")
		require.NoError(t, s.p.SetImpersonationForbidden(as(t, ada), c.ID, true))
		forbidden, err := s.p.ImpersonationForbidden(s.owner, c.ID)
		require.NoError(t, err)
		assert.True(t, forbidden)
		s.assertUnauthenticated(t, imp.Token, "forbidding ends the one under way")
		_, err = s.p.StartImpersonation(staff, c.ID, params)
		assertCode(t, portalerr.PermissionDenied, err)

		var actions []string
		for _, e := range s.auditOf(t, string(c.ID)) {
			actions = append(actions, e.Action)
		}
		assert.Contains(t, actions, "impersonation.forbidden")
	})
}

// TestImpersonatedRequestsAreRecorded checks that every request of an
// impersonation, reads too, is recorded as "staff X as user Y" with the
// request's method, route, path and ID, about the impersonation; that the
// customer's admins and staff find it; and that nothing is recorded for
// anybody else.
func TestImpersonatedRequestsAreRecorded(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		staff, in := s.staffSignIn(t, s.owner, "sam@provider.example", identity.StaffAdmin)
		c := s.createCustomer(t, "Acme")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		imp, err := s.p.StartImpersonation(staff, c.ID, portal.StartImpersonationParams{MembershipID: ada.ID, Reason: "ticket T-42"})
		require.NoError(t, err)
		actingAs := portal.WithRequestID(s.authed(t, imp.Token), "req-read-1")

		long := "/v1/customers/" + string(c.ID) + "/" + strings.Repeat("x", 2000)
		require.NoError(t, s.p.RecordImpersonatedRequest(actingAs, "GET", "GET /v1/customers/{customerId}/orders", long))
		events, err := s.p.ListCustomerAuditEvents(as(t, ada), c.ID, portal.ListAuditEventsParams{Action: portal.ActionImpersonatedRequest})
		require.NoError(t, err)
		require.Len(t, events.Items, 1, "the customer's admin sees the read")
		ev := events.Items[0]
		assert.Equal(t, "user:"+string(ada.UserID), ev.Actor)
		assert.Equal(t, "staff:"+string(in.Staff.ID), ev.Impersonator)
		assert.Equal(t, string(imp.Impersonation.ID), ev.ObjectID, "about the impersonation")
		assert.Equal(t, c.ID, ev.CustomerID)
		assert.Equal(t, "req-read-1", ev.RequestID)
		require.Len(t, ev.Changes, 3)
		assert.Equal(t, audit.Change{Field: "method", After: "GET"}, ev.Changes[0])
		assert.Equal(t, audit.Change{Field: "route", After: "GET /v1/customers/{customerId}/orders"}, ev.Changes[1])
		assert.Equal(t, "path", ev.Changes[2].Field)
		assert.Equal(t, long[:1000], ev.Changes[2].After, "a long path is cut")

		all, err := s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{Actor: "staff:" + string(in.Staff.ID), Action: portal.ActionImpersonatedRequest})
		require.NoError(t, err)
		assert.Len(t, all.Items, 1, "staff find it by the staff member")

		// Nobody else's requests are recorded.
		for name, ctx := range map[string]context.Context{"the member": as(t, ada), "staff": staff, "no principal": t.Context()} {
			require.NoError(t, s.p.RecordImpersonatedRequest(ctx, "GET", "GET /v1/me", "/v1/me"), name)
		}
		all, err = s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{Action: portal.ActionImpersonatedRequest})
		require.NoError(t, err)
		assert.Len(t, all.Items, 1, "only the impersonation's request")
	})
}
