package customer_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// checkErr asserts that err carries code, or is nil when code is empty, and
// that its message is msg.
func checkErr(t *testing.T, err error, code portalerr.Code, msg string) {
	t.Helper()
	if code == "" {
		assert.NoError(t, err)
		return
	}
	assert.Equal(t, code, portalerr.CodeOf(err))
	assert.Equal(t, msg, portalerr.MessageOf(err))
}

func TestCustomerActive(t *testing.T) {
	tests := []struct {
		status   customer.Status
		active   bool
		archived bool
		code     portalerr.Code // from CheckActive
		msg      string
		frozen   portalerr.Code // from CheckNotArchived
	}{
		{customer.StatusActive, true, false, "", "", ""},
		{customer.StatusSuspended, false, false, portalerr.FailedPrecondition, "customer cus_1 is suspended", ""},
		{customer.StatusArchived, false, true, portalerr.FailedPrecondition, "customer cus_1 is archived", portalerr.FailedPrecondition},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			c := customer.Customer{ID: "cus_1", Status: tt.status}
			assert.Equal(t, tt.active, c.Active())
			assert.Equal(t, tt.archived, c.Archived())
			checkErr(t, c.CheckActive(), tt.code, tt.msg)
			checkErr(t, c.CheckNotArchived(), tt.frozen, "customer cus_1 is archived and cannot be changed")
		})
	}
}

func TestUserActive(t *testing.T) {
	tests := []struct {
		status customer.UserStatus
		active bool
		code   portalerr.Code
	}{
		{customer.UserActive, true, ""},
		{customer.UserDisabled, false, portalerr.PermissionDenied},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			u := customer.User{ID: "usr_1", Status: tt.status}
			assert.Equal(t, tt.active, u.Active())
			checkErr(t, u.CheckActive(), tt.code, "this account is disabled")
		})
	}
}

func TestMembershipActive(t *testing.T) {
	tests := []struct {
		status      customer.MembershipStatus
		role        customer.Role
		active      bool
		activeAdmin bool
		code        portalerr.Code
	}{
		{customer.MembershipActive, customer.RoleAdmin, true, true, ""},
		{customer.MembershipActive, customer.RoleMaintainer, true, false, ""},
		{customer.MembershipDisabled, customer.RoleAdmin, false, false, portalerr.FailedPrecondition},
		{customer.MembershipDisabled, customer.RoleViewer, false, false, portalerr.FailedPrecondition},
	}
	for _, tt := range tests {
		t.Run(string(tt.status)+" "+string(tt.role), func(t *testing.T) {
			m := customer.Membership{ID: "mem_1", Role: tt.role, Status: tt.status}
			assert.Equal(t, tt.active, m.Active())
			assert.Equal(t, tt.activeAdmin, m.ActiveAdmin())
			checkErr(t, m.CheckActive(), tt.code, "membership mem_1 is disabled")
		})
	}
}

func TestCheckStanding(t *testing.T) {
	m := customer.Membership{ID: "mem_1", Status: customer.MembershipActive}
	u := customer.User{ID: "usr_1", Status: customer.UserActive}
	c := customer.Customer{ID: "cus_1", Status: customer.StatusActive}
	offM := m
	offM.Status = customer.MembershipDisabled
	offU := u
	offU.Status = customer.UserDisabled
	offC := c
	offC.Status = customer.StatusSuspended
	tests := []struct {
		name string
		m    customer.Membership
		u    customer.User
		c    customer.Customer
		code portalerr.Code
		msg  string
	}{
		{"all active", m, u, c, "", ""},
		{"membership disabled", offM, u, c, portalerr.PermissionDenied, "your membership is disabled"},
		{"user disabled", m, offU, c, portalerr.PermissionDenied, "your account is disabled"},
		{"customer suspended", m, u, offC, portalerr.PermissionDenied, "your customer account is suspended"},
		{"membership first", offM, offU, offC, portalerr.PermissionDenied, "your membership is disabled"},
		{"user before customer", m, offU, offC, portalerr.PermissionDenied, "your account is disabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkErr(t, customer.CheckStanding(tt.m, tt.u, tt.c), tt.code, tt.msg)
		})
	}
}

func TestNewMemberRole(t *testing.T) {
	tests := []struct {
		asked    customer.Role
		hasAdmin bool
		want     customer.Role
	}{
		{customer.RoleViewer, true, customer.RoleViewer},
		{customer.RoleMaintainer, true, customer.RoleMaintainer},
		{customer.RoleAdmin, true, customer.RoleAdmin},
		{customer.RoleViewer, false, customer.RoleAdmin},
		{customer.RoleMaintainer, false, customer.RoleAdmin},
		{customer.RoleAdmin, false, customer.RoleAdmin},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, customer.NewMemberRole(tt.asked, tt.hasAdmin), "asked %s, hasAdmin %t", tt.asked, tt.hasAdmin)
	}
}
