package webui_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// TestBrowserImpersonation has the provider's owner, signed in to the
// console, act as a customer's admin from the "Support access" tab in
// Chromium: the portal shows the banner, whose button leaves the session
// and returns to the console; every page passes the accessibility checks.
func TestBrowserImpersonation(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	c, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{Name: "Initech"})
	require.NoError(t, err)
	_, err = s.p.AddMember(s.staff, c.ID, portal.AddMemberParams{Email: "ida@initech.example", Name: "Ida", Role: customer.RoleAdmin})
	require.NoError(t, err)
	boot, err := s.p.Bootstrap(context.Background(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga"})
	require.NoError(t, err)

	v := s.newVisitor(t, "olga").in(t)
	v.open("/console/login?token=" + url.QueryEscape(boot.OwnerLoginToken))
	v.click(`main form button`)
	v.requireStatus(200)
	tab := "/console/customers/" + string(c.ID) + "/impersonations"
	v.open(tab)
	v.requireStatus(200)
	v.typeInto(`input[name=reason]`, "ticket T-9: the basket is empty")
	v.click(`form[action="` + tab + `"] button`)
	v.requireStatus(200)
	assert.Equal(t, "/", v.location().Path)
	assert.Contains(t, v.text(`.impersonation`), "Olga (olga@provider.example) of the provider's staff is acting as Ida")
	v.click(`.impersonation button`)
	v.requireStatus(200)
	assert.Equal(t, tab, v.location().Path, "back in the console")
	assert.Contains(t, v.body(), "ticket T-9: the basket is empty")

	// The console's audit log shows it, filtered by action.
	v.click(`.top nav a[href="/console/audit"]`)
	v.requireStatus(200)
	v.typeInto(`input[name=action]`, "impersonation.started")
	v.click(`form.filters button`)
	v.requireStatus(200)
	assert.Contains(t, v.text(`main table`), "impersonation.started")

	// It recorded every page Olga opened as Ida, not the stylesheets and
	// script Chromium fetched with them.
	v.open("/console/audit?action=impersonation.request")
	v.requireStatus(200)
	table := v.text(`main table`)
	assert.Contains(t, table, "GET /{$}")
	assert.Contains(t, table, "POST /signout")
	assert.Contains(t, table, "Request ID: req_")
	assert.NotContains(t, table, "/static/")
	assert.NotContains(t, table, "/theme.css")
}
