package portal_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// TestAuditLog checks the readable audit log: an impersonated change shows
// both people, the request ID and the changed fields (never the secret);
// staff read across customers and a customer's admin its own, filtered
// by actor, action, target and time, newest first, page by page; old
// events go after the retention.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		staff, in := s.staffSignIn(t, s.owner, "sam@provider.example", identity.StaffAdmin)
		c := s.createCustomer(t, "Acme")
		other := s.createCustomer(t, "Globex")
		ada := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		imp, err := s.p.StartImpersonation(staff, c.ID, portal.StartImpersonationParams{MembershipID: ada.ID, Reason: "T-1", Write: true})
		require.NoError(t, err)
		acting := portal.WithRequestID(s.authed(t, imp.Token), "req-42")
		_, err = s.p.PutSSOConfig(acting, c.ID, portal.PutSSOConfigParams{
			Issuer: "https://login.acme.example", ClientID: "portal", ClientSecret: "very-secret", Domains: []string{"acme.example"},
		})
		require.NoError(t, err)
		s.clock.Advance(time.Hour)
		_, err = s.p.PutSSOConfig(s.owner, other.ID, portal.PutSSOConfigParams{
			Issuer: "https://login.globex.example", ClientID: "portal", ClientSecret: "x", Domains: []string{"globex.example"},
		})
		require.NoError(t, err)

		mine, err := s.p.ListCustomerAuditEvents(as(t, ada), c.ID, portal.ListAuditEventsParams{Action: "sso.configured"})
		require.NoError(t, err)
		require.Len(t, mine.Items, 1, "Acme's admin sees Acme's event only")
		e := mine.Items[0]
		assert.Equal(t, "user:"+string(ada.UserID), e.Actor)
		assert.Equal(t, "staff:"+string(in.Staff.ID), e.Impersonator, "both people")
		assert.Equal(t, "ada@acme.example", e.ActorName, "named as the user is named now")
		assert.Equal(t, "Staff sam@provider.example", e.ImpersonatorName)
		assert.Equal(t, "req-42", e.RequestID)
		assert.Contains(t, e.Changes, audit.Change{Field: "issuer", Before: "", After: "https://login.acme.example"})
		for _, ch := range e.Changes {
			assert.NotContains(t, ch.Before+ch.After, "very-secret", "secrets never")
		}
		_, err = s.p.ListCustomerAuditEvents(as(t, ada), other.ID, portal.ListAuditEventsParams{})
		assertCode(t, portalerr.NotFound, err)

		all, err := s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{Action: "sso.configured"})
		require.NoError(t, err)
		require.Len(t, all.Items, 2)
		assert.Equal(t, other.ID, all.Items[0].CustomerID, "newest first")
		byStaff, err := s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{Actor: "staff:" + string(in.Staff.ID)})
		require.NoError(t, err)
		var actions []string
		for _, e := range byStaff.Items {
			actions = append(actions, e.Action)
			if e.Impersonator == "" {
				assert.Equal(t, "Staff sam@provider.example", e.ActorName, "%s names the staff member", e.Action)
			}
		}
		assert.Contains(t, actions, "sso.configured", "what the staff member did as someone else")
		assert.Contains(t, actions, "impersonation.started")
		target, err := s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{Target: string(other.ID), From: s.clock.Now()})
		require.NoError(t, err)
		assert.Len(t, target.Items, 1)
		_, err = s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{From: s.clock.Now(), To: s.clock.Now()})
		assertCode(t, portalerr.Invalid, err)

		// Page by page.
		page, err := s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{Limit: 1})
		require.NoError(t, err)
		require.NotEmpty(t, page.NextCursor)
		next, err := s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{Limit: 1, Cursor: page.NextCursor})
		require.NoError(t, err)
		require.Len(t, next.Items, 1)
		assert.Greater(t, page.Items[0].ID, next.Items[0].ID)
		_, err = s.p.ListAuditEvents(s.owner, portal.ListAuditEventsParams{Limit: 1, Cursor: page.NextCursor, Action: "x"})
		assertCode(t, portalerr.Invalid, err, "a cursor works with its own filters only")
	})
}

func TestAuditRetention(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		_, err := s.p.PutSSOConfig(s.owner, c.ID, portal.PutSSOConfigParams{
			Issuer: "https://login.acme.example", ClientID: "portal", ClientSecret: "x", Domains: []string{"acme.example"},
		})
		require.NoError(t, err)
		s.clock.Advance(31 * 24 * time.Hour)
		_, err = s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		l, err := s.p.ListCustomerAuditEvents(s.owner, c.ID, portal.ListAuditEventsParams{})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "older than the retention")
	}, func(c *portal.Config) { c.AuditRetention = 30 * 24 * time.Hour })
}
