package webui_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/oidctest"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// TestSSOPages has staff set a customer's identity provider on the
// console's page, its admin see it (never the secret) on the portal's, and
// a member sign in through the sign-in page's company form, the provider
// running in the test and the redirect URI's page.
func TestSSOPages(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	_, adminToken := c.member(t, acme.ID, "ada@acme.example", customer.RoleAdmin)
	idp := oidctest.New(t)
	idp.Now = c.p.Now
	idp.AddClient("portal", "the-client-secret", c.p.SSORedirectURL())

	pg := c.br.get("/console/customers/" + string(acme.ID) + "/sso")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.NotContains(t, pg.Body, "Remove the identity provider", "nothing to remove yet")
	assert.Contains(t, pg.Body, portaltest.PublicURL+"/sso/callback", "the redirect URI to register")
	form := url.Values{"issuer": {idp.URL}, "client_id": {"portal"}, "domains": {"acme.example"}, "version": {"0"}}
	pg = c.br.post("/console/customers/"+string(acme.ID)+"/sso", form)
	assert.Equal(t, http.StatusBadRequest, pg.Status, "no secret on create")
	form.Set("client_secret", "the-client-secret")
	pg = c.br.post("/console/customers/"+string(acme.ID)+"/sso", form)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "saved", pg.Query.Get("done"))
	assert.NotContains(t, pg.Body, "the-client-secret")
	assert.Contains(t, pg.Body, "A secret is set and never shown")

	admin := newFollower(t, c.srv, adminToken)
	pg = admin.get("/sso")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, `value="acme.example"`)
	assert.NotContains(t, pg.Body, "the-client-secret")

	anon := newFollower(t, c.srv, "")

	// A domain the admin adds waits for staff, who approve it on the
	// console's page; until then it sends nobody to the provider.
	pg = admin.post("/sso", url.Values{"issuer": {idp.URL}, "client_id": {"portal"}, "domains": {"acme.example acme-labs.example"}, "version": {"1"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "saved", pg.Query.Get("done"))
	assert.Contains(t, pg.Body, "Domains waiting for approval")
	assert.Contains(t, pg.Body, "<code>acme-labs.example</code>")
	assert.NotContains(t, pg.Body, "Approve acme-labs.example", "the customer cannot approve its own claim")
	pg = anon.post("/signin/sso", url.Values{"email": {"lab@acme-labs.example"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status, "a pending domain")
	consoleSSO := "/console/customers/" + string(acme.ID) + "/sso"
	pg = c.br.get(consoleSSO)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "Approve acme-labs.example")
	pg = c.br.post(consoleSSO+"/domains/approve", url.Values{"domain": {"other.example"}})
	assert.Equal(t, http.StatusNotFound, pg.Status)
	assert.Contains(t, pg.Body, "waiting for approval")
	assert.Contains(t, c.br.get(consoleSSO).Body, "Approve acme-labs.example", "nothing changed")
	pg = admin.post("/console/customers/"+string(acme.ID)+"/sso/domains/approve", url.Values{"domain": {"acme-labs.example"}})
	assert.Equal(t, "/", pg.Path, "the console sends customer users away")
	pg = c.br.post(consoleSSO+"/domains/approve", url.Values{"domain": {"acme-labs.example"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "domain_approved", pg.Query.Get("done"))
	assert.NotContains(t, pg.Body, "Domains waiting for approval")
	pg = admin.get("/audit?action=sso.domain_approved")
	assert.Contains(t, pg.Body, "pending_domains", "the customer's admin sees the approval")

	pg = anon.post("/signin/sso", url.Values{"email": {"bob@elsewhere.example"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	assert.Contains(t, pg.Body, "has no single sign-on")
	pg = anon.post("/signin/sso", url.Values{"email": {"ada@acme.example"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	m := regexp.MustCompile(`href="(` + regexp.QuoteMeta(idp.URL) + `/authorize[^"]+)"`).FindStringSubmatch(pg.Body)
	require.NotNil(t, m, "a link on to the provider: %s", pg.Body)

	// The provider signs Ada in and sends her back to the redirect URI,
	// which is the portal's public address: the test server stands in.
	idp.SignIn(oidctest.User{Email: "ada@acme.example", EmailVerified: true, Name: "Ada"})
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := hc.Get(html.UnescapeString(m[1]))
	require.NoError(t, err)
	_ = res.Body.Close()
	back, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	pg = anon.get("/sso/callback?" + back.RawQuery)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "/", pg.Path, "signed in, at home")
	pg = anon.get("/sso/callback?" + back.RawQuery)
	assert.Equal(t, http.StatusUnauthorized, pg.Status, "a replayed state")
	pg = anon.get("/sso/callback?error=access_denied&state=x")
	assert.Equal(t, http.StatusUnauthorized, pg.Status, "the provider refused")
}
