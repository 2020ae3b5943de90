package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

var ownerLinkRE = regexp.MustCompile(`(?m)^\s+(http://\S+/console/login\?token=(\S+))$`)

// TestRunOwnerLink checks that a new database prints a sign-in link for
// the first owner staff member beside the owner key, that the link opens
// the console's sign-in page, that the API redeems it, and that the owner's session then acts as
// the owner: it invites another staff member.
func TestRunOwnerLink(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	s := start(t, dir, "--owner-email", "grace@provider.example")
	out := s.output()
	m := ownerLinkRE.FindStringSubmatch(out)
	require.NotNil(t, m, "a new database prints the first owner's link:\n%s", out)
	assert.Contains(t, out, "grace@provider.example")
	token, err := url.QueryUnescape(m[2])
	require.NoError(t, err)

	// The link opens the console's page, which keeps the token for a click.
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	resp, err := (&http.Client{Jar: jar}).Get(m[1])
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "/console/login", resp.Request.URL.Path, "the token left the address bar")
	assert.Contains(t, string(body), `action="/console/login"`, "the page's button redeems the token")

	anon, err := client.New(s.url)
	require.NoError(t, err)
	ctx := t.Context()
	in, err := client.Check(anon.SignInStaffWithLoginLinkWithResponse(ctx, client.RedeemStaffLoginLinkRequest{Token: token}))
	require.NoError(t, err)
	assert.Equal(t, client.StaffRoleOwner, in.JSON201.Staff.Role)
	assert.Equal(t, client.StaffStatusActive, in.JSON201.Staff.Status)
	_, err = client.Check(anon.SignInStaffWithLoginLinkWithResponse(ctx, client.RedeemStaffLoginLinkRequest{Token: token}))
	assert.ErrorIs(t, err, client.ErrUnauthenticated, "the link works once")

	owner, err := client.New(s.url, client.WithSessionToken(in.JSON201.Token))
	require.NoError(t, err)
	me, err := client.Check(owner.GetMeWithResponse(ctx))
	require.NoError(t, err)
	assert.Equal(t, client.PrincipalKindStaff, me.JSON200.Principal.Kind)
	require.NotNil(t, me.JSON200.Staff)
	assert.Equal(t, "grace", me.JSON200.Staff.Name)
	_, err = client.Check(owner.InviteStaffWithResponse(ctx, nil, client.InviteStaffRequest{
		Email: "alan@provider.example", Name: "Alan", Role: client.StaffRoleAgent,
	}))
	require.NoError(t, err)
	assert.NoError(t, s.shutdown(t))

	// A database with staff members prints no second link.
	again := start(t, dir)
	assert.NotRegexp(t, ownerLinkRE, again.output())
	assert.NoError(t, again.shutdown(t))
}
