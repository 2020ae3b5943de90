package portal_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func TestInviteAndAccept(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)

		inv, err := s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "Eve@Acme.example", Role: customer.RoleMaintainer, Message: "  Welcome aboard!  "})
		require.NoError(t, err)
		assert.Equal(t, "eve@acme.example", inv.Email, "e-mail is normalised")
		assert.Equal(t, customer.RoleMaintainer, inv.Role, "the customer has an admin: the role stays as asked")
		assert.False(t, inv.FirstAdmin)
		assert.Equal(t, 1, inv.SentCount)
		assert.Equal(t, "staff:stf_owner", inv.InvitedBy)
		assert.Equal(t, portaltest.Epoch.Add(invite.DefaultInvitationTTL), inv.ExpiresAt, "7 days by default")

		n := s.lastNotice(t, "eve@acme.example")
		assert.Equal(t, portal.NotifyInvitation, n.Kind)
		assert.Equal(t, []string{"eve@acme.example"}, n.To)
		assert.True(t, invite.HasPrefix(n.Token, invite.PrefixInvitation), "token %q", n.Token)
		assert.Equal(t, portaltest.PublicURL+"/accept?token="+n.Token, n.Link)
		assert.Contains(t, n.HTML, n.Link, "the HTML part has the link too")
		assert.Contains(t, n.Text, "with the role Maintainer.")
		assert.Contains(t, n.Subject, "Acme", "the customer's name")
		assert.Contains(t, n.Text, "invited you:\nWelcome aboard!\n", "the note, trimmed")
		assert.Contains(t, n.Text, "expires on "+expires(inv.ExpiresAt))
		assert.Equal(t, invite.HashToken(n.Token), inv.TokenHash, "only the hash is kept")
		assert.NotContains(t, string(inv.TokenHash), n.Token)
		sent := s.lastOutbox(t, "eve@acme.example")
		assert.Equal(t, c.ID, sent.CustomerID)
		assert.Equal(t, outbox.Sent, sent.Status)
		assert.Equal(t, string(sent.ID)+"@portal.example.com", n.MessageID, "the outbox ID makes the Message-ID")

		in, err := s.p.AcceptInvitation(t.Context(), n.Token, portal.AcceptInvitationParams{Name: " Eve Example "})
		require.NoError(t, err)
		assert.Equal(t, "eve@acme.example", in.User.Email)
		assert.Equal(t, "Eve Example", in.User.Name)
		assert.Equal(t, customer.UserActive, in.User.Status)
		assert.Equal(t, c.ID, in.Membership.CustomerID)
		assert.Equal(t, customer.RoleMaintainer, in.Membership.Role)
		assert.Equal(t, identity.MethodInvitation, in.Session.Method)
		assert.True(t, invite.HasPrefix(in.Token, invite.PrefixSession), "token %q", in.Token)

		who, err := s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.Equal(t, identity.Principal{
			Kind: identity.KindUser, ID: string(in.User.ID), MembershipID: in.Membership.ID, CustomerID: c.ID,
			SessionID: in.Session.ID, Method: identity.MethodInvitation,
		}, who)
		got, err := s.p.GetCustomer(identity.NewContext(t.Context(), who), c.ID)
		require.NoError(t, err)
		assert.Equal(t, "Acme", got.Name)

		l, err := s.p.ListInvitations(s.owner, c.ID, portal.ListInvitationsParams{State: invite.StateAccepted})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, inv.ID, l.Items[0].ID)
		assert.Equal(t, in.User.ID, l.Items[0].AcceptedBy)
		assert.Equal(t, portaltest.Epoch, l.Items[0].AcceptedAt)

		_, ok := s.rec.Last("boss@acme.example")
		assert.False(t, ok, "staff invited: no customer user is told of the acceptance")
	})
}

func TestInvitationExpiry(t *testing.T) {
	t.Parallel()
	const day = 24 * time.Hour
	cases := []struct {
		name      string
		expiresIn time.Duration
		after     time.Duration
		want      portalerr.Code // "" for success
	}{
		{"default, a second before", 0, 7*day - time.Second, ""},
		{"default, at expiry", 0, 7 * day, portalerr.InvitationExpired},
		{"default, a second after", 0, 7*day + time.Second, portalerr.InvitationExpired},
		{"two hours, a second before", 2 * time.Hour, 2*time.Hour - time.Second, ""},
		{"two hours, a second after", 2 * time.Hour, 2*time.Hour + time.Second, portalerr.InvitationExpired},
		{"thirty days, a second before", 30 * day, 30*day - time.Second, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachSignInBackend(t, func(t *testing.T, s signInEnv) {
				c := s.createCustomer(t, "Acme")
				inv, err := s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer, ExpiresIn: tc.expiresIn})
				require.NoError(t, err)
				ttl := tc.expiresIn
				if ttl == 0 {
					ttl = invite.DefaultInvitationTTL
				}
				assert.Equal(t, portaltest.Epoch.Add(ttl), inv.ExpiresAt)
				token := s.lastNotice(t, "eve@acme.example").Token

				s.clock.Advance(tc.after)
				_, err = s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Eve"})
				if tc.want == "" {
					require.NoError(t, err)
					return
				}
				assertCode(t, tc.want, err)
				l, err := s.p.ListMembers(s.owner, c.ID, portal.ListMembersParams{})
				require.NoError(t, err)
				assert.Empty(t, l.Items, "an expired invitation makes no member")
			})
		})
	}

	t.Run("bounds", func(t *testing.T) {
		eachSignInBackend(t, func(t *testing.T, s signInEnv) {
			c := s.createCustomer(t, "Acme")
			for _, d := range []time.Duration{-time.Hour, time.Second, invite.MinInvitationTTL - time.Second, invite.MaxInvitationTTL + time.Second} {
				_, err := s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer, ExpiresIn: d})
				assertCode(t, portalerr.Invalid, err, "expires in %s", d)
				assert.Equal(t, []string{"expires_in"}, fieldsOf(err), "expires in %s", d)
			}
			_, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Initech",
				FirstUser: &portal.FirstUserParams{Email: "peter@initech.example", ExpiresIn: time.Minute}})
			assertCode(t, portalerr.Invalid, err)
			assert.Equal(t, []string{"first_user.expires_in"}, fieldsOf(err))
			assert.Empty(t, s.rec.Mails(), "nothing was sent")
		})
	})
}

func TestInvitationSingleUse(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")

		t.Run("revoked", func(t *testing.T) {
			inv, token := s.invite(t, c.ID, "rita@acme.example", customer.RoleViewer)
			revoked, err := s.p.RevokeInvitation(s.owner, c.ID, inv.ID)
			require.NoError(t, err)
			assert.Equal(t, portaltest.Epoch, revoked.RevokedAt)
			_, err = s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Rita"})
			assertCode(t, portalerr.InvitationRevoked, err)
			again, err := s.p.RevokeInvitation(s.owner, c.ID, inv.ID)
			require.NoError(t, err, "revoking twice changes nothing")
			assert.Equal(t, revoked.RevokedAt, again.RevokedAt)
		})

		t.Run("accepted twice", func(t *testing.T) {
			inv, token := s.invite(t, c.ID, "uma@acme.example", customer.RoleViewer)
			s.accept(t, token, "Uma")
			_, err := s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Uma"})
			assertCode(t, portalerr.InvitationUsed, err)
			_, err = s.p.RevokeInvitation(s.owner, c.ID, inv.ID)
			assertCode(t, portalerr.InvitationUsed, err, "an accepted invitation cannot be revoked")
		})

		t.Run("unknown tokens", func(t *testing.T) {
			unknown, _ := invite.NewToken(invite.PrefixInvitation)
			login, _ := invite.NewToken(invite.PrefixLoginLink)
			for _, tok := range []string{unknown, login, "", "pi_", "garbage", strings.Repeat("x", 5000)} {
				_, err := s.p.AcceptInvitation(t.Context(), tok, portal.AcceptInvitationParams{Name: "Mallory"})
				assertCode(t, portalerr.NotFound, err, "token %.20q", tok)
			}
		})

		t.Run("of another customer", func(t *testing.T) {
			other := s.createCustomer(t, "Globex")
			inv, _ := s.invite(t, c.ID, "otto@acme.example", customer.RoleViewer)
			_, err := s.p.RevokeInvitation(s.owner, other.ID, inv.ID)
			assertCode(t, portalerr.NotFound, err)
			_, err = s.p.ResendInvitation(s.owner, other.ID, inv.ID, portal.ResendInvitationParams{})
			assertCode(t, portalerr.NotFound, err)
			l, err := s.p.ListInvitations(s.owner, c.ID, portal.ListInvitationsParams{State: invite.StatePending})
			require.NoError(t, err)
			require.Len(t, l.Items, 1)
			assert.Equal(t, 1, l.Items[0].SentCount, "nothing changed")
		})
	})
}

func TestResendInvitation(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		inv, oldToken := s.invite(t, c.ID, "eve@acme.example", customer.RoleViewer)

		s.clock.Advance(3 * 24 * time.Hour)
		resent, err := s.p.ResendInvitation(s.owner, c.ID, inv.ID, portal.ResendInvitationParams{})
		require.NoError(t, err)
		assert.Equal(t, 2, resent.SentCount)
		assert.Equal(t, s.clock.Now().Add(invite.DefaultInvitationTTL), resent.ExpiresAt)
		assert.True(t, resent.ExpiresAt.After(inv.ExpiresAt), "expiry starts anew")
		n := s.lastNotice(t, "eve@acme.example")
		assert.Equal(t, portal.NotifyInvitationResent, n.Kind)
		assert.Contains(t, n.Text, "expires on "+expires(resent.ExpiresAt))
		newToken := n.Token
		require.NotEqual(t, oldToken, newToken)

		_, err = s.p.AcceptInvitation(t.Context(), oldToken, portal.AcceptInvitationParams{Name: "Eve"})
		assertCode(t, portalerr.NotFound, err, "the old link is dead")

		// The new link outlives the old expiry.
		s.clock.Advance(5 * 24 * time.Hour)
		in, err := s.p.AcceptInvitation(t.Context(), newToken, portal.AcceptInvitationParams{Name: "Eve"})
		require.NoError(t, err)
		assert.Equal(t, c.ID, in.Membership.CustomerID)

		_, err = s.p.ResendInvitation(s.owner, c.ID, inv.ID, portal.ResendInvitationParams{})
		assertCode(t, portalerr.InvitationUsed, err)

		t.Run("expired", func(t *testing.T) {
			inv, _ := s.invite(t, c.ID, "late@acme.example", customer.RoleViewer)
			s.clock.Advance(8 * 24 * time.Hour)
			resent, err := s.p.ResendInvitation(s.owner, c.ID, inv.ID, portal.ResendInvitationParams{ExpiresIn: 2 * time.Hour})
			require.NoError(t, err, "an expired invitation can be resent")
			assert.Equal(t, s.clock.Now().Add(2*time.Hour), resent.ExpiresAt)
			s.accept(t, s.lastNotice(t, "late@acme.example").Token, "Late")
		})

		t.Run("revoked", func(t *testing.T) {
			inv, _ := s.invite(t, c.ID, "gone@acme.example", customer.RoleViewer)
			_, err := s.p.RevokeInvitation(s.owner, c.ID, inv.ID)
			require.NoError(t, err)
			_, err = s.p.ResendInvitation(s.owner, c.ID, inv.ID, portal.ResendInvitationParams{})
			assertCode(t, portalerr.InvitationRevoked, err)
		})

		t.Run("bad lifetime", func(t *testing.T) {
			inv, token := s.invite(t, c.ID, "bounds@acme.example", customer.RoleViewer)
			_, err := s.p.ResendInvitation(s.owner, c.ID, inv.ID, portal.ResendInvitationParams{ExpiresIn: time.Minute})
			assertCode(t, portalerr.Invalid, err)
			assert.Equal(t, []string{"expires_in"}, fieldsOf(err))
			s.accept(t, token, "Bounds") // the link still works
		})
	})
}

func TestInviteConflicts(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)

		_, err := s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "ADA@acme.example", Role: customer.RoleViewer})
		assertCode(t, portalerr.AlreadyExists, err, "already a member")

		first, _ := s.invite(t, c.ID, "eve@acme.example", customer.RoleViewer)
		_, err = s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "Eve@Acme.example", Role: customer.RoleAdmin})
		assertCode(t, portalerr.AlreadyExists, err, "a pending invitation exists")
		assert.Equal(t, 1, s.noticesTo("eve@acme.example"))

		// Once the pending one is revoked, a new one may be sent.
		_, err = s.p.RevokeInvitation(s.owner, c.ID, first.ID)
		require.NoError(t, err)
		_, token := s.invite(t, c.ID, "eve@acme.example", customer.RoleAdmin)
		in := s.accept(t, token, "Eve")
		assert.Equal(t, customer.RoleAdmin, in.Membership.Role)

		// An invitation to another customer is no conflict.
		other := s.createCustomer(t, "Globex")
		s.invite(t, other.ID, "eve@acme.example", customer.RoleViewer)

		_, err = s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "not an address", Role: "boss"})
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"email", "role"}, fieldsOf(err))

		_, err = s.p.SuspendCustomer(s.owner, other.ID)
		require.NoError(t, err)
		_, err = s.p.Invite(s.owner, other.ID, portal.InviteParams{Email: "zed@globex.example", Role: customer.RoleViewer})
		assertCode(t, portalerr.FailedPrecondition, err, "a suspended customer")
	})
}

func TestInviteByCustomerAdmin(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		north := s.createSite(t, c.ID, "North")
		south := s.createSite(t, c.ID, "South")
		admin := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		viewer := s.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer)
		northAdmin := s.addMember(t, c.ID, "nora@acme.example", customer.RoleAdmin, north.ID)
		other := s.createCustomer(t, "Globex")

		inv, err := s.p.Invite(as(t, admin), c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleMaintainer})
		require.NoError(t, err, "an admin invites a colleague")
		assert.Equal(t, "user:"+string(admin.UserID), inv.InvitedBy)
		in := s.accept(t, s.lastNotice(t, "eve@acme.example").Token, "Eve")
		assert.Equal(t, customer.RoleMaintainer, in.Membership.Role)
		n := s.lastNotice(t, "ada@acme.example")
		assert.Equal(t, portal.NotifyInvitationAccepted, n.Kind, "the inviting admin is told")
		assert.Contains(t, n.Subject, "eve@acme.example")
		assert.Contains(t, n.Text, "Eve <eve@acme.example> accepted your invitation and joined Acme")
		assert.Equal(t, c.ID, s.lastOutbox(t, "ada@acme.example").CustomerID)

		_, err = s.p.Invite(as(t, admin), other.ID, portal.InviteParams{Email: "x@globex.example", Role: customer.RoleViewer})
		assertCode(t, portalerr.NotFound, err, "another customer looks missing")
		_, err = s.p.ListInvitations(as(t, admin), other.ID, portal.ListInvitationsParams{})
		assertCode(t, portalerr.NotFound, err)

		_, err = s.p.Invite(as(t, viewer), c.ID, portal.InviteParams{Email: "y@acme.example", Role: customer.RoleViewer})
		assertCode(t, portalerr.PermissionDenied, err, "a viewer may not invite")
		_, err = s.p.ListInvitations(as(t, viewer), c.ID, portal.ListInvitationsParams{})
		assertCode(t, portalerr.PermissionDenied, err)

		_, err = s.p.Invite(as(t, northAdmin), c.ID, portal.InviteParams{Email: "z@acme.example", Role: customer.RoleViewer, SiteIDs: []customer.SiteID{south.ID}})
		assertCode(t, portalerr.PermissionDenied, err, "a site-limited admin grants only its sites")
		_, err = s.p.Invite(as(t, northAdmin), c.ID, portal.InviteParams{Email: "z@acme.example", Role: customer.RoleViewer})
		assertCode(t, portalerr.PermissionDenied, err, "no sites would mean all sites")
		inv, err = s.p.Invite(as(t, northAdmin), c.ID, portal.InviteParams{Email: "z@acme.example", Role: customer.RoleViewer, SiteIDs: []customer.SiteID{north.ID}})
		require.NoError(t, err)
		assert.Equal(t, []customer.SiteID{north.ID}, inv.SiteIDs)
		in = s.accept(t, s.lastNotice(t, "z@acme.example").Token, "Zed")
		assert.Equal(t, []customer.SiteID{north.ID}, in.Membership.SiteIDs)

		l, err := s.p.ListInvitations(as(t, admin), c.ID, portal.ListInvitationsParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 2, "failed invitations wrote nothing")

		// Eve's invitation reaches every site, Zed's only north.
		eve, zed := l.Items[0], l.Items[1]
		got, err := s.p.GetInvitation(as(t, admin), c.ID, eve.ID)
		require.NoError(t, err)
		assert.Equal(t, eve, got)
		_, err = s.p.GetInvitation(as(t, northAdmin), c.ID, eve.ID)
		assertCode(t, portalerr.NotFound, err, "beyond a site-limited admin's sites, as the list leaves it out")
		got, err = s.p.GetInvitation(as(t, northAdmin), c.ID, zed.ID)
		require.NoError(t, err)
		assert.Equal(t, zed, got)
		_, err = s.p.GetInvitation(as(t, admin), other.ID, eve.ID)
		assertCode(t, portalerr.NotFound, err, "another customer looks missing")
		_, err = s.p.GetInvitation(s.owner, other.ID, eve.ID)
		assertCode(t, portalerr.NotFound, err, "under another customer's ID, for staff too")
		_, err = s.p.GetInvitation(as(t, viewer), c.ID, eve.ID)
		assertCode(t, portalerr.PermissionDenied, err)
	})
}

func TestCreateCustomerWithFirstUser(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Initech",
			FirstUser: &portal.FirstUserParams{Email: "Peter@Initech.example", Message: "Your portal is ready"}})
		require.NoError(t, err)

		l, err := s.p.ListInvitations(s.owner, c.ID, portal.ListInvitationsParams{State: invite.StatePending})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		inv := l.Items[0]
		assert.Equal(t, "peter@initech.example", inv.Email)
		assert.Equal(t, customer.RoleAdmin, inv.Role)
		assert.True(t, inv.FirstAdmin)

		n := s.lastNotice(t, "peter@initech.example")
		assert.Equal(t, portal.NotifyInvitation, n.Kind)
		assert.Contains(t, n.Subject, "Initech")
		assert.Contains(t, n.Text, "invited you:\nYour portal is ready\n")
		assert.Contains(t, n.Text, "with the role Admin.")
		assert.Equal(t, c.ID, s.lastOutbox(t, "peter@initech.example").CustomerID)
		in := s.accept(t, n.Token, "Peter")
		assert.Equal(t, customer.RoleAdmin, in.Membership.Role)
		assert.Equal(t, c.ID, in.Membership.CustomerID)

		_, err = s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Bad", FirstUser: &portal.FirstUserParams{Email: "nope"}})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"first_user.email"}, fieldsOf(err))
		cs, err := s.p.ListCustomers(s.owner, portal.ListCustomersParams{})
		require.NoError(t, err)
		assert.Len(t, cs.Items, 1, "the customer with a bad first user was not created")
	})
}

func TestFirstAcceptedInvitationMakesAdmin(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		// Invitations keep the role asked: only CreateCustomer's first user
		// is invited as admin up front.
		inv, token := s.invite(t, c.ID, "eve@acme.example", customer.RoleViewer)
		assert.False(t, inv.FirstAdmin)
		assert.Equal(t, customer.RoleViewer, inv.Role)
		inv2, token2 := s.invite(t, c.ID, "fred@acme.example", customer.RoleViewer)
		assert.False(t, inv2.FirstAdmin, "a second invitation is not an admin invitation either")

		// Whoever accepts first while the customer has no admin becomes admin,
		// so a customer with users always has one; later ones get their role.
		assert.Equal(t, customer.RoleAdmin, s.accept(t, token, "Eve").Membership.Role)
		assert.Equal(t, customer.RoleViewer, s.accept(t, token2, "Fred").Membership.Role)
	})
}

func TestListInvitationsByState(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		expired, err := s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "exp@acme.example", Role: customer.RoleViewer, ExpiresIn: time.Hour})
		require.NoError(t, err)
		pending, _ := s.invite(t, c.ID, "pen@acme.example", customer.RoleViewer)
		accepted, acceptToken := s.invite(t, c.ID, "acc@acme.example", customer.RoleViewer)
		revoked, _ := s.invite(t, c.ID, "rev@acme.example", customer.RoleViewer)

		s.clock.Advance(2 * time.Hour)
		s.accept(t, acceptToken, "Acc")
		_, err = s.p.RevokeInvitation(s.owner, c.ID, revoked.ID)
		require.NoError(t, err)

		for st, want := range map[invite.State]invite.ID{
			invite.StatePending:  pending.ID,
			invite.StateAccepted: accepted.ID,
			invite.StateRevoked:  revoked.ID,
			invite.StateExpired:  expired.ID,
		} {
			l, err := s.p.ListInvitations(s.owner, c.ID, portal.ListInvitationsParams{State: st})
			require.NoError(t, err, st)
			var ids []invite.ID
			for _, i := range l.Items {
				ids = append(ids, i.ID)
			}
			assert.Equal(t, []invite.ID{want}, ids, st)
		}
		all, err := s.p.ListInvitations(s.owner, c.ID, portal.ListInvitationsParams{})
		require.NoError(t, err)
		assert.Len(t, all.Items, 4)

		_, err = s.p.ListInvitations(s.owner, c.ID, portal.ListInvitationsParams{State: "lost"})
		assertCode(t, portalerr.Invalid, err)
		_, err = s.p.ListInvitations(s.owner, "cus_missing", portal.ListInvitationsParams{})
		assertCode(t, portalerr.NotFound, err)
	})
}

func TestAcceptInvitationInput(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		inv, token := s.invite(t, c.ID, "eve@acme.example", customer.RoleViewer)

		assertNothingWritten := func(t *testing.T) {
			t.Helper()
			l, err := s.p.ListInvitations(s.owner, c.ID, portal.ListInvitationsParams{State: invite.StatePending})
			require.NoError(t, err)
			require.Len(t, l.Items, 1, "the invitation is still pending")
			assert.Equal(t, inv.ID, l.Items[0].ID)
			m, err := s.p.ListMembers(s.owner, c.ID, portal.ListMembersParams{})
			require.NoError(t, err)
			assert.Empty(t, m.Items)
			assert.Empty(t, s.sessions(t, storage.SessionFilter{CustomerID: c.ID}))
		}

		_, err := s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "   "})
		assertCode(t, portalerr.Invalid, err, "a new user needs a name")
		assert.Equal(t, []string{"name"}, fieldsOf(err))
		assertNothingWritten(t)

		for _, pw := range []string{"short", "password123", "aaaaaaaaaaaa"} {
			_, err = s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Eve", Password: pw})
			assertCode(t, portalerr.Invalid, err, "password %q", pw)
			assert.Equal(t, []string{"password"}, fieldsOf(err), "password %q", pw)
		}
		assertNothingWritten(t)

		in, err := s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Eve", Password: "quiet harbour lanterns"})
		require.NoError(t, err)
		pw, err := s.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "eve@acme.example", Password: "quiet harbour lanterns"})
		require.NoError(t, err, "the password set at acceptance signs in")
		assert.Equal(t, in.Membership.ID, pw.Membership.ID)
		assert.Equal(t, identity.MethodPassword, pw.Session.Method)
	})
}

func TestAcceptInvitationExistingUser(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		globex := s.createCustomer(t, "Globex")
		ada, err := s.p.AddMember(s.owner, globex.ID, portal.AddMemberParams{Email: "ada@example.com", Name: "Ada Lovelace", Role: customer.RoleAdmin})
		require.NoError(t, err)
		acme := s.createCustomer(t, "Acme")
		s.addMember(t, acme.ID, "boss@acme.example", customer.RoleAdmin)

		_, token := s.invite(t, acme.ID, "ada@example.com", customer.RoleViewer)
		in, err := s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Somebody Else"})
		require.NoError(t, err)
		assert.Equal(t, ada.User.ID, in.User.ID, "the same user")
		assert.Equal(t, "Ada Lovelace", in.User.Name, "an existing user keeps its name")
		assert.Equal(t, acme.ID, in.Membership.CustomerID)
		assert.Equal(t, customer.RoleViewer, in.Membership.Role)
		assert.Equal(t, acme.ID, in.Session.CustomerID, "the session acts in the inviting customer")

		mine, err := s.p.MyMemberships(s.authed(t, in.Token))
		require.NoError(t, err)
		require.Len(t, mine, 2)
		customers := map[customer.ID]bool{}
		for _, m := range mine {
			customers[m.CustomerID] = m.Current
		}
		assert.Equal(t, map[customer.ID]bool{globex.ID: false, acme.ID: true}, customers)

		t.Run("disabled user", func(t *testing.T) {
			gus := s.addMember(t, globex.ID, "gus@example.com", customer.RoleViewer)
			_, token := s.invite(t, acme.ID, "gus@example.com", customer.RoleViewer)
			_, err := s.p.DisableUser(s.owner, gus.UserID)
			require.NoError(t, err)
			_, err = s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{})
			assertCode(t, portalerr.PermissionDenied, err)
			l, err := s.p.ListInvitations(s.owner, acme.ID, portal.ListInvitationsParams{State: invite.StatePending})
			require.NoError(t, err)
			assert.Len(t, l.Items, 1, "still pending")
		})
	})
}

func TestAcceptInvitationSiteDeleted(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
		north := s.createSite(t, c.ID, "North")
		south := s.createSite(t, c.ID, "South")

		_, err := s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer, SiteIDs: []customer.SiteID{north.ID}})
		require.NoError(t, err)
		onlyNorth := s.lastNotice(t, "eve@acme.example").Token
		_, err = s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "fred@acme.example", Role: customer.RoleViewer, SiteIDs: []customer.SiteID{north.ID, south.ID}})
		require.NoError(t, err)
		both := s.lastNotice(t, "fred@acme.example").Token

		require.NoError(t, s.p.DeleteSite(s.owner, c.ID, north.ID), "invitations do not hold a site")

		_, err = s.p.AcceptInvitation(t.Context(), onlyNorth, portal.AcceptInvitationParams{Name: "Eve"})
		assertCode(t, portalerr.FailedPrecondition, err, "no site of the invitation is left: never grant all sites")
		l, err := s.p.ListInvitations(s.owner, c.ID, portal.ListInvitationsParams{State: invite.StatePending})
		require.NoError(t, err)
		assert.Len(t, l.Items, 2, "nothing was accepted")

		in := s.accept(t, both, "Fred")
		assert.Equal(t, []customer.SiteID{south.ID}, in.Membership.SiteIDs, "the remaining site")
	})
}

func TestAcceptInvitationConcurrently(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		_, token := s.invite(t, c.ID, "eve@acme.example", customer.RoleViewer)

		const n = 50
		var (
			wg      sync.WaitGroup
			start   = make(chan struct{})
			results = make([]portal.SignIn, n)
			errs    = make([]error, n)
		)
		for i := range n {
			wg.Go(func() {
				<-start
				results[i], errs[i] = s.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Eve"})
			})
		}
		close(start)
		wg.Wait()

		var wins []portal.SignIn
		for i, err := range errs {
			if err == nil {
				wins = append(wins, results[i])
				continue
			}
			assertCode(t, portalerr.InvitationUsed, err, "attempt %d", i)
		}
		require.Len(t, wins, 1, "exactly one accept wins")

		members, err := s.p.ListMembers(s.owner, c.ID, portal.ListMembersParams{})
		require.NoError(t, err)
		require.Len(t, members.Items, 1, "one membership")
		assert.Equal(t, wins[0].Membership.ID, members.Items[0].ID)
		assert.Equal(t, "eve@acme.example", members.Items[0].User.Email)

		sessions := s.sessions(t, storage.SessionFilter{CustomerID: c.ID})
		require.Len(t, sessions, 1, "one session")
		assert.Equal(t, wins[0].Session.ID, sessions[0].ID)
		_, err = s.p.Authenticate(t.Context(), wins[0].Token)
		assert.NoError(t, err)
	})
}

// The inviter hears of an accepted invitation only while still an active
// member of the customer.
func TestInviterToldOnlyWhileAMember(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
		for _, tc := range []struct {
			name   string
			change func(t *testing.T, m portal.Member)
			told   bool
		}{
			{"still a member", func(*testing.T, portal.Member) {}, true},
			{"removed", func(t *testing.T, m portal.Member) { require.NoError(t, s.p.RemoveMember(s.owner, c.ID, m.ID)) }, false},
			{"disabled", func(t *testing.T, m portal.Member) {
				_, err := s.p.DisableMember(s.owner, c.ID, m.ID)
				require.NoError(t, err)
			}, false},
		} {
			admin := s.addMember(t, c.ID, "admin-"+strings.ReplaceAll(tc.name, " ", "-")+"@acme.example", customer.RoleAdmin)
			invitee := "invitee-" + strings.ReplaceAll(tc.name, " ", "-") + "@acme.example"
			_, err := s.p.Invite(as(t, admin), c.ID, portal.InviteParams{Email: invitee, Role: customer.RoleViewer})
			require.NoError(t, err)
			tc.change(t, admin)
			s.accept(t, s.lastNotice(t, invitee).Token, "Eve")
			assert.Equal(t, tc.told, s.noticesTo(admin.User.Email) == 1, tc.name)
		}
	})
}
