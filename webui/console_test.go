package webui_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/warehouse"
	"github.com/portalkit/portalkit/webui"
)

// console is the web UI over a fresh portal, with a follower signed in as
// a staff owner: the owner API key's token in the session cookie, as
// portal.Authenticate takes API keys too.
type console struct {
	p     *portal.Portal
	mail  *portaltest.Recorder
	srv   *httptest.Server
	owner context.Context
	br    *follower
}

// newConsole returns the console on a copy of a portal's database as
// Bootstrap leaves it, made once per process (consoleTemplate).
func newConsole(t *testing.T) *console {
	t.Helper()
	tp := &consoleTemplate
	store, ids := tp.take(t, func() { buildConsoleTemplate(t) })
	rec := &portaltest.Recorder{}
	p := portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) {
		c.Store = store
		c.IDs = ids
		c.Mailer = rec
	})
	tp.replay(t, rec)
	srv := httptest.NewServer(webui.New(p))
	t.Cleanup(srv.Close)
	token := tp.token
	owner, err := p.Authenticate(t.Context(), token)
	require.NoError(t, err)
	return &console{
		p: p, mail: rec, srv: srv, owner: identity.NewContext(t.Context(), owner),
		br: newFollower(t, srv, token),
	}
}

// consoleTemplate is a fresh portal's database after Bootstrap, with the
// owner API key's token.
var consoleTemplate struct {
	fixtureTemplate
	token string
}

func buildConsoleTemplate(t *testing.T) {
	t.Helper()
	ids := &portal.Sequence{}
	store := portaltest.Store(t)
	rec := &portaltest.Recorder{}
	p := portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) {
		c.Store = store
		c.IDs = ids
		c.Mailer = rec
	})
	boot, err := p.Bootstrap(t.Context(), portal.BootstrapParams{})
	require.NoError(t, err)
	consoleTemplate.token = boot.APIKey
	consoleTemplate.save(t, p, rec, store, ids)
}

// follower is an http.Client with a cookie jar holding a session, which
// follows redirects to the page a person would land on (the fixture's
// browser stops at the first answer).
type follower struct {
	t   *testing.T
	srv *httptest.Server
	c   *http.Client
}

func newFollower(t *testing.T, srv *httptest.Server, token string) *follower {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	jar.SetCookies(u, []*http.Cookie{{Name: "portalkit_session", Value: token, Path: "/"}})
	return &follower{t: t, srv: srv, c: &http.Client{Jar: jar}}
}

// landing is an answer, after any redirects.
type landing struct {
	Status int
	Path   string // the path answered, after redirects
	Query  url.Values
	Body   string
}

func (b *follower) do(req *http.Request) landing {
	b.t.Helper()
	resp, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(b.t, err)
	return landing{Status: resp.StatusCode, Path: resp.Request.URL.Path, Query: resp.Request.URL.Query(), Body: string(body)}
}

func (b *follower) get(path string) landing {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodGet, b.srv.URL+path, nil)
	require.NoError(b.t, err)
	return b.do(req)
}

// post sends a form as the pages do, from their own origin.
func (b *follower) post(path string, form url.Values) landing {
	b.t.Helper()
	return b.postFrom(b.srv.URL, path, form)
}

func (b *follower) postFrom(origin, path string, form url.Values) landing {
	b.t.Helper()
	return b.do(b.formRequest(origin, path, form))
}

// formRequest is the request that sends form to path from a page of
// origin, for a test to add headers to.
func (b *follower) formRequest(origin, path string, form url.Values) *http.Request {
	b.t.Helper()
	req, err := http.NewRequestWithContext(b.t.Context(), http.MethodPost, b.srv.URL+path, strings.NewReader(form.Encode()))
	require.NoError(b.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", origin)
	return req
}

// customer creates a customer with features turned on.
func (c *console) customer(t *testing.T, name string, on customer.FeaturesPatch) customer.Customer {
	t.Helper()
	cu, err := c.p.CreateCustomer(c.owner, portal.CreateCustomerParams{Name: name, Features: on})
	require.NoError(t, err)
	return cu
}

// member adds a member and returns it with a session token of its own.
func (c *console) member(t *testing.T, cid customer.ID, email string, role customer.Role) (portal.Member, string) {
	t.Helper()
	m, err := c.p.AddMember(c.owner, cid, portal.AddMemberParams{Email: email, Name: strings.Split(email, "@")[0], Role: role})
	require.NoError(t, err)
	require.NoError(t, c.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: email}))
	mail, ok := c.mail.Last(email)
	require.True(t, ok)
	in, err := c.p.SignInWithLoginLink(t.Context(), mail.Token, portal.SignInParams{CustomerID: cid})
	require.NoError(t, err)
	return m, in.Token
}

func (c *console) as(t *testing.T, token string) context.Context {
	t.Helper()
	who, err := c.p.Authenticate(t.Context(), token)
	require.NoError(t, err)
	return identity.NewContext(t.Context(), who)
}

func on() *bool { return &[]bool{true}[0] }

func eur(amount int64) orders.Money { return orders.Money{Amount: amount, Currency: "EUR"} }

func TestConsoleCreatesAndFindsCustomers(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	form := url.Values{
		"name": {"Acme Industries"}, "legal_name": {"Acme Industries GmbH"}, "vat_id": {"DE123456789"},
		"contact_email": {"it@acme.example"}, "phone": {"+49 30 1234"}, "line1": {"Hauptstr. 1"},
		"postal_code": {"10115"}, "city": {"Berlin"}, "country": {"de"}, "external_ref": {"ERP-1"},
	}
	pg := c.br.post("/console/customers", form)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "created", pg.Query.Get("done"))
	assert.Contains(t, pg.Body, "Acme Industries")
	id := strings.TrimPrefix(pg.Path, "/console/customers/")
	got, err := c.p.GetCustomer(c.owner, customer.ID(id))
	require.NoError(t, err)
	assert.Equal(t, "DE123456789", got.VATID)
	assert.Equal(t, "DE", got.Address.Country)
	assert.Equal(t, "ERP-1", got.ExternalRef)

	// A sub-customer, from the parent's page.
	pg = c.br.get("/console/customers/new?parent=" + id)
	assert.Contains(t, pg.Body, `value="`+id+`"`)
	pg = c.br.post("/console/customers", url.Values{"name": {"Acme Munich"}, "parent_id": {id}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, c.br.get("/console/customers/"+id).Body, "Acme Munich", "the parent lists its sub-customers")

	c.customer(t, "Globex", customer.FeaturesPatch{})
	pg = c.br.get("/console/customers")
	assert.Contains(t, pg.Body, "Acme Industries")
	assert.Contains(t, pg.Body, "Globex")
	pg = c.br.get("/console/customers?q=erp-1")
	assert.Contains(t, pg.Body, "Acme Industries", "search finds the external reference")
	assert.NotContains(t, pg.Body, "Globex")

	// A bad form comes back with the values sent and the reasons.
	pg = c.br.post("/console/customers", url.Values{"name": {""}, "contact_email": {"not-mail"}, "city": {"Bonn"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	assert.Contains(t, pg.Body, `value="Bonn"`)
	assert.Contains(t, pg.Body, "contact_email")
}

func TestConsoleListsCustomersPageByPage(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	for i := range 27 {
		c.customer(t, "Customer "+strconv.Itoa(100+i), customer.FeaturesPatch{})
	}
	pg := c.br.get("/console/customers")
	assert.Contains(t, pg.Body, "Customer 100")
	assert.NotContains(t, pg.Body, "Customer 126")
	next := regexp.MustCompile(`class="pager"><a href="([^"]+)"`).FindStringSubmatch(pg.Body)
	require.Len(t, next, 2, "a link to the next page")
	pg = c.br.get(strings.ReplaceAll(next[1], "&amp;", "&"))
	assert.Contains(t, pg.Body, "Customer 126")
	assert.NotContains(t, pg.Body, "Customer 100<")
}

func TestConsoleEditWithStaleVersionConflicts(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	path := "/console/customers/" + string(cu.ID)
	assert.Contains(t, c.br.get(path).Body, `name="version" value="1"`)

	// Someone else saves first.
	other := "Acme (renamed)"
	_, err := c.p.UpdateCustomer(c.owner, cu.ID, portal.UpdateCustomerParams{Version: 1, Name: &other})
	require.NoError(t, err)

	pg := c.br.post(path, url.Values{"version": {"1"}, "name": {"Acme Corp"}, "phone": {"123"}})
	assert.Equal(t, http.StatusConflict, pg.Status)
	assert.Contains(t, pg.Body, "Someone else changed this meanwhile")
	assert.Contains(t, pg.Body, `value="Acme Corp"`, "what was typed is kept")
	got, err := c.p.GetCustomer(c.owner, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, other, got.Name, "nothing changed")
	assert.Empty(t, got.Phone)

	pg = c.br.post(path, url.Values{"version": {"2"}, "name": {"Acme Corp"}, "phone": {"123"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "saved", pg.Query.Get("done"))
	got, err = c.p.GetCustomer(c.owner, cu.ID)
	require.NoError(t, err)
	assert.Equal(t, "Acme Corp", got.Name)
}

func TestConsoleChangesCustomerStatus(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	path := "/console/customers/" + string(cu.ID)
	for _, st := range []customer.Status{customer.StatusSuspended, customer.StatusActive, customer.StatusArchived} {
		pg := c.br.post(path+"/status", url.Values{"status": {string(st)}})
		require.Equal(t, http.StatusOK, pg.Status, pg.Body)
		got, err := c.p.GetCustomer(c.owner, cu.ID)
		require.NoError(t, err)
		assert.Equal(t, st, got.Status)
	}
	pg := c.br.post(path+"/status", url.Values{"status": {"active"}})
	assert.Equal(t, http.StatusConflict, pg.Status, "an archived customer stays archived")
	assert.NotContains(t, pg.Body, `name="version"`, "an archived customer offers no edit form")
}

func TestConsoleFeaturesExplainRefusals(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	path := "/console/customers/" + string(cu.ID) + "/features"
	pg := c.br.get(path)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "needs the provider&#39;s licence")

	// hr_sync needs a licence the provider does not hold.
	pg = c.br.post(path, url.Values{"version": {"1"}, "inherit_global_portfolio": {"on"}, "hr_sync": {"on"}, "tickets": {"on"}})
	assert.Equal(t, http.StatusForbidden, pg.Status)
	assert.Contains(t, pg.Body, "needs the provider&#39;s hr_sync entitlement")
	assert.Regexp(t, `name="tickets" checked`, pg.Body, "the form keeps its values")
	f, err := c.p.GetFeatures(c.owner, cu.ID)
	require.NoError(t, err)
	assert.False(t, f.Tickets, "nothing changed")

	// Turning pre-orders on turns the warehouse on.
	pg = c.br.post(path, url.Values{"version": {"1"}, "inherit_global_portfolio": {"on"}, "pre_orders": {"on"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	f, err = c.p.GetFeatures(c.owner, cu.ID)
	require.NoError(t, err)
	assert.True(t, f.PreOrders)
	assert.True(t, f.SupplierWarehouse)

	// The warehouse cannot go while pre-orders stay.
	pg = c.br.post(path, url.Values{"version": {"2"}, "inherit_global_portfolio": {"on"}, "pre_orders": {"on"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	assert.Contains(t, pg.Body, "cannot be off while pre_orders is on")
	assert.Regexp(t, `name="pre_orders" checked`, pg.Body)
	assert.NotRegexp(t, `name="supplier_warehouse" checked`, pg.Body)
	f, err = c.p.GetFeatures(c.owner, cu.ID)
	require.NoError(t, err)
	assert.True(t, f.SupplierWarehouse)
}

func TestConsoleSites(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	path := "/console/customers/" + string(cu.ID) + "/sites"
	pg := c.br.post(path, url.Values{"name": {"Berlin"}, "external_ref": {"B1"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, `value="Berlin"`)
	sites, err := c.p.ListSites(c.owner, cu.ID, portal.ListSitesParams{})
	require.NoError(t, err)
	require.Len(t, sites.Items, 1)
	s := sites.Items[0]

	pg = c.br.post(path+"/"+string(s.ID), url.Values{"name": {"Berlin-Mitte"}, "version": {"1"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	pg = c.br.post(path+"/"+string(s.ID), url.Values{"name": {"Berlin-Ost"}, "version": {"1"}})
	assert.Equal(t, http.StatusConflict, pg.Status, "a stale rename")
	got, err := c.p.GetSite(c.owner, cu.ID, s.ID)
	require.NoError(t, err)
	assert.Equal(t, "Berlin-Mitte", got.Name)

	pg = c.br.post(path+"/"+string(s.ID)+"/delete", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	sites, err = c.p.ListSites(c.owner, cu.ID, portal.ListSitesParams{})
	require.NoError(t, err)
	assert.Empty(t, sites.Items)
}

func TestConsoleMembersAndInvitations(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	ada, _ := c.member(t, cu.ID, "ada@acme.example", customer.RoleAdmin)
	bob, _ := c.member(t, cu.ID, "bob@acme.example", customer.RoleViewer)
	path := "/console/customers/" + string(cu.ID)

	pg := c.br.post(path+"/invitations", url.Values{"email": {"cy@acme.example"}, "role": {"maintainer"}, "message": {"Welcome"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "invited", pg.Query.Get("done"))
	assert.Contains(t, pg.Body, "cy@acme.example")
	inv, err := c.p.ListInvitations(c.owner, cu.ID, portal.ListInvitationsParams{State: invite.StatePending})
	require.NoError(t, err)
	require.Len(t, inv.Items, 1)
	assert.Equal(t, customer.RoleMaintainer, inv.Items[0].Role)
	m, ok := c.mail.Last("cy@acme.example")
	require.True(t, ok)
	assert.Equal(t, portal.NotifyInvitation, m.Kind)

	pg = c.br.post(path+"/invitations/"+string(inv.Items[0].ID)+"/revoke", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	inv, err = c.p.ListInvitations(c.owner, cu.ID, portal.ListInvitationsParams{State: invite.StatePending})
	require.NoError(t, err)
	assert.Empty(t, inv.Items)

	pg = c.br.post(path+"/members/"+string(bob.ID)+"/role", url.Values{"role": {"maintainer"}, "version": {strconv.FormatInt(bob.Version, 10)}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	pg = c.br.post(path+"/members/"+string(bob.ID)+"/disable", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	got, err := c.p.GetMember(c.owner, cu.ID, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.RoleMaintainer, got.Role)
	assert.Equal(t, customer.MembershipDisabled, got.Status)

	pg = c.br.post(path+"/members", url.Values{"member_email": {"dan@acme.example"}, "member_name": {"Dan"}, "member_role": {"viewer"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "dan@acme.example")
	ms, err := c.p.ListMembers(c.owner, cu.ID, portal.ListMembersParams{})
	require.NoError(t, err)
	assert.Len(t, ms.Items, 3)

	// The last admin cannot go: the page says why.
	pg = c.br.post(path+"/members/"+string(ada.ID)+"/disable", nil)
	assert.Equal(t, http.StatusConflict, pg.Status)
	assert.Contains(t, pg.Body, "last active admin")
}

func TestConsoleAccessLinks(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{AccessLinks: on()})
	ada, _ := c.member(t, cu.ID, "ada@acme.example", customer.RoleAdmin)
	path := "/console/customers/" + string(cu.ID)

	pg := c.br.post(path+"/access-links", url.Values{"membership_id": {string(ada.ID)}, "read_only": {"on"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	link := regexp.MustCompile(`<input id="new-link" class="secret" readonly value="([^"]+)">`).FindStringSubmatch(pg.Body)
	require.Len(t, link, 2, "the new link is shown")
	assert.Contains(t, pg.Body, `data-copy="new-link"`)
	u, err := url.Parse(strings.ReplaceAll(link[1], "&amp;", "&"))
	require.NoError(t, err)
	assert.Equal(t, portaltest.PublicURL+"/access", u.Scheme+"://"+u.Host+u.Path, "the portal's public address, as in its mail")
	in, err := c.p.SignInWithAccessLink(t.Context(), u.Query().Get("token"))
	require.NoError(t, err, "the link shown signs in")
	who, err := c.p.Authenticate(t.Context(), in.Token)
	require.NoError(t, err)
	assert.True(t, who.ReadOnly)
	assert.NotContains(t, c.br.get(path+"/members").Body, u.Query().Get("token"), "the token is shown once")

	links, err := c.p.ListAccessLinks(c.owner, cu.ID, portal.ListAccessLinksParams{})
	require.NoError(t, err)
	require.Len(t, links.Items, 1)
	lid := string(links.Items[0].ID)

	pg = c.br.post(path+"/access-links/"+lid+"/send", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "access_link_sent", pg.Query.Get("done"))
	m, ok := c.mail.Last("ada@acme.example")
	require.True(t, ok)
	assert.Equal(t, portal.NotifyAccessLink, m.Kind)
	_, err = c.p.SignInWithAccessLink(t.Context(), m.Token)
	require.NoError(t, err, "the mailed link signs in")

	pg = c.br.post(path+"/access-links/"+lid+"/disable", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	_, err = c.p.SignInWithAccessLink(t.Context(), m.Token)
	assert.Error(t, err, "a disabled link no longer signs in")

	pg = c.br.post(path+"/access-links/"+lid+"/refresh", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, `id="new-link"`)
}

// ordered sets up a customer whose member placed n orders of a laptop.
func (c *console) ordered(t *testing.T, n int) (customer.Customer, []orders.Order) {
	t.Helper()
	cu := c.customer(t, "Acme", customer.FeaturesPatch{OrderAuthorization: on()})
	_, token := c.member(t, cu.ID, "ada@acme.example", customer.RoleAdmin)
	pr, err := c.p.CreateProduct(c.owner, portal.CreateProductParams{SKU: "LAP-1", Name: "Laptop", Price: eur(99900)})
	require.NoError(t, err)
	ada := c.as(t, token)
	var out []orders.Order
	for range n {
		o, err := c.p.PlaceOrder(ada, cu.ID, portal.PlaceOrderParams{
			Lines: []portal.OrderLineParams{{ProductID: pr.ID, Quantity: 2}}, Recipient: &orders.Employee{Name: "Eve"},
		})
		require.NoError(t, err)
		out = append(out, o)
	}
	return cu, out
}

func TestConsoleOrderInboxDecisions(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu, placed := c.ordered(t, 3)

	pg := c.br.get("/console/orders")
	require.Equal(t, http.StatusOK, pg.Status)
	for _, o := range placed {
		assert.Contains(t, pg.Body, o.Number.String())
	}
	assert.Contains(t, pg.Body, `<span class="badge"`)
	assert.Regexp(t, `Order inbox <span class="badge"[^>]*>3</span>`, pg.Body, "the navigation counts the waiting orders")
	assert.Contains(t, pg.Body, "Orders waiting for a decision: 3")

	orderPath := func(o orders.Order) string { return "/console/customers/" + string(cu.ID) + "/orders/" + string(o.ID) }
	pg = c.br.get(orderPath(placed[0]))
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "Laptop")
	assert.Contains(t, pg.Body, "Confirm the order")

	pg = c.br.post(orderPath(placed[0])+"/confirm", url.Values{"note": {"ships Monday"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "confirmed", pg.Query.Get("done"))
	assert.Contains(t, pg.Body, "Mark as fulfilled")

	pg = c.br.post(orderPath(placed[1])+"/reject", url.Values{"reason": {""}})
	assert.Equal(t, http.StatusBadRequest, pg.Status, "a rejection needs a reason")
	pg = c.br.post(orderPath(placed[1])+"/reject", url.Values{"reason": {"out of stock"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)

	pg = c.br.post(orderPath(placed[0])+"/fulfil", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	pg = c.br.post(orderPath(placed[1])+"/confirm", nil)
	assert.Equal(t, http.StatusConflict, pg.Status, "a decided order")

	want := []orders.Status{orders.StatusFulfilled, orders.StatusRejected, orders.StatusSubmitted}
	for i, o := range placed {
		got, err := c.p.GetOrder(c.owner, cu.ID, o.ID)
		require.NoError(t, err)
		assert.Equal(t, want[i], got.Status, o.Number)
	}
	m, ok := c.mail.Last("ada@acme.example")
	require.True(t, ok)
	assert.Equal(t, portal.NotifyOrderRejected, m.Kind)

	pg = c.br.get("/console/orders")
	assert.Regexp(t, `Order inbox <span class="badge"[^>]*>1</span>`, pg.Body)
	assert.NotContains(t, pg.Body, placed[0].Number.String())
	assert.Contains(t, c.br.get("/console/orders?status=fulfilled").Body, placed[0].Number.String())
	assert.Contains(t, c.br.get("/console/customers/"+string(cu.ID)+"/orders").Body, placed[1].Number.String())

	// An order is only found under its own customer.
	other := c.customer(t, "Other", customer.FeaturesPatch{})
	pg = c.br.post("/console/customers/"+string(other.ID)+"/orders/"+string(placed[2].ID)+"/confirm", nil)
	assert.Equal(t, http.StatusNotFound, pg.Status)
}

func TestConsoleProductsOffersAndStock(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	pg := c.br.post("/console/products", url.Values{"sku": {"PHN-1"}, "name": {"Phone"}, "price": {"499.90"}, "currency": {"EUR"}, "category": {"phones"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, `value="499.90"`)
	pid := orders.ProductID(strings.TrimPrefix(pg.Path, "/console/products/"))
	pr, err := c.p.GetProduct(c.owner, pid)
	require.NoError(t, err)
	assert.Equal(t, eur(49990), pr.Price)

	pg = c.br.post("/console/products/"+string(pid), url.Values{"version": {"1"}, "sku": {"PHN-1"}, "name": {"Phone 2"}, "price": {"450"}, "currency": {"EUR"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	pg = c.br.post("/console/products/"+string(pid), url.Values{"version": {"1"}, "sku": {"PHN-1"}, "name": {"Phone 3"}, "price": {"450"}, "currency": {"EUR"}})
	assert.Equal(t, http.StatusConflict, pg.Status)
	pg = c.br.post("/console/products", url.Values{"sku": {"x"}, "name": {"X"}, "price": {"12.345"}, "currency": {"EUR"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	assert.Contains(t, pg.Body, "must be an amount")
	assert.Contains(t, c.br.get("/console/products?q=phn").Body, "Phone 2")

	cu := c.customer(t, "Acme", customer.FeaturesPatch{SupplierWarehouse: on()})
	path := "/console/customers/" + string(cu.ID)
	pg = c.br.post(path+"/offers", url.Values{"product_id": {string(pid)}, "price": {"400,00"}, "currency": {"EUR"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "Phone 2")
	offers, err := c.p.ListOffers(c.owner, cu.ID, portal.ListOffersParams{})
	require.NoError(t, err)
	require.Len(t, offers.Items, 1)
	o := offers.Items[0]
	assert.Equal(t, eur(40000), o.Price)
	pg = c.br.post(path+"/offers/"+string(o.ID), url.Values{"version": {"1"}, "price": {"380"}, "currency": {"EUR"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	o, err = c.p.GetOffer(c.owner, cu.ID, o.ID)
	require.NoError(t, err)
	assert.Equal(t, eur(38000), o.Price)

	pg = c.br.post(path+"/stock", url.Values{"product_id": {string(pid)}, "serials": {"SN-1\r\nSN-2\r\n"}, "condition": {"new"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "SN-2")
	items, err := c.p.ListStockItems(c.owner, cu.ID, portal.ListStockItemsParams{})
	require.NoError(t, err)
	assert.Len(t, items.Items, 2)
	pg = c.br.post(path+"/stock", url.Values{"product_id": {string(pid)}, "serials": {"SN-1"}})
	assert.Equal(t, http.StatusConflict, pg.Status, "a serial number taken")
	pg = c.br.post(path+"/stock", url.Values{"product_id": {string(pid)}, "quantity": {"3"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	items, err = c.p.ListStockItems(c.owner, cu.ID, portal.ListStockItemsParams{Status: warehouse.StatusInStock})
	require.NoError(t, err)
	assert.Len(t, items.Items, 5)

	pg = c.br.post(path+"/offers/"+string(o.ID)+"/delete", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	pg = c.br.post("/console/products/"+string(pid)+"/deactivate", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	pr, err = c.p.GetProduct(c.owner, pid)
	require.NoError(t, err)
	assert.False(t, pr.Active)
}

func TestConsoleMailTemplates(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	path := "/console/customers/" + string(cu.ID) + "/mail-templates"
	pg := c.br.get(path)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, path+"/invitation/de")

	form := url.Values{"subject": {"Join {{.CustomerName}}"}, "text": {"Hello, join us: {{.Link}}"}}
	pg = c.br.post(path+"/invitation/en/preview", form)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, "Join Acme")
	_, err := c.p.GetMailTemplate(c.owner, cu.ID, mailer.KindInvitation, "en")
	assert.Error(t, err, "a preview saves nothing")

	pg = c.br.post(path+"/invitation/en", url.Values{"text": {"no link here"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	assert.Contains(t, pg.Body, "no link here", "the form keeps its values")

	pg = c.br.post(path+"/invitation/en", form)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	tm, err := c.p.GetMailTemplate(c.owner, cu.ID, mailer.KindInvitation, "en")
	require.NoError(t, err)
	assert.Equal(t, "Join {{.CustomerName}}", tm.Subject)
	assert.Contains(t, pg.Body, "Join {{.CustomerName}}")

	pg = c.br.post(path+"/invitation/en/delete", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "template_deleted", pg.Query.Get("done"))
	_, err = c.p.GetMailTemplate(c.owner, cu.ID, mailer.KindInvitation, "en")
	assert.Error(t, err)

	assert.Equal(t, http.StatusBadRequest, c.br.get(path+"/nonsense/en").Status)
}

func TestConsoleOutboxRetry(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	c.mail.Err = func(mailer.Message) error { return &mailer.SendError{Permanent: true, Err: io.ErrUnexpectedEOF} }
	cu := c.customer(t, "Acme", customer.FeaturesPatch{})
	_, err := c.p.Invite(c.owner, cu.ID, portal.InviteParams{Email: "cy@acme.example", Role: customer.RoleViewer})
	require.NoError(t, err)
	c.mail.Deliver()

	pg := c.br.get("/console/mail?status=failed")
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "cy@acme.example")
	failed, err := c.p.ListMail(c.owner, portal.ListMailParams{Status: outbox.Failed})
	require.NoError(t, err)
	require.Len(t, failed.Items, 1)

	c.mail.Err = nil
	pg = c.br.post("/console/mail/"+string(failed.Items[0].ID)+"/retry", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "retried", pg.Query.Get("done"))
	m, ok := c.mail.Last("cy@acme.example")
	require.True(t, ok, "the message went out at last")
	assert.Equal(t, portal.NotifyInvitation, m.Kind)
}

func TestConsoleAPIKeySecretShownOnce(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	pg := c.br.post("/console/api-keys", url.Values{"name": {"ERP sync"}, "role": {"agent"}})
	require.Equal(t, http.StatusCreated, pg.Status, pg.Body)
	secret := regexp.MustCompile(`<input id="new-key" class="secret" readonly value="([^"]+)">`).FindStringSubmatch(pg.Body)
	require.Len(t, secret, 2)
	assert.Contains(t, pg.Body, `data-copy="new-key"`)
	who, err := c.p.Authenticate(t.Context(), secret[1])
	require.NoError(t, err, "the secret shown is the key")
	assert.Equal(t, identity.StaffAgent, who.StaffRole)

	pg = c.br.get("/console/api-keys")
	assert.Contains(t, pg.Body, "ERP sync")
	assert.NotContains(t, pg.Body, secret[1], "never shown again")

	pg = c.br.post("/console/api-keys/"+who.ID+"/revoke", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	_, err = c.p.Authenticate(t.Context(), secret[1])
	assert.Error(t, err)

	// An agent sees no keys and no link to them.
	agent, err := c.p.CreateAPIKey(c.owner, portal.CreateAPIKeyParams{Name: "agent", Role: identity.StaffAgent})
	require.NoError(t, err)
	br := newFollower(t, c.srv, agent.Token)
	pg = br.get("/console/customers")
	require.Equal(t, http.StatusOK, pg.Status)
	assert.NotContains(t, pg.Body, `href="/console/api-keys"`)
	assert.NotContains(t, pg.Body, "New customer")
	assert.Equal(t, http.StatusForbidden, br.get("/console/api-keys").Status)
	assert.Equal(t, http.StatusForbidden, br.get("/console/customers/new").Status)
	assert.Equal(t, http.StatusForbidden, br.post("/console/customers", url.Values{"name": {"X"}}).Status)
}

func TestConsoleTurnsCustomerUsersAway(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{OrderAuthorization: on()})
	_, token := c.member(t, cu.ID, "ada@acme.example", customer.RoleAdmin)
	br := newFollower(t, c.srv, token)
	br.c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	for _, path := range []string{"/console", "/console/customers", "/console/customers/" + string(cu.ID), "/console/orders", "/console/api-keys", "/console/mail"} {
		pg := br.get(path)
		assert.Equal(t, http.StatusSeeOther, pg.Status, path)
		assert.NotContains(t, pg.Body, "Acme", path)
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.srv.URL+"/console/customers", nil)
	require.NoError(t, err)
	resp, err := br.c.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, "/", resp.Header.Get("Location"))

	pg := br.post("/console/customers", url.Values{"name": {"Evil"}})
	assert.Equal(t, http.StatusSeeOther, pg.Status)
	l, err := c.p.ListCustomers(c.owner, portal.ListCustomersParams{Search: "Evil"})
	require.NoError(t, err)
	assert.Empty(t, l.Items)

	// Signed out, the console asks to sign in.
	anon := newFollower(t, c.srv, "")
	anon.c.CheckRedirect = br.c.CheckRedirect
	pg = anon.get("/console/customers")
	assert.Equal(t, http.StatusSeeOther, pg.Status)
	assert.Equal(t, http.StatusUnauthorized, anon.post("/console/customers", url.Values{"name": {"Evil"}}).Status)
}

func TestConsoleRefusesFormsFromOtherSites(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	pg := c.br.postFrom("https://evil.example", "/console/customers", url.Values{"name": {"Evil"}})
	assert.Equal(t, http.StatusForbidden, pg.Status)
	pg = c.br.postFrom("https://evil.example", "/console/api-keys", url.Values{"name": {"Evil"}, "role": {"owner"}})
	assert.Equal(t, http.StatusForbidden, pg.Status)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, c.srv.URL+"/console/customers", strings.NewReader("name=Evil"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	assert.Equal(t, http.StatusForbidden, c.br.do(req).Status, "a follower's cross-site form without Origin")
	l, err := c.p.ListCustomers(c.owner, portal.ListCustomersParams{})
	require.NoError(t, err)
	assert.Empty(t, l.Items)
	keys, err := c.p.ListAPIKeys(c.owner, portal.ListAPIKeysParams{})
	require.NoError(t, err)
	assert.Len(t, keys.Items, 1, "the owner's only")
}

// TestConsolePagesRender opens every console page of a customer with
// some of everything, in English and German.
func TestConsolePagesRender(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu, placed := c.ordered(t, 1)
	id := string(cu.ID)
	paths := []string{
		"/console/customers", "/console/customers/new", "/console/customers/" + id,
		"/console/customers/" + id + "/features", "/console/customers/" + id + "/sites",
		"/console/customers/" + id + "/members", "/console/customers/" + id + "/orders",
		"/console/customers/" + id + "/orders/" + string(placed[0].ID),
		"/console/customers/" + id + "/offers", "/console/customers/" + id + "/mail-templates",
		"/console/customers/" + id + "/mail-templates/order_confirmed/de",
		"/console/orders", "/console/products", "/console/products/new", "/console/mail",
		"/console/api-keys", "/console/staff", "/console/account", "/console/news",
	}
	for _, lang := range []string{"en", "de"} {
		for _, p := range paths {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, c.srv.URL+p, nil)
			require.NoError(t, err)
			req.Header.Set("Accept-Language", lang)
			pg := c.br.do(req)
			assert.Equal(t, http.StatusOK, pg.Status, "%s %s", lang, p)
			assert.Equal(t, p, pg.Path, "no redirect")
			assert.NotRegexp(t, `>[a-z_]+:[a-z_]+<`, pg.Body, "%s %s: an enumeration without a label", lang, p)
			if lang == "de" && p == "/console/customers" {
				assert.Contains(t, pg.Body, "<h1>Kunden</h1>")
				assert.Contains(t, pg.Body, "Neuer Kunde")
			}
		}
	}
	assert.Equal(t, http.StatusNotFound, c.br.get("/console/customers/cus_missing").Status)
}

// TestConsoleNews writes an article for one chosen customer, readdresses
// it to all and deletes it; its Markdown shows rendered.
func TestConsoleNews(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	globex := c.customer(t, "Globex", customer.FeaturesPatch{})
	pg := c.br.post("/console/news", url.Values{"title": {"Acme only"}, "body": {"Hello *Acme*"}, "audience": {"chosen"}, "customer": {string(acme.ID)}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, "/console/news", pg.Path)
	reads := func(cid customer.ID) []string {
		l, err := c.p.ListCustomerNews(c.owner, cid, portal.ListCustomerNewsParams{})
		require.NoError(t, err)
		var out []string
		for _, a := range l.Items {
			out = append(out, a.Title)
		}
		return out
	}
	assert.Equal(t, []string{"Acme only"}, reads(acme.ID))
	assert.Empty(t, reads(globex.ID))

	all, err := c.p.ListArticles(c.owner, portal.ListArticlesParams{})
	require.NoError(t, err)
	require.Len(t, all.Items, 1)
	id := string(all.Items[0].ID)
	pg = c.br.get("/console/news/" + id)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Contains(t, pg.Body, "Hello <em>Acme</em>")
	pg = c.br.post("/console/news/"+id, url.Values{"title": {"For all"}, "body": {"Hello"}, "audience": {"all"}, "version": {"1"}})
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Equal(t, []string{"For all"}, reads(globex.ID))

	pg = c.br.post("/console/news", url.Values{"title": {"Nobody"}, "body": {"x"}, "audience": {"chosen"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status, "an audience of no customer")

	pg = c.br.post("/console/news/"+id+"/delete", nil)
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Empty(t, reads(globex.ID))
}

// TestFieldMessagesInTheirLanguage sends a product form with two bad fields
// from an English and a German browser: each page names the fields' faults
// in its own language, the length check with its bound.
func TestFieldMessagesInTheirLanguage(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	form := url.Values{"sku": {"PHN-9"}, "name": {strings.Repeat("x", 201)}, "price": {"10"}, "currency": {"EURO"}}
	// Each fault is named by its field's label on the form, not by its
	// path in the API (price.currency).
	for lang, want := range map[string][]string{
		"en": {"<li>Name: must be at most 200 characters</li>", "<li>Currency (ISO code): must be an ISO 4217 currency code such as EUR</li>"},
		"de": {"<li>Name: darf höchstens 200 Zeichen lang sein</li>", "<li>Währung (ISO-Code): muss ein Währungscode nach ISO 4217 sein, etwa EUR</li>"},
	} {
		req := c.br.formRequest(c.srv.URL, "/console/products", form)
		req.Header.Set("Accept-Language", lang)
		pg := c.br.do(req)
		require.Equal(t, http.StatusBadRequest, pg.Status, lang)
		for _, msg := range want {
			assert.Contains(t, html.UnescapeString(pg.Body), msg, lang)
		}
		assert.NotContains(t, pg.Body, "price.currency", lang)
		if lang == "de" {
			assert.NotContains(t, pg.Body, "must be", "no English left on the German page")
		}
	}
	l, err := c.p.ListProducts(c.owner, portal.ListProductsParams{Search: "PHN-9"})
	require.NoError(t, err)
	assert.Empty(t, l.Items, "a refused form creates nothing")
}

// TestUseCaseMessagesInTheirLanguage sends a form that a use case (not an
// input check) refuses, with a message that names a value: a German page
// shows it in German, the value kept, under the field's German label.
func TestUseCaseMessagesInTheirLanguage(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	form := url.Values{"name": {"Tochter GmbH"}, "parent_id": {"cus_missing"}}
	for lang, want := range map[string]string{
		"en": "<li>Parent customer (ID, for a sub-customer): customer cus_missing does not exist</li>",
		"de": "<li>Übergeordneter Kunde (ID, für einen Unterkunden): Kunde cus_missing existiert nicht</li>",
	} {
		req := c.br.formRequest(c.srv.URL, "/console/customers", form)
		req.Header.Set("Accept-Language", lang)
		pg := c.br.do(req)
		require.Equal(t, http.StatusBadRequest, pg.Status, lang)
		assert.Contains(t, html.UnescapeString(pg.Body), want, lang)
	}
	l, err := c.p.ListCustomers(c.owner, portal.ListCustomersParams{Search: "Tochter"})
	require.NoError(t, err)
	assert.Empty(t, l.Items, "a refused form creates nothing")
}
