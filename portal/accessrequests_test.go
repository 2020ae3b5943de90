package portal_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

func requestParams(email string) portal.RequestAccessParams {
	return portal.RequestAccessParams{
		CompanyName: "Acme Industries GmbH", VATID: "DE123456789", Website: "acme.example",
		Name: "Jane Doe", Email: email, Phone: "+49 30 1234", Message: "We rent 40 laptops.", Language: "de",
		ClientAddr: "192.0.2.1:4711",
	}
}

// requestConfirmed makes a request and confirms it through its mail, and
// returns it as staff see it.
func (s signInEnv) requestConfirmed(t *testing.T, params portal.RequestAccessParams) portal.AccessRequest {
	t.Helper()
	require.NoError(t, s.p.RequestAccess(t.Context(), params))
	n := s.lastNotice(t, strings.ToLower(params.Email))
	require.Equal(t, portal.NotifyAccessRequestConfirm, n.Kind)
	require.NoError(t, s.p.ConfirmAccessRequest(t.Context(), n.Token))
	l, err := s.p.ListAccessRequests(s.owner, portal.ListAccessRequestsParams{Status: accessrequest.StatusPending})
	require.NoError(t, err)
	require.NotEmpty(t, l.Items)
	r, err := s.p.GetAccessRequest(s.owner, l.Items[0].ID)
	require.NoError(t, err)
	return r
}

func TestRequestAccessReachesStaffOnlyOnceConfirmed(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		require.NoError(t, s.p.RequestAccess(t.Context(), requestParams("Jane@Acme.example")))
		n := s.lastNotice(t, "jane@acme.example")
		assert.Equal(t, portal.NotifyAccessRequestConfirm, n.Kind)
		assert.Contains(t, n.Subject, "Zugangsanfrage", "in the requester's language")
		assert.Contains(t, n.Link, "/request-access/confirm?token=")

		pending := func() int {
			l, err := s.p.ListAccessRequests(s.owner, portal.ListAccessRequestsParams{Status: accessrequest.StatusPending})
			require.NoError(t, err)
			return len(l.Items)
		}
		assert.Equal(t, 0, pending(), "unconfirmed requests do not reach the provider")
		counts, err := s.p.CountAccessRequests(s.owner)
		require.NoError(t, err)
		assert.Equal(t, map[accessrequest.Status]int{accessrequest.StatusUnconfirmed: 1}, counts)

		require.NoError(t, s.p.ConfirmAccessRequest(t.Context(), n.Token))
		require.NoError(t, s.p.ConfirmAccessRequest(t.Context(), n.Token), "the link opened twice")
		assert.Equal(t, 1, pending())
		l, err := s.p.ListAccessRequests(s.owner, portal.ListAccessRequestsParams{})
		require.NoError(t, err)
		r := l.Items[0]
		assert.Equal(t, "jane@acme.example", r.Email)
		assert.Equal(t, "https://acme.example", r.Website)
		assert.Equal(t, "192.0.2.1", r.ClientAddr)
		assert.Equal(t, "de", r.Language)

		assertCode(t, portalerr.NotFound, s.p.ConfirmAccessRequest(t.Context(), "par_"+strings.Repeat("A", 43)), "unknown link")
		assertCode(t, portalerr.NotFound, s.p.ConfirmAccessRequest(t.Context(), "nonsense"))
	})
}

func TestUnconfirmedRequestsExpireAfterADay(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		require.NoError(t, s.p.RequestAccess(t.Context(), requestParams("jane@acme.example")))
		token := s.lastNotice(t, "jane@acme.example").Token
		s.clock.Advance(accessrequest.ConfirmTTL)
		assertCode(t, portalerr.NotFound, s.p.ConfirmAccessRequest(t.Context(), token))
		l, err := s.p.ListAccessRequests(s.owner, portal.ListAccessRequestsParams{Status: accessrequest.StatusExpired})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1)
		_, err = s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		l, err = s.p.ListAccessRequests(s.owner, portal.ListAccessRequestsParams{})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "expired requests are purged")
	})
}

// TestRequestAccessSameForKnownAndUnknownAddresses: the answer, the rows
// written and the mail sent are the same whether or not the address has
// an account. RequestAccess never looks accounts up, so it does the same
// work either way; no timing is asserted.
func TestRequestAccessSameForKnownAndUnknownAddresses(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "known@acme.example", customer.RoleAdmin)
		errKnown := s.p.RequestAccess(t.Context(), requestParams("known@acme.example"))
		errUnknown := s.p.RequestAccess(t.Context(), requestParams("unknown@acme.example"))
		assert.NoError(t, errKnown)
		assert.Equal(t, errKnown, errUnknown)
		known, unknown := s.lastNotice(t, "known@acme.example"), s.lastNotice(t, "unknown@acme.example")
		assert.Equal(t, known.Kind, unknown.Kind)
		assert.Equal(t, known.Subject, unknown.Subject)
		assert.Equal(t, strings.ReplaceAll(known.Text, known.Token, "T"), strings.ReplaceAll(unknown.Text, unknown.Token, "T"))
	})
}

func TestRequestAccessAbuseLimits(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		trapped := requestParams("bot@spam.example")
		trapped.Trap = "http://spam.example"
		require.NoError(t, s.p.RequestAccess(t.Context(), trapped), "a filled honeypot is answered as any request")
		assert.Zero(t, s.noticesTo("bot@spam.example"), "and dropped")

		for range portal.DefaultRateLimits.PerEmail.N {
			require.NoError(t, s.p.RequestAccess(t.Context(), requestParams("jane@acme.example")))
		}
		err := s.p.RequestAccess(t.Context(), requestParams("jane@acme.example"))
		assertCode(t, portalerr.RateLimited, err)
		assert.Positive(t, retryAfter(err))

		bad := requestParams("not an address")
		bad.CompanyName, bad.Website, bad.Language, bad.Message = "", "ftp://x", "fr", strings.Repeat("x", 2001)
		err = s.p.RequestAccess(t.Context(), bad)
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"company_name", "email", "website", "language", "message"}, fieldsOf(err))
	})
}

func TestRequestAccessPerClientLimit(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		for i := range 3 {
			require.NoError(t, s.p.RequestAccess(t.Context(), requestParams(string(rune('a'+i))+"@acme.example")))
		}
		assertCode(t, portalerr.RateLimited, s.p.RequestAccess(t.Context(), requestParams("d@acme.example")))
	}, func(c *portal.Config) { c.RateLimits.PerClient = portal.Limit{N: 3, Window: time.Hour} })
}

func TestAccessRequestMatchesRankSameDomainFirst(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		byName, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Acme Industries"})
		require.NoError(t, err)
		byDomain, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "ACM Holding", ContactEmail: "office@acme.example"})
		require.NoError(t, err)
		_, err = s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Unrelated"})
		require.NoError(t, err)
		r := s.requestConfirmed(t, requestParams("jane@acme.example"))
		require.Len(t, r.Matches, 2)
		assert.Equal(t, byDomain.ID, r.Matches[0].Customer.ID)
		assert.Equal(t, accessrequest.MatchEmailDomain, r.Matches[0].Reasons[0].Kind)
		assert.Contains(t, r.Matches[0].Reasons[0].Explanation, "acme.example")
		assert.Equal(t, byName.ID, r.Matches[1].Customer.ID)
		assert.Equal(t, accessrequest.MatchName, r.Matches[1].Reasons[0].Kind)
	})
}

func TestConnectAccessRequestToNewCustomer(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		r := s.requestConfirmed(t, requestParams("jane@acme.example"))
		cp := portal.AccessRequestCustomer(r.Request)
		cp.Name = "Acme Industries"
		cp.Features.Tickets = ptr(true)
		d, err := s.p.ConnectAccessRequestToNewCustomer(s.owner, r.ID, portal.ConnectNewCustomerParams{Version: r.Version, Customer: cp, Message: "Willkommen!"})
		require.NoError(t, err)
		assert.Equal(t, accessrequest.StatusConnected, d.Request.Status)
		assert.Equal(t, accessrequest.Decision{By: "staff:stf_owner", At: s.clock.Now().UTC().Truncate(time.Microsecond), Message: "Willkommen!",
			CustomerID: d.Customer.ID, NewCustomer: true, InvitationID: d.Invitation.ID}, d.Request.Decision)
		assert.Equal(t, "Acme Industries", d.Customer.Name, "the edited name")
		assert.Equal(t, "DE123456789", d.Customer.VATID, "prefilled")
		assert.True(t, d.Customer.Features.Tickets, "the chosen features")
		assert.True(t, d.Invitation.FirstAdmin)
		assertInvitationAudited(t, s, d)

		n := s.lastNotice(t, "jane@acme.example")
		require.Equal(t, portal.NotifyInvitation, n.Kind)
		assert.Contains(t, n.Subject, "Einladung", "in the requester's language")
		assert.Contains(t, n.Text, "Willkommen!")
		in := s.accept(t, n.Token, "Jane Doe")
		assert.Equal(t, customer.RoleAdmin, in.Membership.Role, "the requester is the customer's first admin")
		assert.Equal(t, d.Customer.ID, in.Membership.CustomerID)
	})
}

func TestConnectAccessRequestToNewCustomerIsOneTransaction(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		taken, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Taken", ExternalRef: "ERP-1"})
		require.NoError(t, err)
		r := s.requestConfirmed(t, requestParams("jane@acme.example"))
		cp := portal.AccessRequestCustomer(r.Request)
		cp.ExternalRef = "ERP-1"
		_, err = s.p.ConnectAccessRequestToNewCustomer(s.owner, r.ID, portal.ConnectNewCustomerParams{Version: r.Version, Customer: cp})
		assertCode(t, portalerr.AlreadyExists, err)
		after, err := s.p.GetAccessRequest(s.owner, r.ID)
		require.NoError(t, err)
		assert.Equal(t, accessrequest.StatusPending, after.Status, "nothing decided")
		l, err := s.p.ListCustomers(s.owner, portal.ListCustomersParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1, "no customer but %s", taken.ID)

		cp.ExternalRef, cp.Name = "", ""
		_, err = s.p.ConnectAccessRequestToNewCustomer(s.owner, r.ID, portal.ConnectNewCustomerParams{Version: r.Version, Customer: cp})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"customer.name"}, fieldsOf(err))

		// Agents work the inbox but do not create customers.
		agent := portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent))
		cp.Name = "Acme"
		_, err = s.p.ConnectAccessRequestToNewCustomer(agent, r.ID, portal.ConnectNewCustomerParams{Version: r.Version, Customer: cp})
		assertCode(t, portalerr.PermissionDenied, err)
	})
}

func TestConnectAccessRequestToExistingCustomer(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "admin@acme.example", customer.RoleAdmin)
		site := s.createSite(t, c.ID, "Berlin")
		other := s.createCustomer(t, "Other")
		otherSite := s.createSite(t, other.ID, "Elsewhere")
		r := s.requestConfirmed(t, requestParams("jane@acme.example"))

		_, err := s.p.ConnectAccessRequestToCustomer(s.owner, r.ID, portal.ConnectExistingCustomerParams{
			Version: r.Version, CustomerID: c.ID, Role: customer.RoleMaintainer, SiteIDs: []customer.SiteID{otherSite.ID}})
		assertCode(t, portalerr.Invalid, err, "another customer's site")

		agent := portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent))
		d, err := s.p.ConnectAccessRequestToCustomer(agent, r.ID, portal.ConnectExistingCustomerParams{
			Version: r.Version, CustomerID: c.ID, Role: customer.RoleMaintainer, SiteIDs: []customer.SiteID{site.ID}})
		require.NoError(t, err)
		assert.Equal(t, c.ID, d.Request.Decision.CustomerID)
		assert.False(t, d.Request.Decision.NewCustomer)
		assert.Equal(t, "staff:stf_agent", d.Request.Decision.By)
		assertInvitationAudited(t, s, d)
		in := s.accept(t, s.lastNotice(t, "jane@acme.example").Token, "Jane Doe")
		assert.Equal(t, customer.RoleMaintainer, in.Membership.Role)
		assert.Equal(t, []customer.SiteID{site.ID}, in.Membership.SiteIDs, "partial access")
	})
}

// assertInvitationAudited checks that the invitation a decision sent is
// an audit event of its customer, by the staff member who decided (and so
// a webhook event too).
func assertInvitationAudited(t *testing.T, s signInEnv, d portal.AccessDecision) {
	t.Helper()
	l, err := s.p.ListCustomerAuditEvents(s.owner, d.Customer.ID, portal.ListAuditEventsParams{Action: "invitation.created", Target: string(d.Invitation.ID)})
	require.NoError(t, err)
	require.Len(t, l.Items, 1, "the invitation is audited")
	assert.Equal(t, d.Request.Decision.By, l.Items[0].Actor)
}

func TestRejectAccessRequestMailsTheMessage(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		params := requestParams("jane@acme.example")
		params.Language = "en"
		r := s.requestConfirmed(t, params)
		_, err := s.p.RejectAccessRequest(s.owner, r.ID, portal.RejectAccessRequestParams{Version: r.Version})
		assertCode(t, portalerr.Invalid, err, "a rejection says why")
		d, err := s.p.RejectAccessRequest(s.owner, r.ID, portal.RejectAccessRequestParams{Version: r.Version, Message: "We serve Austria only."})
		require.NoError(t, err)
		assert.Equal(t, accessrequest.StatusRejected, d.Request.Status)
		assert.Equal(t, "We serve Austria only.", d.Request.Decision.Message)
		n := s.lastNotice(t, "jane@acme.example")
		assert.Equal(t, portal.NotifyAccessRequestRejected, n.Kind)
		assert.Contains(t, n.Text, "We serve Austria only.")
		assert.Contains(t, n.Subject, "Your request")

		_, err = s.p.RejectAccessRequest(s.owner, r.ID, portal.RejectAccessRequestParams{Version: d.Request.Version, Message: "again"})
		assertCode(t, portalerr.Conflict, err)
		assert.Contains(t, portalerr.MessageOf(err), "rejected by staff:stf_owner")
	})
}

// TestAccessRequestDecidedOnce: two staff deciding at once; one wins, the
// other gets Conflict naming the first, on a stale version too.
func TestAccessRequestDecidedOnce(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		c := s.createCustomer(t, "Acme")
		r := s.requestConfirmed(t, requestParams("jane@acme.example"))
		alice := portaltest.As(t.Context(), identity.Staff("stf_alice", identity.StaffAgent))
		bob := portaltest.As(t.Context(), identity.Staff("stf_bob", identity.StaffAgent))
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, ctx := range []context.Context{alice, bob} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i == 0 {
					_, errs[i] = s.p.RejectAccessRequest(ctx, r.ID, portal.RejectAccessRequestParams{Version: r.Version, Message: "No."})
				} else {
					_, errs[i] = s.p.ConnectAccessRequestToCustomer(ctx, r.ID, portal.ConnectExistingCustomerParams{Version: r.Version, CustomerID: c.ID, Role: customer.RoleViewer})
				}
			}()
		}
		wg.Wait()
		require.True(t, assertOneWins(t, errs, "two deciders"))
		after, err := s.p.GetAccessRequest(s.owner, r.ID)
		require.NoError(t, err)
		for _, err := range errs {
			if err != nil {
				assertCode(t, portalerr.Conflict, err)
				assert.Contains(t, portalerr.MessageOf(err), "by "+after.Decision.By, "names the first decider")
			}
		}
		// The loser's stale version again, sequentially.
		_, err = s.p.RejectAccessRequest(bob, r.ID, portal.RejectAccessRequestParams{Version: r.Version, Message: "No."})
		assertCode(t, portalerr.Conflict, err)
		assert.Contains(t, portalerr.MessageOf(err), after.Decision.By)
	})
}

func TestUnconfirmedRequestsCannotBeDecided(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		require.NoError(t, s.p.RequestAccess(t.Context(), requestParams("jane@acme.example")))
		l, err := s.p.ListAccessRequests(s.owner, portal.ListAccessRequestsParams{})
		require.NoError(t, err)
		_, err = s.p.RejectAccessRequest(s.owner, l.Items[0].ID, portal.RejectAccessRequestParams{Version: 1, Message: "No."})
		assertCode(t, portalerr.FailedPrecondition, err)
		_, err = s.p.GetAccessRequest(s.owner, "acr_missing")
		assertCode(t, portalerr.NotFound, err)
	})
}

func TestProviderOverridesTheAccessRequestMails(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		params := requestParams("jane@acme.example")
		r := s.requestConfirmed(t, params)
		_, err := s.p.RejectAccessRequest(s.owner, r.ID, portal.RejectAccessRequestParams{Message: "Leider nicht."})
		require.NoError(t, err)
		n := s.lastNotice(t, "jane@acme.example")
		assert.Equal(t, "Absage von Portal Test", n.Subject, "the provider's subject in German")
		assert.Contains(t, n.Text, "Leider nicht.", "the default text around it")

		params = requestParams("john@acme.example")
		params.Language = "en"
		r = s.requestConfirmed(t, params)
		_, err = s.p.RejectAccessRequest(s.owner, r.ID, portal.RejectAccessRequestParams{Message: "No."})
		require.NoError(t, err)
		assert.Contains(t, s.lastNotice(t, "john@acme.example").Subject, "Your request for access", "English keeps the default")
	}, func(c *portal.Config) {
		c.MailOverrides = map[mailer.Kind]map[string]mailer.Override{
			mailer.KindAccessRequestRejected: {"de": {Subject: "Absage von {{.Brand.ProductName}}"}},
		}
	})
}

func TestProviderOverridesAreChecked(t *testing.T) {
	for name, o := range map[string]map[mailer.Kind]map[string]mailer.Override{
		"locale":       {mailer.KindAccessRequestRejected: {"fr": {Subject: "Non"}}},
		"link missing": {mailer.KindAccessRequestConfirm: {"en": {Text: "no link here"}}},
		"bad template": {mailer.KindAccessRequestRejected: {"en": {Subject: "{{.Nope"}}},
	} {
		_, err := portal.New(portal.Config{Store: newSQLiteStore(t), MailOverrides: o})
		assertCode(t, portalerr.Invalid, err, name)
	}
}

// BenchmarkRequestAccess measures the public request for an address with
// an account and for one without: the use case looks no account up, so
// the two should cost the same (compare their ns/op; nothing asserts it).
func BenchmarkRequestAccess(b *testing.B) {
	for _, who := range []string{"known", "unknown"} {
		b.Run(who, func(b *testing.B) {
			p := portaltest.New(b, &portaltest.Clock{}, func(c *portal.Config) {
				c.RateLimits = portal.RateLimits{PerEmail: portal.Limit{N: 1 << 30, Window: time.Hour}, PerClient: portal.Limit{N: 1 << 30, Window: time.Hour}}
			})
			owner := portaltest.Owner(b.Context())
			c, err := p.CreateCustomer(owner, portal.CreateCustomerParams{Name: "Acme"})
			require.NoError(b, err)
			_, err = p.AddMember(owner, c.ID, portal.AddMemberParams{Email: "known@acme.example", Name: "Known", Role: customer.RoleAdmin})
			require.NoError(b, err)
			params := requestParams(who + "@acme.example")
			for b.Loop() {
				if err := p.RequestAccess(b.Context(), params); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
