package httpapi_test

import (
	"net/http"
	"net/url"
	"testing"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/internal/oidctest"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// TestSSOOverHTTP signs people of a customer in through a real OpenID
// provider running in the test, through the generated client, on SQLite
// and on PostgreSQL: the customer's admin sets the provider up (its secret
// never shown again), a member signs in, a replayed state, a tampered ID
// token, an unverified address, a foreign domain and a stranger without
// JIT are refused; with JIT on the stranger joins as a viewer.
func TestSSOOverHTTP(t *testing.T) {
	t.Parallel()
	for name, open := range map[string]func(*testing.T) storage.Store{
		"sqlite":   func(t *testing.T) storage.Store { return portaltest.Store(t) },
		"postgres": func(t *testing.T) storage.Store { return postgrestest.Open(t) },
	} {
		t.Run(name, func(t *testing.T) {
			e := newEnvOn(t, open(t), portal.SequentialIDs(), "")
			ctx := t.Context()
			anon := e.client(t, "")
			cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
			admin := e.client(t, ada.Token)

			idp := oidctest.New(t)
			idp.Now = e.clock.Now
			set := must(admin.PutSSOConfigWithResponse(ctx, cid, nil, client.SSOConfigRequest{
				Issuer: idp.URL, ClientId: "portal", ClientSecret: ptr("the-client-secret"), Domains: []string{"acme.example"},
			}))(t)
			cfg := set.JSON200
			assert.True(t, cfg.HasSecret)
			assert.NotContains(t, string(set.Body), "the-client-secret", "the secret is never shown")
			assert.Equal(t, client.RoleViewer, cfg.JitRole)
			idp.AddClient("portal", "the-client-secret", cfg.RedirectUri)
			fails(admin.PutSSOConfigWithResponse(ctx, cid, nil, client.SSOConfigRequest{
				Issuer: idp.URL, ClientId: "portal", Domains: []string{"acme.example"},
			}))(t, http.StatusConflict, client.ProblemCodeConflict)

			// The admin's domain waits for staff: until approved it sends
			// nobody to the provider; the customer cannot approve it.
			assert.Equal(t, []string{"acme.example"}, cfg.PendingDomains)
			fails(anon.StartSSOWithResponse(ctx, client.RequestLoginLinkRequest{Email: "ada@acme.example"}))(t, http.StatusNotFound, client.ProblemCodeNotFound)
			fails(admin.ApproveSSODomainWithResponse(ctx, cid, "acme.example"))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)
			owner := e.client(t, e.owner)
			fails(owner.ApproveSSODomainWithResponse(ctx, cid, "other.example"))(t, http.StatusNotFound, client.ProblemCodeNotFound)
			approved := must(owner.ApproveSSODomainWithResponse(ctx, cid, "ACME.example"))(t)
			assert.Empty(t, approved.JSON200.PendingDomains)
			assert.Equal(t, []string{"acme.example"}, approved.JSON200.Domains)
			assert.Equal(t, `"2"`, approved.HTTPResponse.Header.Get("ETag"))
			fails(owner.ApproveSSODomainWithResponse(ctx, cid, "acme.example"))(t, http.StatusNotFound, client.ProblemCodeNotFound)
			gid, gina := e.onboard(t, "Globex", "gina@globex.example", nil)
			claim := must(e.client(t, gina.Token).PutSSOConfigWithResponse(ctx, gid, nil, client.SSOConfigRequest{
				Issuer: "https://login.globex.example", ClientId: "g", ClientSecret: ptr("x"), Domains: []string{"acme.example"},
			}))(t).JSON200
			assert.Equal(t, []string{"acme.example"}, claim.PendingDomains, "another customer's claim waits, telling nothing")
			fails(owner.ApproveSSODomainWithResponse(ctx, gid, "acme.example"))(t, http.StatusConflict, client.ProblemCodeAlreadyExists)
			audit := must(admin.ListCustomerAuditEventsWithResponse(ctx, cid, &client.ListCustomerAuditEventsParams{Action: ptr("sso.domain_approved")}))(t).JSON200
			require.Len(t, audit.Items, 1, "the customer's admin sees the approval")
			assert.Equal(t, approved.HTTPResponse.Header.Get("X-Request-ID"), *audit.Items[0].RequestId)

			fails(anon.StartSSOWithResponse(ctx, client.RequestLoginLinkRequest{Email: "x@elsewhere.example"}))(t, http.StatusNotFound, client.ProblemCodeNotFound)
			// authorize walks the browser's part: start, the provider, back.
			// Starts are rate limited per address: each comes a quarter of
			// the limit's window after the one before (on the portal's and
			// the provider's clock), so at most four fall in one window.
			authorize := func(email string, u oidctest.User) client.FinishSSORequest {
				t.Helper()
				e.clock.Advance(portal.DefaultRateLimits.PerEmail.Window / 4)
				st := must(anon.StartSSOWithResponse(ctx, client.RequestLoginLinkRequest{Email: openapi_types.Email(email)}))(t).JSON200
				assert.Equal(t, cid, st.CustomerId)
				idp.SignIn(u)
				hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
				res, err := hc.Get(st.AuthorizationUrl)
				require.NoError(t, err)
				_ = res.Body.Close()
				back, err := url.Parse(res.Header.Get("Location"))
				require.NoError(t, err)
				return client.FinishSSORequest{State: back.Query().Get("state"), Code: back.Query().Get("code")}
			}
			good := oidctest.User{Email: "ada@acme.example", EmailVerified: true, Name: "Ada"}

			back := authorize("ada@acme.example", good)
			in := must(anon.FinishSSOWithResponse(ctx, back))(t)
			assert.Equal(t, "no-store", in.HTTPResponse.Header.Get("Cache-Control"))
			assert.Equal(t, client.SignInMethodSso, in.JSON201.Session.Method)
			assert.Equal(t, ada.Membership.Id, in.JSON201.Membership.Id)
			must(e.client(t, in.JSON201.Token).GetMeWithResponse(ctx))(t)
			fails(anon.FinishSSOWithResponse(ctx, back))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)

			idp.SetTamper(oidctest.Tamper{Audience: "someone-else"})
			fails(anon.FinishSSOWithResponse(ctx, authorize("ada@acme.example", good)))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
			idp.SetTamper(oidctest.Tamper{BadSignature: true})
			fails(anon.FinishSSOWithResponse(ctx, authorize("ada@acme.example", good)))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
			idp.SetTamper(oidctest.Tamper{Expired: true})
			fails(anon.FinishSSOWithResponse(ctx, authorize("ada@acme.example", good)))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
			idp.SetTamper(oidctest.Tamper{})
			fails(anon.FinishSSOWithResponse(ctx, authorize("ada@acme.example", oidctest.User{Email: "ada@acme.example"})))(t,
				http.StatusForbidden, client.ProblemCodePermissionDenied)
			fails(anon.FinishSSOWithResponse(ctx, authorize("ada@acme.example", oidctest.User{Email: "eve@evil.example", EmailVerified: true})))(t,
				http.StatusForbidden, client.ProblemCodePermissionDenied)
			stranger := oidctest.User{Email: "new@acme.example", EmailVerified: true, Name: "New Person"}
			fails(anon.FinishSSOWithResponse(ctx, authorize("new@acme.example", stranger)))(t, http.StatusForbidden, client.ProblemCodePermissionDenied)

			etag := must(admin.GetSSOConfigWithResponse(ctx, cid))(t).HTTPResponse.Header.Get("ETag")
			must(admin.PutSSOConfigWithResponse(ctx, cid, &client.PutSSOConfigParams{IfMatch: &etag}, client.SSOConfigRequest{
				Issuer: idp.URL, ClientId: "portal", Domains: []string{"acme.example"}, Jit: ptr(true),
			}))(t)
			fails(admin.PutSSOConfigWithResponse(ctx, cid, &client.PutSSOConfigParams{IfMatch: &etag}, client.SSOConfigRequest{
				Issuer: idp.URL, ClientId: "portal", Domains: []string{"acme.example"},
			}))(t, http.StatusPreconditionFailed, client.ProblemCodeConflict)
			joined := must(anon.FinishSSOWithResponse(ctx, authorize("new@acme.example", stranger)))(t).JSON201
			assert.Equal(t, client.RoleViewer, joined.Membership.Role)
			assert.Equal(t, "New Person", joined.User.Name)
		})
	}
}
