package identity_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
)

func TestStaffRules(t *testing.T) {
	owner := identity.StaffMember{ID: "stf_1", Role: identity.StaffOwner, Status: identity.StaffActive}
	agent := identity.StaffMember{ID: "stf_2", Role: identity.StaffAgent, Status: identity.StaffActive}
	demoted := owner
	demoted.Role = identity.StaffAdmin
	disabled := owner
	disabled.Status = identity.StaffDisabled
	invitedOwner := owner
	invitedOwner.Status = identity.StaffInvited

	tests := []struct {
		name string
		err  error
		want portalerr.Code
	}{
		{"an owner grants owner", identity.CheckStaffGrant(identity.StaffOwner, identity.StaffOwner), ""},
		{"an admin grants admin", identity.CheckStaffGrant(identity.StaffAdmin, identity.StaffAdmin), ""},
		{"an admin grants no owner", identity.CheckStaffGrant(identity.StaffAdmin, identity.StaffOwner), portalerr.PermissionDenied},
		{"an admin manages an agent", identity.CheckStaffManage(identity.StaffAdmin, agent), ""},
		{"an admin manages no owner", identity.CheckStaffManage(identity.StaffAdmin, owner), portalerr.PermissionDenied},
		{"an owner manages an owner", identity.CheckStaffManage(identity.StaffOwner, owner), ""},
		{"the last owner is not demoted", identity.CheckKeepsOwner(owner, demoted, 1), portalerr.FailedPrecondition},
		{"the last owner is not disabled", identity.CheckKeepsOwner(owner, disabled, 1), portalerr.FailedPrecondition},
		{"one of two owners steps down", identity.CheckKeepsOwner(owner, demoted, 2), ""},
		{"an invited owner is no active one", identity.CheckKeepsOwner(invitedOwner, disabled, 0), ""},
		{"renaming the last owner", identity.CheckKeepsOwner(owner, owner, 1), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, portalerr.CodeOf(tt.err), "%v", tt.err)
		})
	}
}

func TestStaffStatus(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	m := identity.StaffMember{ID: "stf_1", Role: identity.StaffAgent, Status: identity.StaffInvited}
	assert.True(t, m.CanSignIn(), "an invited member signs in with its link")
	m.Activate(now)
	assert.Equal(t, identity.StaffActive, m.Status)
	assert.Equal(t, now, m.UpdatedAt)
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(m.Enable(now)), "not disabled")
	assert.NoError(t, m.Disable(now))
	assert.False(t, m.CanSignIn())
	m.Activate(now)
	assert.Equal(t, identity.StaffDisabled, m.Status, "activating does not enable")
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(m.Disable(now)), "disabled already")
	assert.NoError(t, m.Enable(now))
	assert.Equal(t, identity.StaffActive, m.Status)

	p := m.Principal("ses_1", identity.MethodPassword)
	assert.Equal(t, identity.Principal{Kind: identity.KindStaff, ID: "stf_1", StaffRole: identity.StaffAgent, SessionID: "ses_1", Method: identity.MethodPassword}, p)
	assert.Equal(t, "staff:stf_1", p.Actor())
	assert.True(t, p.IsProvider())

	s := identity.Session{ID: "ses_1", StaffID: "stf_1", Method: identity.MethodLoginLink}
	assert.True(t, s.Staff())
	assert.Equal(t, identity.KindStaff, s.Principal().Kind)
	assert.Equal(t, identity.MethodInvitation, identity.StaffLink{Purpose: identity.StaffLinkInvitation}.Method())
	assert.Equal(t, identity.MethodLoginLink, identity.StaffLink{Purpose: identity.StaffLinkLogin}.Method())
}
