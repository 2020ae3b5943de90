package webui_test

import (
	"context"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oidctest"
	"github.com/portalkit/portalkit/portal"
)

// TestBrowserSSO has a member of a customer with its own identity provider
// (a real OpenID provider running in the test) sign in from the sign-in
// page's company form, in Chromium: on to the provider, which signs her in
// at once, and back through the redirect URI, signed in; every page of the
// portal passes the accessibility checks.
func TestBrowserSSO(t *testing.T) {
	t.Parallel()
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
	t.Parallel()
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

// TestBrowserSSODomainApproval has a customer's admin claim the company's
// e-mail domain, which then waits: the provider's owner approves it on the
// console's "Single sign-on" tab in Chromium, after which the company's
// people sign in through the identity provider from the sign-in page.
func TestBrowserSSODomainApproval(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	c, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{Name: "Initech"})
	require.NoError(t, err)
	ida, err := s.p.AddMember(s.staff, c.ID, portal.AddMemberParams{Email: "ida@initech.example", Name: "Ida", Role: customer.RoleAdmin})
	require.NoError(t, err)
	idp := oidctest.New(t)
	idp.AddClient("portal", "the-client-secret", s.p.SSORedirectURL())
	cfg, err := s.p.PutSSOConfig(identity.NewContext(t.Context(), identity.User(ida.Membership)), c.ID, portal.PutSSOConfigParams{
		Issuer: idp.URL, ClientID: "portal", ClientSecret: "the-client-secret", Domains: []string{"initech.example"},
	})
	require.NoError(t, err)
	require.Equal(t, []string{"initech.example"}, cfg.Pending, "the admin's claim waits")
	_, err = s.p.StartSSO(t.Context(), portal.StartSSOParams{Email: "ida@initech.example"})
	require.Error(t, err, "a pending domain sends nobody to the provider")

	boot, err := s.p.Bootstrap(context.Background(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga"})
	require.NoError(t, err)
	v := s.newVisitor(t, "olga").in(t)
	v.open("/console/login?token=" + url.QueryEscape(boot.OwnerLoginToken))
	v.click(`main form button`)
	v.requireStatus(200)
	tab := "/console/customers/" + string(c.ID) + "/sso"
	v.open(tab)
	v.requireStatus(200)
	assert.Contains(t, v.text(`#pending-domains`), "Domains waiting for approval")
	v.click(`form[action="` + tab + `/domains/approve"] button`)
	v.requireStatus(200)
	assert.Contains(t, v.body(), "The domain is approved")
	assert.False(t, v.has(`#pending-domains`), "nothing waits any more")

	idp.SignIn(oidctest.User{Email: "ida@initech.example", EmailVerified: true, Name: "Ida"})
	w := s.newVisitor(t, "ida").in(t)
	w.open("/signin")
	w.typeInto(`form[action="/signin/sso"] input[name=email]`, "ida@initech.example")
	w.click(`form[action="/signin/sso"] button`)
	w.requireStatus(200)
	w.click(`main a.button`)
	w.requireStatus(200)
	assert.Equal(t, "/", w.location().Path, "back from the provider, signed in")
}
