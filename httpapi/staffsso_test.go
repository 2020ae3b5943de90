package httpapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oidctest"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// TestStaffSSOOverHTTP signs staff in through the provider's own OpenID
// provider, running in the test, through the generated client, on SQLite
// and on PostgreSQL: an active member signs in; a replayed state, an
// unverified address, an unknown one and a disabled member are refused.
func TestStaffSSOOverHTTP(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) storage.Store{
		"sqlite":   func(t *testing.T) storage.Store { return portaltest.Store(t) },
		"postgres": func(t *testing.T) storage.Store { return postgrestest.Open(t) },
	} {
		t.Run(name, func(t *testing.T) {
			ctx := t.Context()
			idp := oidctest.New(t)
			idp.AddClient("console", "console-secret", portaltest.PublicURL+"/console/sso/callback")
			s := open(t)
			e := &env{store: s, clock: &portaltest.Clock{}, notes: &portaltest.Recorder{}, logs: &bytes.Buffer{}}
			e.p = portaltest.New(t, e.clock, func(c *portal.Config) {
				c.Store, c.Mailer = s, e.notes
				c.StaffSSO = portal.StaffSSOConfig{Issuer: idp.URL, ClientID: "console", ClientSecret: "console-secret", Domains: []string{"provider.example"}}
			})
			idp.Now = e.clock.Now
			e.srv = httptest.NewServer(httpapi.NewHandler(e.p))
			t.Cleanup(e.srv.Close)
			boot, err := e.p.Bootstrap(ctx, portal.BootstrapParams{OwnerEmail: "olga@provider.example"})
			require.NoError(t, err)
			olga, err := e.p.SignInStaffWithLoginLink(ctx, boot.OwnerLoginToken)
			require.NoError(t, err)
			who, err := e.p.Authenticate(ctx, olga.Token)
			require.NoError(t, err)
			owner := identity.NewContext(ctx, who)
			bob, err := e.p.InviteStaff(owner, portal.InviteStaffParams{Email: "bob@provider.example", Name: "Bob", Role: identity.StaffAgent})
			require.NoError(t, err)
			_, err = e.p.DisableStaff(owner, bob.ID)
			require.NoError(t, err)

			anon := e.client(t, "")
			authorize := func(u oidctest.User) client.FinishSSORequest {
				t.Helper()
				st := must(anon.StartStaffSSOWithResponse(ctx))(t).JSON200
				idp.SignIn(u)
				hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				res, err := hc.Get(st.AuthorizationUrl)
				require.NoError(t, err)
				_ = res.Body.Close()
				back, err := url.Parse(res.Header.Get("Location"))
				require.NoError(t, err)
				return client.FinishSSORequest{State: back.Query().Get("state"), Code: back.Query().Get("code")}
			}

			back := authorize(oidctest.User{Email: "olga@provider.example", EmailVerified: true})
			in := must(anon.FinishStaffSSOWithResponse(ctx, back))(t)
			assert.Equal(t, "no-store", in.HTTPResponse.Header.Get("Cache-Control"))
			assert.Equal(t, string(olga.Staff.ID), string(in.JSON201.Staff.Id))
			must(e.client(t, in.JSON201.Token).ListStaffWithResponse(ctx, nil))(t)
			fails(anon.FinishStaffSSOWithResponse(ctx, back))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
			fails(anon.FinishStaffSSOWithResponse(ctx, authorize(oidctest.User{Email: "olga@provider.example"})))(t,
				http.StatusForbidden, client.ProblemCodePermissionDenied)
			fails(anon.FinishStaffSSOWithResponse(ctx, authorize(oidctest.User{Email: "nobody@provider.example", EmailVerified: true})))(t,
				http.StatusForbidden, client.ProblemCodePermissionDenied)
			fails(anon.FinishStaffSSOWithResponse(ctx, authorize(oidctest.User{Email: "bob@provider.example", EmailVerified: true})))(t,
				http.StatusForbidden, client.ProblemCodePermissionDenied)
		})
	}
}
