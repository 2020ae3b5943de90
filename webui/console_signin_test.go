package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// TestConsoleSignIn follows the first owner's link into the console, has
// the owner invite an agent, and the agent accept with a password and
// sign in with it later; customer users' credentials open no console.
func TestConsoleSignIn(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	boot, err := s.p.Bootstrap(t.Context(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga"})
	require.NoError(t, err)
	require.NotEmpty(t, boot.OwnerLoginToken)

	owner := s.browser(t, "")
	pg := owner.get("/console/login?token=" + url.QueryEscape(boot.OwnerLoginToken))
	require.Equal(t, http.StatusSeeOther, pg.status)
	assert.Equal(t, "/console/login", pg.location, "the token leaves the address bar")
	pg = owner.post("/console/login", url.Values{})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Equal(t, "/console", pg.location)
	pg = owner.get("/console/staff")
	require.Equal(t, http.StatusOK, pg.status, pg.body)

	_, err = s.p.InviteStaff(portaltest.As(t.Context(), identity.Staff(string(boot.Owner.ID), identity.StaffOwner)),
		portal.InviteStaffParams{Email: "abe@provider.example", Name: "Abe", Role: identity.StaffAgent})
	require.NoError(t, err)
	m, ok := s.mail.Last("abe@provider.example")
	require.True(t, ok)
	require.Equal(t, portal.NotifyStaffInvitation, m.Kind)
	u, err := url.Parse(m.Link)
	require.NoError(t, err)
	require.Equal(t, "/console/accept", u.Path)

	abe := s.browser(t, "")
	abe.get(u.Path + "?" + u.RawQuery)
	pg = abe.post("/console/accept", url.Values{"password": {"short"}})
	assert.Equal(t, http.StatusBadRequest, pg.status, "a weak password is refused")
	pg = abe.post("/console/accept", url.Values{"password": {"copper-lantern-meadow-7"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Equal(t, "/console", pg.location)
	pg = abe.post("/signout", url.Values{})
	assert.Equal(t, "/console/signin?done=signed_out", pg.location)

	later := s.browser(t, "")
	pg = later.post("/console/signin/password", url.Values{"email": {"abe@provider.example"}, "password": {"copper-lantern-meadow-7"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Equal(t, "/console", pg.location)
	pg = later.post("/console/signin/password", url.Values{"email": {"abe@provider.example"}, "password": {"wrong-password-123"}})
	assert.Equal(t, http.StatusUnauthorized, pg.status)

	// A customer user's password opens no console session.
	pg = s.browser(t, "").post("/console/signin/password", url.Values{"email": {s.a.users["admin"].email}, "password": {"anything-at-all-1"}})
	assert.Equal(t, http.StatusUnauthorized, pg.status)
}

// TestConsoleStaffRoles has each staff role use the staff page: agents
// read it and get no forms, admins invite agents and admins, and only
// owners make owners; a refused form changes nothing.
func TestConsoleStaffRoles(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	owner := portaltest.Owner(t.Context())
	for _, tt := range []struct {
		role          identity.StaffRole
		forms         bool
		invite, owner int
	}{
		{identity.StaffAgent, false, http.StatusForbidden, http.StatusForbidden},
		{identity.StaffAdmin, true, http.StatusSeeOther, http.StatusForbidden},
		{identity.StaffOwner, true, http.StatusSeeOther, http.StatusSeeOther},
	} {
		t.Run(string(tt.role), func(t *testing.T) {
			key, err := s.p.CreateAPIKey(owner, portal.CreateAPIKeyParams{Name: "console " + string(tt.role), Role: tt.role})
			require.NoError(t, err)
			br := s.browser(t, key.Token)
			pg := br.get("/console/staff")
			require.Equal(t, http.StatusOK, pg.status, pg.body)
			assert.Equal(t, tt.forms, containsAll(pg.body, `action="/console/staff"`), "invite form offered")

			before, err := s.p.ListStaff(owner, portal.ListStaffParams{Limit: 100})
			require.NoError(t, err)
			pg = br.post("/console/staff", url.Values{"name": {"Al"}, "email": {"al-" + string(tt.role) + "@provider.example"}, "role": {"agent"}})
			assert.Equal(t, tt.invite, pg.status, pg.body)
			pg = br.post("/console/staff", url.Values{"name": {"Oz"}, "email": {"oz-" + string(tt.role) + "@provider.example"}, "role": {"owner"}})
			assert.Equal(t, tt.owner, pg.status, pg.body)
			after, err := s.p.ListStaff(owner, portal.ListStaffParams{Limit: 100})
			require.NoError(t, err)
			want := len(before.Items)
			for _, st := range []int{tt.invite, tt.owner} {
				if st == http.StatusSeeOther {
					want++
				}
			}
			assert.Len(t, after.Items, want)
		})
	}
}

func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
