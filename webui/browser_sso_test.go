package webui_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oidctest"
	"github.com/portalkit/portalkit/portal"
)

// TestBrowserSSO has a member of a customer with its own identity provider
// (a real OpenID provider running in the test) sign in from the sign-in
// page's company form, in Chromium: on to the provider, which signs her in
// at once, and back through the redirect URI, signed in; every page of the
// portal passes the accessibility checks.
func TestBrowserSSO(t *testing.T) {
	chromium(t)
	s := newLiveSite(t)
	c, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{Name: "Initech"})
	require.NoError(t, err)
	ida, err := s.p.AddMember(s.staff, c.ID, portal.AddMemberParams{Email: "ida@initech.example", Name: "Ida", Role: customer.RoleAdmin})
	require.NoError(t, err)
	idp := oidctest.New(t)
	idp.AddClient("portal", "the-client-secret", s.p.SSORedirectURL())
	_, err = s.p.PutSSOConfig(s.staff, c.ID, portal.PutSSOConfigParams{
		Issuer: idp.URL, ClientID: "portal", ClientSecret: "the-client-secret", Domains: []string{"initech.example"},
	})
	require.NoError(t, err)
	idp.SignIn(oidctest.User{Email: "ida@initech.example", EmailVerified: true, Name: "Ida"})

	v := s.newVisitor(t, "ida").in(t)
	v.open("/signin")
	v.typeInto(`form[action="/signin/sso"] input[name=email]`, "ida@initech.example")
	v.click(`form[action="/signin/sso"] button`)
	v.requireStatus(200)
	assert.Contains(t, v.body(), "Your company signs you in through its identity provider")
	v.click(`main a.button`)
	v.requireStatus(200)
	assert.Equal(t, "/", v.location().Path, "back from the provider, signed in")
	ms, err := s.p.ListMembers(s.staff, c.ID, portal.ListMembersParams{})
	require.NoError(t, err)
	require.Len(t, ms.Items, 1)
	assert.Equal(t, ida.ID, ms.Items[0].ID, "Ida signed in as herself; nobody joined")
	assert.Contains(t, v.body(), "Sign out")
}

// TestBrowserStaffSSO has a staff member sign in to the console through
// the provider's own identity provider (a real OpenID provider running in
// the test), in Chromium: the sign-in page's company button, on to the
// provider, and back through the console's redirect URI, signed in.
func TestBrowserStaffSSO(t *testing.T) {
	chromium(t)
	idp := oidctest.New(t)
	s := newLiveSiteConfig(t, func(c *portal.Config) {
		c.StaffSSO = portal.StaffSSOConfig{Issuer: idp.URL, ClientID: "console", ClientSecret: "console-secret", Domains: []string{"provider.example"}}
	})
	idp.AddClient("console", "console-secret", s.URL+"/console/sso/callback")
	boot, err := s.p.Bootstrap(t.Context(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga"})
	require.NoError(t, err)
	_, err = s.p.SignInStaffWithLoginLink(t.Context(), boot.OwnerLoginToken)
	require.NoError(t, err)
	idp.SignIn(oidctest.User{Email: "olga@provider.example", EmailVerified: true, Name: "Olga"})

	v := s.newVisitor(t, "olga").in(t)
	v.open("/console/signin")
	v.click(`form[action="/console/signin/sso"] button`)
	v.requireStatus(200)
	v.click(`main a.button`)
	v.requireStatus(200)
	assert.Equal(t, "/console/customers", v.location().Path, "back from the provider, in the console")
	assert.Contains(t, v.body(), "Sign out")
}
