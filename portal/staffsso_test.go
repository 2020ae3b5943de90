package portal_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oidctest"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// eachStaffSSOBackend runs f per backend with a portal whose staff sign
// in through a real OpenID provider running in the test.
func eachStaffSSOBackend(t *testing.T, f func(t *testing.T, s signInEnv, idp *oidctest.Provider)) {
	t.Helper()
	idp := oidctest.New(t)
	idp.AddClient("console-client", "console-s3cret", portaltest.PublicURL+"/console/sso/callback")
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		idp.Now = s.clock.Now
		f(t, s, idp)
	}, func(c *portal.Config) {
		c.StaffSSO = portal.StaffSSOConfig{Issuer: idp.URL, ClientID: "console-client", ClientSecret: "console-s3cret", Domains: []string{"Provider.example"}}
	})
}

// staffAuthorize starts a staff sign-in, lets the provider sign in u and
// returns what it sent back to the console's redirect URL.
func staffAuthorize(t *testing.T, s signInEnv, idp *oidctest.Provider, u oidctest.User) portal.FinishSSOParams {
	t.Helper()
	start, err := s.p.StartStaffSSO(t.Context(), "")
	require.NoError(t, err)
	au, err := url.Parse(start)
	require.NoError(t, err)
	assert.Equal(t, "S256", au.Query().Get("code_challenge_method"), "PKCE")
	assert.NotEmpty(t, au.Query().Get("nonce"))
	idp.SignIn(u)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(start)
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	back, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, portaltest.PublicURL+"/console/sso/callback", back.Scheme+"://"+back.Host+back.Path)
	return portal.FinishSSOParams{State: back.Query().Get("state"), Code: back.Query().Get("code")}
}

func TestStaffSSOSignIn(t *testing.T) {
	t.Parallel()
	eachStaffSSOBackend(t, func(t *testing.T, s signInEnv, idp *oidctest.Provider) {
		require.True(t, s.p.StaffSSOEnabled())
		_, ann := s.staffSignIn(t, s.owner, "ann@provider.example", identity.StaffAgent)

		in, err := s.p.FinishStaffSSO(t.Context(), staffAuthorize(t, s, idp, verified("Ann@Provider.example")))
		require.NoError(t, err)
		assert.Equal(t, ann.Staff.ID, in.Staff.ID)
		assert.Equal(t, identity.MethodSSO, in.Session.Method)
		who, err := s.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.True(t, who.IsProvider())
		assert.Equal(t, string(ann.Staff.ID), who.ID)
		events := s.auditOf(t, string(ann.Staff.ID))
		require.NotEmpty(t, events)
		assert.Equal(t, "staff.signed_in_by_sso", events[len(events)-1].Action)

		// A customer's sign-in state does not open a staff session, nor
		// the other way round.
		_, err = s.p.FinishSSO(t.Context(), staffAuthorize(t, s, idp, verified("ann@provider.example")))
		assertCode(t, portalerr.Unauthenticated, err, "a staff state is no customer's")
	})
}

// TestStaffSSORefusals: each sign-in is refused, opens no session and
// creates no staff member.
func TestStaffSSORefusals(t *testing.T) {
	t.Parallel()
	eachStaffSSOBackend(t, func(t *testing.T, s signInEnv, idp *oidctest.Provider) {
		_, ann := s.staffSignIn(t, s.owner, "ann@provider.example", identity.StaffAgent)
		_, bob := s.staffSignIn(t, s.owner, "bob@provider.example", identity.StaffAgent)
		_, err := s.p.DisableStaff(s.owner, bob.Staff.ID)
		require.NoError(t, err)
		before := len(s.sessions(t, storage.SessionFilter{StaffID: ann.Staff.ID}))
		list := func() int {
			l, err := s.p.ListStaff(s.owner, portal.ListStaffParams{})
			require.NoError(t, err)
			return len(l.Items)
		}
		staffCount := list()

		for name, tc := range map[string]struct {
			user oidctest.User
			want portalerr.Code
		}{
			"unverified e-mail":  {oidctest.User{Email: "ann@provider.example"}, portalerr.PermissionDenied},
			"unknown address":    {verified("nobody@provider.example"), portalerr.PermissionDenied},
			"disabled staff":     {verified("bob@provider.example"), portalerr.PermissionDenied},
			"domain not allowed": {verified("ann@evil.example"), portalerr.PermissionDenied},
		} {
			_, err := s.p.FinishStaffSSO(t.Context(), staffAuthorize(t, s, idp, tc.user))
			assertCode(t, tc.want, err, name)
		}
		idp.SetTamper(oidctest.Tamper{BadSignature: true})
		_, err = s.p.FinishStaffSSO(t.Context(), staffAuthorize(t, s, idp, verified("ann@provider.example")))
		assertCode(t, portalerr.Unauthenticated, err, "bad signature")
		idp.SetTamper(oidctest.Tamper{})
		assert.Len(t, s.sessions(t, storage.SessionFilter{StaffID: ann.Staff.ID}), before, "no session")
		assert.Empty(t, s.sessions(t, storage.SessionFilter{StaffID: bob.Staff.ID}), "no session of the disabled")
		assert.Equal(t, staffCount, list(), "nobody became staff")

		// A state works once.
		back := staffAuthorize(t, s, idp, verified("ann@provider.example"))
		_, err = s.p.FinishStaffSSO(t.Context(), back)
		require.NoError(t, err)
		_, err = s.p.FinishStaffSSO(t.Context(), back)
		assertCode(t, portalerr.Unauthenticated, err, "replayed state")
	})
}

func TestStaffSSOOff(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		assert.False(t, s.p.StaffSSOEnabled())
		_, err := s.p.StartStaffSSO(t.Context(), "")
		assertCode(t, portalerr.FailedPrecondition, err)
		_, err = s.p.FinishStaffSSO(t.Context(), portal.FinishSSOParams{State: "s", Code: "c"})
		assertCode(t, portalerr.FailedPrecondition, err)
	})
}
