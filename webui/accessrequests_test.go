package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
)

func requestForm(email string) url.Values {
	return url.Values{"company_name": {"Initech GmbH"}, "vat_id": {"DE123"}, "website": {"initech.example"},
		"name": {"Peter Gibbons"}, "email": {email}, "phone": {"+49 30 1"}, "message": {"Hello"}, "language": {"de"}}
}

// pending sends the public form for email and confirms it through the
// mailed link; it returns the request as staff see it.
func (c *console) pending(t *testing.T, email string) accessrequest.Request {
	t.Helper()
	anon := newFollower(t, c.srv, "")
	pg := anon.post("/request-access", requestForm(email))
	require.Equal(t, http.StatusOK, pg.Status)
	m, ok := c.mail.Last(email)
	require.True(t, ok)
	u, err := url.Parse(m.Link)
	require.NoError(t, err)
	pg = anon.get(u.RequestURI())
	require.Equal(t, "/request-access/confirm", pg.Path, "the token leaves the address bar")
	require.NotContains(t, pg.Body, m.Token)
	pg = anon.post("/request-access/confirm", nil)
	require.Equal(t, http.StatusOK, pg.Status)
	l, err := c.p.ListAccessRequests(c.owner, portal.ListAccessRequestsParams{Status: accessrequest.StatusPending, Limit: 1})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	require.Equal(t, email, l.Items[0].Email)
	return l.Items[0]
}

func TestRequestAccessPages(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	known := c.customer(t, "Acme", customer.FeaturesPatch{})
	c.member(t, known.ID, "ada@acme.example", customer.RoleAdmin)
	anon := newFollower(t, c.srv, "")

	pg := anon.get("/signin")
	assert.Contains(t, pg.Body, `href="/request-access"`, "the sign-in page leads to the form")
	pg = anon.get("/request-access")
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, `name="fax"`, "the honeypot")

	// Known and unknown addresses land on the same page, with the same text.
	a := anon.post("/request-access", requestForm("ada@acme.example"))
	b := anon.post("/request-access", requestForm("nobody@acme.example"))
	assert.Equal(t, a.Status, b.Status)
	assert.Equal(t, a.Path+"?"+a.Query.Encode(), b.Path+"?"+b.Query.Encode())
	assert.Equal(t, a.Body, b.Body)
	assert.Contains(t, a.Body, "24 hours")
	for _, to := range []string{"ada@acme.example", "nobody@acme.example"} {
		m, ok := c.mail.Last(to)
		require.True(t, ok, "a confirmation to %s", to)
		assert.Equal(t, portal.NotifyAccessRequestConfirm, m.Kind)
		assert.Contains(t, m.Subject, "Zugangsanfrage", "in the chosen language")
	}

	// A bot that fills the honeypot is answered alike, and nothing is kept.
	bot := requestForm("bot@spam.example")
	bot.Set("fax", "+1 555")
	pg = anon.post("/request-access", bot)
	assert.Equal(t, a.Path+"?"+a.Query.Encode(), pg.Path+"?"+pg.Query.Encode())
	_, ok := c.mail.Last("bot@spam.example")
	assert.False(t, ok)

	// Bad input is shown with the fields named; an oversized body is refused.
	bad := requestForm("not an address")
	bad.Set("company_name", "")
	pg = anon.post("/request-access", bad)
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	assert.Contains(t, pg.Body, `aria-invalid="true"`)
	big := requestForm("big@acme.example")
	big.Set("message", strings.Repeat("x", 40<<10))
	assert.Equal(t, http.StatusRequestEntityTooLarge, anon.post("/request-access", big).Status)

	// A dead link says so and leads back to the form.
	pg = anon.get("/request-access/confirm?token=par_" + strings.Repeat("A", 43))
	assert.Equal(t, http.StatusOK, pg.Status)
	pg = anon.post("/request-access/confirm", nil)
	assert.Equal(t, http.StatusNotFound, pg.Status)
	assert.Contains(t, pg.Body, `href="/request-access"`)

	r := c.pending(t, "peter@initech.example")
	assert.Equal(t, "https://initech.example", r.Website)
}

func TestConsoleAccessRequests(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Initech Holding", customer.FeaturesPatch{})
	_, err := c.p.UpdateCustomer(c.owner, acme.ID, portal.UpdateCustomerParams{Version: acme.Version, ContactEmail: ptrTo("office@initech.example")})
	require.NoError(t, err)
	site, err := c.p.CreateSite(c.owner, acme.ID, portal.SiteParams{Name: "Berlin"})
	require.NoError(t, err)
	r := c.pending(t, "peter@initech.example")

	pg := c.br.get("/console/customers")
	assert.Regexp(t, `Access requests <span class="badge"[^>]*>1</span>`, pg.Body, "the pending count in the navigation")
	pg = c.br.get("/console/access-requests")
	assert.Contains(t, pg.Body, "Initech GmbH")
	pg = c.br.get("/console/access-requests/" + string(r.ID))
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "Same e-mail domain: initech.example", "the match says why")
	assert.Contains(t, pg.Body, `value="Initech GmbH"`, "the new customer's form is prefilled")

	// An agent may connect to an existing customer but not create one.
	agentKey, err := c.p.CreateAPIKey(c.owner, portal.CreateAPIKeyParams{Name: "Agent", Role: identity.StaffAgent})
	require.NoError(t, err)
	agent := newFollower(t, c.srv, agentKey.Token)
	pg = agent.get("/console/access-requests/" + string(r.ID))
	assert.NotContains(t, pg.Body, "connect-new", "no form the agent may not send")
	pg = agent.post("/console/access-requests/"+string(r.ID)+"/connect-new", url.Values{"version": {"2"}, "name": {"Initech"}})
	assert.Equal(t, http.StatusForbidden, pg.Status)

	pg = agent.post("/console/access-requests/"+string(r.ID)+"/connect", url.Values{
		"version": {"2"}, "customer_id": {string(acme.ID)}, "role": {"maintainer"}, "site_ids": {string(site.ID)}, "connect_message": {"Hallo Peter"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "The requester is invited.")
	m, ok := c.mail.Last("peter@initech.example")
	require.True(t, ok)
	assert.Equal(t, portal.NotifyInvitation, m.Kind)
	assert.Contains(t, m.Text, "Hallo Peter")

	// Deciding again answers the conflict, naming the first decider.
	pg = c.br.post("/console/access-requests/"+string(r.ID)+"/reject", url.Values{"version": {"2"}, "reject_message": {"No"}})
	assert.Equal(t, http.StatusConflict, pg.Status)
	assert.Contains(t, pg.Body, "already connected by api_key:")

	// Customer users are sent away.
	_, token := c.member(t, acme.ID, "ada@initech.example", customer.RoleAdmin)
	user := newFollower(t, c.srv, token)
	user.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	for _, p := range []string{"/console/access-requests", "/console/access-requests/" + string(r.ID)} {
		pg := user.get(p)
		assert.Equal(t, http.StatusSeeOther, pg.Status, p)
		assert.NotContains(t, pg.Body, "Initech GmbH")
	}
}

func TestConsoleConnectsARequestToANewCustomer(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	r := c.pending(t, "peter@initech.example")
	form := url.Values{"version": {"2"}, "name": {"Initech AG"}, "vat_id": {"DE123"}, "contact_email": {"peter@initech.example"},
		"inherit_global_portfolio": {"on"}, "tickets": {"on"}, "new_message": {"Willkommen"}}
	pg := c.br.post("/console/access-requests/"+string(r.ID)+"/connect-new", form)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	got, err := c.p.GetAccessRequest(c.owner, r.ID)
	require.NoError(t, err)
	require.Equal(t, accessrequest.StatusConnected, got.Status)
	cu, err := c.p.GetCustomer(c.owner, got.Decision.CustomerID)
	require.NoError(t, err)
	assert.Equal(t, "Initech AG", cu.Name, "as edited")
	assert.True(t, cu.Features.Tickets, "the chosen features")
	m, ok := c.mail.Last("peter@initech.example")
	require.True(t, ok)
	in, err := c.p.AcceptInvitation(t.Context(), m.Token, portal.AcceptInvitationParams{Name: "Peter"})
	require.NoError(t, err)
	assert.Equal(t, customer.RoleAdmin, in.Membership.Role)

	for _, lang := range []string{"en", "de"} {
		for _, p := range []string{"/console/access-requests", "/console/access-requests/" + string(r.ID), "/request-access"} {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.srv.URL+p, nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Language", lang)
			pg := c.br.do(req)
			assert.Equal(t, http.StatusOK, pg.Status, "%s %s", lang, p)
			assert.NotRegexp(t, `>[a-z_]+:[a-z_]+<`, pg.Body, "%s %s: an enumeration without a label", lang, p)
		}
	}
}

// TestConsoleConnectsARequestToSitesOfAnotherCustomer connects a request
// to a customer that does not match it, chosen by its ID, with access to
// one of its sites: the page lists that customer's sites once it is
// chosen, and the use case refuses a site of another customer.
func TestConsoleConnectsARequestToSitesOfAnotherCustomer(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	globex := c.customer(t, "Globex AG", customer.FeaturesPatch{})
	cologne, err := c.p.CreateSite(c.owner, globex.ID, portal.SiteParams{Name: "Köln"})
	require.NoError(t, err)
	bonn, err := c.p.CreateSite(c.owner, globex.ID, portal.SiteParams{Name: "Bonn"})
	require.NoError(t, err)
	hooli := c.customer(t, "Hooli Inc", customer.FeaturesPatch{})
	elsewhere, err := c.p.CreateSite(c.owner, hooli.ID, portal.SiteParams{Name: "Palo Alto"})
	require.NoError(t, err)
	r := c.pending(t, "peter@initech.example")
	page := "/console/access-requests/" + string(r.ID)

	pg := c.br.get(page)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.NotContains(t, pg.Body, "Globex AG", "no match")
	assert.Contains(t, pg.Body, `name="customer"`, "the first step: a customer by its ID")

	pg = c.br.get(page + "?customer=cus_missing")
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "No customer has this ID.")
	assert.Contains(t, pg.Body, `value="cus_missing" aria-invalid="true"`)

	pg = c.br.get(page + "?customer=" + string(globex.ID))
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, `<input type="hidden" name="customer_id" value="`+string(globex.ID)+`">`)
	for _, s := range []customer.Site{cologne, bonn} {
		assert.Contains(t, pg.Body, `name="site_ids" value="`+string(s.ID)+`"> `+s.Name, "the chosen customer's site %s", s.Name)
	}
	assert.NotContains(t, pg.Body, string(elsewhere.ID))
	assert.Contains(t, pg.Body, "Connect to Globex AG")

	form := url.Values{"version": {"2"}, "customer_id": {string(globex.ID)}, "role": {"maintainer"}, "site_ids": {string(elsewhere.ID)}}
	pg = c.br.post(page+"/connect", form)
	assert.Equal(t, http.StatusBadRequest, pg.Status, "another customer's site")
	assert.Contains(t, pg.Body, `name="site_ids" value="`+string(bonn.ID)+`"`, "the chosen customer stays chosen")
	got, err := c.p.GetAccessRequest(c.owner, r.ID)
	require.NoError(t, err)
	assert.Equal(t, accessrequest.StatusPending, got.Status, "nothing decided")

	form.Set("site_ids", string(bonn.ID))
	pg = c.br.post(page+"/connect", form)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "The requester is invited.")
	m, ok := c.mail.Last("peter@initech.example")
	require.True(t, ok)
	in, err := c.p.AcceptInvitation(t.Context(), m.Token, portal.AcceptInvitationParams{Name: "Peter"})
	require.NoError(t, err)
	assert.Equal(t, globex.ID, in.Membership.CustomerID)
	assert.Equal(t, []customer.SiteID{bonn.ID}, in.Membership.SiteIDs, "partial access: Bonn alone")
}

func ptrTo[T any](v T) *T { return &v }
