package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/accessrequest"
	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/webhook"
)

// isoTenant is one customer of the isolation fixture: its IDs, and real
// session tokens of an admin and a viewer.
type isoTenant struct {
	c             customer.Customer
	site          customer.Site
	admin, viewer portal.SignIn
	target        portal.Member // a viewer the membership operations act on
	invitation    invite.Invitation
	accessLink    invite.AccessLink
	ownProduct    orders.Product // a product only this customer sees
	offer         orders.Offer   // the customer's price for the global product
	submitted     orders.Order   // placed by the admin
	confirmed     orders.Order   // placed by the admin, confirmed by staff
	stock         isoStock       // the supplier warehouse: isoStock
	bounced       outbox.ID      // a failed message about the customer
	article       news.Article   // written by the admin, for the customer's people
	// ticket is open (by the admin, with a reply and an internal note),
	// resolved was resolved by the service desk, masterData asks to change
	// the customer's phone.
	ticket, resolved, masterData ticket.Ticket
	reply                        ticket.Comment    // the service desk's public reply on ticket
	attachment                   ticket.Attachment // a picture the admin attached to ticket
	hr                           isoHR             // HR sync: hrsync_iso_test.go
	// Field service: a job at site and its visit.
	job     fieldwork.Job
	visit   fieldwork.Visit
	picture fieldwork.Picture
	// Records (isoRecords): a task, a change request of a contract, and
	// the contract number of an unassigned contract to claim.
	task        record.Record
	change      record.ChangeRequest
	claimNumber string

	// contact is a contact person without portal access.
	contact customer.Contact
	sso     portal.SSOSettings // the customer's identity provider (#21)
}

// isoFixture is a running handler over SQLite with two customers, A and B.
type isoFixture struct {
	*env
	snap    snapshotMemo
	a, b    isoTenant
	keyID   identity.APIKeyID
	product orders.Product // of the global portfolio
	// staff and disabledStaff are agents the staff operations act on.
	staff, disabledStaff identity.StaffMember
	// desk is a staff member with the service-desk capability.
	desk identity.StaffMember
	// elsewhere is a third customer, with no people: sites move to it.
	elsewhere customer.Customer
	// hook is a webhook endpoint subscribed to every event; delivery is
	// one of its deliveries, failed, so that it may be replayed.
	hook     webhook.EndpointID
	delivery webhook.DeliveryID
	// request is a confirmed access request: nobody's, the same for A and B.
	request accessrequest.Request
}

// isoTemplate is the isolation fixture as built once per process: a copy
// of its database (sqlite.Backup), its values and how many IDs building it
// drew. Each operation of the matrix gets a server on a copy of its own.
var isoTemplate struct {
	once sync.Once
	path string
	f    isoFixture
	ids  int64
	// files is the URL of the directory the fixture's attachments are in,
	// which every copy shares (a file's key is never reused).
	files string
	pool  *sqlitepool.Pool // copies of the database at path
	first firstSnapshot
}

// newIsoFixture returns the fixture on a copy of the template's database
// (one a finished operation put back, see sqlitepool), served by a portal
// of its own that draws IDs after the template's.
func newIsoFixture(t *testing.T) *isoFixture {
	t.Helper()
	tp := &isoTemplate
	tp.once.Do(func() { buildIsoTemplate(t) })
	if tp.path == "" {
		t.Fatal("the isolation fixture could not be built (see the first test that tried)")
	}
	store := tp.pool.Take(t)
	f := tp.f
	f.env = newEnvFiles(t, store, portal.SequenceAfter(tp.ids), tp.f.owner, tp.files)
	f.notes.Err = bounce
	fp := &f
	fp.snap = fp.startMemo(t, &tp.first, func() map[string]any { return fp.takeSnapshot(t) })
	return fp
}

// buildIsoTemplate builds the fixture through the use cases and keeps a
// copy of its database in a directory that outlives t.
func buildIsoTemplate(t *testing.T) {
	ids := &portal.Sequence{}
	store := portaltest.Store(t)
	dir, err := os.MkdirTemp("", "portalkit-iso-")
	require.NoError(t, err)
	files := (&url.URL{Scheme: "file", Path: filepath.Join(dir, "files")}).String()
	f := buildIsoFixture(t, newEnvFiles(t, store, ids, "", files))
	f.useKeys(t, f.owner)
	path := filepath.Join(dir, "fixture.db")
	require.NoError(t, sqlite.Backup(t.Context(), store.(*sqlite.Store), path))
	isoTemplate.path, isoTemplate.f, isoTemplate.ids, isoTemplate.files = path, *f, ids.Drawn(), files
	isoTemplate.pool = sqlitepool.New(path)
}

func buildIsoFixture(t *testing.T, e *env) *isoFixture {
	t.Helper()
	f := &isoFixture{env: e}
	f.notes.Err = bounce
	ctx := portaltest.Owner(t.Context())
	var err error
	hook, err := f.p.CreateWebhookEndpoint(ctx, portal.CreateWebhookEndpointParams{URL: "https://93.184.215.14/hooks", EventTypes: webhook.Types})
	require.NoError(t, err)
	f.hook = hook.ID
	f.product, err = f.p.CreateProduct(ctx, portal.CreateProductParams{SKU: "LAP-1", Name: "Laptop", Price: orders.Money{Amount: 100_000, Currency: "EUR"}})
	require.NoError(t, err)
	signIn := func(cid customer.ID, email string, role customer.Role) portal.SignIn {
		_, err := f.p.Invite(ctx, cid, portal.InviteParams{Email: email, Role: role})
		require.NoError(t, err)
		n, ok := f.notes.Last(email)
		require.True(t, ok, "no invitation to %s", email)
		in, err := f.p.AcceptInvitation(t.Context(), n.Token, portal.AcceptInvitationParams{Name: email})
		require.NoError(t, err)
		require.Equal(t, role, in.Membership.Role)
		return in
	}
	mk := func(name, domain string) isoTenant {
		var tn isoTenant
		var err error
		tn.c, err = f.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: name, Features: customer.FeaturesPatch{
			AccessLinks: ptr(true), OrderAuthorization: ptr(true), Tickets: ptr(true),
			Jobs: ptr(true), Visits: ptr(true), Pictures: ptr(true),
		}})
		require.NoError(t, err)
		tn.site, err = f.p.CreateSite(ctx, tn.c.ID, portal.SiteParams{Name: "HQ"})
		require.NoError(t, err)
		yard, err := f.p.CreateSite(ctx, tn.c.ID, portal.SiteParams{Name: "Yard"})
		require.NoError(t, err)
		tn.job, _, err = f.p.PutJob(ctx, tn.c.ID, portal.JobParams{SiteID: yard.ID, Type: "repair", Title: "Boiler", PlannedAt: f.p.Now(), ExternalRef: "FS-1"})
		require.NoError(t, err)
		tn.visit, _, err = f.p.PutVisit(ctx, tn.c.ID, tn.job.ID, portal.VisitParams{Technician: "Tess", StartedAt: f.p.Now()})
		require.NoError(t, err)
		tn.picture, err = f.p.UploadPicture(ctx, tn.c.ID, tn.job.ID, portal.UploadPictureParams{Name: "boiler.png"}, bytes.NewReader(tinyPNG))
		require.NoError(t, err)
		tn.admin = signIn(tn.c.ID, "admin@"+domain, customer.RoleAdmin)
		tn.viewer = signIn(tn.c.ID, "viewer@"+domain, customer.RoleViewer)
		tn.target, err = f.p.AddMember(ctx, tn.c.ID, portal.AddMemberParams{Email: "target@" + domain, Name: "Target", Role: customer.RoleViewer})
		require.NoError(t, err)
		tn.invitation, err = f.p.Invite(ctx, tn.c.ID, portal.InviteParams{Email: "invitee@" + domain, Role: customer.RoleViewer})
		require.NoError(t, err)
		link, err := f.p.CreateAccessLink(ctx, tn.c.ID, tn.target.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)
		tn.accessLink = link.Link
		tn.ownProduct, err = f.p.CreateProduct(ctx, portal.CreateProductParams{
			SKU: "OWN-" + name, Name: name + " special", Price: orders.Money{Amount: 5_000, Currency: "EUR"}, CustomerID: tn.c.ID})
		require.NoError(t, err)
		tn.offer, err = f.p.CreateOffer(ctx, tn.c.ID, portal.CreateOfferParams{ProductID: f.product.ID, Price: orders.Money{Amount: 90_000, Currency: "EUR"}})
		require.NoError(t, err)
		admin, err := f.p.Authenticate(t.Context(), tn.admin.Token)
		require.NoError(t, err)
		place := func() orders.Order {
			o, err := f.p.PlaceOrder(identity.NewContext(t.Context(), admin), tn.c.ID, portal.PlaceOrderParams{
				Lines:     []portal.OrderLineParams{{ProductID: f.product.ID, Quantity: 1}, {ProductID: tn.ownProduct.ID, Quantity: 2}},
				Recipient: &orders.Employee{Name: "Bob"},
			})
			require.NoError(t, err)
			return o
		}
		tn.submitted = place()
		tn.confirmed, err = f.p.ConfirmOrder(ctx, place().ID, portal.DecideOrderParams{})
		require.NoError(t, err)
		tn.c, tn.stock = f.isoStock(t, tn)
		tn.bounced = f.bounced(t, tn.c.ID, "bounce@"+domain)
		_, err = f.p.PutMailTemplate(ctx, tn.c.ID, mailer.KindInvitation, "de", portal.MailTemplateParams{Subject: "Willkommen bei {{.CustomerName}}"})
		require.NoError(t, err)
		tn.article, err = f.p.CreateCustomerArticle(identity.NewContext(t.Context(), admin), tn.c.ID, portal.CreateCustomerArticleParams{Title: name + " news", Body: "Hello"})
		require.NoError(t, err)
		tn.ticket, tn.resolved, tn.masterData, tn.reply = f.isoTickets(t, identity.NewContext(t.Context(), admin), tn)
		tn.c, tn.hr = f.isoHR(t, tn)
		tn.task, tn.change, tn.claimNumber = f.isoRecords(t, identity.NewContext(t.Context(), admin), tn)
		tn.attachment, err = f.p.AttachToTicket(identity.NewContext(t.Context(), admin), tn.c.ID, tn.ticket.ID,
			portal.AttachToTicketParams{Name: "photo.png"}, bytes.NewReader(pngBytes))
		require.NoError(t, err)
		tn.contact, err = f.p.CreateContact(ctx, tn.c.ID, portal.ContactParams{Name: "Carla", Email: "carla@" + domain})
		require.NoError(t, err)
		tn.sso, err = f.p.PutSSOConfig(ctx, tn.c.ID, portal.PutSSOConfigParams{
			Issuer: "https://login." + domain, ClientID: "portal", ClientSecret: "secret", Domains: []string{domain},
		})
		require.NoError(t, err)
		// The admin claims a domain more, which waits for staff.
		tn.sso, err = f.p.PutSSOConfig(identity.NewContext(t.Context(), admin), tn.c.ID, portal.PutSSOConfigParams{
			Issuer: "https://login." + domain, ClientID: "portal", Domains: []string{domain, "sso." + domain}, Version: tn.sso.Version,
		})
		require.NoError(t, err)
		return tn
	}
	f.a = mk("Acme", "acme.example")
	f.b = mk("Globex", "globex.example")
	f.elsewhere, err = f.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Initech"})
	require.NoError(t, err)
	key, err := f.p.CreateAPIKey(ctx, portal.CreateAPIKeyParams{Name: "ERP", Role: identity.StaffAgent})
	require.NoError(t, err)
	f.keyID = key.Key.ID
	f.staff, err = f.p.InviteStaff(ctx, portal.InviteStaffParams{Email: "agent@provider.example", Name: "Agent", Role: identity.StaffAgent})
	require.NoError(t, err)
	off, err := f.p.InviteStaff(ctx, portal.InviteStaffParams{Email: "off@provider.example", Name: "Off", Role: identity.StaffAgent})
	require.NoError(t, err)
	f.disabledStaff, err = f.p.DisableStaff(ctx, off.ID)
	require.NoError(t, err)
	desk, err := f.p.InviteStaff(ctx, portal.InviteStaffParams{Email: "desk@provider.example", Name: "Desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	f.desk, err = f.p.UpdateStaff(ctx, desk.ID, portal.UpdateStaffParams{Version: desk.Version, ServiceDesk: ptr(true)})
	require.NoError(t, err)
	// The deliveries fail unsent while the endpoint is off; then it is on
	// again, and one of them can be replayed.
	_, err = f.p.UpdateWebhookEndpoint(ctx, f.hook, portal.UpdateWebhookEndpointParams{Enabled: ptr(false)})
	require.NoError(t, err)
	_, err = f.p.DeliverWebhooks(t.Context(), portal.WebhookOptions{BatchSize: portal.MaxOutboxBatchSize})
	require.NoError(t, err)
	_, err = f.p.UpdateWebhookEndpoint(ctx, f.hook, portal.UpdateWebhookEndpointParams{Enabled: ptr(true)})
	require.NoError(t, err)
	ds, err := f.p.ListWebhookDeliveries(ctx, f.hook, portal.ListWebhookDeliveriesParams{Status: outbox.Failed, Limit: 1})
	require.NoError(t, err)
	require.Len(t, ds.Items, 1)
	f.delivery = ds.Items[0].ID
	require.NoError(t, f.p.RequestAccess(t.Context(), portal.RequestAccessParams{CompanyName: "Initech", Name: "Peter", Email: "peter@initech.example"}))
	require.NoError(t, f.p.ConfirmAccessRequest(t.Context(), f.lastToken(t, "peter@initech.example")))
	reqs, err := f.p.ListAccessRequests(ctx, portal.ListAccessRequestsParams{})
	require.NoError(t, err)
	require.Len(t, reqs.Items, 1)
	f.request = reqs.Items[0]
	return f
}

// isoTickets opens tn's tickets as its admin (ctx) and works them as the
// service desk.
func (f *isoFixture) isoTickets(t *testing.T, admin context.Context, tn isoTenant) (open, resolved, masterData ticket.Ticket, reply ticket.Comment) {
	t.Helper()
	desk := portaltest.ServiceDesk(t.Context())
	var err error
	open, err = f.p.OpenTicket(admin, tn.c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "Help", Links: portal.TicketLinksParams{SiteID: tn.site.ID}})
	require.NoError(t, err)
	reply, err = f.p.AddTicketComment(desk, tn.c.ID, open.ID, portal.AddTicketCommentParams{Body: "On it"})
	require.NoError(t, err)
	_, err = f.p.AddTicketComment(desk, tn.c.ID, open.ID, portal.AddTicketCommentParams{Visibility: ticket.Internal, Body: "Internal"})
	require.NoError(t, err)
	resolved, err = f.p.OpenTicket(admin, tn.c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "Done"})
	require.NoError(t, err)
	resolved, err = f.p.ChangeTicketStatus(desk, tn.c.ID, resolved.ID, portal.ChangeTicketStatusParams{Version: resolved.Version, Status: ticket.StatusResolved})
	require.NoError(t, err)
	masterData, err = f.p.OpenTicket(admin, tn.c.ID, portal.OpenTicketParams{Type: ticket.TypeMasterDataChange, Subject: "Phone",
		Fields: map[string]string{"phone": "+49 30 999"}})
	require.NoError(t, err)
	return open, resolved, masterData, reply
}

// ids returns the values of tn for the path parameters of the spec and the
// placeholders of the bodies.
func (f *isoFixture) ids(tn isoTenant) map[string]string {
	return map[string]string{
		"customerId":         string(tn.c.ID),
		"siteId":             string(tn.site.ID),
		"membershipId":       string(tn.target.ID),
		"invitationId":       string(tn.invitation.ID),
		"accessLinkId":       string(tn.accessLink.ID),
		"userId":             string(tn.target.User.ID),
		"apiKeyId":           string(f.keyID),
		"viewerMembershipId": string(tn.viewer.Membership.ID),
		"productId":          string(tn.ownProduct.ID),
		"offerId":            string(tn.offer.ID),
		"orderId":            string(tn.submitted.ID),
		"confirmedOrderId":   string(tn.confirmed.ID),
		// Supplier warehouse.
		"itemId":       string(tn.stock.inStock.ID),
		"issuedItemId": string(tn.stock.issued.ID),
		"messageId":    string(tn.bounced),
		"kind":         "invitation",
		"locale":       "de",
		// Staff members are the provider's, the same for A and B.
		"staffId":         string(f.staff.ID),
		"disabledStaffId": string(f.disabledStaff.ID),
		"articleId":       string(tn.article.ID),
		"deskStaffId":     string(f.desk.ID),
		// Tickets.
		"ticketId":           string(tn.ticket.ID),
		"resolvedTicketId":   string(tn.resolved.ID),
		"masterDataTicketId": string(tn.masterData.ID),
		"commentId":          string(tn.reply.ID),
		"customerVersion":    strconv.FormatInt(tn.c.Version, 10),
		// HR sync.
		"employeeId": string(tn.hr.employee.ID),
		"runId":      string(tn.hr.planned.ID),
		"tokenId":    string(tn.hr.token),
		// Field service: a customer of nobody's, the same for A and B.
		"elsewhereId":  string(f.elsewhere.ID),
		"jobId":        string(tn.job.ID),
		"visitId":      string(tn.visit.ID),
		"pictureId":    string(tn.picture.ID),
		"attachmentId": string(tn.attachment.ID),
		// Records; a type's name is the same for every customer.
		"recordId":    string(tn.task.ID),
		"changeId":    string(tn.change.ID),
		"claimNumber": tn.claimNumber,
		"typeName":    "contract",
		"contractId":  string(tn.change.RecordID),
		"actionName":  "cancel",
		// Webhooks are the provider's, the same for A and B.
		"endpointId": string(f.hook),
		"deliveryId": string(f.delivery),
		// Access requests are nobody's: the same for A and B.
		"accessRequestId": string(f.request.ID),
		"contactId":       string(tn.contact.ID),
		"ssoDomain":       tn.sso.Domains[0],
		"domain":          tn.sso.Pending[0],
	}
}

// version reads the current version of what an If-Match names, as the
// staff owner: kind is "customer", "site" or "membership", picked by the IDs
// the request is about to use, so the ETag is never stale.
func (f *isoFixture) version(t *testing.T, kind string, ids map[string]string) int64 {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	switch kind {
	case "customer":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.c.ID) == ids["customerId"] {
				c, err := f.p.GetCustomer(ctx, tn.c.ID)
				require.NoError(t, err)
				return c.Version
			}
		}
	case "site":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.site.ID) == ids["siteId"] {
				s, err := f.p.GetSite(ctx, tn.c.ID, tn.site.ID)
				require.NoError(t, err)
				return s.Version
			}
		}
	case "membership":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.target.ID) == ids["membershipId"] {
				m, err := f.p.GetMember(ctx, tn.c.ID, tn.target.ID)
				require.NoError(t, err)
				return m.Version
			}
		}
	case "product":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.ownProduct.ID) == ids["productId"] {
				p, err := f.p.GetProduct(ctx, tn.ownProduct.ID)
				require.NoError(t, err)
				return p.Version
			}
		}
	case "staff":
		if id := identity.StaffID(ids["staffId"]); id == f.staff.ID {
			m, err := f.p.GetStaff(ctx, id)
			require.NoError(t, err)
			return m.Version
		}
	case "webhook":
		if id := webhook.EndpointID(ids["endpointId"]); id == f.hook {
			e, err := f.p.GetWebhookEndpoint(ctx, id)
			require.NoError(t, err)
			return e.Version
		}
	case "sso":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.c.ID) == ids["customerId"] {
				c, err := f.p.GetSSOConfig(ctx, tn.c.ID)
				require.NoError(t, err)
				return c.Version
			}
		}
	case "article":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.article.ID) == ids["articleId"] {
				a, err := f.p.GetArticle(ctx, tn.article.ID)
				require.NoError(t, err)
				return a.Version
			}
		}
	case "ticket":
		for _, tn := range []isoTenant{f.a, f.b} {
			for _, tk := range []ticket.Ticket{tn.ticket, tn.resolved, tn.masterData} {
				if string(tk.ID) == ids["ticketId"] {
					got, err := f.p.GetTicket(ctx, tn.c.ID, tk.ID)
					require.NoError(t, err)
					return got.Version
				}
			}
		}
	case "job":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.job.ID) == ids["jobId"] {
				j, err := f.p.GetJob(ctx, tn.c.ID, tn.job.ID)
				require.NoError(t, err)
				return j.Version
			}
		}
	case "contact":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.contact.ID) == ids["contactId"] {
				c, err := f.p.GetContact(ctx, tn.c.ID, tn.contact.ID)
				require.NoError(t, err)
				return c.Version
			}
		}
	case "offer":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.offer.ID) == ids["offerId"] {
				o, err := f.p.GetOffer(ctx, tn.c.ID, tn.offer.ID)
				require.NoError(t, err)
				return o.Version
			}
		}
	case "record":
		for _, tn := range []isoTenant{f.a, f.b} {
			if string(tn.task.ID) == ids["recordId"] {
				r, err := f.p.GetRecord(ctx, tn.c.ID, tn.task.ID)
				require.NoError(t, err)
				return r.Version
			}
		}
	}
	return 1 // a ghost: any well-formed ETag
}

// snapshot is everything the staff owner sees of both customers, and the
// API keys, by part, so that a change names the part it is in.
func (f *isoFixture) snapshot(t *testing.T) map[string]any {
	t.Helper()
	return f.memo(t, &f.snap, func() map[string]any { return f.takeSnapshot(t) })
}

// takeSnapshot reads what snapshot returns.
func (f *isoFixture) takeSnapshot(t *testing.T) map[string]any {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	out := map[string]any{}
	for name, tn := range map[string]isoTenant{"A": f.a, "B": f.b} {
		part := func(what string, v any, e error) {
			t.Helper()
			require.NoError(t, e)
			out[name+" "+what] = v
		}
		c, err := f.p.GetCustomer(ctx, tn.c.ID)
		part("customer", c, err)
		feat, err := f.p.GetFeatures(ctx, tn.c.ID)
		part("features", feat, err)
		sites, err := f.p.ListSites(ctx, tn.c.ID, portal.ListSitesParams{Limit: 100})
		part("sites", sites, err)
		members, err := f.p.ListMembers(ctx, tn.c.ID, portal.ListMembersParams{Limit: 100})
		part("members", members, err)
		invs, err := f.p.ListInvitations(ctx, tn.c.ID, portal.ListInvitationsParams{Limit: 100})
		part("invitations", invs, err)
		links, err := f.p.ListAccessLinks(ctx, tn.c.ID, portal.ListAccessLinksParams{Limit: 100})
		part("access links", links, err)
		subs, err := f.p.ListCustomers(ctx, portal.ListCustomersParams{ParentID: tn.c.ID})
		part("sub-customers", subs, err)
		offers, err := f.p.ListOffers(ctx, tn.c.ID, portal.ListOffersParams{Limit: 100})
		part("offers", offers, err)
		ords, err := f.p.ListOrders(ctx, tn.c.ID, portal.ListOrdersParams{Limit: 100})
		part("orders", ords, err)
		f.stockSnapshot(t, tn, func(what string, v any) { out[name+" "+what] = v })
		mail, err := f.p.ListMail(ctx, portal.ListMailParams{CustomerID: tn.c.ID, Limit: 100})
		part("mail", mail, err)
		templates, err := f.p.ListMailTemplates(ctx, tn.c.ID)
		part("mail templates", templates, err)
		written, err := f.p.ListCustomerNews(ctx, tn.c.ID, portal.ListCustomerNewsParams{Written: true, Limit: 100})
		part("news", written, err)
		tickets, err := f.p.ListTickets(ctx, tn.c.ID, portal.ListTicketsParams{Limit: 100})
		part("tickets", tickets, err)
		comments, err := f.p.ListTicketComments(ctx, tn.c.ID, tn.ticket.ID, portal.ListTicketCommentsParams{Limit: 100})
		part("ticket comments", comments, err)
		f.hrSnapshot(t, tn, func(what string, v any) { out[name+" "+what] = v })
		jobs, err := f.p.ListJobs(ctx, tn.c.ID, portal.ListJobsParams{Limit: 100})
		part("jobs", jobs, err)
		visits, err := f.p.ListVisits(ctx, tn.c.ID, portal.ListVisitsParams{Limit: 100})
		part("visits", visits, err)
		pics, err := f.p.ListPictures(ctx, tn.c.ID, portal.ListPicturesParams{Limit: 100})
		part("pictures", pics, err)
		f.recordSnapshot(t, tn, func(what string, v any) { out[name+" "+what] = v })
		attachments, err := f.p.ListTicketAttachments(ctx, tn.c.ID, tn.ticket.ID)
		part("ticket attachments", attachments, err)
		contacts, err := f.p.ListContacts(ctx, tn.c.ID, portal.ListContactsParams{Limit: 100})
		part("contacts", contacts, err)
		sso, err := f.p.GetSSOConfig(ctx, tn.c.ID) // gone after deleteSSOConfig
		out[name+" sso"] = []any{sso, portalerr.CodeOf(err)}
		forbidden, err := f.p.ImpersonationForbidden(ctx, tn.c.ID)
		part("impersonation forbidden", forbidden, err)
		imps, err := f.p.ListImpersonations(ctx, tn.c.ID, portal.ListImpersonationsParams{Limit: 100})
		part("impersonations", imps, err)
	}
	free, err := f.p.AllRecords(ctx, portal.AllRecordsParams{Unassigned: true, ListRecordsParams: portal.ListRecordsParams{Limit: 100}})
	require.NoError(t, err)
	out["unassigned records"] = free
	recordTypes, err := f.p.RecordTypes(ctx)
	require.NoError(t, err)
	out["record types"] = recordTypes
	articles, err := f.p.ListArticles(ctx, portal.ListArticlesParams{Limit: 100})
	require.NoError(t, err)
	out["articles"] = articles
	products, err := f.p.ListProducts(ctx, portal.ListProductsParams{Limit: 100})
	require.NoError(t, err)
	out["products"] = products
	keys, err := f.p.ListAPIKeys(ctx, portal.ListAPIKeysParams{Limit: 100})
	require.NoError(t, err)
	for i := range keys.Items {
		// Moves with every use of the owner key, which this test makes itself.
		keys.Items[i].LastUsedAt = time.Time{}
	}
	out["api keys"] = keys
	staff, err := f.p.ListStaff(ctx, portal.ListStaffParams{Limit: 100})
	require.NoError(t, err)
	out["staff"] = staff
	hooks, err := f.p.ListWebhookEndpoints(ctx, portal.ListWebhookEndpointsParams{Limit: 100})
	require.NoError(t, err)
	out["webhook endpoints"] = hooks
	for _, e := range hooks.Items {
		deliveries, err := f.p.ListWebhookDeliveries(ctx, e.ID, portal.ListWebhookDeliveriesParams{Limit: 100})
		require.NoError(t, err)
		out["webhook deliveries of "+string(e.ID)] = deliveries
	}
	requests, err := f.p.ListAccessRequests(ctx, portal.ListAccessRequestsParams{Limit: 100})
	require.NoError(t, err)
	out["access requests"] = requests
	return out
}

// ghostIDs are well-formed IDs of nothing: B's objects must answer A's users
// exactly as these do, so that nobody can tell which IDs exist.
var ghostIDs = map[string]string{
	"ssoDomain":          "ghost.example",
	"domain":             "sso.ghost.example",
	"customerId":         "cus_ghost",
	"siteId":             "sit_ghost",
	"membershipId":       "mem_ghost",
	"invitationId":       "inv_ghost",
	"accessLinkId":       "acl_ghost",
	"userId":             "usr_ghost",
	"apiKeyId":           "key_ghost",
	"viewerMembershipId": "mem_ghost2",
	"productId":          "prd_ghost",
	"offerId":            "ofr_ghost",
	"orderId":            "ord_ghost",
	"confirmedOrderId":   "ord_ghost2",
	"itemId":             "itm_ghost",
	"issuedItemId":       "itm_ghost2",
	"messageId":          "out_ghost",
	"staffId":            "stf_ghost",
	"disabledStaffId":    "stf_ghost2",
	"articleId":          "art_ghost",
	"deskStaffId":        "stf_ghost3",
	"ticketId":           "tkt_ghost",
	"resolvedTicketId":   "tkt_ghost2",
	"masterDataTicketId": "tkt_ghost3",
	"commentId":          "tcm_ghost",
	"recordId":           "rec_ghost",
	"changeId":           "rcr_ghost",
	"claimNumber":        "C-GHOST",
	"typeName":           "contract",
	"contractId":         "rec_ghost2",
	"actionName":         "cancel",
	"attachmentId":       "att_ghost",
	"endpointId":         "wep_ghost",
	"deliveryId":         "wdl_ghost",
	// A version, not an ID: any will do for a customer that is not there.
	"customerVersion": "1",
	"elsewhereId":     "cus_ghost2",
	"jobId":           "job_ghost",
	"visitId":         "vis_ghost",
	"pictureId":       "pic_ghost",
	// Not IDs: a kind and a locale of mail are the same everywhere.
	"kind":   "invitation",
	"locale": "de",
	// Access requests.
	"accessRequestId": "acr_ghost",
	"contactId":       "con_ghost",
}

// isoClass says how an operation relates to tenants.
type isoClass string

const (
	// classTenant: customer users of some role may call it; B's IDs answer
	// A's users 404 and change nothing.
	classTenant isoClass = "tenant"
	// classStaff: staff and API keys only; a customer user is refused (403,
	// or 404 when B's customer is in the path, as for any foreign customer).
	classStaff isoClass = "staff"
	// Outside the matrix, each with its reason.
	classSelf   isoClass = "self"
	classPublic isoClass = "public"
	classSystem isoClass = "system"
)

// isoRow is one operation of openapi.yaml: how to call it, and what each
// caller gets. The statuses are written here on purpose, from the "Who may
// call" of the spec and portal's policy, not computed from either.
type isoRow struct {
	class  isoClass
	reason string // for rows outside the matrix: why it is not tenant-scoped

	query string // raw query string; placeholders such as {customerId} are filled
	body  string // raw JSON body; placeholders are filled; "" sends none
	// upload sends a multipart/form-data body with a small PNG as its
	// part "file" instead of body.
	upload  bool
	ifMatch string // "customer", "site", "membership", "product", "offer" or "contact": the current ETag goes in If-Match
	// alias fills a placeholder from another of the fixture's IDs
	// ({orderId} from confirmedOrderId, for moves of a confirmed order).
	alias map[string]string

	staff   int // the staff owner with B's IDs: shows the request itself is valid
	admin   int // A's admin with A's IDs
	viewer  int // A's viewer with A's IDs
	foreign int // A's admin with all of B's IDs
	// mixed is what A's admin gets with A's customer and B's other IDs, for
	// paths with an ID below the customer.
	mixed int
	// crossBody is what the least caller allowed gets with A's IDs in the
	// path and B's in the body: A's admin for tenant rows, the staff owner
	// for staff rows. For rows whose body names an ID below the customer.
	crossBody int
	// scoped marks a list that names no customer in its path: A's users get
	// 200 with nothing of B in it.
	scoped bool
}

const (
	ok200  = http.StatusOK
	ok201  = http.StatusCreated
	ok204  = http.StatusNoContent
	no403  = http.StatusForbidden
	no404  = http.StatusNotFound
	bad400 = http.StatusBadRequest
	no409  = http.StatusConflict
)

var isolationMatrix = map[string]isoRow{
	// Customers.
	"listCustomers": {class: classTenant, query: "q=Globex", scoped: true, staff: ok200, admin: ok200, viewer: ok200, foreign: ok200},
	"createCustomer": {class: classStaff, body: `{"name":"Sub","parent_id":"{customerId}"}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no403},
	"getCustomer": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"updateCustomer": {class: classStaff, body: `{"name":"Renamed"}`, ifMatch: "customer",
		staff: ok200, admin: no403, viewer: no403, foreign: no404},
	"suspendCustomer":    {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404},
	"reactivateCustomer": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404},
	"archiveCustomer":    {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404},
	// Features.
	"getFeatures": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"updateFeatures": {class: classStaff, body: `{"tickets":true}`, ifMatch: "customer",
		staff: ok200, admin: no403, viewer: no403, foreign: no404},
	// Sites.
	"listSites":  {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"createSite": {class: classStaff, body: `{"name":"Plant"}`, staff: ok201, admin: no403, viewer: no403, foreign: no404},
	"getSite":    {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"renameSite": {class: classStaff, body: `{"name":"Head office"}`, ifMatch: "site",
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"deleteSite": {class: classStaff, staff: ok204, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"moveSite": {class: classStaff, body: `{"customer_id":"{elsewhereId}"}`, ifMatch: "site",
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	// Field service: staff push jobs and visits, every customer role reads them.
	"listJobs": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"pushJob": {class: classStaff, body: `{"site_id":"{siteId}","type":"repair","title":"Pump","planned_at":"2026-01-01T00:00:00Z"}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no404, crossBody: no404},
	"getJob": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"updateJob": {class: classStaff, body: `{"status":"scheduled"}`, ifMatch: "job",
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"pushVisit": {class: classStaff, body: `{"technician":"Tom","started_at":"2026-01-01T00:00:00Z"}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"listVisits": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"getVisit":   {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"uploadPicture": {class: classStaff, upload: true,
		staff: ok201, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"listPictures":        {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"getPictureContent":   {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"getPictureThumbnail": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	// Memberships.
	"listMembers": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"addMember": {class: classStaff, body: `{"email":"new@example.com","name":"New","role":"viewer","site_ids":["{siteId}"]}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no404, crossBody: bad400},
	"getMember":    {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"removeMember": {class: classTenant, staff: ok204, admin: ok204, viewer: no403, foreign: no404, mixed: no404},
	"changeMemberRole": {class: classTenant, body: `{"role":"maintainer"}`, ifMatch: "membership",
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"changeMemberSites": {class: classTenant, body: `{"site_ids":["{siteId}"]}`, ifMatch: "membership",
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404, crossBody: bad400},
	"disableMember": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"enableMember":  {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	// Invitations.
	"listInvitations": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"getInvitation":   {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"invite": {class: classTenant, body: `{"email":"newbie@example.com","role":"maintainer","site_ids":["{siteId}"]}`,
		staff: ok201, admin: ok201, viewer: no403, foreign: no404, crossBody: bad400},
	"resendInvitation": {class: classTenant, body: `{}`, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"revokeInvitation": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	// Access links.
	"listAccessLinks": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404},
	"createAccessLink": {class: classStaff, body: `{"membership_id":"{viewerMembershipId}","read_only":true}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no404, crossBody: no404},
	"refreshAccessLink": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"disableAccessLink": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	// Users and API keys name no customer: a customer user is refused by role.
	"disableUser":  {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"enableUser":   {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"listAPIKeys":  {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"createAPIKey": {class: classStaff, body: `{"name":"Script","role":"agent"}`, staff: ok201, admin: no403, viewer: no403, foreign: no403},
	"revokeAPIKey": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	// Staff members are the provider's and name no customer: a customer user is refused by role.
	"listStaff": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"inviteStaff": {class: classStaff, body: `{"email":"new@provider.example","name":"New","role":"agent"}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no403},
	"getStaff": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"updateStaff": {class: classStaff, body: `{"name":"Renamed"}`, ifMatch: "staff",
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"disableStaff":          {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"enableStaff":           {class: classStaff, alias: map[string]string{"staffId": "disabledStaffId"}, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"resendStaffInvitation": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	// Products are the provider's; customer users see them only in their catalogue.
	"listProducts": {class: classStaff, query: "customer_id={customerId}", staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"createProduct": {class: classStaff, body: `{"sku":"NEW-1","name":"New","price":{"amount":1,"currency":"EUR"},"customer_id":"{customerId}"}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no403},
	"getProduct": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"updateProduct": {class: classStaff, body: `{"name":"Renamed"}`, ifMatch: "product",
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"deactivateProduct": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	// Offers.
	"listOffers": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404},
	"createOffer": {class: classStaff, body: `{"product_id":"{productId}","price":{"amount":1,"currency":"EUR"}}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no404, crossBody: bad400},
	"getOffer": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"updateOffer": {class: classStaff, body: `{"price":{"amount":2,"currency":"EUR"}}`, ifMatch: "offer",
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"deleteOffer": {class: classStaff, staff: ok204, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	// Catalogue and orders.
	"getCatalogue": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"listOrders":   {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	// Staff place no orders: their call on B is refused by role, not by tenant.
	"placeOrder": {class: classTenant, body: `{"lines":[{"product_id":"{productId}","quantity":1}],"recipient":{"name":"Bob"}}`,
		staff: no403, admin: ok201, viewer: no403, foreign: no404, crossBody: bad400},
	"getOrder": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	// A customer withdraws a submitted order; staff cancel only confirmed ones
	// (their call on B's submitted order is failed_precondition).
	"cancelOrder": {class: classTenant, body: `{"reason":"ordered twice"}`,
		staff: no409, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"listOrderInbox": {class: classStaff, query: "customer_id={customerId}", staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"confirmOrder":   {class: classStaff, body: `{"note":"ok"}`, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"rejectOrder":    {class: classStaff, body: `{"reason":"sold out"}`, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"fulfilOrder": {class: classStaff, alias: map[string]string{"orderId": "confirmedOrderId"},
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	// Supplier warehouse. B's product is B's own, so A cannot stock it in.
	"listStockLevels": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"listStockItems":  {class: classTenant, query: "product_id={productId}", staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"stockIn": {class: classStaff, body: `{"items":[{"product_id":"{productId}","serial_number":"SN-NEW","site_id":"{siteId}"}]}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no404, crossBody: bad400},
	"getStockItem": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"issueStockItem": {class: classTenant, body: `{"holder":{"name":"Bob"}}`,
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"returnStockItem": {class: classTenant, alias: map[string]string{"itemId": "issuedItemId"}, body: `{"condition":"used"}`,
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"retireStockItem": {class: classTenant, body: `{"reason":"broken"}`,
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	// Mail: the outbox is provider-wide, the template overrides are the customer's.
	"listMailMessages": {class: classStaff, query: "status=failed&customer_id={customerId}",
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"retryMailMessage":  {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"listMailTemplates": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404},
	"getMailTemplate":   {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"putMailTemplate": {class: classStaff, body: `{"subject":"Hallo {{.CustomerName}}"}`,
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"deleteMailTemplate": {class: classStaff, staff: ok204, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"previewMailTemplate": {class: classStaff, body: `{"text":"Hier: {{.Link}}"}`,
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	// News: the provider's articles are staff-wide; a customer's news is
	// read by its people and written by its admins.
	"listArticles": {class: classStaff, query: "customer_id={customerId}", staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"createArticle": {class: classStaff, body: `{"title":"New","body":"Body","audience":{"all":false,"customer_ids":["{customerId}"]}}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no403},
	"getArticle": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"updateArticle": {class: classStaff, body: `{"title":"Changed"}`, ifMatch: "article",
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"deleteArticle":      {class: classStaff, staff: ok204, admin: no403, viewer: no403, foreign: no403},
	"listCustomerNews":   {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"getCustomerArticle": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"createCustomerArticle": {class: classTenant, body: `{"title":"Ours","body":"Body"}`,
		staff: ok201, admin: ok201, viewer: no403, foreign: no404},
	"updateCustomerArticle": {class: classTenant, body: `{"title":"Changed"}`, ifMatch: "article",
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"deleteCustomerArticle": {class: classTenant, staff: ok204, admin: ok204, viewer: no403, foreign: no404, mixed: no404},

	// Webhooks: the provider's integrations, staff only; a customer user
	// is refused whatever customer the body names.
	"listWebhookEndpoints": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"createWebhookEndpoint": {class: classStaff, body: `{"url":"https://93.184.215.15/hooks","event_types":["order.submitted"],"customer_id":"{customerId}"}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no403},
	"getWebhookEndpoint": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"updateWebhookEndpoint": {class: classStaff, body: `{"description":"ERP"}`, ifMatch: "webhook",
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"deleteWebhookEndpoint": {class: classStaff, staff: ok204, admin: no403, viewer: no403, foreign: no403},
	"rotateWebhookSecret": {class: classStaff, body: `{"overlap_seconds":3600}`,
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"listWebhookDeliveries": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"replayWebhookDeliveries": {class: classStaff, body: `{"from":"2020-01-01T00:00:00Z","to":"2100-01-01T00:00:00Z"}`,
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"getWebhookDelivery":    {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"replayWebhookDelivery": {class: classStaff, staff: ok201, admin: no403, viewer: no403, foreign: no403},

	// Tickets: a customer's users read them and its maintainers and admins
	// open, reply and reopen; working them is the service desk's (API keys
	// count as such).
	"listTicketTypes": {class: classTenant, scoped: true, staff: ok200, admin: ok200, viewer: ok200, foreign: ok200},
	"listTickets":     {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"openTicket": {class: classTenant, body: `{"type":"generic","subject":"Help","links":{"site_id":"{siteId}"}}`,
		staff: ok201, admin: ok201, viewer: no403, foreign: no404, crossBody: bad400},
	"getTicket":          {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"listTicketComments": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"getTicketComment":   {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"addTicketComment": {class: classTenant, body: `{"body":"Any news?"}`,
		staff: ok201, admin: ok201, viewer: no403, foreign: no404, mixed: no404},
	"reopenTicket": {class: classTenant, alias: map[string]string{"ticketId": "resolvedTicketId"}, body: `{}`, ifMatch: "ticket",
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"changeTicketStatus": {class: classStaff, body: `{"status":"in_progress"}`, ifMatch: "ticket",
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"setTicketPriority": {class: classStaff, body: `{"priority":"urgent"}`, ifMatch: "ticket",
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"assignTicket": {class: classStaff, body: `{"assignee":"{deskStaffId}"}`, ifMatch: "ticket",
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"applyMasterDataChange": {class: classStaff, alias: map[string]string{"ticketId": "masterDataTicketId"},
		body: `{"customer_version":{customerVersion},"resolve":true}`, ifMatch: "ticket",
		staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"listTicketQueue": {class: classStaff, query: "customer_id={customerId}", staff: ok200, admin: no403, viewer: no403, foreign: no403},
	// Attachments: read as the ticket is, attached as it is replied to.
	"listTicketAttachments":    {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"downloadTicketAttachment": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"attachToTicket":           {class: classTenant, upload: true, staff: ok201, admin: ok201, viewer: no403, foreign: no404, mixed: no404},
	"attachToTicketComment":    {class: classTenant, upload: true, staff: ok201, admin: ok201, viewer: no403, foreign: no404, mixed: no404},
	// Access requests are nobody's yet: a customer user is refused by role.
	"listAccessRequests": {class: classStaff, query: "status=pending", staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"getAccessRequest":   {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"connectAccessRequestToNewCustomer": {class: classStaff, body: `{"customer":{"name":"Initech"},"message":"Welcome"}`,
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"connectAccessRequestToCustomer": {class: classStaff, body: `{"customer_id":"{customerId}","role":"viewer","site_ids":["{siteId}"]}`,
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"rejectAccessRequest": {class: classStaff, body: `{"message":"No."}`, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	// Contacts: staff and the customer's admins.
	"listContacts":  {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"createContact": {class: classTenant, body: `{"name":"New"}`, staff: ok201, admin: ok201, viewer: no403, foreign: no404},
	"getContact":    {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"updateContact": {class: classTenant, body: `{"name":"Renamed"}`, ifMatch: "contact",
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"deleteContact": {class: classTenant, staff: ok204, admin: ok204, viewer: no403, foreign: no404, mixed: no404},
	"enableContactPortalAccess": {class: classTenant, body: `{"role":"viewer","site_ids":["{siteId}"]}`,
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404, crossBody: bad400},
	"updateUser": {class: classStaff, body: `{"name":"Renamed"}`, staff: ok200, admin: no403, viewer: no403, foreign: no403},

	// Records: a customer's people read them, its maintainers edit what the
	// fields' rules allow and its admins claim; staff keep them, define
	// types and decide change requests.
	"listRecordTypes": {class: classTenant, scoped: true, staff: ok200, admin: ok200, viewer: ok200, foreign: ok200},
	"getRecordType":   {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: ok200},
	"defineRecordType": {class: classStaff, body: `{"name":"plan","fields":[{"name":"code","kind":"text"}]}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no403},
	"listRecords": {class: classTenant, query: "type=contract&field=contract_number&value=C-1", staff: ok200, admin: ok200, viewer: ok200, foreign: no404},
	"createRecord": {class: classStaff, body: `{"type":"task","site_id":"{siteId}","values":{"title":"New","status":"open"}}`,
		staff: ok201, admin: no403, viewer: no403, foreign: no404, crossBody: bad400},
	"getRecord": {class: classTenant, staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"updateRecord": {class: classTenant, body: `{"values":{"status":"done"}}`, ifMatch: "record",
		staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"listRecordChangesOf": {class: classTenant, alias: map[string]string{"recordId": "contractId"},
		staff: ok200, admin: ok200, viewer: ok200, foreign: no404, mixed: no404},
	"runRecordAction": {class: classTenant, alias: map[string]string{"recordId": "contractId"}, body: `{"description":"We move out."}`,
		staff: ok201, admin: ok201, viewer: no403, foreign: no404, mixed: no404},
	// Staff claim nothing: their call is refused by role.
	"claimRecord": {class: classTenant, body: `{"type":"contract","identifiers":{"contract_number":"{claimNumber}","customer_number":"K-FREE"}}`,
		staff: no403, admin: ok200, viewer: no403, foreign: no404},
	"listAllRecords": {class: classStaff, query: "customer_id={customerId}", staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"upsertRecords": {class: classStaff, body: `{"records":[{"customer_id":"{customerId}","type":"task","external_ref":"t-new","values":{"title":"T","status":"open"}}]}`,
		staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"listRecordChanges":   {class: classStaff, query: "customer_id={customerId}", staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"approveRecordChange": {class: classStaff, body: `{}`, staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"rejectRecordChange":  {class: classStaff, body: `{"note":"no"}`, staff: ok200, admin: no403, viewer: no403, foreign: no403},

	"acceptInvitation":         {class: classPublic, reason: "the invitation token in the body is the credential; there is no caller to scope"},
	"requestLoginLink":         {class: classPublic, reason: "answers 202 alike for every address, so it reveals nothing of any customer"},
	"signInWithLoginLink":      {class: classPublic, reason: "the link token in the body is the credential"},
	"signInWithAccessLink":     {class: classPublic, reason: "the link token in the body is the credential"},
	"signInWithPassword":       {class: classPublic, reason: "the e-mail address and password are the credential"},
	"requestStaffLoginLink":    {class: classPublic, reason: "answers 202 alike for every address, so it reveals nothing of anybody"},
	"signInStaffWithLoginLink": {class: classPublic, reason: "the link token in the body is the credential"},
	"signInStaffWithPassword":  {class: classPublic, reason: "the e-mail address and password are the credential"},
	"requestAccess":            {class: classPublic, reason: "answers 202 alike for every address and looks nothing up (TestRequestAccessAnswersAlike)"},
	"confirmAccessRequest":     {class: classPublic, reason: "the link token in the body is the credential; the request is nobody's yet"},
	"confirmEmailChange":       {class: classPublic, reason: "the link token in the body, mailed to the new address, is the credential"},
	"logout":                   {class: classSelf, reason: "ends the caller's own session; names no object"},
	"getMe":                    {class: classSelf, reason: "the caller's own principal, for every kind of caller"},
	"listMyMemberships":        {class: classSelf, reason: "the caller's own memberships; names no customer"},
	"switchMembership":         {class: classSelf, reason: "moves the caller's own session to one of its own memberships; B's answer 404: TestSwitchMembershipToAnotherCustomer"},
	"setPassword":              {class: classSelf, reason: "the caller's own password"},
	"getHealth":                {class: classSystem, reason: "liveness; no data"},
	"getReadiness":             {class: classSystem, reason: "readiness of the database; no data"},
	"getMetrics":               {class: classSystem, reason: "request counts by route template; no IDs"},
	"getOpenAPISpec":           {class: classSystem, reason: "this document"},
	// Password reset (#21).
	"requestPasswordReset":      {class: classPublic, reason: "answers 202 alike for every address, so it reveals nothing of any customer"},
	"requestStaffPasswordReset": {class: classPublic, reason: "answers 202 alike for every address, so it reveals nothing of anybody"},
	"resetPassword":             {class: classPublic, reason: "the reset token in the body is the credential; it changes only its owner's password"},
	// Single sign-on (#21).
	"getSSOConfig": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"putSSOConfig": {class: classTenant, body: `{"issuer":"https://login.changed.example","client_id":"changed","domains":["{ssoDomain}"]}`,
		ifMatch: "sso", staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"deleteSSOConfig":  {class: classTenant, staff: ok204, admin: ok204, viewer: no403, foreign: no404},
	"approveSSODomain": {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404, mixed: no403},
	"startSSO":         {class: classPublic, reason: "finds an identity provider by e-mail domain; answers 404 alike for every domain without one and starts nothing on any customer's data"},
	"finishSSO":        {class: classPublic, reason: "the provider's code and the state in the body are the credential (TestSSOOverHTTP, portal's TestSSORefusals)"},
	// Impersonation (#21). Starting one needs a staff member's own session:
	// the owner API key of this matrix is refused (403) like every user;
	// TestImpersonationOverHTTP starts them with staff sessions.
	"listImpersonations":     {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"startImpersonation":     {class: classStaff, body: `{"membership_id":"{membershipId}","reason":"support"}`, staff: no403, admin: no403, viewer: no403, foreign: no404},
	"getImpersonationPolicy": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"setImpersonationPolicy": {class: classTenant, body: `{"forbidden":true}`, staff: no403, admin: ok200, viewer: no403, foreign: no404},
	// The audit log (#21).
	"listAuditEvents":         {class: classStaff, query: "customer_id={customerId}", staff: ok200, admin: no403, viewer: no403, foreign: no403},
	"listCustomerAuditEvents": {class: classTenant, query: "action=sso.configured", staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	// Staff single sign-on (#21).
	"startStaffSSO":  {class: classPublic, reason: "starts a sign-in at the provider's own identity provider; touches no customer's data (TestStaffSSOOverHTTP)"},
	"finishStaffSSO": {class: classPublic, reason: "the provider's code and the state in the body are the credential; opens only a staff session (TestStaffSSOOverHTTP, portal's TestStaffSSORefusals)"},
}

// isoOp is one operation of the spec.
type isoOp struct {
	id, method, path string
}

func specOperations(t *testing.T) []isoOp {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromFile("../openapi.yaml")
	require.NoError(t, err)
	var ops []isoOp
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			require.NotEmpty(t, op.OperationID, "%s %s has no operationId", method, path)
			ops = append(ops, isoOp{id: op.OperationID, method: method, path: path})
		}
	}
	slices.SortFunc(ops, func(a, b isoOp) int { return strings.Compare(a.id, b.id) })
	return ops
}

var pathParam = regexp.MustCompile(`\{(\w+)\}`)

// fill replaces the placeholders in s with ids; an unknown one fails.
func fill(t *testing.T, s string, ids map[string]string) string {
	t.Helper()
	return pathParam.ReplaceAllStringFunc(s, func(m string) string {
		v, ok := ids[m[1:len(m)-1]]
		require.True(t, ok, "no value for %s", m)
		return v
	})
}

// call sends op as token with ids filled in, and returns the status and body.
func (f *isoFixture) call(t *testing.T, op isoOp, row isoRow, token string, ids map[string]string) (*http.Response, []byte) {
	t.Helper()
	return f.callWith(t, op, row, token, ids, ids)
}

// callWith is call with other IDs in the body than in the path.
func (f *isoFixture) callWith(t *testing.T, op isoOp, row isoRow, token string, ids, bodyIDs map[string]string) (*http.Response, []byte) {
	t.Helper()
	if len(row.alias) > 0 {
		ids, bodyIDs = maps.Clone(ids), maps.Clone(bodyIDs)
		for to, from := range row.alias {
			ids[to], bodyIDs[to] = ids[from], bodyIDs[from]
		}
	}
	path := fill(t, op.path, ids)
	if row.query != "" {
		path += "?" + fill(t, row.query, ids)
	}
	var body io.Reader
	if row.body != "" {
		body = strings.NewReader(fill(t, row.body, bodyIDs))
	}
	header := map[string]string{}
	if row.upload {
		// tinyPNG decodes (pictures are decoded; pngBytes only sniffs as a PNG).
		ct, b := multipartBody(t, "photo.png", map[string][]byte{"file": tinyPNG})
		body, header["Content-Type"] = b, ct
	}
	if row.ifMatch != "" {
		header["If-Match"] = `"` + strconv.FormatInt(f.version(t, row.ifMatch, ids), 10) + `"`
	}
	return f.do(t, op.method, path, token, body, header)
}

// expectStatus checks a status, and the problem code of a refusal. A wrong
// status does not stop the test, so the check that nothing changed still
// runs.
func expectStatus(t *testing.T, res *http.Response, body []byte, want int, msg string) {
	t.Helper()
	if !assert.Equal(t, want, res.StatusCode, "%s: body: %s", msg, body) {
		return
	}
	switch want {
	case no404:
		problem(t, res, body, no404, client.ProblemCodeNotFound)
	case no403:
		problem(t, res, body, no403, client.ProblemCodePermissionDenied)
	case bad400:
		problem(t, res, body, bad400, client.ProblemCodeInvalid)
	}
}

// TestTenantIsolationMatrix calls every operation of openapi.yaml that
// touches a customer as customer A's admin with customer B's IDs, over real
// HTTP against SQLite, and checks that it answers 404 (403 for operations
// that name no customer) and that nothing of either customer changed. It
// mirrors portal's TestAuthorizationMatrix one layer up, so the handler's
// own reads (If-Match checks, body IDs) are covered too.
func TestTenantIsolationMatrix(t *testing.T) {
	t.Parallel()
	ops := specOperations(t)
	inSpec := map[string]bool{}
	for _, op := range ops {
		inSpec[op.id] = true
		row, ok := isolationMatrix[op.id]
		if !ok {
			t.Errorf("operation %s (%s %s) has no row in isolationMatrix: add one", op.id, op.method, op.path)
			continue
		}
		switch row.class {
		case classTenant, classStaff:
			if params := pathParam.FindAllString(op.path, -1); len(params) > 1 && params[0] == "{customerId}" && row.mixed == 0 {
				t.Errorf("%s has IDs below the customer in its path: its row needs mixed", op.id)
			}
		case classSelf, classPublic, classSystem:
			if row.reason == "" {
				t.Errorf("%s is outside the matrix without a reason", op.id)
			}
		default:
			t.Errorf("%s has unknown class %q", op.id, row.class)
		}
	}
	for id := range isolationMatrix {
		if !inSpec[id] {
			t.Errorf("isolationMatrix has a row for %s, which openapi.yaml no longer has", id)
		}
	}

	for _, op := range ops {
		row, ok := isolationMatrix[op.id]
		if !ok || (row.class != classTenant && row.class != classStaff) {
			continue
		}
		t.Run(op.id, func(t *testing.T) {
			t.Parallel() // each operation has its own server and database
			f := newIsoFixture(t)
			a, b := f.ids(f.a), f.ids(f.b)

			unchanged := f.watch(t, f.snapshot)
			res, body := f.call(t, op, row, f.a.admin.Token, b)
			expectStatus(t, res, body, row.foreign, "A's admin with B's IDs")
			if row.scoped {
				assert.NotContains(t, string(body), b["customerId"], "A's admin sees nothing of B")
			}
			unchanged("A's admin with B's IDs changes nothing")

			res, body = f.call(t, op, row, f.a.admin.Token, ghostIDs)
			expectStatus(t, res, body, row.foreign, "A's admin with IDs of nothing, as with B's")
			unchanged("A's admin with IDs of nothing changes nothing")

			if row.mixed != 0 {
				mixed := maps.Clone(b)
				mixed["customerId"] = a["customerId"]
				res, body = f.call(t, op, row, f.a.admin.Token, mixed)
				expectStatus(t, res, body, row.mixed, "A's admin with A's customer and B's other IDs")
				unchanged("A's admin with B's IDs under A's customer changes nothing")
				ghost := maps.Clone(ghostIDs)
				ghost["customerId"] = a["customerId"]
				res, body = f.call(t, op, row, f.a.admin.Token, ghost)
				expectStatus(t, res, body, row.mixed, "A's admin with A's customer and IDs of nothing, as with B's")
				unchanged("A's admin with IDs of nothing under A's customer changes nothing")
			}

			res, body = f.call(t, op, row, f.a.viewer.Token, a)
			expectStatus(t, res, body, row.viewer, "A's viewer with A's IDs")
			if row.viewer >= 400 || isRead(op) {
				unchanged("A's viewer changes nothing")
			}

			if row.crossBody != 0 {
				token := f.a.admin.Token
				if row.class == classStaff {
					token = f.owner
				}
				res, body = f.callWith(t, op, row, token, a, b)
				expectStatus(t, res, body, row.crossBody, "A's IDs in the path and B's in the body")
				unchanged("B's IDs in the body change nothing")
			}

			// The same request is valid: the staff owner may make it on B.
			res, body = f.call(t, op, row, f.owner, b)
			expectStatus(t, res, body, row.staff, "the staff owner with B's IDs")

			unchanged = f.watch(t, f.snapshot)
			res, body = f.call(t, op, row, f.a.admin.Token, a)
			expectStatus(t, res, body, row.admin, "A's admin with A's IDs")
			if row.admin >= 400 || isRead(op) {
				unchanged("A's admin refused changes nothing")
			}
		})
	}
}

func isRead(op isoOp) bool { return op.method == http.MethodGet }

// TestSwitchMembershipToAnotherCustomer covers the one self operation whose
// body names an object: A's admin, who has no membership in B, cannot move
// its session to one of B's memberships.
func TestSwitchMembershipToAnotherCustomer(t *testing.T) {
	t.Parallel()
	f := newIsoFixture(t)
	before := f.snapshot(t)
	for _, mid := range []customer.MembershipID{f.b.admin.Membership.ID, f.b.target.ID} {
		res, body := f.do(t, http.MethodPut, "/v1/me/membership", f.a.admin.Token,
			strings.NewReader(`{"membership_id":"`+string(mid)+`"}`), nil)
		expectStatus(t, res, body, no404, "A's admin switching to "+string(mid))
	}
	assert.Equal(t, before, f.snapshot(t), "nothing changed")

	res, body := f.do(t, http.MethodGet, "/v1/me", f.a.admin.Token, nil, nil)
	require.Equal(t, http.StatusOK, res.StatusCode, "body: %s", body)
	var me client.Me
	require.NoError(t, json.Unmarshal(body, &me))
	require.NotNil(t, me.Principal.CustomerId)
	assert.Equal(t, string(f.a.c.ID), *me.Principal.CustomerId, "the session still acts in A")
}

// Supplier warehouse.

// isoStock is a tenant's supplier warehouse: a product of the tenant's
// own, an item in stock and an issued one, at the tenant's site.
type isoStock struct {
	product         orders.Product
	inStock, issued portal.StockItem
}

// isoStock turns the supplier warehouse on for tn and stocks it; it
// returns the customer as changed.
func (f *isoFixture) isoStock(t *testing.T, tn isoTenant) (customer.Customer, isoStock) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	c, err := f.p.UpdateFeatures(ctx, tn.c.ID, portal.UpdateFeaturesParams{Version: tn.c.Version,
		FeaturesPatch: customer.FeaturesPatch{SupplierWarehouse: ptr(true)}})
	require.NoError(t, err)
	st := isoStock{product: tn.ownProduct}
	items, err := f.p.StockIn(ctx, c.ID, portal.StockInParams{Items: []portal.StockInItemParams{
		{ProductID: st.product.ID, SiteID: tn.site.ID}, {ProductID: st.product.ID, SiteID: tn.site.ID},
	}})
	require.NoError(t, err)
	st.inStock = items[0]
	st.issued, err = f.p.IssueStockItem(ctx, c.ID, items[1].ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Ann"}})
	require.NoError(t, err)
	return c, st
}

// stockSnapshot hands part everything the staff owner sees of tn's
// warehouse: levels, items and each item's history.
func (f *isoFixture) stockSnapshot(t *testing.T, tn isoTenant, part func(what string, v any)) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	levels, err := f.p.ListStockLevels(ctx, tn.c.ID, portal.ListStockLevelsParams{Limit: 100})
	require.NoError(t, err)
	part("stock levels", levels)
	items, err := f.p.ListStockItems(ctx, tn.c.ID, portal.ListStockItemsParams{Limit: 100})
	require.NoError(t, err)
	part("stock items", items)
	for _, it := range items.Items {
		h, err := f.p.GetStockItem(ctx, tn.c.ID, it.ID)
		require.NoError(t, err)
		part("history of "+string(it.ID), h.History)
	}
}

// TestMain closes the pools of copies and removes the isolation and role
// fixtures' templates and the empty database, which live as long as the
// process.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, p := range []*sqlitepool.Pool{isoTemplate.pool, roleTemplate.pool} {
		if p != nil {
			p.Close()
		}
	}
	if isoTemplate.path != "" {
		_ = os.RemoveAll(filepath.Dir(isoTemplate.path))
	}
	if roleTemplate.path != "" {
		_ = os.RemoveAll(filepath.Dir(roleTemplate.path))
	}
	emptySQLite.Close()
	os.Exit(code)
}
