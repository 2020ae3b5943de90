package webui_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// TestBrowserPasswordReset has a customer user who forgot her password
// follow the sign-in page's link, ask for a reset, open the mailed link,
// choose a new password and sign in with it, in Chromium; every page
// passes the accessibility checks.
func TestBrowserPasswordReset(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	c, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{Name: "Initech"})
	require.NoError(t, err)
	_, err = s.p.AddMember(s.staff, c.ID, portal.AddMemberParams{Email: "ida@initech.example", Name: "Ida", Role: customer.RoleAdmin})
	require.NoError(t, err)

	v := s.newVisitor(t, "ida").in(t)
	v.open("/signin")
	v.click(`main a[href="/forgot-password"]`)
	v.requireStatus(200)
	v.typeInto(`input[name=email]`, "ida@initech.example")
	v.click(`form[action="/forgot-password"] button`)
	v.requireStatus(200)
	assert.Equal(t, "/signin", v.location().Path)
	assert.Contains(t, v.body(), "a link to choose a new password is on its way")

	m := s.lastMail(t, "ida@initech.example", portal.NotifyPasswordReset)
	v.open(m.Link)
	assert.Equal(t, "/reset-password", v.location().Path)
	assert.Empty(t, v.location().RawQuery, "the token leaves the address bar")
	v.typeInto(`input[name=new_password]`, "quiet-harbour-lantern-5")
	v.click(`form[action="/reset-password"] button`)
	v.requireStatus(200)
	assert.Equal(t, "/signin", v.location().Path)
	assert.Contains(t, v.body(), "Your new password is set")

	v.typeInto(`form[action="/signin/password"] input[name=email]`, "ida@initech.example")
	v.typeInto(`form[action="/signin/password"] input[name=password]`, "quiet-harbour-lantern-5")
	v.click(`form[action="/signin/password"] button`)
	v.requireStatus(200)
	assert.Equal(t, "/", v.location().Path, "signed in with the new password")
}
