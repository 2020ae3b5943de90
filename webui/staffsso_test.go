package webui_test

import (
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/internal/oidctest"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/webui"
)

// TestStaffSSOPages has a staff member sign in to the console through the
// provider's own identity provider, running in the test: the sign-in
// page's button, the page with the link on, and the redirect URI's page;
// a replayed state and an address of nobody on staff are refused.
func TestStaffSSOPages(t *testing.T) {
	t.Parallel()
	off := newConsole(t)
	pg := newFollower(t, off.srv, "").get("/console/signin")
	require.Equal(t, http.StatusOK, pg.Status)
	assert.NotContains(t, pg.Body, "/console/signin/sso", "no button without a provider")

	idp := oidctest.New(t)
	idp.AddClient("console", "console-secret", portaltest.PublicURL+"/console/sso/callback")
	p := portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) {
		c.Mailer = &portaltest.Recorder{}
		c.StaffSSO = portal.StaffSSOConfig{Issuer: idp.URL, ClientID: "console", ClientSecret: "console-secret", Domains: []string{"provider.example"}}
	})
	idp.Now = p.Now
	srv := httptest.NewServer(webui.New(p))
	t.Cleanup(srv.Close)
	boot, err := p.Bootstrap(t.Context(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga"})
	require.NoError(t, err)
	_, err = p.SignInStaffWithLoginLink(t.Context(), boot.OwnerLoginToken)
	require.NoError(t, err)

	signIn := func(anon *follower, email string) string {
		t.Helper()
		pg := anon.get("/console/signin")
		require.Equal(t, http.StatusOK, pg.Status)
		assert.Contains(t, pg.Body, "Sign in with your company account")
		pg = anon.post("/console/signin/sso", url.Values{})
		require.Equal(t, http.StatusOK, pg.Status, pg.Body)
		m := regexp.MustCompile(`href="(` + regexp.QuoteMeta(idp.URL) + `/authorize[^"]+)"`).FindStringSubmatch(pg.Body)
		require.NotNil(t, m, "a link on to the provider: %s", pg.Body)
		idp.SignIn(oidctest.User{Email: email, EmailVerified: true, Name: "Someone"})
		hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := hc.Get(html.UnescapeString(m[1]))
		require.NoError(t, err)
		_ = res.Body.Close()
		back, err := url.Parse(res.Header.Get("Location"))
		require.NoError(t, err)
		return back.RawQuery
	}

	anon := newFollower(t, srv, "")
	back := signIn(anon, "olga@provider.example")
	pg = anon.get("/console/sso/callback?" + back)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "/console/customers", pg.Path, "signed in, in the console")
	pg = anon.get("/console/staff")
	assert.Equal(t, http.StatusOK, pg.Status, "a staff session")

	other := newFollower(t, srv, "")
	pg = other.get("/console/sso/callback?" + back)
	assert.Equal(t, http.StatusUnauthorized, pg.Status, "a replayed state")
	pg = other.get("/console/sso/callback?" + signIn(other, "stranger@provider.example"))
	assert.Equal(t, http.StatusForbidden, pg.Status, "nobody on staff")
	assert.Contains(t, pg.Body, "is not an active staff member")
	pg = other.get("/console/staff")
	assert.Equal(t, "/console/signin", pg.Path, "no session")
	pg = other.get("/console/sso/callback?error=access_denied&state=x")
	assert.Equal(t, http.StatusUnauthorized, pg.Status, "the provider refused")
}
