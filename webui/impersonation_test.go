package webui_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
)

// TestImpersonationPages has a staff admin start a read-only session as a
// customer's admin from the console's "Support access" tab: the portal
// shows the banner, refuses changes, and its button leaves the session
// and brings the staff member's own back; the customer's admin sees it
// and forbids it, after which the console offers no start.
func TestImpersonationPages(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	ada, adaToken := c.member(t, acme.ID, "ada@acme.example", customer.RoleAdmin)
	_, err := c.p.InviteStaff(c.owner, portal.InviteStaffParams{Email: "sam@provider.example", Name: "Sam", Role: identity.StaffAdmin})
	require.NoError(t, err)
	m, ok := c.mail.Last("sam@provider.example")
	require.True(t, ok)
	sam, err := c.p.SignInStaffWithLoginLink(t.Context(), m.Token)
	require.NoError(t, err)
	staff := newFollower(t, c.srv, sam.Token)
	tab := "/console/customers/" + string(acme.ID) + "/impersonations"

	pg := staff.get(tab)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "Start a 15-minute session")
	pg = staff.post(tab, url.Values{"membership_id": {string(ada.ID)}})
	assert.Equal(t, http.StatusBadRequest, pg.Status, "a reason is required")
	pg = staff.post(tab, url.Values{"membership_id": {string(ada.ID)}, "reason": {"ticket T-7"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "/", pg.Path, "in the portal, as Ada")
	assert.Contains(t, pg.Body, "Sam (sam@provider.example) of the provider", "the banner names the staff member")
	assert.Contains(t, pg.Body, "is acting as ada for support")
	assert.NotContains(t, pg.Body, string(sam.Staff.ID), "by name, not by ID")
	assert.Contains(t, pg.Body, "Read-only.")
	pg = staff.post("/members/invite", url.Values{"email": {"x@acme.example"}, "role": {"viewer"}})
	assert.Equal(t, http.StatusForbidden, pg.Status, "read-only")

	pg = staff.post("/signout", url.Values{})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, tab, pg.Path, "back in the console, as Sam")
	assert.Equal(t, "left_session", pg.Query.Get("done"))

	// Every page it opened and form it sent is in the customer's audit
	// log and the console's, as both people, with the request's ID.
	admin := newFollower(t, c.srv, adaToken)
	pg = admin.get("/audit?action=impersonation.request")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	for _, want := range []string{"GET /{$}", "POST /members/invite", "POST /signout", "user:" + string(ada.UserID),
		"by Sam)", "Request ID: req_"} {
		assert.Contains(t, pg.Body, want)
	}
	pg = staff.get("/console/audit?action=impersonation.request&actor=staff:" + string(sam.Staff.ID))
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "POST /members/invite")
	pg = admin.get("/impersonations")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "ticket T-7")
	assert.Contains(t, pg.Body, string(sam.Staff.ID))
	pg = admin.post("/impersonations/policy", url.Values{"forbidden": {"on"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	pg = staff.get(tab)
	assert.Contains(t, pg.Body, "The customer forbids acting as its people.")
	assert.NotContains(t, pg.Body, "Start a 15-minute session")

	// Both see it in their audit logs.
	pg = admin.get("/audit?action=impersonation.forbidden")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "impersonation.forbidden")
	assert.Contains(t, pg.Body, "user:"+string(ada.UserID))
	assert.NotContains(t, pg.Body, "impersonation.started", "filtered by action")
	pg = staff.get("/console/audit?actor=staff:" + string(sam.Staff.ID))
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "impersonation.started")
	viewer := newFollower(t, c.srv, c.viewerToken(t, acme.ID))
	assert.Equal(t, http.StatusForbidden, viewer.get("/audit").Status, "a viewer reads no audit log")
}

// viewerToken adds a viewer to customer cid and returns its session token.
func (c *console) viewerToken(t *testing.T, cid customer.ID) string {
	t.Helper()
	_, token := c.member(t, cid, "vic@acme.example", customer.RoleViewer)
	return token
}
