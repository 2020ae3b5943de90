package portal_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// bootstrapOwner bootstraps s with a first owner, signs the owner in
// through the printed link and returns a context acting as the owner.
func (s signInEnv) bootstrapOwner(t *testing.T) (context.Context, portal.StaffSignIn) {
	t.Helper()
	b, err := s.p.Bootstrap(t.Context(), portal.BootstrapParams{OwnerEmail: "Owner@Provider.example"})
	require.NoError(t, err)
	require.True(t, invite.HasPrefix(b.OwnerLoginToken, invite.PrefixStaffInvitation), "owner token %q", b.OwnerLoginToken)
	in, err := s.p.SignInStaffWithLoginLink(t.Context(), b.OwnerLoginToken)
	require.NoError(t, err)
	return s.authed(t, in.Token), in
}

// inviteStaff invites a staff member as ctx and returns it with the token
// its invitation mail carried.
func (s signInEnv) inviteStaff(t *testing.T, ctx context.Context, email string, role identity.StaffRole) (identity.StaffMember, string) {
	t.Helper()
	m, err := s.p.InviteStaff(ctx, portal.InviteStaffParams{Email: email, Name: "Staff " + email, Role: role})
	require.NoError(t, err)
	n := s.lastNotice(t, m.Email)
	require.Equal(t, portal.NotifyStaffInvitation, n.Kind)
	return m, n.Token
}

// staffSignIn invites a staff member as ctx, redeems its invitation and
// returns a context acting through its session.
func (s signInEnv) staffSignIn(t *testing.T, ctx context.Context, email string, role identity.StaffRole) (context.Context, portal.StaffSignIn) {
	t.Helper()
	_, token := s.inviteStaff(t, ctx, email, role)
	in, err := s.p.SignInStaffWithLoginLink(t.Context(), token)
	require.NoError(t, err)
	return s.authed(t, in.Token), in
}

func TestInviteStaffAndSignIn(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		m, err := s.p.InviteStaff(s.owner, portal.InviteStaffParams{Email: " Ann@Provider.example ", Name: " Ann ", Role: identity.StaffAgent})
		require.NoError(t, err)
		assert.True(t, strings.HasPrefix(string(m.ID), "stf_"), "ID %s", m.ID)
		assert.Equal(t, "ann@provider.example", m.Email)
		assert.Equal(t, "Ann", m.Name)
		assert.Equal(t, identity.StaffInvited, m.Status)
		assert.Equal(t, "staff:stf_owner", m.InvitedBy)

		n := s.lastNotice(t, m.Email)
		assert.Equal(t, portal.NotifyStaffInvitation, n.Kind)
		assert.Equal(t, portaltest.PublicURL+"/console/accept?token="+n.Token, n.Link)
		assert.True(t, invite.HasPrefix(n.Token, invite.PrefixStaffInvitation))
		assert.Contains(t, n.Text, "Agent", "the role offered")

		_, err = s.p.InviteStaff(s.owner, portal.InviteStaffParams{Email: "ann@provider.example", Name: "Ann again", Role: identity.StaffAdmin})
		assertCode(t, portalerr.AlreadyExists, err, "the address in other case")

		in, err := s.p.SignInStaffWithLoginLink(t.Context(), n.Token)
		require.NoError(t, err)
		assert.Equal(t, identity.StaffActive, in.Staff.Status, "the invitation activates")
		assert.Equal(t, identity.MethodInvitation, in.Session.Method)
		assert.True(t, invite.HasPrefix(in.Token, invite.PrefixSession))
		_, err = s.p.SignInStaffWithLoginLink(t.Context(), n.Token)
		assertCode(t, portalerr.Unauthenticated, err, "the link works once")

		who, err := s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.Equal(t, identity.Principal{Kind: identity.KindStaff, ID: string(m.ID), StaffRole: identity.StaffAgent,
			SessionID: in.Session.ID, Method: identity.MethodInvitation}, who)
		ctx := identity.NewContext(t.Context(), who)

		me, err := s.p.Me(ctx)
		require.NoError(t, err)
		assert.Equal(t, m.ID, me.Staff.ID)
		assert.Equal(t, "Ann", me.Staff.Name)
		assert.Contains(t, me.Actions, portal.ActStaffRead)
		assert.Contains(t, me.Actions, portal.ActStaffSelf)
		assert.NotContains(t, me.Actions, portal.ActStaffManage)

		got, err := s.p.GetStaff(ctx, m.ID)
		require.NoError(t, err)
		assert.Equal(t, identity.StaffActive, got.Status)
		var actions []string
		for _, e := range s.auditOf(t, string(m.ID)) {
			actions = append(actions, e.Actor+" "+e.Action)
		}
		assert.Equal(t, []string{"staff:stf_owner staff.invited", "staff:" + string(m.ID) + " staff.activated"}, actions)

		_, err = s.p.InviteStaff(ctx, portal.InviteStaffParams{Email: "x@provider.example", Name: "X", Role: identity.StaffAgent})
		assertCode(t, portalerr.PermissionDenied, err, "agents only read the staff list")

		require.NoError(t, s.p.Logout(ctx))
		s.assertUnauthenticated(t, in.Token, "logged out")
	})
}

func TestRequestStaffLoginLink(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		m, _ := s.inviteStaff(t, s.owner, "ann@provider.example", identity.StaffAdmin)
		off, _ := s.inviteStaff(t, s.owner, "off@provider.example", identity.StaffAgent)
		_, err := s.p.DisableStaff(s.owner, off.ID)
		require.NoError(t, err)

		for _, email := range []string{"nobody@provider.example", "off@provider.example"} {
			before := s.noticesTo(email)
			assert.NoError(t, s.p.RequestStaffLoginLink(t.Context(), portal.RequestStaffLoginLinkParams{Email: email}), email)
			assert.Equal(t, before, s.noticesTo(email), "no mail to %s", email)
		}
		err = s.p.RequestStaffLoginLink(t.Context(), portal.RequestStaffLoginLinkParams{Email: "not an address"})
		assertCode(t, portalerr.Invalid, err)

		require.NoError(t, s.p.RequestStaffLoginLink(t.Context(), portal.RequestStaffLoginLinkParams{Email: "ANN@provider.example"}))
		n := s.lastNotice(t, m.Email)
		assert.Equal(t, portal.NotifyStaffLoginLink, n.Kind)
		assert.Equal(t, portaltest.PublicURL+"/console/login?token="+n.Token, n.Link)
		assert.True(t, invite.HasPrefix(n.Token, invite.PrefixStaffLoginLink))

		in, err := s.p.SignInStaffWithLoginLink(t.Context(), n.Token)
		require.NoError(t, err, "a login link signs an invited member in too")
		assert.Equal(t, identity.MethodLoginLink, in.Session.Method)
		assert.Equal(t, identity.StaffActive, in.Staff.Status)

		require.NoError(t, s.p.RequestStaffLoginLink(t.Context(), portal.RequestStaffLoginLinkParams{Email: m.Email}))
		expired := s.lastNotice(t, m.Email).Token
		s.clock.Advance(invite.LoginLinkTTL)
		_, err = s.p.SignInStaffWithLoginLink(t.Context(), expired)
		assertCode(t, portalerr.Unauthenticated, err, "expired")

		_, err = s.p.SignInStaffWithLoginLink(t.Context(), "pl_"+strings.Repeat("A", 43))
		assertCode(t, portalerr.Unauthenticated, err, "a customer user's link prefix")

		for range 5 {
			_ = s.p.RequestStaffLoginLink(t.Context(), portal.RequestStaffLoginLinkParams{Email: "nobody@provider.example"})
		}
		err = s.p.RequestStaffLoginLink(t.Context(), portal.RequestStaffLoginLinkParams{Email: "nobody@provider.example"})
		assertCode(t, portalerr.RateLimited, err, "rate limited per e-mail")
	})
}

func TestStaffPassword(t *testing.T) {
	t.Parallel()
	lenient := func(c *portal.Config) {
		c.RateLimits = portal.RateLimits{PerEmail: portal.Limit{N: 100, Window: time.Hour}, PerClient: portal.Limit{N: 100, Window: time.Hour}}
	}
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		ctx, in := s.staffSignIn(t, s.owner, "ann@provider.example", identity.StaffAdmin)
		other, err := s.p.SignInStaffWithLoginLink(t.Context(), s.requestStaffLink(t, "ann@provider.example"))
		require.NoError(t, err)

		params := portal.StaffPasswordSignInParams{Email: "ann@provider.example", Password: "correct horse battery staple"}
		_, err = s.p.SignInStaffWithPassword(t.Context(), params)
		assertCode(t, portalerr.Unauthenticated, err, "no password yet")

		err = s.p.SetPassword(ctx, portal.SetPasswordParams{New: "short"})
		assertCode(t, portalerr.Invalid, err)
		require.NoError(t, s.p.SetPassword(ctx, portal.SetPasswordParams{New: params.Password}))
		s.assertUnauthenticated(t, other.Token, "setting a password ends the other sessions")
		_, err = s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err, "but not the caller's")
		err = s.p.SetPassword(ctx, portal.SetPasswordParams{New: "another long phrase"})
		assertCode(t, portalerr.Invalid, err, "the current password is required")

		pw, err := s.p.SignInStaffWithPassword(t.Context(), portal.StaffPasswordSignInParams{Email: "ANN@provider.example", Password: params.Password})
		require.NoError(t, err)
		assert.Equal(t, identity.MethodPassword, pw.Session.Method)
		who, err := s.p.Authenticate(t.Context(), pw.Token)
		require.NoError(t, err)
		assert.Equal(t, identity.KindStaff, who.Kind)
		assert.Equal(t, identity.StaffAdmin, who.StaffRole)

		wrong := params
		wrong.Password = "wrong horse battery staple"
		_, errWrong := s.p.SignInStaffWithPassword(t.Context(), wrong)
		_, errUnknown := s.p.SignInStaffWithPassword(t.Context(), portal.StaffPasswordSignInParams{Email: "nobody@provider.example", Password: "x"})
		assertCode(t, portalerr.Unauthenticated, errWrong)
		assert.Equal(t, portalerr.MessageOf(errWrong), portalerr.MessageOf(errUnknown), "no enumeration")

		for range 4 {
			_, err = s.p.SignInStaffWithPassword(t.Context(), wrong)
			assertCode(t, portalerr.Unauthenticated, err)
		}
		_, err = s.p.SignInStaffWithPassword(t.Context(), params)
		assertCode(t, portalerr.RateLimited, err, "locked after 5 failures, even with the right password")
		s.clock.Advance(16 * time.Minute)
		_, err = s.p.SignInStaffWithPassword(t.Context(), params)
		require.NoError(t, err, "the lock ends")

		_, err = s.p.DisableStaff(s.owner, in.Staff.ID)
		require.NoError(t, err)
		_, err = s.p.SignInStaffWithPassword(t.Context(), params)
		assertCode(t, portalerr.Unauthenticated, err, "disabled")

		apiKey := identity.NewContext(t.Context(), identity.APIKeyPrincipal("key_1", identity.StaffOwner))
		assertCode(t, portalerr.PermissionDenied, s.p.SetPassword(apiKey, portal.SetPasswordParams{New: "a long phrase of my own"}))
		assertCode(t, portalerr.PermissionDenied, s.p.Logout(apiKey))
	}, lenient)
}

// requestStaffLink asks for a staff login link and returns its token.
func (s signInEnv) requestStaffLink(t *testing.T, email string) string {
	t.Helper()
	require.NoError(t, s.p.RequestStaffLoginLink(t.Context(), portal.RequestStaffLoginLinkParams{Email: email}))
	n := s.lastNotice(t, email)
	require.Equal(t, portal.NotifyStaffLoginLink, n.Kind)
	return n.Token
}

func TestStaffRoleRules(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		owner, oin := s.bootstrapOwner(t)
		om := oin.Staff
		admin, ain := s.staffSignIn(t, owner, "admin@provider.example", identity.StaffAdmin)
		agent, gin := s.staffSignIn(t, admin, "agent@provider.example", identity.StaffAgent)

		// What a staff member does is recorded as done by that member.
		events := s.auditOf(t, string(gin.Staff.ID))
		require.NotEmpty(t, events)
		assert.Equal(t, "staff:"+string(ain.Staff.ID), events[0].Actor)
		assert.Equal(t, "staff.invited", events[0].Action)

		_, err := s.p.InviteStaff(admin, portal.InviteStaffParams{Email: "o2@provider.example", Name: "O2", Role: identity.StaffOwner})
		assertCode(t, portalerr.PermissionDenied, err, "an admin invites no owner")
		_, err = s.p.UpdateStaff(admin, gin.Staff.ID, portal.UpdateStaffParams{Version: gin.Staff.Version, Role: ptr(identity.StaffOwner)})
		assertCode(t, portalerr.PermissionDenied, err, "an admin promotes nobody to owner")
		_, err = s.p.UpdateStaff(admin, om.ID, portal.UpdateStaffParams{Version: om.Version, Name: ptr("Renamed")})
		assertCode(t, portalerr.PermissionDenied, err, "an admin changes no owner")
		_, err = s.p.DisableStaff(admin, om.ID)
		assertCode(t, portalerr.PermissionDenied, err, "an admin disables no owner")
		_, err = s.p.UpdateStaff(agent, gin.Staff.ID, portal.UpdateStaffParams{Version: gin.Staff.Version, Name: ptr("Me")})
		assertCode(t, portalerr.PermissionDenied, err, "an agent changes nobody")
		l, err := s.p.ListStaff(agent, portal.ListStaffParams{})
		require.NoError(t, err, "an agent reads the staff list")
		assert.Len(t, l.Items, 3)
		l, err = s.p.ListStaff(agent, portal.ListStaffParams{Role: identity.StaffOwner})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, om.ID, l.Items[0].ID)

		// The owner is the last active one: it may neither leave nor be demoted.
		_, err = s.p.UpdateStaff(owner, om.ID, portal.UpdateStaffParams{Version: om.Version, Role: ptr(identity.StaffAdmin)})
		assertCode(t, portalerr.FailedPrecondition, err, "the last owner is not demoted")
		_, err = s.p.DisableStaff(owner, om.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "the last owner is not disabled")

		// An invited owner does not count.
		o2, _ := s.inviteStaff(t, owner, "o2@provider.example", identity.StaffOwner)
		_, err = s.p.DisableStaff(owner, om.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "an invited owner is not yet an active one")

		a, err := s.p.UpdateStaff(owner, ain.Staff.ID, portal.UpdateStaffParams{Version: ain.Staff.Version, Role: ptr(identity.StaffOwner)})
		require.NoError(t, err)
		assert.Equal(t, int64(3), a.Version, "invited, activated, promoted")
		who, err := s.p.Authenticate(t.Context(), ain.Token)
		require.NoError(t, err)
		assert.Equal(t, identity.StaffOwner, who.StaffRole, "the new role counts from the next request")
		_, err = s.p.UpdateStaff(owner, ain.Staff.ID, portal.UpdateStaffParams{Version: ain.Staff.Version, Name: ptr("Stale")})
		assertCode(t, portalerr.Conflict, err, "a stale version")

		me, err := s.p.GetStaff(owner, om.ID)
		require.NoError(t, err)
		demoted, err := s.p.UpdateStaff(owner, om.ID, portal.UpdateStaffParams{Version: me.Version, Role: ptr(identity.StaffAdmin)})
		require.NoError(t, err, "with another active owner, an owner may step down")
		assert.Equal(t, identity.StaffAdmin, demoted.Role)
		_, err = s.p.ResendStaffInvitation(s.authed(t, oin.Token), o2.ID)
		assertCode(t, portalerr.PermissionDenied, err, "now an admin, it resends no owner's invitation")
	})
}

func TestDisableStaffEndsSessions(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		_, in := s.staffSignIn(t, s.owner, "ann@provider.example", identity.StaffAgent)
		off, err := s.p.DisableStaff(s.owner, in.Staff.ID)
		require.NoError(t, err)
		assert.Equal(t, identity.StaffDisabled, off.Status)
		s.assertUnauthenticated(t, in.Token, "a disabled member's session ends")
		assert.Empty(t, s.sessions(t, storage.SessionFilter{StaffID: in.Staff.ID}))
		_, err = s.p.DisableStaff(s.owner, in.Staff.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "disabled already")

		on, err := s.p.EnableStaff(s.owner, in.Staff.ID)
		require.NoError(t, err)
		assert.Equal(t, identity.StaffActive, on.Status)
		s.assertUnauthenticated(t, in.Token, "enabling opens no old session again")
		_, err = s.p.SignInStaffWithLoginLink(t.Context(), s.requestStaffLink(t, on.Email))
		require.NoError(t, err)
		_, err = s.p.EnableStaff(s.owner, in.Staff.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "not disabled")
		_, err = s.p.GetStaff(s.owner, "stf_missing")
		assertCode(t, portalerr.NotFound, err)

		// A session whose member is disabled some other way ends at its next request.
		_, in2 := s.staffSignIn(t, s.owner, "bob@provider.example", identity.StaffAgent)
		require.NoError(t, s.store.InTx(t.Context(), func(r storage.Repos) error {
			_, err := r.Staff().Update(t.Context(), in2.Staff.ID, func(m *identity.StaffMember) error {
				m.Status = identity.StaffDisabled
				return nil
			})
			return err
		}))
		s.assertUnauthenticated(t, in2.Token)
		assert.Empty(t, s.sessions(t, storage.SessionFilter{StaffID: in2.Staff.ID}), "and is deleted")
	})
}

func TestResendStaffInvitation(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		m, old := s.inviteStaff(t, s.owner, "ann@provider.example", identity.StaffAgent)
		_, err := s.p.ResendStaffInvitation(s.owner, m.ID)
		require.NoError(t, err)
		fresh := s.lastNotice(t, m.Email).Token
		assert.NotEqual(t, old, fresh)
		_, err = s.p.SignInStaffWithLoginLink(t.Context(), old)
		assertCode(t, portalerr.Unauthenticated, err, "the old link is dead")
		_, err = s.p.SignInStaffWithLoginLink(t.Context(), fresh)
		require.NoError(t, err)
		_, err = s.p.ResendStaffInvitation(s.owner, m.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "active now")
	})
}

func TestBootstrapOwner(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		b, err := s.p.Bootstrap(t.Context(), portal.BootstrapParams{OwnerEmail: "owner@localhost"})
		require.NoError(t, err)
		assert.NotEmpty(t, b.APIKey)
		assert.Equal(t, identity.StaffOwner, b.Owner.Role)
		assert.Equal(t, "owner", b.Owner.Name, "the name defaults to the address's local part")
		assert.Equal(t, "system:bootstrap", b.Owner.InvitedBy)
		assert.Zero(t, s.noticesTo("owner@localhost"), "the link is shown, not mailed")

		s.clock.Advance(24 * time.Hour) // the printed link outlives a login link's 15 minutes
		in, err := s.p.SignInStaffWithLoginLink(t.Context(), b.OwnerLoginToken)
		require.NoError(t, err)
		who, err := s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.Equal(t, identity.StaffOwner, who.StaffRole)

		again, err := s.p.Bootstrap(t.Context(), portal.BootstrapParams{OwnerEmail: "someone@localhost"})
		require.NoError(t, err)
		assert.Zero(t, again, "a store with a key and staff is not bootstrapped again")

		_, err = s.p.Bootstrap(t.Context(), portal.BootstrapParams{OwnerEmail: "not an address"})
		assertCode(t, portalerr.Invalid, err)
	})
}

// TestLastOwnerUnderConcurrency has two owners demote each other at once:
// each change alone keeps an owner, both together would leave none, so
// exactly one may win (the write transactions are serializable).
func TestLastOwnerUnderConcurrency(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		first, fin := s.bootstrapOwner(t)
		second, sin := s.staffSignIn(t, first, "second@provider.example", identity.StaffOwner)
		errs := make(chan error, 2)
		demote := func(ctx context.Context, m identity.StaffMember) {
			cur, err := s.p.GetStaff(s.owner, m.ID)
			if err != nil {
				errs <- err
				return
			}
			_, err = s.p.UpdateStaff(ctx, m.ID, portal.UpdateStaffParams{Version: cur.Version, Role: ptr(identity.StaffAgent)})
			errs <- err
		}
		go demote(first, sin.Staff)
		go demote(second, fin.Staff)
		var won int
		for range 2 {
			err := <-errs
			if err == nil {
				won++
				continue
			}
			assert.Contains(t, []portalerr.Code{portalerr.FailedPrecondition, portalerr.Conflict, portalerr.Unauthenticated, portalerr.PermissionDenied},
				portalerr.CodeOf(err), "a loser: %v", err)
		}
		assert.Equal(t, 1, won)
		owners, err := s.p.ListStaff(s.owner, portal.ListStaffParams{Role: identity.StaffOwner, Status: identity.StaffActive})
		require.NoError(t, err)
		assert.Len(t, owners.Items, 1, "one active owner is left")
	})
}
