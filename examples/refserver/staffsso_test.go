package main

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/internal/oidctest"
)

// TestStaffOIDCFlags starts the server with the --staff-oidc-* flags: the
// console's sign-in page offers the company account, which leads to the
// provider with the console's redirect URI.
func TestStaffOIDCFlags(t *testing.T) {
	t.Parallel()
	idp := oidctest.New(t)
	s := start(t, t.TempDir(), "--staff-oidc-issuer", idp.URL, "--staff-oidc-client-id", "console",
		"--staff-oidc-client-secret", "console-secret", "--staff-oidc-domains", "provider.example")
	res, err := http.Get(s.url + "/console/signin")
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), "Sign in with your company account")

	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(body))
	form := url.Values{}
	if m != nil {
		form.Set("csrf", m[1])
	}
	req, err := http.NewRequest(http.MethodPost, s.url+"/console/signin/sso", strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", s.url)
	for _, c := range res.Cookies() {
		req.AddCookie(c)
	}
	res, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ = io.ReadAll(res.Body)
	_ = res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, string(body))
	link := regexp.MustCompile(`href="(` + regexp.QuoteMeta(idp.URL) + `/authorize[^"]+)"`).FindStringSubmatch(string(body))
	require.NotNil(t, link, string(body))
	u, err := url.Parse(html.UnescapeString(link[1]))
	require.NoError(t, err)
	assert.Equal(t, s.url+"/console/sso/callback", u.Query().Get("redirect_uri"))
	assert.Equal(t, "console", u.Query().Get("client_id"))
}
