package httpapi_test

import (
	"bytes"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	openapi_types "github.com/oapi-codegen/runtime/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/webhook"
)

// The callers of the role matrix. Staff act through API keys; customer users
// through real session tokens of one customer, Acme.
const (
	rcOwner      = "staff owner"
	rcStaffAdmin = "staff admin"
	rcAgent      = "staff agent"
	rcAdmin      = "admin"
	rcMaintainer = "maintainer"
	rcViewer     = "viewer"
	rcSiteAdmin  = "site-limited admin"
	rcReadOnly   = "read-only access link"
)

var roleCallers = []string{rcOwner, rcStaffAdmin, rcAgent, rcAdmin, rcMaintainer, rcViewer, rcSiteAdmin, rcReadOnly}

// roleFixture is a running handler over SQLite with one customer, two of its
// sites, and a bearer token for every caller of the matrix.
type roleFixture struct {
	*env
	snap         snapshotMemo
	cid          string
	north, south customer.Site // the site-limited admin reaches north only
	tokens       map[string]string
	n            int                  // makes e-mail addresses unique
	laptop       orders.Product       // of the global portfolio
	desk         identity.StaffMember // a service-desk member tickets are assigned to
	elsewhere    customer.ID          // another customer, with no people: sites move to it
}

func newRoleFixture(t *testing.T) *roleFixture {
	t.Helper()
	return newRoleFixtureOn(t, newEnv(t))
}

// newRoleFixtureOn builds the role fixture through the use cases on e.
func newRoleFixtureOn(t *testing.T, e *env) *roleFixture {
	t.Helper()
	f := &roleFixture{env: e, tokens: map[string]string{}}
	f.notes.Err = bounce
	ctx := t.Context()
	staff := portaltest.Owner(ctx)
	owner := f.client(t, f.owner)
	f.tokens[rcOwner] = f.owner

	// One staff key made by the library, one over the API.
	key, err := f.p.CreateAPIKey(staff, portal.CreateAPIKeyParams{Name: "Back office", Role: identity.StaffAdmin})
	require.NoError(t, err)
	f.tokens[rcStaffAdmin] = key.Token
	f.tokens[rcAgent] = must(owner.CreateAPIKeyWithResponse(ctx, nil, client.CreateAPIKeyRequest{Name: "Service desk", Role: client.StaffRoleAgent}))(t).JSON201.Token

	cid, ada := f.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{OrderAuthorization: ptr(true)})
	f.cid = cid
	f.tokens[rcAdmin] = ada.Token
	adaC := f.client(t, ada.Token)
	f.north, err = f.p.CreateSite(staff, customer.ID(cid), portal.SiteParams{Name: "North"})
	require.NoError(t, err)
	f.south, err = f.p.CreateSite(staff, customer.ID(cid), portal.SiteParams{Name: "South"})
	require.NoError(t, err)
	elsewhere, err := f.p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Initech"})
	require.NoError(t, err)
	f.elsewhere = elsewhere.ID

	f.tokens[rcMaintainer] = f.join(t, adaC, cid, "max@acme.example", client.RoleMaintainer).Token
	f.tokens[rcViewer] = f.join(t, adaC, cid, "vic@acme.example", client.RoleViewer).Token

	must(owner.InviteWithResponse(ctx, cid, nil, client.InviteRequest{
		Email: "sam@acme.example", Role: client.RoleAdmin, SiteIds: &[]string{string(f.north.ID)},
	}))(t)
	sam := must(f.client(t, "").AcceptInvitationWithResponse(ctx, client.AcceptInvitationRequest{
		Token: f.lastToken(t, "sam@acme.example"), Name: ptr("Sam"),
	}))(t).JSON201
	require.Equal(t, []string{string(f.north.ID)}, sam.Membership.SiteIds)
	f.tokens[rcSiteAdmin] = sam.Token

	// Staff turn access links on and give an admin a read-only one, which
	// the admin redeems for a session.
	rod := f.join(t, adaC, cid, "rod@acme.example", client.RoleAdmin)
	feat := must(owner.GetFeaturesWithResponse(ctx, cid))(t)
	must(owner.UpdateFeaturesWithResponse(ctx, cid, &client.UpdateFeaturesParams{IfMatch: feat.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{AccessLinks: ptr(true)}))(t)
	link := must(owner.CreateAccessLinkWithResponse(ctx, cid, nil, client.CreateAccessLinkRequest{
		MembershipId: rod.Membership.Id, ReadOnly: ptr(true),
	}))(t).JSON201
	ro := must(f.client(t, "").SignInWithAccessLinkWithResponse(ctx, client.RedeemAccessLinkRequest{Token: link.Token}))(t).JSON201
	require.True(t, ro.Session.ReadOnly)
	require.Equal(t, client.RoleAdmin, ro.Membership.Role, "the link's membership is an admin's")
	f.tokens[rcReadOnly] = ro.Token
	f.laptop, err = f.p.CreateProduct(staff, portal.CreateProductParams{SKU: "LAP-1", Name: "Laptop", Price: orders.Money{Amount: 100_000, Currency: "EUR"}})
	require.NoError(t, err)
	f.enableStock(t)
	desk, err := f.p.InviteStaff(staff, portal.InviteStaffParams{Email: "desk@provider.example", Name: "Desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	f.desk, err = f.p.UpdateStaff(staff, desk.ID, portal.UpdateStaffParams{Version: desk.Version, ServiceDesk: ptr(true)})
	require.NoError(t, err)
	return f
}

// email returns a new address at Acme.
func (f *roleFixture) email(what string) string {
	f.n++
	return fmt.Sprintf("%s%d@acme.example", what, f.n)
}

// member adds a new viewer, limited to sites (none: all sites), as staff.
func (f *roleFixture) member(t *testing.T, sites ...customer.SiteID) portal.Member {
	t.Helper()
	m, err := f.p.AddMember(portaltest.Owner(t.Context()), customer.ID(f.cid), portal.AddMemberParams{
		Email: f.email("target"), Name: "Target", Role: customer.RoleViewer, SiteIDs: sites,
	})
	require.NoError(t, err)
	return m
}

// customerETag is the customer's current ETag, read as staff.
func (f *roleFixture) customerETag(t *testing.T) string {
	t.Helper()
	c, err := f.p.GetCustomer(portaltest.Owner(t.Context()), customer.ID(f.cid))
	require.NoError(t, err)
	return `"` + strconv.FormatInt(c.Version, 10) + `"`
}

// snapshot is everything staff see of the customer, and the API keys.
func (f *roleFixture) snapshot(t *testing.T) map[string]any {
	t.Helper()
	return f.memo(t, &f.snap, func() map[string]any { return f.takeSnapshot(t) })
}

// takeSnapshot reads what snapshot returns.
func (f *roleFixture) takeSnapshot(t *testing.T) map[string]any {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	cid := customer.ID(f.cid)
	out := map[string]any{}
	part := func(what string, v any, err error) {
		t.Helper()
		require.NoError(t, err)
		out[what] = v
	}
	c, err := f.p.GetCustomer(ctx, cid)
	part("customer", c, err)
	sites, err := f.p.ListSites(ctx, cid, portal.ListSitesParams{Limit: 100})
	part("sites", sites, err)
	members, err := f.p.ListMembers(ctx, cid, portal.ListMembersParams{Limit: 100})
	part("members", members, err)
	invs, err := f.p.ListInvitations(ctx, cid, portal.ListInvitationsParams{Limit: 100})
	part("invitations", invs, err)
	links, err := f.p.ListAccessLinks(ctx, cid, portal.ListAccessLinksParams{Limit: 100})
	part("access links", links, err)
	keys, err := f.p.ListAPIKeys(ctx, portal.ListAPIKeysParams{Limit: 100})
	for i := range keys.Items {
		keys.Items[i].LastUsedAt = time.Time{} // moves with every call of a staff caller
	}
	part("api keys", keys, err)
	products, err := f.p.ListProducts(ctx, portal.ListProductsParams{Limit: 100})
	part("products", products, err)
	offers, err := f.p.ListOffers(ctx, cid, portal.ListOffersParams{Limit: 100})
	part("offers", offers, err)
	ords, err := f.p.ListOrders(ctx, cid, portal.ListOrdersParams{Limit: 100})
	part("orders", ords, err)
	out["stock items"] = f.allStockItems(t)
	mail, err := f.p.ListMail(ctx, portal.ListMailParams{CustomerID: cid, Limit: 100})
	part("mail", mail, err)
	templates, err := f.p.ListMailTemplates(ctx, cid)
	part("mail templates", templates, err)
	staff, err := f.p.ListStaff(ctx, portal.ListStaffParams{Limit: 100})
	part("staff", staff, err)
	articles, err := f.p.ListArticles(ctx, portal.ListArticlesParams{Limit: 100})
	part("articles", articles, err)
	out["tickets"] = f.allTickets(t)
	f.hrSnapshot(t, out)
	jobs, err := f.p.ListJobs(ctx, cid, portal.ListJobsParams{Limit: 100})
	part("jobs", jobs, err)
	pics, err := f.p.ListPictures(ctx, cid, portal.ListPicturesParams{Limit: 100})
	part("pictures", pics, err)
	visits, err := f.p.ListVisits(ctx, cid, portal.ListVisitsParams{Limit: 100})
	part("visits", visits, err)
	f.recordSnapshot(t, func(what string, v any) { out[what] = v })
	hooks, err := f.p.ListWebhookEndpoints(ctx, portal.ListWebhookEndpointsParams{Limit: 100})
	part("webhook endpoints", hooks, err)
	for _, e := range hooks.Items {
		ds, err := f.p.ListWebhookDeliveries(ctx, e.ID, portal.ListWebhookDeliveriesParams{Limit: 100})
		part("webhook deliveries of "+string(e.ID), ds, err)
	}
	requests, err := f.p.ListAccessRequests(ctx, portal.ListAccessRequestsParams{Limit: 100})
	part("access requests", requests, err)
	contacts, err := f.p.ListContacts(ctx, cid, portal.ListContactsParams{Limit: 100})
	part("contacts", contacts, err)
	sso, err := f.p.GetSSOConfig(ctx, cid) // none after a removal
	out["sso"] = []any{sso, portalerr.CodeOf(err)}
	forbidden, err := f.p.ImpersonationForbidden(ctx, cid)
	part("impersonation forbidden", forbidden, err)
	imps, err := f.p.ListImpersonations(ctx, cid, portal.ListImpersonationsParams{Limit: 100})
	part("impersonations", imps, err)
	return out
}

// roleTarget is what a row acts on, made fresh for each call.
type roleTarget struct {
	site    customer.Site
	member  portal.Member
	etag    string
	order   orders.Order
	product orders.Product
	item    portal.StockItem // supplier warehouse
	mail    outbox.ID
	staff   identity.StaffMember
	article news.Article
	ticket  ticket.Ticket
	job     fieldwork.Job // field service
	visit   fieldwork.Visit
	picture fieldwork.Picture
	record  record.Record        // records: recordRoleRows
	change  record.ChangeRequest // a pending change request of record
	number  string               // the contract number of an unassigned contract
	// For attachments: a file on ticket, and an internal note on it.
	attachment ticket.Attachment
	note       ticket.Comment
	hook       portal.WebhookEndpoint
	// delivery is a failed delivery to hook, which may be replayed.
	delivery webhook.Delivery
	// HR sync: hrsync_roles_test.go.
	employee org.Employee
	run      hrsync.Run
	token    hrsync.TokenID

	request accessrequest.Request
	contact customer.Contact
	domain  string // a domain the customer's admin claimed for its identity provider
}

// roleRow is one operation of the role matrix and the status each caller
// gets on its own customer. The statuses are the specification: written
// here from DESIGN.md's roles and the "who may call" of each operation, not
// computed from portal's policy table.
type roleRow struct {
	write bool // a 2xx must change something, a refusal nothing
	// conflict is the code of an expected 409: a caller the action is
	// allowed to, on a target whose state refuses it.
	conflict client.ProblemCode
	prep     func(t *testing.T, f *roleFixture) roleTarget
	call     func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error)
	want     map[string]int
}

const (
	s200 = http.StatusOK
	s201 = http.StatusCreated
	s204 = http.StatusNoContent
	s403 = http.StatusForbidden
	s404 = http.StatusNotFound
)

// byRole fills in a row's expectations: staff get the statuses of the three
// staff roles, customer users those of their four roles, the read-only link
// a viewer's and the site-limited admin its own.
func byRole(owner, staffAdmin, agent, admin, maintainer, viewer, siteAdmin int) map[string]int {
	return map[string]int{
		rcOwner: owner, rcStaffAdmin: staffAdmin, rcAgent: agent,
		rcAdmin: admin, rcMaintainer: maintainer, rcViewer: viewer, rcSiteAdmin: siteAdmin,
		rcReadOnly: viewer,
	}
}

func noTarget(*testing.T, *roleFixture) roleTarget { return roleTarget{} }

func newSite(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	s, err := f.p.CreateSite(portaltest.Owner(t.Context()), customer.ID(f.cid), portal.SiteParams{Name: "Plant " + f.email("s")})
	require.NoError(t, err)
	return roleTarget{site: s, etag: `"` + strconv.FormatInt(s.Version, 10) + `"`}
}

// memberIn makes a new member limited to the site-limited admin's site;
// memberEverywhere one with all sites, beyond that admin.
func memberIn(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	m := f.member(t, f.north.ID)
	return roleTarget{member: m, etag: `"` + strconv.FormatInt(m.Version, 10) + `"`}
}

func memberEverywhere(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	m := f.member(t)
	return roleTarget{member: m, etag: `"` + strconv.FormatInt(m.Version, 10) + `"`}
}

// orderAt places a submitted order for site as Acme's admin.
func orderAt(site func(f *roleFixture) customer.SiteID) func(t *testing.T, f *roleFixture) roleTarget {
	return func(t *testing.T, f *roleFixture) roleTarget {
		t.Helper()
		admin, err := f.p.Authenticate(t.Context(), f.tokens[rcAdmin])
		require.NoError(t, err)
		o, err := f.p.PlaceOrder(identity.NewContext(t.Context(), admin), customer.ID(f.cid), portal.PlaceOrderParams{
			SiteID: site(f), Lines: []portal.OrderLineParams{{ProductID: f.laptop.ID, Quantity: 1}}, Recipient: &orders.Employee{Name: "Bob"},
		})
		require.NoError(t, err)
		return roleTarget{order: o}
	}
}

var (
	northOrder = orderAt(func(f *roleFixture) customer.SiteID { return f.north.ID })
	southOrder = orderAt(func(f *roleFixture) customer.SiteID { return f.south.ID })
)

func newProduct(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	p, err := f.p.CreateProduct(portaltest.Owner(t.Context()), portal.CreateProductParams{
		SKU: "P-" + f.email("sku"), Name: "Product", Price: orders.Money{Amount: 1, Currency: "EUR"}})
	require.NoError(t, err)
	return roleTarget{product: p}
}

// mailTemplate saves an override of the login-link mail in German.
func mailTemplate(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	_, err := f.p.PutMailTemplate(portaltest.Owner(t.Context()), customer.ID(f.cid), mailer.KindLoginLink, "de",
		portal.MailTemplateParams{Subject: "Anmelden, " + f.email("subject")})
	require.NoError(t, err)
	return roleTarget{}
}

// bouncedMail makes a message that failed for good.
func bouncedMail(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	return roleTarget{mail: f.bounced(t, customer.ID(f.cid), f.email("bounce"))}
}

// staffAgent invites a new staff agent.
func staffAgent(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	m, err := f.p.InviteStaff(portaltest.Owner(t.Context()), portal.InviteStaffParams{Email: f.email("agent"), Name: "Agent", Role: identity.StaffAgent})
	require.NoError(t, err)
	return roleTarget{staff: m, etag: `"` + strconv.FormatInt(m.Version, 10) + `"`}
}

// customerArticle has Acme's admin write an article for Acme's people.
func customerArticle(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	admin, err := f.p.Authenticate(t.Context(), f.tokens[rcAdmin])
	require.NoError(t, err)
	a, err := f.p.CreateCustomerArticle(identity.NewContext(t.Context(), admin), customer.ID(f.cid), portal.CreateCustomerArticleParams{Title: "Ours " + f.email("a"), Body: "Hello"})
	require.NoError(t, err)
	return roleTarget{article: a, etag: `"` + strconv.FormatInt(a.Version, 10) + `"`}
}

// providerArticle has staff write an article for every customer.
func providerArticle(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	a, err := f.p.CreateArticle(portaltest.Owner(t.Context()), portal.CreateArticleParams{Title: "All " + f.email("a"), Body: "Hello", Audience: news.Everyone})
	require.NoError(t, err)
	return roleTarget{article: a, etag: `"` + strconv.FormatInt(a.Version, 10) + `"`}
}

// ticketsOn turns the tickets feature on (the "change features" row
// toggles it) and returns the customer.
func (f *roleFixture) ticketsOn(t *testing.T) customer.Customer {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	c, err := f.p.GetCustomer(ctx, customer.ID(f.cid))
	require.NoError(t, err)
	if !c.Features.Tickets {
		_, err = f.p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{Tickets: ptr(true)}})
		require.NoError(t, err)
		c, err = f.p.GetCustomer(ctx, c.ID)
		require.NoError(t, err)
	}
	return c
}

func ticketsOn(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	f.ticketsOn(t)
	return roleTarget{}
}

// ticketAt opens a ticket of type typ for site (none when it returns "")
// as the service desk, resolved when resolve is set.
func ticketAt(typ string, site func(f *roleFixture) customer.SiteID, resolve bool) func(t *testing.T, f *roleFixture) roleTarget {
	return func(t *testing.T, f *roleFixture) roleTarget {
		t.Helper()
		c := f.ticketsOn(t)
		desk := portaltest.ServiceDesk(t.Context())
		params := portal.OpenTicketParams{Type: typ, Subject: "Help " + f.email("t"), Links: portal.TicketLinksParams{SiteID: site(f)}}
		if typ == ticket.TypeMasterDataChange {
			params.Fields = map[string]string{"phone": "+49 40 " + f.email("p")}
		}
		tk, err := f.p.OpenTicket(desk, c.ID, params)
		require.NoError(t, err)
		if resolve {
			tk, err = f.p.ChangeTicketStatus(desk, c.ID, tk.ID, portal.ChangeTicketStatusParams{Version: tk.Version, Status: ticket.StatusResolved})
			require.NoError(t, err)
		}
		return roleTarget{ticket: tk, etag: `"` + strconv.FormatInt(tk.Version, 10) + `"`}
	}
}

var (
	northTicket      = ticketAt(ticket.TypeGeneric, func(f *roleFixture) customer.SiteID { return f.north.ID }, false)
	southTicket      = ticketAt(ticket.TypeGeneric, func(f *roleFixture) customer.SiteID { return f.south.ID }, false)
	resolvedTicket   = ticketAt(ticket.TypeGeneric, func(f *roleFixture) customer.SiteID { return f.north.ID }, true)
	masterDataTicket = ticketAt(ticket.TypeMasterDataChange, func(*roleFixture) customer.SiteID { return "" }, false)
)

// attachedAt is ticketAt(generic, site) with a picture the service desk
// attached and an internal note.
func attachedAt(site func(f *roleFixture) customer.SiteID) func(t *testing.T, f *roleFixture) roleTarget {
	open := ticketAt(ticket.TypeGeneric, site, false)
	return func(t *testing.T, f *roleFixture) roleTarget {
		t.Helper()
		tg := open(t, f)
		desk := portaltest.ServiceDesk(t.Context())
		var err error
		tg.attachment, err = f.p.AttachToTicket(desk, customer.ID(f.cid), tg.ticket.ID, portal.AttachToTicketParams{Name: "photo.png"}, bytes.NewReader(pngBytes))
		require.NoError(t, err)
		tg.note, err = f.p.AddTicketComment(desk, customer.ID(f.cid), tg.ticket.ID, portal.AddTicketCommentParams{Visibility: ticket.Internal, Body: "Internal"})
		require.NoError(t, err)
		return tg
	}
}

var (
	northAttached = attachedAt(func(f *roleFixture) customer.SiteID { return f.north.ID })
	southAttached = attachedAt(func(f *roleFixture) customer.SiteID { return f.south.ID })
)

// failedDelivery registers an endpoint that receives site.created, makes
// a site, and fails the delivery unsent while the endpoint is off; the
// endpoint is then on again.
func failedDelivery(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	// The endpoints of earlier rows go, with their deliveries: none is
	// left enabled for the pass below to send to over the network.
	old, err := f.p.ListWebhookEndpoints(ctx, portal.ListWebhookEndpointsParams{Limit: 100})
	require.NoError(t, err)
	for _, e := range old.Items {
		require.NoError(t, f.p.DeleteWebhookEndpoint(ctx, e.ID))
	}
	e, err := f.p.CreateWebhookEndpoint(ctx, portal.CreateWebhookEndpointParams{URL: "https://93.184.215.14/" + f.email("hook"), EventTypes: []webhook.Type{webhook.SiteCreated}})
	require.NoError(t, err)
	_, err = f.p.CreateSite(ctx, customer.ID(f.cid), portal.SiteParams{Name: f.email("site")})
	require.NoError(t, err)
	_, err = f.p.UpdateWebhookEndpoint(ctx, e.ID, portal.UpdateWebhookEndpointParams{Enabled: ptr(false)})
	require.NoError(t, err)
	_, err = f.p.DeliverWebhooks(t.Context(), portal.WebhookOptions{})
	require.NoError(t, err)
	hook, err := f.p.UpdateWebhookEndpoint(ctx, e.ID, portal.UpdateWebhookEndpointParams{Enabled: ptr(true)})
	require.NoError(t, err)
	ds, err := f.p.ListWebhookDeliveries(ctx, e.ID, portal.ListWebhookDeliveriesParams{})
	require.NoError(t, err)
	require.Len(t, ds.Items, 1)
	return roleTarget{hook: hook, delivery: ds.Items[0], etag: `"` + strconv.FormatInt(hook.Version, 10) + `"`}
}

func currentCustomer(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	return roleTarget{etag: f.customerETag(t)}
}

// fieldworkOn turns the jobs and visits live views on for the role
// fixture's customer.
func (f *roleFixture) fieldworkOn(t *testing.T) customer.Customer {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	c, err := f.p.GetCustomer(ctx, customer.ID(f.cid))
	require.NoError(t, err)
	if !c.Features.Jobs || !c.Features.Visits || !c.Features.Pictures {
		c, err = f.p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version,
			FeaturesPatch: customer.FeaturesPatch{Jobs: ptr(true), Visits: ptr(true), Pictures: ptr(true)}})
		require.NoError(t, err)
	}
	return c
}

// jobAt pushes a job with a visit at site, as staff.
func jobAt(site func(f *roleFixture) customer.SiteID) func(t *testing.T, f *roleFixture) roleTarget {
	return func(t *testing.T, f *roleFixture) roleTarget {
		t.Helper()
		c := f.fieldworkOn(t)
		staff := portaltest.Owner(t.Context())
		j, _, err := f.p.PutJob(staff, c.ID, portal.JobParams{SiteID: site(f), Type: "repair", Title: "Job " + f.email("j"), PlannedAt: f.p.Now()})
		require.NoError(t, err)
		v, _, err := f.p.PutVisit(staff, c.ID, j.ID, portal.VisitParams{Technician: "Tess", StartedAt: f.p.Now()})
		require.NoError(t, err)
		pic, err := f.p.UploadPicture(staff, c.ID, j.ID, portal.UploadPictureParams{Name: "p.png"}, bytes.NewReader(tinyPNG))
		require.NoError(t, err)
		return roleTarget{job: j, visit: v, picture: pic, etag: `"` + strconv.FormatInt(j.Version, 10) + `"`}
	}
}

var (
	northJob = jobAt(func(f *roleFixture) customer.SiteID { return f.north.ID })
	southJob = jobAt(func(f *roleFixture) customer.SiteID { return f.south.ID })
)

var roleMatrix = map[string]roleRow{
	// Field service: staff and API keys push jobs and visits; every
	// customer role reads them, at the sites it may see.
	"push a job": {write: true, prep: northJob, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.PushJobWithResponse(t.Context(), f.cid, nil, client.JobRequest{SiteId: string(f.north.ID), Type: "repair",
				Title: "Pump", PlannedAt: f.p.Now()})
		}},
	"list jobs": {prep: northJob, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListJobsWithResponse(t.Context(), f.cid, nil)
		}},
	"get job beyond the caller's sites": {prep: southJob, want: byRole(s200, s200, s200, s200, s200, s200, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetJobWithResponse(t.Context(), f.cid, string(tg.job.ID))
		}},
	"change a job": {write: true, prep: northJob, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			st := client.JobStatusScheduled
			return c.UpdateJobWithResponse(t.Context(), f.cid, string(tg.job.ID), &client.UpdateJobParams{IfMatch: tg.etag}, client.JobPatch{Status: &st})
		}},
	"push a visit": {write: true, prep: northJob, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.PushVisitWithResponse(t.Context(), f.cid, string(tg.job.ID), nil, client.VisitRequest{Technician: "Tom", StartedAt: f.p.Now()})
		}},
	"list visits": {prep: northJob, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListVisitsWithResponse(t.Context(), f.cid, nil)
		}},
	"get visit beyond the caller's sites": {prep: southJob, want: byRole(s200, s200, s200, s200, s200, s200, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetVisitWithResponse(t.Context(), f.cid, string(tg.visit.ID))
		}},
	"upload a picture": {write: true, prep: northJob, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UploadPictureWithBodyWithResponse(t.Context(), f.cid, string(tg.job.ID), multipartType, strings.NewReader(multipartPNG))
		}},
	"list pictures": {prep: northJob, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListPicturesWithResponse(t.Context(), f.cid, nil)
		}},
	"get a picture beyond the caller's sites": {prep: southJob, want: byRole(s200, s200, s200, s200, s200, s200, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetPictureThumbnailWithResponse(t.Context(), f.cid, string(tg.picture.ID))
		}},

	// Tickets. Every staff caller is an API key, which counts as service desk.
	"ticket types": {prep: ticketsOn, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, _ *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListTicketTypesWithResponse(t.Context())
		}},
	"open a ticket": {write: true, prep: ticketsOn, want: byRole(s201, s201, s201, s201, s201, s403, s201),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.OpenTicketWithResponse(t.Context(), f.cid, nil, client.OpenTicketRequest{Type: "generic", Subject: "Help " + f.email("t")})
		}},
	"list tickets": {prep: northTicket, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListTicketsWithResponse(t.Context(), f.cid, nil)
		}},
	"get ticket beyond the caller's sites": {prep: southTicket, want: byRole(s200, s200, s200, s200, s200, s200, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetTicketWithResponse(t.Context(), f.cid, string(tg.ticket.ID))
		}},
	"reply to a ticket": {write: true, prep: northTicket, want: byRole(s201, s201, s201, s201, s201, s403, s201),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.AddTicketCommentWithResponse(t.Context(), f.cid, string(tg.ticket.ID), nil, client.AddTicketCommentRequest{Body: "Any news?"})
		}},
	"write an internal note": {write: true, prep: northTicket, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.AddTicketCommentWithResponse(t.Context(), f.cid, string(tg.ticket.ID), nil,
				client.AddTicketCommentRequest{Body: "Internal", Visibility: ptr(client.TicketVisibilityInternal)})
		}},
	"move a ticket": {write: true, prep: northTicket, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ChangeTicketStatusWithResponse(t.Context(), f.cid, string(tg.ticket.ID), &client.ChangeTicketStatusParams{IfMatch: tg.etag},
				client.ChangeTicketStatusRequest{Status: client.TicketStatusInProgress})
		}},
	"change a ticket's priority": {write: true, prep: northTicket, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.SetTicketPriorityWithResponse(t.Context(), f.cid, string(tg.ticket.ID), &client.SetTicketPriorityParams{IfMatch: tg.etag},
				client.SetTicketPriorityRequest{Priority: client.TicketPriorityUrgent})
		}},
	"assign a ticket": {write: true, prep: northTicket, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.AssignTicketWithResponse(t.Context(), f.cid, string(tg.ticket.ID), &client.AssignTicketParams{IfMatch: tg.etag},
				client.AssignTicketRequest{Assignee: ptr(string(f.desk.ID))})
		}},
	"reopen a ticket": {write: true, prep: resolvedTicket, want: byRole(s200, s200, s200, s200, s200, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ReopenTicketWithResponse(t.Context(), f.cid, string(tg.ticket.ID), &client.ReopenTicketParams{IfMatch: tg.etag}, client.ReopenTicketRequest{})
		}},
	"apply a master-data change": {write: true, prep: masterDataTicket, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			cur, err := f.p.GetCustomer(portaltest.Owner(t.Context()), customer.ID(f.cid))
			require.NoError(t, err)
			return c.ApplyMasterDataChangeWithResponse(t.Context(), f.cid, string(tg.ticket.ID), &client.ApplyMasterDataChangeParams{IfMatch: tg.etag},
				client.ApplyMasterDataChangeRequest{CustomerVersion: cur.Version})
		}},
	"the ticket queue": {prep: northTicket, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, _ *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListTicketQueueWithResponse(t.Context(), nil)
		}},
	// Attachments: read as the ticket is, attached as it is replied to;
	// an internal note is the service desk's alone (404 to customer users,
	// who never see it; a viewer is refused attaching anywhere).
	"list a ticket's attachments": {prep: northAttached, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListTicketAttachmentsWithResponse(t.Context(), f.cid, string(tg.ticket.ID))
		}},
	"download an attachment beyond the caller's sites": {prep: southAttached, want: byRole(s200, s200, s200, s200, s200, s200, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DownloadTicketAttachmentWithResponse(t.Context(), f.cid, string(tg.ticket.ID), string(tg.attachment.ID))
		}},
	"attach a file to a ticket": {write: true, prep: northTicket, want: byRole(s201, s201, s201, s201, s201, s403, s201),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			ct, body := client.FileUpload("photo.png", bytes.NewReader(pngBytes))
			return c.AttachToTicketWithBodyWithResponse(t.Context(), f.cid, string(tg.ticket.ID), ct, body)
		}},
	"attach a file to an internal note": {write: true, prep: northAttached, want: byRole(s201, s201, s201, s404, s404, s403, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			ct, body := client.FileUpload("log.txt", strings.NewReader("log"))
			return c.AttachToTicketCommentWithBodyWithResponse(t.Context(), f.cid, string(tg.ticket.ID), string(tg.note.ID), ct, body)
		}},

	"read customer": {prep: noTarget, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetCustomerWithResponse(t.Context(), f.cid)
		}},
	"update customer": {write: true, prep: currentCustomer, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateCustomerWithResponse(t.Context(), f.cid, &client.UpdateCustomerParams{IfMatch: tg.etag},
				client.UpdateCustomerRequest{Phone: ptr("+49 40 " + f.email("p"))})
		}},
	"change features": {write: true, prep: currentCustomer, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			cur, err := f.p.GetFeatures(portaltest.Owner(t.Context()), customer.ID(f.cid))
			require.NoError(t, err)
			return c.UpdateFeaturesWithResponse(t.Context(), f.cid, &client.UpdateFeaturesParams{IfMatch: tg.etag},
				client.FeaturesPatch{Tickets: ptr(!cur.Tickets)})
		}},
	"create site": {write: true, prep: noTarget, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateSiteWithResponse(t.Context(), f.cid, nil, client.SiteRequest{Name: "Plant " + f.email("s")})
		}},
	"rename site": {write: true, prep: newSite, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.RenameSiteWithResponse(t.Context(), f.cid, string(tg.site.ID), &client.RenameSiteParams{IfMatch: tg.etag},
				client.SiteRequest{Name: "Renamed " + f.email("s")})
		}},
	"delete site": {write: true, prep: newSite, want: byRole(s204, s204, s204, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DeleteSiteWithResponse(t.Context(), f.cid, string(tg.site.ID))
		}},
	"move site": {write: true, prep: newSite, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.MoveSiteWithResponse(t.Context(), f.cid, string(tg.site.ID), &client.MoveSiteParams{IfMatch: tg.etag},
				client.MoveSiteRequest{CustomerId: string(f.elsewhere)})
		}},
	"list members": {prep: noTarget, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListMembersWithResponse(t.Context(), f.cid, nil)
		}},
	"add member": {write: true, prep: noTarget, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.AddMemberWithResponse(t.Context(), f.cid, nil, client.AddMemberRequest{
				Email: openapi_types.Email(f.email("new")), Name: "New", Role: client.RoleViewer, SiteIds: &[]string{string(f.north.ID)},
			})
		}},
	"get member within the caller's sites": {prep: memberIn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetMemberWithResponse(t.Context(), f.cid, string(tg.member.ID))
		}},
	"get member beyond the caller's sites": {prep: memberEverywhere, want: byRole(s200, s200, s200, s200, s403, s403, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetMemberWithResponse(t.Context(), f.cid, string(tg.member.ID))
		}},
	"change role within the caller's sites": {write: true, prep: memberIn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ChangeMemberRoleWithResponse(t.Context(), f.cid, string(tg.member.ID), &client.ChangeMemberRoleParams{IfMatch: tg.etag},
				client.ChangeRoleRequest{Role: client.RoleMaintainer})
		}},
	"change role beyond the caller's sites": {write: true, prep: memberEverywhere, want: byRole(s200, s200, s200, s200, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ChangeMemberRoleWithResponse(t.Context(), f.cid, string(tg.member.ID), &client.ChangeMemberRoleParams{IfMatch: tg.etag},
				client.ChangeRoleRequest{Role: client.RoleMaintainer})
		}},
	"invite": {write: true, prep: noTarget, want: byRole(s201, s201, s201, s201, s403, s403, s201),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.InviteWithResponse(t.Context(), f.cid, nil, client.InviteRequest{
				Email: openapi_types.Email(f.email("invitee")), Role: client.RoleViewer, SiteIds: &[]string{string(f.north.ID)},
			})
		}},
	"create access link": {write: true, prep: memberIn, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateAccessLinkWithResponse(t.Context(), f.cid, nil, client.CreateAccessLinkRequest{
				MembershipId: string(tg.member.ID), ReadOnly: ptr(true),
			})
		}},
	"create API key": {write: true, prep: noTarget, want: byRole(s201, s403, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateAPIKeyWithResponse(t.Context(), nil, client.CreateAPIKeyRequest{Name: "Script " + f.email("k"), Role: client.StaffRoleAgent})
		}},
	"disable user": {write: true, prep: memberIn, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DisableUserWithResponse(t.Context(), string(tg.member.User.ID))
		}},
	"list products": {prep: noTarget, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListProductsWithResponse(t.Context(), nil)
		}},
	"create product": {write: true, prep: noTarget, want: byRole(s201, s201, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateProductWithResponse(t.Context(), nil, client.CreateProductRequest{
				Sku: "P-" + f.email("sku"), Name: "Product", Price: client.Money{Amount: 1, Currency: "EUR"}})
		}},
	"create offer": {write: true, prep: newProduct, want: byRole(s201, s201, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateOfferWithResponse(t.Context(), f.cid, nil, client.CreateOfferRequest{
				ProductId: string(tg.product.ID), Price: client.Money{Amount: 1, Currency: "EUR"}})
		}},
	"read catalogue": {prep: noTarget, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetCatalogueWithResponse(t.Context(), f.cid, nil)
		}},
	// Staff decide on orders; customer users place them.
	"place order": {write: true, prep: noTarget, want: byRole(s403, s403, s403, s201, s201, s403, s201),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.PlaceOrderWithResponse(t.Context(), f.cid, nil, client.PlaceOrderRequest{
				SiteId: ptr(string(f.north.ID)), Lines: []client.OrderLineRequest{{ProductId: string(f.laptop.ID), Quantity: 1}},
				Recipient: &client.Employee{Name: "Bob"},
			})
		}},
	"list orders": {prep: northOrder, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListOrdersWithResponse(t.Context(), f.cid, nil)
		}},
	"get order beyond the caller's sites": {prep: southOrder, want: byRole(s200, s200, s200, s200, s200, s200, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetOrderWithResponse(t.Context(), f.cid, string(tg.order.ID))
		}},
	// Staff may cancel, but only a confirmed order: a submitted one they reject.
	"cancel a submitted order": {write: true, prep: northOrder, conflict: client.ProblemCodeFailedPrecondition,
		want: byRole(http.StatusConflict, http.StatusConflict, http.StatusConflict, s200, s200, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CancelOrderWithResponse(t.Context(), f.cid, string(tg.order.ID), client.CancelOrderRequest{})
		}},
	"list the order inbox": {prep: northOrder, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListOrderInboxWithResponse(t.Context(), nil)
		}},
	"confirm order": {write: true, prep: northOrder, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ConfirmOrderWithResponse(t.Context(), string(tg.order.ID), client.OrderNoteRequest{})
		}},

	// Supplier warehouse: staff run it, maintainers issue and take back,
	// admins retire; a site-limited admin acts on its own site's items only.
	"stock levels": {prep: noTarget, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListStockLevelsWithResponse(t.Context(), f.cid, nil)
		}},
	"list stock items": {prep: noTarget, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListStockItemsWithResponse(t.Context(), f.cid, nil)
		}},
	"get stock item at the caller's site": {prep: itemNorth, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetStockItemWithResponse(t.Context(), f.cid, string(tg.item.ID))
		}},
	"get stock item beyond the caller's sites": {prep: itemSouth, want: byRole(s200, s200, s200, s200, s200, s200, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetStockItemWithResponse(t.Context(), f.cid, string(tg.item.ID))
		}},
	"stock in": {write: true, prep: noTarget, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.StockInWithResponse(t.Context(), f.cid, nil, client.StockInRequest{Items: []client.StockInItem{{ProductId: string(f.laptop.ID)}}})
		}},
	"issue stock item at the caller's site": {write: true, prep: itemNorth, want: byRole(s200, s200, s200, s200, s200, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.IssueStockItemWithResponse(t.Context(), f.cid, string(tg.item.ID), nil, client.IssueStockItemRequest{Holder: &client.Employee{Name: "Bob"}})
		}},
	"issue stock item beyond the caller's sites": {write: true, prep: itemSouth, want: byRole(s200, s200, s200, s200, s200, s403, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.IssueStockItemWithResponse(t.Context(), f.cid, string(tg.item.ID), nil, client.IssueStockItemRequest{Holder: &client.Employee{Name: "Bob"}})
		}},
	"return stock item": {write: true, prep: issuedNorth, want: byRole(s200, s200, s200, s200, s200, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ReturnStockItemWithResponse(t.Context(), f.cid, string(tg.item.ID), nil, client.ReturnStockItemRequest{})
		}},
	"retire stock item": {write: true, prep: itemNorth, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.RetireStockItemWithResponse(t.Context(), f.cid, string(tg.item.ID), nil, client.RetireStockItemRequest{Reason: "broken"})
		}},
	"list failed mail": {prep: noTarget, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListMailMessagesWithResponse(t.Context(), &client.ListMailMessagesParams{Status: ptr(client.MailMessageStatusFailed)})
		}},
	"retry mail": {write: true, prep: bouncedMail, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.RetryMailMessageWithResponse(t.Context(), string(tg.mail))
		}},
	"save a mail template": {write: true, prep: noTarget, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.PutMailTemplateWithResponse(t.Context(), f.cid, client.MailKindLoginLink, client.MailLocaleEn,
				client.MailTemplateRequest{Subject: ptr("Sign in, " + f.email("subject"))})
		}},
	"list mail templates": {prep: mailTemplate, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListMailTemplatesWithResponse(t.Context(), f.cid)
		}},
	"read a mail template": {prep: mailTemplate, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetMailTemplateWithResponse(t.Context(), f.cid, client.MailKindLoginLink, client.MailLocaleDe)
		}},
	"delete a mail template": {write: true, prep: mailTemplate, want: byRole(s204, s204, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DeleteMailTemplateWithResponse(t.Context(), f.cid, client.MailKindLoginLink, client.MailLocaleDe)
		}},
	"list staff": {prep: noTarget, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListStaffWithResponse(t.Context(), nil)
		}},
	"invite staff": {write: true, prep: noTarget, want: byRole(s201, s201, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.InviteStaffWithResponse(t.Context(), nil, client.InviteStaffRequest{
				Email: openapi_types.Email(f.email("staff")), Name: "New", Role: client.StaffRoleAgent})
		}},
	"invite an owner": {write: true, prep: noTarget, want: byRole(s201, s403, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.InviteStaffWithResponse(t.Context(), nil, client.InviteStaffRequest{
				Email: openapi_types.Email(f.email("owner")), Name: "Owner", Role: client.StaffRoleOwner})
		}},
	"change a staff member's role": {write: true, prep: staffAgent, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateStaffWithResponse(t.Context(), string(tg.staff.ID), &client.UpdateStaffParams{IfMatch: tg.etag},
				client.UpdateStaffRequest{Role: ptr(client.StaffRoleAdmin)})
		}},
	"disable a staff member": {write: true, prep: staffAgent, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DisableStaffWithResponse(t.Context(), string(tg.staff.ID))
		}},
	// News: every customer user reads its customer's news; its admins
	// (site limits do not matter) write for its people; staff admins
	// publish, agents read.
	"read the customer's news": {prep: providerArticle, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListCustomerNewsWithResponse(t.Context(), f.cid, nil)
		}},
	"read an article of the customer's news": {prep: providerArticle, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetCustomerArticleWithResponse(t.Context(), f.cid, string(tg.article.ID))
		}},
	"write an article for the customer's people": {write: true, prep: noTarget, want: byRole(s201, s201, s403, s201, s403, s403, s201),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateCustomerArticleWithResponse(t.Context(), f.cid, nil, client.CustomerArticleRequest{Title: "Ours", Body: "Hello"})
		}},
	"change the customer's article": {write: true, prep: customerArticle, want: byRole(s200, s200, s403, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateCustomerArticleWithResponse(t.Context(), f.cid, string(tg.article.ID), &client.UpdateCustomerArticleParams{IfMatch: tg.etag},
				client.UpdateCustomerArticleRequest{Title: ptr("Changed")})
		}},
	"delete the customer's article": {write: true, prep: customerArticle, want: byRole(s204, s204, s403, s204, s403, s403, s204),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DeleteCustomerArticleWithResponse(t.Context(), f.cid, string(tg.article.ID))
		}},
	"list every article": {prep: providerArticle, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListArticlesWithResponse(t.Context(), nil)
		}},
	"read any article": {prep: providerArticle, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetArticleWithResponse(t.Context(), string(tg.article.ID))
		}},
	"write a provider's article": {write: true, prep: noTarget, want: byRole(s201, s201, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateArticleWithResponse(t.Context(), nil, client.ArticleRequest{Title: "For all", Body: "Hello",
				Audience: client.Audience{All: true, CustomerIds: []string{}}})
		}},
	"change any article": {write: true, prep: providerArticle, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateArticleWithResponse(t.Context(), string(tg.article.ID), &client.UpdateArticleParams{IfMatch: tg.etag},
				client.UpdateArticleRequest{Title: ptr("Changed")})
		}},
	"delete any article": {write: true, prep: providerArticle, want: byRole(s204, s204, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DeleteArticleWithResponse(t.Context(), string(tg.article.ID))
		}},
	// Webhooks: the provider's integrations. Agents read the endpoints
	// and their logs; admins register, change and replay; customer users
	// never see them.
	"list webhook endpoints": {prep: failedDelivery, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListWebhookEndpointsWithResponse(t.Context(), nil)
		}},
	"read a webhook delivery log": {prep: failedDelivery, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListWebhookDeliveriesWithResponse(t.Context(), string(tg.hook.ID), nil)
		}},
	"register a webhook endpoint": {write: true, prep: noTarget, want: byRole(s201, s201, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateWebhookEndpointWithResponse(t.Context(), client.CreateWebhookEndpointRequest{
				Url: "https://93.184.215.14/" + f.email("hook"), EventTypes: []client.WebhookEventType{client.WebhookEventTypeOrderSubmitted}, CustomerId: &f.cid})
		}},
	"switch a webhook endpoint off": {write: true, prep: failedDelivery, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateWebhookEndpointWithResponse(t.Context(), string(tg.hook.ID), &client.UpdateWebhookEndpointParams{IfMatch: tg.etag},
				client.UpdateWebhookEndpointRequest{Enabled: ptr(false)})
		}},
	"rotate a webhook secret": {write: true, prep: failedDelivery, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.RotateWebhookSecretWithResponse(t.Context(), string(tg.hook.ID), client.RotateWebhookSecretRequest{OverlapSeconds: 3600})
		}},
	"replay a webhook delivery": {write: true, prep: failedDelivery, want: byRole(s201, s201, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ReplayWebhookDeliveryWithResponse(t.Context(), string(tg.delivery.ID))
		}},
	"preview a mail template": {prep: noTarget, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.PreviewMailTemplateWithResponse(t.Context(), f.cid, client.MailKindLoginLink, client.MailLocaleEn,
				client.MailTemplateRequest{Text: ptr("Sign in: {{.Link}}")})
		}},

	// Access requests: staff work the inbox; a new customer is for admins.
	"list access requests": {prep: pendingRequest, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, _ *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListAccessRequestsWithResponse(t.Context(), &client.ListAccessRequestsParams{Status: ptr(client.AccessRequestStatusPending)})
		}},
	"get an access request": {prep: pendingRequest, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, _ *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetAccessRequestWithResponse(t.Context(), string(tg.request.ID))
		}},
	"connect a request to a new customer": {write: true, prep: pendingRequest, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, _ *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ConnectAccessRequestToNewCustomerWithResponse(t.Context(), string(tg.request.ID), client.ConnectNewCustomerRequest{
				Customer: client.CreateCustomerRequest{Name: tg.request.CompanyName}})
		}},
	"connect a request to a customer": {write: true, prep: pendingRequest, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ConnectAccessRequestToCustomerWithResponse(t.Context(), string(tg.request.ID), client.ConnectCustomerRequest{
				CustomerId: f.cid, Role: client.RoleViewer, SiteIds: &[]string{string(f.north.ID)}})
		}},
	"reject an access request": {write: true, prep: pendingRequest, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, _ *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.RejectAccessRequestWithResponse(t.Context(), string(tg.request.ID), client.RejectAccessRequestRequest{Message: "No."})
		}},

	// Contacts: staff and the customer's admins (a site-limited admin too).
	"list contacts": {prep: newContactTarget, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListContactsWithResponse(t.Context(), f.cid, nil)
		}},
	"add a contact": {write: true, prep: noTarget, want: byRole(s201, s201, s201, s201, s403, s403, s201),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateContactWithResponse(t.Context(), f.cid, client.ContactRequest{Name: "Carla " + f.email("c")})
		}},
	"change a contact": {write: true, prep: newContactTarget, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateContactWithResponse(t.Context(), f.cid, string(tg.contact.ID), &client.UpdateContactParams{IfMatch: tg.etag},
				client.ContactRequest{Name: "Renamed"})
		}},
	"delete a contact": {write: true, prep: newContactTarget, want: byRole(s204, s204, s204, s204, s403, s403, s204),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DeleteContactWithResponse(t.Context(), f.cid, string(tg.contact.ID))
		}},
	"give a contact portal access": {write: true, prep: newContactTarget, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.EnableContactPortalAccessWithResponse(t.Context(), f.cid, string(tg.contact.ID), client.ContactAccessRequest{
				Role: client.RoleViewer, SiteIds: &[]string{string(f.north.ID)}})
		}},
	"correct a user": {write: true, prep: memberIn, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateUserWithResponse(t.Context(), string(tg.member.User.ID), client.UpdateUserRequest{Name: ptr("Corrected")})
		}},
	// Single sign-on (#21): staff read a customer's identity provider,
	// staff admins and the customer's admins set and remove it.
	"read the identity provider": {prep: ssoConfigured, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetSSOConfigWithResponse(t.Context(), f.cid)
		}},
	"set the identity provider": {write: true, prep: ssoConfigured, want: byRole(s200, s200, s403, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.PutSSOConfigWithResponse(t.Context(), f.cid, &client.PutSSOConfigParams{IfMatch: &tg.etag},
				client.SSOConfigRequest{Issuer: "https://login.acme.example", ClientId: "portal-" + f.email("c"), Domains: []string{"acme.example"}})
		}},
	"remove the identity provider": {write: true, prep: ssoConfigured, want: byRole(s204, s204, s403, s204, s403, s403, s204),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DeleteSSOConfigWithResponse(t.Context(), f.cid)
		}},
	"approve an identity provider's domain": {write: true, prep: ssoPendingDomain, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ApproveSSODomainWithResponse(t.Context(), f.cid, tg.domain)
		}},
	// Impersonation (#21): staff read it, only staff people (never API
	// keys, which every staff caller here is) start it, and only the
	// customer's admins forbid it.
	"list impersonations": {prep: noTarget, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListImpersonationsWithResponse(t.Context(), f.cid, nil)
		}},
	"start an impersonation": {write: true, prep: memberIn, want: byRole(s403, s403, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.StartImpersonationWithResponse(t.Context(), f.cid, client.StartImpersonationRequest{MembershipId: string(tg.member.ID), Reason: "support"})
		}},
	"read the audit log": {prep: noTarget, want: byRole(s200, s200, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListAuditEventsWithResponse(t.Context(), &client.ListAuditEventsParams{CustomerId: &f.cid})
		}},
	"read the customer's audit log": {prep: noTarget, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListCustomerAuditEventsWithResponse(t.Context(), f.cid, nil)
		}},
	"forbid impersonation": {write: true, prep: noTarget, want: byRole(s403, s403, s403, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			now, err := f.p.ImpersonationForbidden(portaltest.Owner(t.Context()), customer.ID(f.cid))
			require.NoError(t, err)
			return c.SetImpersonationPolicyWithResponse(t.Context(), f.cid, client.ImpersonationPolicy{Forbidden: !now})
		}},
}

// newContactTarget adds a contact with an address of its own to Acme.
func newContactTarget(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	c, err := f.p.CreateContact(portaltest.Owner(t.Context()), customer.ID(f.cid), portal.ContactParams{Name: "Carla", Email: f.email("contact")})
	require.NoError(t, err)
	return roleTarget{contact: c, etag: `"` + strconv.FormatInt(c.Version, 10) + `"`}
}

// pendingRequest makes a new access request and confirms it.
func pendingRequest(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	email := f.email("requester")
	require.NoError(t, f.p.RequestAccess(t.Context(), portal.RequestAccessParams{CompanyName: "Initech " + email, Name: "Peter", Email: email}))
	require.NoError(t, f.p.ConfirmAccessRequest(t.Context(), f.lastToken(t, email)))
	l, err := f.p.ListAccessRequests(portaltest.Owner(t.Context()), portal.ListAccessRequestsParams{Status: accessrequest.StatusPending, Limit: 1})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	require.Equal(t, email, l.Items[0].Email)
	return roleTarget{request: l.Items[0]}
}

// ssoConfigured gives the customer an identity provider, if it has none,
// and returns its ETag.
func ssoConfigured(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	c, err := f.p.GetSSOConfig(ctx, customer.ID(f.cid))
	if err != nil {
		c, err = f.p.PutSSOConfig(ctx, customer.ID(f.cid), portal.PutSSOConfigParams{
			Issuer: "https://login.acme.example", ClientID: "portal", ClientSecret: "secret", Domains: []string{"acme.example"},
		})
		require.NoError(t, err)
	}
	return roleTarget{etag: `"` + strconv.FormatInt(c.Version, 10) + `"`}
}

// ssoPendingDomain has the customer's admin claim a new domain for the
// customer's identity provider, which waits for staff, and returns it.
func ssoPendingDomain(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	ssoConfigured(t, f)
	admin, err := f.p.Authenticate(t.Context(), f.tokens[rcAdmin])
	require.NoError(t, err)
	ctx := identity.NewContext(t.Context(), admin)
	c, err := f.p.GetSSOConfig(ctx, customer.ID(f.cid))
	require.NoError(t, err)
	domain := strings.ReplaceAll(f.email("labs"), "@", ".")
	c, err = f.p.PutSSOConfig(ctx, customer.ID(f.cid), portal.PutSSOConfigParams{
		Issuer: c.Issuer, ClientID: c.ClientID, Domains: append(c.Domains, domain), Version: c.Version,
	})
	require.NoError(t, err)
	require.Contains(t, c.Pending, domain)
	return roleTarget{domain: domain}
}

// TestRoleMatrix calls a representative operation of every kind of action
// as every staff role and every kind of customer user, each on its own
// customer, over real HTTP against SQLite. Allowed calls answer their 2xx
// and change something; refused ones answer 403 permission_denied (404
// not_found for a member beyond a site-limited admin's sites) and change
// nothing. A read-only access-link session of an admin has viewer rights.
func TestRoleMatrix(t *testing.T) {
	t.Parallel()
	for name, row := range roleMatrix {
		for _, who := range roleCallers {
			if _, ok := row.want[who]; !ok {
				t.Errorf("%s has no expectation for %s", name, who)
			}
		}
	}
	for name, row := range roleMatrix {
		t.Run(name, func(t *testing.T) {
			t.Parallel() // each row has its own server and copy of the fixture
			f := copyRoleFixture(t)
			for _, who := range roleCallers {
				t.Run(who, func(t *testing.T) {
					want := row.want[who]
					tg := row.prep(t, f)
					writes := want < 300 && row.write
					// A call that must change nothing is watched (it must
					// write no row); a write is seen in the snapshot.
					var before map[string]any
					unchanged := func(string) {}
					if writes {
						before = f.snapshot(t)
					} else {
						unchanged = f.watch(t, f.snapshot)
					}
					r, err := row.call(t, f, tg, f.client(t, f.tokens[who]))
					require.NoError(t, err)
					switch {
					case want < 300:
						assert.Equal(t, want, r.StatusCode(), "body: %s", r.GetBody())
						if writes && r.StatusCode() == want {
							assert.NotEqual(t, before, f.snapshot(t), "a %d changes something", want)
						}
					case want == s404:
						fails(r, err)(t, s404, client.ProblemCodeNotFound)
					case want == http.StatusConflict:
						fails(r, err)(t, want, row.conflict)
					default:
						fails(r, err)(t, want, client.ProblemCodePermissionDenied)
					}
					if !writes {
						unchanged("changes nothing")
					}
				})
			}
		})
	}
}

// TestLogoutRoles is the role matrix's row for logout, which cannot sit in
// the matrix: it ends the sessions the other rows call with. Logging out is
// part of a user's own account (the policy's "self" action), which every
// customer role has and staff do not: an API key has no session to end and
// gets 403 permission_denied, and keeps working; a customer user's session
// ends, whatever its role.
func TestLogoutRoles(t *testing.T) {
	t.Parallel()
	f := newRoleFixture(t)
	want := byRole(s403, s403, s403, s204, s204, s204, s204)
	for _, who := range roleCallers {
		t.Run(who, func(t *testing.T) {
			c := f.client(t, f.tokens[who])
			r, err := c.LogoutWithResponse(t.Context())
			if want[who] == s403 {
				fails(r, err)(t, s403, client.ProblemCodePermissionDenied)
				must(c.GetMeWithResponse(t.Context()))(t)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, s204, r.StatusCode(), "body: %s", r.Body)
			fails(c.GetMeWithResponse(t.Context()))(t, http.StatusUnauthorized, client.ProblemCodeUnauthenticated)
		})
	}
}

// TestBadInputWritesNothing sends bad requests to an update, where a
// half-read body could still change something, and to a create, and checks
// each answers its documented status and code and that nothing is written.
// TestBadInput already checks the status and code of malformed JSON, wrong
// types, unknown fields, oversized bodies and missing or forged tokens on
// POST /v1/customers and GET /v1/customers/{id}, and TestCustomerLifecycle
// those of a stale and a missing If-Match on this same PATCH; this adds that
// nothing is written, a write with no or a forged token, and the 200
// character bound of a customer's name.
func TestBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	acme := createCustomer(t, owner, "Acme GmbH")
	path := "/v1/customers/" + acme.Id
	snapshot := func() string {
		t.Helper()
		c := must(owner.GetCustomerWithResponse(t.Context(), acme.Id))(t)
		l := must(owner.ListCustomersWithResponse(t.Context(), &client.ListCustomersParams{Limit: ptr(100)}))(t)
		return c.HTTPResponse.Header.Get("ETag") + string(c.Body) + string(l.Body)
	}
	current := func() string {
		t.Helper()
		return must(owner.GetCustomerWithResponse(t.Context(), acme.Id))(t).HTTPResponse.Header.Get("ETag")
	}
	long := strings.Repeat("x", 201)

	cases := []struct {
		name, method, path, token, body string
		ifMatch                         func() string // nil: no If-Match
		status                          int
		code                            client.ProblemCode
		field                           string // a field the problem must name
	}{
		{name: "malformed JSON", method: http.MethodPatch, path: path, token: e.owner, body: `{"name":"Renamed",`, ifMatch: current,
			status: http.StatusBadRequest, code: client.ProblemCodeInvalid},
		{name: "wrong type", method: http.MethodPatch, path: path, token: e.owner, body: `{"name":"Renamed","phone":42}`, ifMatch: current,
			status: http.StatusBadRequest, code: client.ProblemCodeInvalid, field: "phone"},
		{name: "unknown field", method: http.MethodPatch, path: path, token: e.owner, body: `{"name":"Renamed","colour":"red"}`, ifMatch: current,
			status: http.StatusBadRequest, code: client.ProblemCodeInvalid, field: "colour"},
		{name: "over-long name on update", method: http.MethodPatch, path: path, token: e.owner, body: `{"name":"` + long + `"}`, ifMatch: current,
			status: http.StatusBadRequest, code: client.ProblemCodeInvalid, field: "name"},
		{name: "over-long name on create", method: http.MethodPost, path: "/v1/customers", token: e.owner, body: `{"name":"` + long + `"}`,
			status: http.StatusBadRequest, code: client.ProblemCodeInvalid, field: "name"},
		{name: "oversized body", method: http.MethodPatch, path: path, token: e.owner, body: `{"name":"` + strings.Repeat("x", 2<<20) + `"}`, ifMatch: current,
			status: http.StatusRequestEntityTooLarge, code: client.ProblemCodeInvalid},
		{name: "missing token", method: http.MethodPatch, path: path, body: `{"name":"Renamed"}`, ifMatch: current,
			status: http.StatusUnauthorized, code: client.ProblemCodeUnauthenticated},
		{name: "forged token", method: http.MethodPatch, path: path, token: "pk_" + strings.Repeat("A", 43), body: `{"name":"Renamed"}`, ifMatch: current,
			status: http.StatusUnauthorized, code: client.ProblemCodeUnauthenticated},
		{name: "forged session token", method: http.MethodPatch, path: path, token: "ps_" + strings.Repeat("A", 43), body: `{"name":"Renamed"}`, ifMatch: current,
			status: http.StatusUnauthorized, code: client.ProblemCodeUnauthenticated},
		{name: "stale If-Match", method: http.MethodPatch, path: path, token: e.owner, body: `{"name":"Renamed"}`, ifMatch: func() string { return `"0"` },
			status: http.StatusPreconditionFailed, code: client.ProblemCodeConflict},
		{name: "missing If-Match", method: http.MethodPatch, path: path, token: e.owner, body: `{"name":"Renamed"}`,
			status: http.StatusPreconditionRequired, code: client.ProblemCodeInvalid, field: "If-Match"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := snapshot()
			header := map[string]string{}
			if tc.ifMatch != nil {
				header["If-Match"] = tc.ifMatch()
			}
			res, body := e.do(t, tc.method, tc.path, tc.token, strings.NewReader(tc.body), header)
			p := problem(t, res, body, tc.status, tc.code)
			if tc.field != "" {
				assert.Contains(t, fields(p), tc.field)
			}
			assert.Equal(t, before, snapshot(), "nothing is written")
		})
	}

	// The bound is 200: a name of that length is fine.
	ok := strings.Repeat("y", 200)
	up := must(owner.UpdateCustomerWithResponse(t.Context(), acme.Id, &client.UpdateCustomerParams{IfMatch: current()},
		client.UpdateCustomerRequest{Name: &ok}))(t).JSON200
	assert.Equal(t, ok, up.Name)
	assert.Equal(t, ok, createCustomer(t, owner, ok).Name)
}

// Supplier warehouse.

// enableStock turns the supplier warehouse on for the customer; its rows
// stock the global laptop.
func (f *roleFixture) enableStock(t *testing.T) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	c, err := f.p.GetCustomer(ctx, customer.ID(f.cid))
	require.NoError(t, err)
	_, err = f.p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{SupplierWarehouse: ptr(true)}})
	require.NoError(t, err)
}

// allTickets is every ticket of the customer with its comments (internal
// notes included) and attachments, page by page, read as staff (the matrix
// opens more than a page; staff read them whether the tickets feature is
// on or not).
func (f *roleFixture) allTickets(t *testing.T) []any {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	c := customer.Customer{ID: customer.ID(f.cid)}
	var out []any
	params := portal.ListTicketsParams{Limit: 100}
	for {
		l, err := f.p.ListTickets(ctx, c.ID, params)
		require.NoError(t, err)
		for _, tk := range l.Items {
			cs, err := f.p.ListTicketComments(ctx, c.ID, tk.ID, portal.ListTicketCommentsParams{Limit: 100})
			require.NoError(t, err)
			as, err := f.p.ListTicketAttachments(ctx, c.ID, tk.ID)
			require.NoError(t, err)
			out = append(out, tk, cs.Items, as)
		}
		if l.NextCursor == "" {
			return out
		}
		params.Cursor = l.NextCursor
	}
}

// allStockItems lists every item of the customer, page by page: the
// matrix stocks more than a page.
func (f *roleFixture) allStockItems(t *testing.T) []portal.StockItem {
	t.Helper()
	var out []portal.StockItem
	params := portal.ListStockItemsParams{Limit: 100}
	for {
		l, err := f.p.ListStockItems(portaltest.Owner(t.Context()), customer.ID(f.cid), params)
		require.NoError(t, err)
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			return out
		}
		params.Cursor = l.NextCursor
	}
}

// stockAt stocks a new item in at site, and issues it when issued is set.
func (f *roleFixture) stockAt(t *testing.T, site customer.Site, issued bool) roleTarget {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	items, err := f.p.StockIn(ctx, customer.ID(f.cid), portal.StockInParams{Items: []portal.StockInItemParams{{ProductID: f.laptop.ID, SiteID: site.ID}}})
	require.NoError(t, err)
	it := items[0]
	if issued {
		it, err = f.p.IssueStockItem(ctx, customer.ID(f.cid), it.ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Ann"}})
		require.NoError(t, err)
	}
	return roleTarget{item: it}
}

// itemNorth is an item in stock at the site-limited admin's site,
// itemSouth one beyond it, issuedNorth an issued one at its site.
func itemNorth(t *testing.T, f *roleFixture) roleTarget   { return f.stockAt(t, f.north, false) }
func itemSouth(t *testing.T, f *roleFixture) roleTarget   { return f.stockAt(t, f.south, false) }
func issuedNorth(t *testing.T, f *roleFixture) roleTarget { return f.stockAt(t, f.north, true) }
