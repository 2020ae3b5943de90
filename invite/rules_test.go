package invite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
)

func TestInvitationMemberRole(t *testing.T) {
	tests := []struct {
		name       string
		role       customer.Role
		firstAdmin bool
		hasAdmin   bool
		offered    customer.Role
		member     customer.Role
	}{
		{"viewer", customer.RoleViewer, false, true, customer.RoleViewer, customer.RoleViewer},
		{"maintainer", customer.RoleMaintainer, false, true, customer.RoleMaintainer, customer.RoleMaintainer},
		{"admin", customer.RoleAdmin, false, true, customer.RoleAdmin, customer.RoleAdmin},
		{"no admin left", customer.RoleViewer, false, false, customer.RoleViewer, customer.RoleAdmin},
		{"first user", customer.RoleViewer, true, false, customer.RoleAdmin, customer.RoleAdmin},
		{"first user, admin meanwhile", customer.RoleViewer, true, true, customer.RoleAdmin, customer.RoleAdmin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			i := invite.Invitation{Role: tt.role, FirstAdmin: tt.firstAdmin}
			assert.Equal(t, tt.offered, i.OfferedRole())
			assert.Equal(t, tt.member, i.MemberRole(tt.hasAdmin))
		})
	}
}

// ruleInvitations are an invitation in each state at the returned time.
func ruleInvitations() (map[invite.State]invite.Invitation, time.Time) {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	earlier := at.Add(-time.Hour)
	return map[invite.State]invite.Invitation{
		invite.StatePending:  {ExpiresAt: at.Add(time.Hour)},
		invite.StateExpired:  {ExpiresAt: earlier},
		invite.StateAccepted: {ExpiresAt: at.Add(time.Hour), AcceptedAt: earlier},
		invite.StateRevoked:  {ExpiresAt: at.Add(time.Hour), RevokedAt: earlier},
	}, at
}

func TestInvitationCheckResendable(t *testing.T) {
	invs, at := ruleInvitations()
	tests := []struct {
		state invite.State
		code  portalerr.Code
	}{
		{invite.StatePending, ""},
		{invite.StateExpired, ""},
		{invite.StateAccepted, portalerr.InvitationUsed},
		{invite.StateRevoked, portalerr.InvitationRevoked},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			i := invs[tt.state]
			assert.Equal(t, tt.state, i.State(at), "precondition")
			err := i.CheckResendable(at)
			if tt.code == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, tt.code, portalerr.CodeOf(err))
		})
	}
}

func TestInvitationRevoke(t *testing.T) {
	invs, at := ruleInvitations()
	tests := []struct {
		state   invite.State
		code    portalerr.Code
		revokes bool // false: the invitation comes back unchanged
	}{
		{state: invite.StatePending, revokes: true},
		{state: invite.StateExpired, revokes: true},
		{state: invite.StateRevoked},
		{state: invite.StateAccepted, code: portalerr.InvitationUsed},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			i := invs[tt.state]
			got, err := i.Revoke(at)
			if tt.code == "" {
				assert.NoError(t, err)
			} else {
				assert.Equal(t, tt.code, portalerr.CodeOf(err))
			}
			if !tt.revokes {
				assert.Equal(t, i, got)
				return
			}
			assert.Equal(t, at, got.RevokedAt)
			assert.Equal(t, invite.StateRevoked, got.State(at))
			assert.True(t, i.RevokedAt.IsZero(), "the receiver is not changed")
		})
	}
}
