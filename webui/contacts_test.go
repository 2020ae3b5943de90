package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

func TestConsoleKeepsContacts(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	base := "/console/customers/" + string(acme.ID) + "/contacts"

	pg := c.br.get("/console/customers/" + string(acme.ID))
	assert.Contains(t, pg.Body, `href="`+base+`"`, "a tab of the customer")
	pg = c.br.post(base, url.Values{"name": {"Jane Doe"}, "email": {"jane@acme.example"}, "job_title": {"Buyer"},
		"addr_label_0": {"Office"}, "addr_city_0": {"Berlin"}, "addr_country_0": {"de"},
		"addr_label_1": {"Delivery"}, "addr_city_1": {"Hamburg"}, "primary": {"1"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	require.True(t, strings.HasPrefix(pg.Path, base+"/con_"), pg.Path)
	id := customer.ContactID(strings.TrimPrefix(pg.Path, base+"/"))
	k, err := c.p.GetContact(c.owner, acme.ID, id)
	require.NoError(t, err)
	require.Len(t, k.Addresses, 2)
	assert.True(t, k.Addresses[1].Primary, "the one ticked")
	assert.Equal(t, "DE", k.Addresses[0].Address.Country)
	assert.Contains(t, pg.Body, `value="Hamburg"`, "the form shows the addresses")

	// Several addresses without a primary are refused with the reason.
	pg = c.br.post(base+"/"+string(id)+"/save", url.Values{"version": {"1"}, "name": {"Jane"},
		"addr_city_0": {"Berlin"}, "addr_city_1": {"Hamburg"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	assert.Contains(t, pg.Body, "exactly one address must be primary")

	pg = c.br.post(base+"/"+string(id)+"/access", url.Values{"role": {"viewer"}, "message": {"Welcome, Jane"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "This contact is invited to the portal.")
	m, ok := c.mail.Last("jane@acme.example")
	require.True(t, ok)
	assert.Equal(t, portal.NotifyInvitation, m.Kind)
	assert.Contains(t, m.Text, "Welcome, Jane")

	for _, lang := range []string{"en", "de"} {
		for _, p := range []string{base, base + "/" + string(id)} {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.srv.URL+p, nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Language", lang)
			pg := c.br.do(req)
			assert.Equal(t, http.StatusOK, pg.Status, "%s %s", lang, p)
			assert.NotRegexp(t, `>[a-z_]+:[a-z_]+<`, pg.Body, "%s %s", lang, p)
		}
	}

	pg = c.br.post(base+"/"+string(id)+"/delete", nil)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Equal(t, base, pg.Path)
	_, err = c.p.GetContact(c.owner, acme.ID, id)
	assert.Error(t, err)
}

func TestPortalAdminKeepsContacts(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	_, adminToken := c.member(t, acme.ID, "ada@acme.example", customer.RoleAdmin)
	_, viewerToken := c.member(t, acme.ID, "vic@acme.example", customer.RoleViewer)
	admin, viewer := newFollower(t, c.srv, adminToken), newFollower(t, c.srv, viewerToken)

	pg := admin.get("/")
	assert.Contains(t, pg.Body, `href="/contacts"`, "in the admin's navigation")
	assert.NotContains(t, viewer.get("/").Body, `href="/contacts"`)
	pg = admin.post("/contacts", url.Values{"name": {"Max Contact"}, "email": {"vic@acme.example"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	require.True(t, strings.HasPrefix(pg.Path, "/contacts/con_"))
	pg = admin.post(pg.Path+"/access", url.Values{"role": {"viewer"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "This contact signs in to the portal.", "a member already: linked at once")
	assert.Equal(t, http.StatusForbidden, viewer.get(pg.Path).Status)
	assert.Equal(t, http.StatusForbidden, viewer.post("/contacts", url.Values{"name": {"Evil"}}).Status)
}

func TestConsoleCorrectsAPersonsAddress(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	m, token := c.member(t, acme.ID, "ann@acme.example", customer.RoleViewer)
	person := "/console/customers/" + string(acme.ID) + "/members/" + string(m.ID) + "/person"
	pg := c.br.get("/console/customers/" + string(acme.ID) + "/members")
	assert.Contains(t, pg.Body, `href="`+person+`"`)

	pg = c.br.post(person, url.Values{"version": {"1"}, "name": {"Ann Smith"}, "email": {"ann@new.example"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "takes effect once it is confirmed")
	assert.Contains(t, pg.Body, "ann@new.example", "the address waiting")
	got, err := c.p.GetMember(c.owner, acme.ID, m.ID)
	require.NoError(t, err)
	assert.Equal(t, "Ann Smith", got.User.Name)
	assert.Equal(t, "ann@acme.example", got.User.Email, "not yet")

	mail, ok := c.mail.Last("ann@new.example")
	require.True(t, ok)
	u, err := url.Parse(mail.Link)
	require.NoError(t, err)
	anon := newFollower(t, c.srv, "")
	pg = anon.get(u.RequestURI())
	assert.Equal(t, "/confirm-email", pg.Path)
	pg = anon.post("/confirm-email", nil)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "your new e-mail address is in effect")
	got, err = c.p.GetMember(c.owner, acme.ID, m.ID)
	require.NoError(t, err)
	assert.Equal(t, "ann@new.example", got.User.Email)
	assert.Equal(t, http.StatusBadRequest, anon.post("/confirm-email", nil).Status, "the cookie is gone")

	// The person cannot correct itself in the console.
	self := newFollower(t, c.srv, token)
	self.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	assert.Equal(t, http.StatusSeeOther, self.post(person, url.Values{"name": {"Me"}}).Status)
}
