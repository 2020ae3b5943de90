package portal_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/oidctest"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// ssoEnv is a portal with customer Acme, whose people of acme.example
// sign in through a real OpenID provider running in the test.
type ssoEnv struct {
	signInEnv
	idp  *oidctest.Provider
	acme customer.Customer
	ada  portal.Member // Acme's admin, ada@acme.example
}

func newSSOEnv(t *testing.T, s signInEnv, jit bool) ssoEnv {
	t.Helper()
	idp := oidctest.New(t)
	idp.Now = s.clock.Now
	idp.AddClient("portal-client", "s3cret-of-the-client", portaltest.PublicURL+"/sso/callback")
	acme := s.createCustomer(t, "Acme")
	ada := s.addMember(t, acme.ID, "ada@acme.example", customer.RoleAdmin)
	_, err := s.p.PutSSOConfig(s.owner, acme.ID, portal.PutSSOConfigParams{
		Issuer: idp.URL, ClientID: "portal-client", ClientSecret: "s3cret-of-the-client",
		Domains: []string{"acme.example"}, JIT: jit,
	})
	require.NoError(t, err)
	return ssoEnv{signInEnv: s, idp: idp, acme: acme, ada: ada}
}

// eachSSOBackend runs f per backend with Acme's provider; jit turns
// just-in-time membership on.
func eachSSOBackend(t *testing.T, jit bool, f func(t *testing.T, e ssoEnv)) {
	t.Helper()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) { f(t, newSSOEnv(t, s, jit)) })
}

// authorize starts a sign-in for email, lets the provider sign in u, and
// returns what the provider sent back to the redirect URL.
func (e ssoEnv) authorize(t *testing.T, email string, u oidctest.User) portal.FinishSSOParams {
	t.Helper()
	start, err := e.p.StartSSO(t.Context(), portal.StartSSOParams{Email: email})
	require.NoError(t, err)
	e.idp.SignIn(u)
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(start.AuthorizationURL)
	require.NoError(t, err)
	_ = res.Body.Close()
	require.Equal(t, http.StatusFound, res.StatusCode)
	back, err := url.Parse(res.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, portaltest.PublicURL+"/sso/callback", back.Scheme+"://"+back.Host+back.Path)
	require.Empty(t, back.Query().Get("error"))
	return portal.FinishSSOParams{State: back.Query().Get("state"), Code: back.Query().Get("code")}
}

func verified(email string) oidctest.User {
	return oidctest.User{Email: email, EmailVerified: true, Name: "Person " + email}
}

func TestSSOSignIn(t *testing.T) {
	t.Parallel()
	eachSSOBackend(t, false, func(t *testing.T, e ssoEnv) {
		start, err := e.p.StartSSO(t.Context(), portal.StartSSOParams{Email: "ADA@acme.example"})
		require.NoError(t, err)
		u, err := url.Parse(start.AuthorizationURL)
		require.NoError(t, err)
		q := u.Query()
		assert.Equal(t, e.idp.URL+"/authorize", u.Scheme+"://"+u.Host+u.Path)
		assert.Equal(t, "S256", q.Get("code_challenge_method"), "PKCE")
		assert.NotEmpty(t, q.Get("code_challenge"))
		assert.NotEmpty(t, q.Get("nonce"))
		assert.NotEmpty(t, q.Get("state"))
		assert.Equal(t, e.acme.ID, start.CustomerID)

		_, err = e.p.StartSSO(t.Context(), portal.StartSSOParams{Email: "bob@elsewhere.example"})
		assertCode(t, portalerr.NotFound, err, "no provider for the domain")

		in, err := e.p.FinishSSO(t.Context(), e.authorize(t, "ada@acme.example", verified("ada@acme.example")))
		require.NoError(t, err)
		assert.Equal(t, e.ada.ID, in.Membership.ID)
		assert.Equal(t, identity.MethodSSO, in.Session.Method)
		who, err := e.p.Authenticate(t.Context(), in.Token)
		require.NoError(t, err)
		assert.Equal(t, string(e.ada.UserID), who.ID)
	})
}

// TestSSORefusals has the provider (or the person) get one thing wrong per
// case; each sign-in is refused and opens no session.
func TestSSORefusals(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		tamper oidctest.Tamper
		user   oidctest.User
		want   portalerr.Code
	}{
		{"wrong audience", oidctest.Tamper{Audience: "another-client"}, verified("ada@acme.example"), portalerr.Unauthenticated},
		{"expired token", oidctest.Tamper{Expired: true}, verified("ada@acme.example"), portalerr.Unauthenticated},
		{"bad signature", oidctest.Tamper{BadSignature: true}, verified("ada@acme.example"), portalerr.Unauthenticated},
		{"wrong nonce", oidctest.Tamper{Nonce: "not-the-one"}, verified("ada@acme.example"), portalerr.Unauthenticated},
		{"wrong issuer", oidctest.Tamper{Issuer: "https://evil.example"}, verified("ada@acme.example"), portalerr.Unauthenticated},
		{"unverified e-mail", oidctest.Tamper{}, oidctest.User{Email: "ada@acme.example", EmailVerified: false}, portalerr.PermissionDenied},
		{"domain not allowed", oidctest.Tamper{}, verified("mallory@evil.example"), portalerr.PermissionDenied},
		{"not a member, JIT off", oidctest.Tamper{}, verified("new@acme.example"), portalerr.PermissionDenied},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachSSOBackend(t, false, func(t *testing.T, e ssoEnv) {
				e.idp.SetTamper(tc.tamper)
				_, err := e.p.FinishSSO(t.Context(), e.authorize(t, "ada@acme.example", tc.user))
				assertCode(t, tc.want, err)
				assert.Empty(t, e.sessions(t, storage.SessionFilter{CustomerID: e.acme.ID}), "no session")
				members, err := e.p.ListMembers(e.owner, e.acme.ID, portal.ListMembersParams{})
				require.NoError(t, err)
				assert.Len(t, members.Items, 1, "nobody joined")
			})
		})
	}
}

func TestSSOReplayedState(t *testing.T) {
	t.Parallel()
	eachSSOBackend(t, false, func(t *testing.T, e ssoEnv) {
		back := e.authorize(t, "ada@acme.example", verified("ada@acme.example"))
		_, err := e.p.FinishSSO(t.Context(), back)
		require.NoError(t, err)
		_, err = e.p.FinishSSO(t.Context(), back)
		assertCode(t, portalerr.Unauthenticated, err, "a state works once")
		assert.Equal(t, 1, e.idp.Redeemed(), "the replay never reached the provider")

		// A failed sign-in uses its state up too.
		back = e.authorize(t, "ada@acme.example", oidctest.User{Email: "ada@acme.example"})
		_, err = e.p.FinishSSO(t.Context(), back)
		assertCode(t, portalerr.PermissionDenied, err)
		e.idp.SignIn(verified("ada@acme.example"))
		_, err = e.p.FinishSSO(t.Context(), back)
		assertCode(t, portalerr.Unauthenticated, err)

		// And a state expires.
		back = e.authorize(t, "ada@acme.example", verified("ada@acme.example"))
		e.clock.Advance(identity.SSOStateTTL)
		_, err = e.p.FinishSSO(t.Context(), back)
		assertCode(t, portalerr.Unauthenticated, err, "expired state")
		_, err = e.p.FinishSSO(t.Context(), portal.FinishSSOParams{State: "made-up", Code: "x"})
		assertCode(t, portalerr.Unauthenticated, err, "unknown state")
	})
}

// TestSSOJustInTime checks that with JIT on an unknown person of the
// domain joins as a viewer, recorded; a person of another domain still
// does not.
func TestSSOJustInTime(t *testing.T) {
	t.Parallel()
	eachSSOBackend(t, true, func(t *testing.T, e ssoEnv) {
		in, err := e.p.FinishSSO(t.Context(), e.authorize(t, "new@acme.example", verified("new@acme.example")))
		require.NoError(t, err)
		assert.Equal(t, customer.RoleViewer, in.Membership.Role)
		assert.Equal(t, e.acme.ID, in.Membership.CustomerID)
		assert.Equal(t, "Person new@acme.example", in.User.Name)
		events := e.auditOf(t, string(in.Membership.ID))
		require.Len(t, events, 1)
		assert.Equal(t, "membership.joined_by_sso", events[0].Action)

		again, err := e.p.FinishSSO(t.Context(), e.authorize(t, "new@acme.example", verified("new@acme.example")))
		require.NoError(t, err)
		assert.Equal(t, in.Membership.ID, again.Membership.ID, "the second sign-in finds the membership")

		_, err = e.p.FinishSSO(t.Context(), e.authorize(t, "x@acme.example", verified("x@evil.example")))
		assertCode(t, portalerr.PermissionDenied, err, "JIT is for the customer's domains only")
	})
}

// TestSSOInvited checks that an invited person signs in through the
// provider and the invitation is accepted, with its role.
func TestSSOInvited(t *testing.T) {
	t.Parallel()
	eachSSOBackend(t, false, func(t *testing.T, e ssoEnv) {
		inv, _ := e.invite(t, e.acme.ID, "grace@acme.example", customer.RoleMaintainer)
		in, err := e.p.FinishSSO(t.Context(), e.authorize(t, "grace@acme.example", verified("grace@acme.example")))
		require.NoError(t, err)
		assert.Equal(t, customer.RoleMaintainer, in.Membership.Role)
		got, err := e.p.GetInvitation(e.owner, e.acme.ID, inv.ID)
		require.NoError(t, err)
		assert.False(t, got.AcceptedAt.IsZero(), "the invitation is accepted")
	})
}

// TestSSORequired checks that a customer requiring its provider refuses
// its people every other sign-in, and lets them in through the provider.
func TestSSORequired(t *testing.T) {
	t.Parallel()
	eachSSOBackend(t, false, func(t *testing.T, e ssoEnv) {
		ctx := e.authed(t, e.signIn(t, e.ada).Token)
		require.NoError(t, e.p.SetPassword(ctx, portal.SetPasswordParams{New: "correct horse battery staple"}))
		cfg, err := e.p.GetSSOConfig(e.owner, e.acme.ID)
		require.NoError(t, err)
		_, err = e.p.PutSSOConfig(e.owner, e.acme.ID, portal.PutSSOConfigParams{
			Issuer: cfg.Issuer, ClientID: cfg.ClientID, Domains: cfg.Domains, Required: true, Version: cfg.Version,
		})
		require.NoError(t, err, "the secret is kept when none is given")

		_, err = e.p.SignInWithPassword(t.Context(), portal.PasswordSignInParams{Email: "ada@acme.example", Password: "correct horse battery staple"})
		assertCode(t, portalerr.PermissionDenied, err, "password")
		require.NoError(t, e.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "ada@acme.example"}))
		_, err = e.p.SignInWithLoginLink(t.Context(), e.lastNotice(t, "ada@acme.example").Token, portal.SignInParams{})
		assertCode(t, portalerr.PermissionDenied, err, "login link")

		in, err := e.p.FinishSSO(t.Context(), e.authorize(t, "ada@acme.example", verified("ada@acme.example")))
		require.NoError(t, err, "the provider still signs in")
		assert.Equal(t, e.ada.ID, in.Membership.ID)
	})
}

// TestSSOConfig checks the settings' rules: the secret is never shown and
// required on create, versions guard changes, a domain belongs to one
// customer, bad settings are refused with their fields, and changes are
// recorded.
func TestSSOConfig(t *testing.T) {
	t.Parallel()
	eachSSOBackend(t, false, func(t *testing.T, e ssoEnv) {
		got, err := e.p.GetSSOConfig(e.owner, e.acme.ID)
		require.NoError(t, err)
		assert.True(t, got.HasSecret)
		assert.Nil(t, got.SecretSealed, "the secret is never shown")
		assert.Equal(t, "email", got.EmailClaim)
		assert.Equal(t, customer.RoleViewer, got.JITRole)
		assert.Equal(t, portaltest.PublicURL+"/sso/callback", got.RedirectURL)

		globex := e.createCustomer(t, "Globex")
		params := portal.PutSSOConfigParams{Issuer: "https://login.globex.example", ClientID: "g", Domains: []string{"globex.example"}}
		_, err = e.p.PutSSOConfig(e.owner, globex.ID, params)
		assertCode(t, portalerr.Invalid, err, "no secret on create")
		params.ClientSecret = "x"
		params.Domains = []string{"globex.example", "ACME.example"}
		_, err = e.p.PutSSOConfig(e.owner, globex.ID, params)
		assertCode(t, portalerr.AlreadyExists, err, "acme.example is Acme's")
		params.Domains = []string{"globex.example"}
		created, err := e.p.PutSSOConfig(e.owner, globex.ID, params)
		require.NoError(t, err)
		_, err = e.p.PutSSOConfig(e.owner, globex.ID, params)
		assertCode(t, portalerr.Conflict, err, "version 0 when one exists")
		params.Version = created.Version
		params.Issuer = "http://login.globex.example"
		params.Domains = []string{"not a domain"}
		params.JITRole = "owner"
		_, err = e.p.PutSSOConfig(e.owner, globex.ID, params)
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"issuer", "domains", "jit_role"}, fieldsOf(err))

		require.NoError(t, e.p.DeleteSSOConfig(e.owner, globex.ID))
		_, err = e.p.GetSSOConfig(e.owner, globex.ID)
		assertCode(t, portalerr.NotFound, err)
		var actions []string
		for _, ev := range e.auditOf(t, string(globex.ID)) {
			actions = append(actions, ev.Action)
		}
		assert.Contains(t, actions, "sso.configured")
		assert.Contains(t, actions, "sso.deleted")

		// Acme's admin keeps Acme's provider; Globex's is none of its business.
		admin := as(t, e.ada)
		_, err = e.p.GetSSOConfig(admin, e.acme.ID)
		require.NoError(t, err)
		_, err = e.p.PutSSOConfig(admin, globex.ID, portal.PutSSOConfigParams{
			Issuer: "https://login.globex.example", ClientID: "g", ClientSecret: "x", Domains: []string{"globex.example"},
		})
		assertCode(t, portalerr.NotFound, err)
	})
}

// TestSSORequiredEndsOtherSessions checks that turning "require single
// sign-on" on ends, in the same change, the customer's sessions opened by
// other methods (a login link, an access link), and keeps those opened
// through the provider, staff impersonating a member, and the person's
// sessions in other customers; a refused change ends none.
func TestSSORequiredEndsOtherSessions(t *testing.T) {
	t.Parallel()
	eachSSOBackend(t, false, func(t *testing.T, e ssoEnv) {
		staff, _ := e.staffSignIn(t, e.owner, "sam@provider.example", identity.StaffAdmin)
		e.allowAccessLinks(t, e.acme.ID)
		bob := e.addMember(t, e.acme.ID, "bob@acme.example", customer.RoleViewer)
		globex := e.createCustomer(t, "Globex")
		adaThere := e.addMember(t, globex.ID, "ada@acme.example", customer.RoleViewer)

		byLink := e.signIn(t, e.ada)
		link, err := e.p.CreateAccessLink(e.owner, e.acme.ID, bob.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)
		byAccessLink, err := e.p.SignInWithAccessLink(t.Context(), link.Token)
		require.NoError(t, err)
		bySSO, err := e.p.FinishSSO(t.Context(), e.authorize(t, "ada@acme.example", verified("ada@acme.example")))
		require.NoError(t, err)
		imp, err := e.p.StartImpersonation(staff, e.acme.ID, portal.StartImpersonationParams{MembershipID: bob.ID, Reason: "ticket T-7"})
		require.NoError(t, err)
		elsewhere := e.signIn(t, adaThere)

		cfg, err := e.p.GetSSOConfig(e.owner, e.acme.ID)
		require.NoError(t, err)
		params := portal.PutSSOConfigParams{Issuer: cfg.Issuer, ClientID: cfg.ClientID, Domains: cfg.Domains, Required: true, Version: cfg.Version + 1}
		_, err = e.p.PutSSOConfig(e.owner, e.acme.ID, params)
		assertCode(t, portalerr.Conflict, err, "a stale version")
		params.Version, params.Issuer = cfg.Version, "not a URL"
		_, err = e.p.PutSSOConfig(e.owner, e.acme.ID, params)
		assertCode(t, portalerr.Invalid, err)
		for _, tok := range []string{byLink.Token, byAccessLink.Token} {
			_, err := e.p.Authenticate(t.Context(), tok)
			require.NoError(t, err, "a refused change ends no session")
		}

		params.Issuer = cfg.Issuer
		_, err = e.p.PutSSOConfig(e.owner, e.acme.ID, params)
		require.NoError(t, err)
		e.assertUnauthenticated(t, byLink.Token, "a login link's session ends")
		e.assertUnauthenticated(t, byAccessLink.Token, "an access link's session ends")
		_, err = e.p.SignInWithAccessLink(t.Context(), link.Token)
		assertCode(t, portalerr.PermissionDenied, err, "the access link opens no new one")
		for name, tok := range map[string]string{"single sign-on": bySSO.Token, "impersonation": imp.Token, "another customer": elsewhere.Token} {
			_, err := e.p.Authenticate(t.Context(), tok)
			assert.NoError(t, err, "the session of %s stays", name)
		}
		var ended string
		for _, ev := range e.auditOf(t, string(e.acme.ID)) {
			for _, c := range ev.Changes {
				if ev.Action == "sso.configured" && c.Field == "sessions_ended" {
					ended = c.After
				}
			}
		}
		assert.Equal(t, "2", ended, "the audit log says how many sessions ended")

		// A password session elsewhere cannot switch into Acme now.
		_, err = e.p.SwitchMembership(e.authed(t, elsewhere.Token), e.ada.ID)
		assertCode(t, portalerr.PermissionDenied, err, "switching in is another way to sign in")
	})
}

// TestSSODomainApproval checks that a domain a customer's admin lists
// waits for staff: it routes no sign-in and lets nobody join until staff
// approve it, another customer's claim of a domain changes nothing for
// its owner, and a domain is active for one customer at most.
func TestSSODomainApproval(t *testing.T) {
	t.Parallel()
	eachSSOBackend(t, true, func(t *testing.T, e ssoEnv) {
		staffAdmin, _ := e.staffSignIn(t, e.owner, "sam@provider.example", identity.StaffAdmin)
		admin := as(t, e.ada)
		cfg, err := e.p.GetSSOConfig(admin, e.acme.ID)
		require.NoError(t, err)
		assert.Equal(t, []string{"acme.example"}, cfg.Domains)
		assert.Empty(t, cfg.Pending, "a domain staff list is active at once")

		cfg, err = e.p.PutSSOConfig(admin, e.acme.ID, portal.PutSSOConfigParams{
			Issuer: cfg.Issuer, ClientID: cfg.ClientID, Domains: []string{"acme.example", "Acme-Labs.example"}, JIT: true, Version: cfg.Version,
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"acme-labs.example"}, cfg.Pending, "the admin's new domain waits")
		_, err = e.p.StartSSO(t.Context(), portal.StartSSOParams{Email: "lab@acme-labs.example"})
		assertCode(t, portalerr.NotFound, err, "a pending domain sends nobody to the provider")
		_, err = e.p.FinishSSO(t.Context(), e.authorize(t, "ada@acme.example", verified("lab@acme-labs.example")))
		assertCode(t, portalerr.PermissionDenied, err, "nor lets anybody join through it")

		// Globex's admin claims Acme's domain and a fresh one: both wait,
		// and Acme's people still go to Acme's provider.
		globex := e.createCustomer(t, "Globex")
		gina := e.addMember(t, globex.ID, "gina@globex.example", customer.RoleAdmin)
		squat, err := e.p.PutSSOConfig(as(t, gina), globex.ID, portal.PutSSOConfigParams{
			Issuer: "https://login.globex.example", ClientID: "g", ClientSecret: "x", Domains: []string{"acme.example", "acme-labs.example"},
		})
		require.NoError(t, err, "a claim tells nothing of other customers")
		assert.Equal(t, []string{"acme-labs.example", "acme.example"}, squat.Pending)
		_, err = e.p.PutSSOConfig(as(t, gina), globex.ID, portal.PutSSOConfigParams{
			Issuer: "https://login.globex.example", ClientID: "g", Domains: []string{"acme.example"}, Required: true, Version: squat.Version,
		})
		assertCode(t, portalerr.FailedPrecondition, err, "required with no active domain would lock everybody out")
		start, err := e.p.StartSSO(t.Context(), portal.StartSSOParams{Email: "bob@acme.example"})
		require.NoError(t, err)
		assert.Equal(t, e.acme.ID, start.CustomerID)

		// Who may approve, and what.
		_, err = e.p.ApproveSSODomain(admin, e.acme.ID, "acme-labs.example")
		assertCode(t, portalerr.PermissionDenied, err, "a customer cannot vouch for itself")
		_, err = e.p.ApproveSSODomain(staffAdmin, e.acme.ID, "other.example")
		assertCode(t, portalerr.NotFound, err, "not a pending domain")
		_, err = e.p.ApproveSSODomain(staffAdmin, e.acme.ID, "acme.example")
		assertCode(t, portalerr.NotFound, err, "active already")
		_, err = e.p.ApproveSSODomain(staffAdmin, globex.ID, "acme.example")
		assertCode(t, portalerr.AlreadyExists, err, "Acme's already")
		got, err := e.p.GetSSOConfig(e.owner, globex.ID)
		require.NoError(t, err)
		assert.Equal(t, squat.SSOConfig, got.SSOConfig, "the refused approval changed nothing")

		approved, err := e.p.ApproveSSODomain(staffAdmin, e.acme.ID, "ACME-LABS.example")
		require.NoError(t, err)
		assert.Empty(t, approved.Pending)
		assert.Equal(t, cfg.Version+1, approved.Version)
		_, err = e.p.ApproveSSODomain(staffAdmin, globex.ID, "acme-labs.example")
		assertCode(t, portalerr.AlreadyExists, err, "active for one customer at most")
		in, err := e.p.FinishSSO(t.Context(), e.authorize(t, "lab@acme-labs.example", verified("lab@acme-labs.example")))
		require.NoError(t, err, "approved, it routes and lets people join")
		assert.Equal(t, e.acme.ID, in.Membership.CustomerID)

		// Saving again keeps the domain active.
		again, err := e.p.PutSSOConfig(admin, e.acme.ID, portal.PutSSOConfigParams{
			Issuer: cfg.Issuer, ClientID: cfg.ClientID, Domains: approved.Domains, JIT: true, Version: approved.Version,
		})
		require.NoError(t, err)
		assert.Empty(t, again.Pending)

		var found bool
		for _, ev := range e.auditOf(t, string(e.acme.ID)) {
			if ev.Action == "sso.domain_approved" {
				found = true
				assert.Contains(t, ev.Changes, audit.Change{Field: "pending_domains", Before: "acme-labs.example", After: ""})
			}
		}
		assert.True(t, found, "the approval is recorded")
	})
}
