package portal_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/accessrequest"
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
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/webhook"
)

// tenant is one customer of the authorization fixture and the things in it.
type tenant struct {
	c                         customer.Customer
	site, spareSite           customer.Site
	admin, maintainer, viewer portal.Member
	target                    portal.Member // a viewer the membership use cases act on
	readOnlyAdmin             portal.Member // an admin whose session is read-only (access link)
	invitation                invite.Invitation
	accessLink                invite.AccessLink
	ownProduct                orders.Product // a product only this customer sees
	offer                     orders.Offer   // the customer's price for the fixture's global product
	submitted, confirmed      orders.Order   // orders placed by the maintainer, the second confirmed
	stock                     stockTenant    // the supplier warehouse: stockTenant
	bounced                   outbox.ID      // a failed message about the customer
	// Tickets: one the maintainer opened on the customer's site, one the
	// service desk resolved, and a master-data change.
	ticket, resolved, masterData ticket.Ticket
	staffArticle                 news.Article      // the provider's, addressed to this customer alone
	article                      news.Article      // written by the customer's admin
	reply                        ticket.Comment    // the service desk's public reply on ticket
	attachment                   ticket.Attachment // the maintainer's file on ticket
	hr                           hrTenant          // HR sync: authz_hrsync_test.go
	// Field service: a job at site, pushed with reference FS-1, and its visit.
	job     fieldwork.Job
	visit   fieldwork.Visit
	picture fieldwork.Picture
	// Records (recordTenant): a task, a contract with a change request
	// waiting, and the identifiers of an unassigned contract to claim.
	task, contract, meter record.Record
	recordChange          record.ChangeRequest
	claimIDs              map[string]string

	// contact is a contact person with an address, no portal access.
	contact customer.Contact
	sso     portal.SSOSettings // the customer's identity provider (#21)
}

type fixture struct {
	env
	store   *sqlite.Store // a copy of the template's (newFixture)
	changes int64         // the store's total_changes() when the case began
	a, b    tenant
	keyID   identity.APIKeyID
	product orders.Product // a product of the global portfolio
	// invitedAgent and disabledAgent are staff members the staff use
	// cases act on: agents, so that admins may manage them.
	invitedAgent, disabledAgent identity.StaffMember
	// desk is a staff member with the service-desk capability, whom
	// tickets are assigned to.
	desk identity.StaffMember
	// elsewhere is a third customer, with no people: sites move to it.
	elsewhere customer.Customer
	// hook is a webhook endpoint subscribed to every event, and
	// delivery one of its deliveries, failed (so that it may be replayed).
	hook     webhook.EndpointID
	delivery webhook.DeliveryID
	// request is a confirmed access request, pending a decision.
	request accessrequest.Request
}

// bounce refuses mail to bounce@… addresses for good, as a server's 550 would.
func bounce(m mailer.Message) error {
	if strings.HasPrefix(m.To[0], "bounce@") {
		return &mailer.SendError{Permanent: true, Code: 550, Err: errors.New("no such user")}
	}
	return nil
}

// fixtureTemplate is the authorization fixture as built once per process:
// a copy of its database (sqlite.Backup), its values, how many IDs
// building it drew, and its snapshot. Every case of the matrix gets a copy
// of its own (newFixture), so no case sees another's changes, without
// building the fixture through the use cases some 1,400 times.
var fixtureTemplate struct {
	once   sync.Once
	path   string
	f      fixture
	ids    int64
	before []any
}

// newFixture returns a fixture on a fresh copy of the template's database,
// with a portal of its own that draws IDs after the template's.
func newFixture(t *testing.T) fixture {
	t.Helper()
	tp := &fixtureTemplate
	tp.once.Do(func() { buildFixtureTemplate(t) })
	if tp.path == "" {
		t.Fatal("the authorization fixture could not be built (see the first test that tried)")
	}
	store := takeFixtureStore(t, tp.path)
	ids := portal.SequenceAfter(tp.ids)
	rec := &portaltest.Recorder{Err: bounce}
	f := tp.f
	f.env = newEnv(t, store, func(c *portal.Config) { c.Mailer = rec; c.IDs = ids; c.Files = anyFiles{} })
	f.store = store
	f.changes = totalChanges(t, store)
	return f
}

// fixtureStores hands out copies of the template (sqlitepool): opening a
// copy costs every connection a parse of the schema, most of a case's CPU
// under -race, so a case's copy has the rows it wrote put back when the
// case ends and is kept for a later case.
var fixtureStores struct {
	once sync.Once
	pool *sqlitepool.Pool
}

// takeFixtureStore returns a copy of the template at path for t: one that
// an earlier case put back, or a new one. When t ends the copy's rows are
// put back and it is kept for the next case; a copy that cannot be put
// back is closed.
func takeFixtureStore(t *testing.T, path string) *sqlite.Store {
	t.Helper()
	fs := &fixtureStores
	fs.once.Do(func() { fs.pool = sqlitepool.New(path) })
	return fs.pool.Take(t)
}

// wrote reports whether anything was written to f's database since it was
// opened: SQLite's count of the rows its one write connection changed. A
// case that wrote nothing cannot have changed the snapshot, so only one
// that wrote pays for taking it.
func (f fixture) wrote(t *testing.T) bool {
	t.Helper()
	return totalChanges(t, f.store) > f.changes
}

// totalChanges is SQLite's count of rows s's one write connection changed
// since it opened.
func totalChanges(t *testing.T, s *sqlite.Store) int64 {
	t.Helper()
	write, _ := s.DB()
	var n int64
	require.NoError(t, write.QueryRowContext(t.Context(), `SELECT total_changes()`).Scan(&n))
	return n
}

// buildFixtureTemplate builds the fixture through the use cases, on a
// store of its own, and keeps a copy of its database in a directory that
// outlives t.
func buildFixtureTemplate(t *testing.T) {
	ids := &portal.Sequence{}
	store := newSQLiteStore(t)
	f := buildFixture(t, store, ids)
	before := f.snapshot(t)
	dir, err := os.MkdirTemp("", "portalkit-authz-")
	require.NoError(t, err)
	path := filepath.Join(dir, "fixture.db")
	require.NoError(t, sqlite.Backup(t.Context(), store.(*sqlite.Store), path))
	fixtureTemplate.path, fixtureTemplate.f, fixtureTemplate.ids, fixtureTemplate.before = path, f, ids.Drawn(), before
}

func buildFixture(t *testing.T, store storage.Store, ids portal.IDSource) fixture {
	t.Helper()
	rec := &portaltest.Recorder{Err: bounce}
	f := fixture{env: newEnv(t, store, func(c *portal.Config) { c.Mailer = rec; c.IDs = ids; c.Files = anyFiles{} })}
	var err error
	hook, err := f.p.CreateWebhookEndpoint(f.owner, portal.CreateWebhookEndpointParams{URL: "https://93.184.215.14/hooks", EventTypes: webhook.Types})
	require.NoError(t, err)
	f.hook = hook.ID
	f.product, err = f.p.CreateProduct(f.owner, portal.CreateProductParams{SKU: "LAP-1", Name: "Laptop", Price: orders.Money{Amount: 100_000, Currency: "EUR"}})
	require.NoError(t, err)
	mk := func(name, domain string) tenant {
		var tn tenant
		var err error
		tn.c, err = f.p.CreateCustomer(f.owner, portal.CreateCustomerParams{Name: name, Features: customer.FeaturesPatch{
			AccessLinks: ptr(true), OrderAuthorization: ptr(true), Tickets: ptr(true),
			Jobs: ptr(true), Visits: ptr(true), Pictures: ptr(true),
		}})
		require.NoError(t, err)
		tn.site = f.createSite(t, tn.c.ID, "HQ")
		tn.spareSite = f.createSite(t, tn.c.ID, "Spare")
		tn.job, _, err = f.p.PutJob(f.owner, tn.c.ID, portal.JobParams{SiteID: tn.site.ID, Type: "repair", Title: "Boiler",
			PlannedAt: f.p.Now(), ExternalRef: "FS-1"})
		require.NoError(t, err)
		tn.visit, _, err = f.p.PutVisit(f.owner, tn.c.ID, tn.job.ID, portal.VisitParams{Technician: "Tess", StartedAt: f.p.Now()})
		require.NoError(t, err)
		tn.picture, err = f.p.UploadPicture(f.owner, tn.c.ID, tn.job.ID, portal.UploadPictureParams{Name: "boiler.png"}, bytes.NewReader(tinyPNG))
		require.NoError(t, err)
		tn.admin = f.addMember(t, tn.c.ID, "admin@"+domain, customer.RoleAdmin)
		tn.maintainer = f.addMember(t, tn.c.ID, "maintainer@"+domain, customer.RoleMaintainer)
		tn.viewer = f.addMember(t, tn.c.ID, "viewer@"+domain, customer.RoleViewer)
		tn.target = f.addMember(t, tn.c.ID, "target@"+domain, customer.RoleViewer)
		tn.readOnlyAdmin = f.addMember(t, tn.c.ID, "ro@"+domain, customer.RoleAdmin)
		tn.invitation, err = f.p.Invite(f.owner, tn.c.ID, portal.InviteParams{Email: "invitee@" + domain, Role: customer.RoleViewer})
		require.NoError(t, err)
		link, err := f.p.CreateAccessLink(f.owner, tn.c.ID, tn.target.ID, portal.CreateAccessLinkParams{})
		require.NoError(t, err)
		tn.accessLink = link.Link
		tn.ownProduct, err = f.p.CreateProduct(f.owner, portal.CreateProductParams{
			SKU: "OWN-" + name, Name: name + " special", Price: orders.Money{Amount: 5_000, Currency: "EUR"}, CustomerID: tn.c.ID})
		require.NoError(t, err)
		tn.offer, err = f.p.CreateOffer(f.owner, tn.c.ID, portal.CreateOfferParams{ProductID: f.product.ID, Price: orders.Money{Amount: 90_000, Currency: "EUR"}})
		require.NoError(t, err)
		place := func() orders.Order {
			o, err := f.p.PlaceOrder(as(t, tn.maintainer), tn.c.ID, portal.PlaceOrderParams{
				Lines:     []portal.OrderLineParams{{ProductID: f.product.ID, Quantity: 2}, {ProductID: tn.ownProduct.ID, Quantity: 1}},
				Recipient: &orders.Employee{Name: "Bob"},
			})
			require.NoError(t, err)
			return o
		}
		tn.submitted = place()
		tn.confirmed, err = f.p.ConfirmOrder(f.owner, place().ID, portal.DecideOrderParams{})
		require.NoError(t, err)
		tn.c, tn.stock = f.stockTenant(t, tn)
		_, err = f.p.Invite(f.owner, tn.c.ID, portal.InviteParams{Email: "bounce@" + domain, Role: customer.RoleViewer})
		require.NoError(t, err)
		rec.Deliver()
		failed, err := f.p.ListMail(f.owner, portal.ListMailParams{Status: outbox.Failed, CustomerID: tn.c.ID})
		require.NoError(t, err)
		require.Len(t, failed.Items, 1)
		tn.bounced = failed.Items[0].ID
		_, err = f.p.PutMailTemplate(f.owner, tn.c.ID, mailer.KindInvitation, "de", portal.MailTemplateParams{Subject: "Willkommen bei {{.CustomerName}}"})
		require.NoError(t, err)
		tn.ticket, tn.resolved, tn.masterData, tn.reply = f.ticketTenant(t, tn)
		tn.attachment, err = f.p.AttachToTicket(as(t, tn.maintainer), tn.c.ID, tn.ticket.ID, portal.AttachToTicketParams{Name: "photo.txt"}, strings.NewReader("a crack"))
		require.NoError(t, err)
		tn.staffArticle, err = f.p.CreateArticle(f.owner, portal.CreateArticleParams{Title: "For " + name, Body: "Hello", Audience: news.Only(tn.c.ID)})
		require.NoError(t, err)
		tn.article, err = f.p.CreateCustomerArticle(as(t, tn.admin), tn.c.ID, portal.CreateCustomerArticleParams{Title: name + " news", Body: "Hi"})
		require.NoError(t, err)
		tn.c, tn.hr = f.hrTenant(t, tn)
		tn.task, tn.contract, tn.meter, tn.recordChange, tn.claimIDs = f.recordTenant(t, tn)
		tn.contact, err = f.p.CreateContact(f.owner, tn.c.ID, portal.ContactParams{Name: "Carla Contact", Email: "carla@" + domain,
			Addresses: []customer.ContactAddress{{Label: "Office", Address: customer.Address{City: "Berlin"}}}})
		require.NoError(t, err)
		tn.sso, err = f.p.PutSSOConfig(f.owner, tn.c.ID, portal.PutSSOConfigParams{
			Issuer: "https://login." + domain, ClientID: "portal", ClientSecret: "secret", Domains: []string{domain},
		})
		require.NoError(t, err)
		// The customer's admin claims a domain more, which waits for staff.
		tn.sso, err = f.p.PutSSOConfig(as(t, tn.admin), tn.c.ID, portal.PutSSOConfigParams{
			Issuer: "https://login." + domain, ClientID: "portal", Domains: []string{domain, "sso." + domain}, Version: tn.sso.Version,
		})
		require.NoError(t, err)
		require.Equal(t, []string{"sso." + domain}, tn.sso.Pending)
		return tn
	}
	f.a = mk("Acme", "acme.example")
	f.b = mk("Globex", "globex.example")
	key, err := f.p.CreateAPIKey(f.owner, portal.CreateAPIKeyParams{Name: "ERP", Role: identity.StaffAgent})
	require.NoError(t, err)
	f.keyID = key.Key.ID
	f.invitedAgent, err = f.p.InviteStaff(f.owner, portal.InviteStaffParams{Email: "agent@provider.example", Name: "Agent", Role: identity.StaffAgent})
	require.NoError(t, err)
	off, err := f.p.InviteStaff(f.owner, portal.InviteStaffParams{Email: "off@provider.example", Name: "Off", Role: identity.StaffAgent})
	require.NoError(t, err)
	f.disabledAgent, err = f.p.DisableStaff(f.owner, off.ID)
	require.NoError(t, err)
	desk, err := f.p.InviteStaff(f.owner, portal.InviteStaffParams{Email: "desk@provider.example", Name: "Desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	f.desk, err = f.p.UpdateStaff(f.owner, desk.ID, portal.UpdateStaffParams{Version: desk.Version, ServiceDesk: ptr(true)})
	require.NoError(t, err)
	f.elsewhere = f.createCustomer(t, "Initech")
	// The fixture's deliveries fail unsent while the endpoint is off, then
	// it is on again: one of them can be replayed.
	_, err = f.p.UpdateWebhookEndpoint(f.owner, f.hook, portal.UpdateWebhookEndpointParams{Enabled: ptr(false)})
	require.NoError(t, err)
	_, err = f.p.DeliverWebhooks(t.Context(), portal.WebhookOptions{BatchSize: portal.MaxOutboxBatchSize})
	require.NoError(t, err)
	_, err = f.p.UpdateWebhookEndpoint(f.owner, f.hook, portal.UpdateWebhookEndpointParams{Enabled: ptr(true)})
	require.NoError(t, err)
	ds, err := f.p.ListWebhookDeliveries(f.owner, f.hook, portal.ListWebhookDeliveriesParams{Status: outbox.Failed, Limit: 1})
	require.NoError(t, err)
	require.Len(t, ds.Items, 1)
	f.delivery = ds.Items[0].ID
	require.NoError(t, f.p.RequestAccess(t.Context(), portal.RequestAccessParams{CompanyName: "Initech", Name: "Peter", Email: "peter@initech.example"}))
	confirm, ok := rec.Last("peter@initech.example")
	require.True(t, ok)
	require.NoError(t, f.p.ConfirmAccessRequest(t.Context(), confirm.Token))
	reqs, err := f.p.ListAccessRequests(f.owner, portal.ListAccessRequestsParams{})
	require.NoError(t, err)
	require.Len(t, reqs.Items, 1)
	f.request = reqs.Items[0]
	rec.Deliver()
	return f
}

// useCase is one row of the matrix: how to call a use case of portal on a
// tenant, and who the test expects to be allowed. The expectations are
// written here on purpose, independently of portal's policy table.
type useCase struct {
	staff identity.StaffRole // least staff role allowed; "" for none
	// desk asks staff for the service-desk capability besides the role;
	// API keys have it.
	desk bool
	user customer.Role // least customer role allowed; "" for none
	// call runs the use case against tenant tn. It returns the customers it
	// let the caller see, for use cases that list.
	call func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error)
	// global use cases name no customer: a user asking about a foreign one
	// is refused by role or scoped, not NotFound.
	global bool
	// people refuses API keys whatever their role: the use case needs a
	// person to answer for it (Rule.PeopleOnly).
	people bool
	// scim lets a customer's SCIM token call the use case for its own
	// customer.
	scim bool
}

func none(err error) ([]customer.ID, error) { return nil, err }

func none2[T any](_ T, err error) ([]customer.ID, error) { return nil, err }

var useCases = map[string]useCase{
	// Support tickets: reading is everyone's; working them needs the
	// service-desk capability, whatever the staff role.
	"TicketTypes": {staff: identity.StaffAgent, user: customer.RoleViewer, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.TicketTypes(ctx))
	}},
	"OpenTicket": {staff: identity.StaffAgent, desk: true, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.OpenTicket(ctx, tn.c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "Help"}))
	}},
	"GetTicket": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetTicket(ctx, tn.c.ID, tn.ticket.ID))
	}},
	"ListTickets": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListTickets(ctx, tn.c.ID, portal.ListTicketsParams{})
		var ids []customer.ID
		for _, t := range l.Items {
			ids = append(ids, t.CustomerID)
		}
		return ids, err
	}},
	"ListTicketComments": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListTicketComments(ctx, tn.c.ID, tn.ticket.ID, portal.ListTicketCommentsParams{}))
	}},
	"GetTicketComment": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetTicketComment(ctx, tn.c.ID, tn.ticket.ID, tn.reply.ID))
	}},
	"AddTicketComment": {staff: identity.StaffAgent, desk: true, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.AddTicketComment(ctx, tn.c.ID, tn.ticket.ID, portal.AddTicketCommentParams{Body: "Any news?"}))
	}},
	"AttachToTicket": {staff: identity.StaffAgent, desk: true, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.AttachToTicket(ctx, tn.c.ID, tn.ticket.ID, portal.AttachToTicketParams{Name: "log.txt"}, strings.NewReader("it broke")))
	}},
	"ListTicketAttachments": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListTicketAttachments(ctx, tn.c.ID, tn.ticket.ID))
	}},
	"OpenTicketAttachment": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		rc, _, err := f.p.OpenTicketAttachment(ctx, tn.c.ID, tn.ticket.ID, tn.attachment.ID)
		if rc != nil {
			rc.Close()
		}
		return nil, err
	}},
	"ReopenTicket": {staff: identity.StaffAgent, desk: true, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ReopenTicket(ctx, tn.c.ID, tn.resolved.ID, portal.ReopenTicketParams{Version: tn.resolved.Version}))
	}},
	"ChangeTicketStatus": {staff: identity.StaffAgent, desk: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ChangeTicketStatus(ctx, tn.c.ID, tn.ticket.ID, portal.ChangeTicketStatusParams{Version: tn.ticket.Version, Status: ticket.StatusInProgress}))
	}},
	"SetTicketPriority": {staff: identity.StaffAgent, desk: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.SetTicketPriority(ctx, tn.c.ID, tn.ticket.ID, portal.SetTicketPriorityParams{Version: tn.ticket.Version, Priority: ticket.PriorityUrgent}))
	}},
	"AssignTicket": {staff: identity.StaffAgent, desk: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.AssignTicket(ctx, tn.c.ID, tn.ticket.ID, portal.AssignTicketParams{Version: tn.ticket.Version, Assignee: f.desk.ID}))
	}},
	"ApplyMasterDataChange": {staff: identity.StaffAgent, desk: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		_, _, err := f.p.ApplyMasterDataChange(ctx, tn.c.ID, tn.masterData.ID, portal.ApplyMasterDataChangeParams{
			Version: tn.masterData.Version, CustomerVersion: tn.c.Version, Resolve: true})
		return nil, err
	}},
	"TicketQueue": {staff: identity.StaffAgent, desk: true, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.TicketQueue(ctx, portal.TicketQueueParams{CustomerID: tn.c.ID}))
	}},

	// Staff members: provider-wide, so customer users are refused by role.
	"InviteStaff": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.InviteStaff(ctx, portal.InviteStaffParams{Email: "new@provider.example", Name: "New", Role: identity.StaffAgent}))
	}},
	"ListStaff": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ListStaff(ctx, portal.ListStaffParams{}))
	}},
	"GetStaff": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.GetStaff(ctx, f.invitedAgent.ID))
	}},
	"UpdateStaff": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateStaff(ctx, f.invitedAgent.ID, portal.UpdateStaffParams{Version: f.invitedAgent.Version, Name: ptr("Renamed")}))
	}},
	"DisableStaff": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.DisableStaff(ctx, f.invitedAgent.ID))
	}},
	"EnableStaff": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.EnableStaff(ctx, f.disabledAgent.ID))
	}},
	"ResendStaffInvitation": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ResendStaffInvitation(ctx, f.invitedAgent.ID))
	}},
	"CreateCustomer": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "New sub", ParentID: tn.c.ID}))
	}},
	"GetCustomer": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetCustomer(ctx, tn.c.ID))
	}},
	"ListCustomers": {staff: identity.StaffAgent, user: customer.RoleViewer, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListCustomers(ctx, portal.ListCustomersParams{Search: tn.c.Name})
		var ids []customer.ID
		for _, c := range l.Items {
			ids = append(ids, c.ID)
		}
		return ids, err
	}},
	"UpdateCustomer": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateCustomer(ctx, tn.c.ID, portal.UpdateCustomerParams{Version: tn.c.Version, Name: ptr("Renamed")}))
	}},
	"SuspendCustomer": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.SuspendCustomer(ctx, tn.c.ID))
	}},
	"ReactivateCustomer": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ReactivateCustomer(ctx, tn.c.ID))
	}},
	"ArchiveCustomer": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ArchiveCustomer(ctx, tn.c.ID))
	}},
	"GetFeatures": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetFeatures(ctx, tn.c.ID))
	}},
	"UpdateFeatures": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateFeatures(ctx, tn.c.ID, portal.UpdateFeaturesParams{Version: tn.c.Version, FeaturesPatch: customer.FeaturesPatch{Tickets: ptr(true)}}))
	}},
	"CreateSite": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateSite(ctx, tn.c.ID, portal.SiteParams{Name: "Plant"}))
	}},
	"GetSite": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetSite(ctx, tn.c.ID, tn.site.ID))
	}},
	"ListSites": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListSites(ctx, tn.c.ID, portal.ListSitesParams{}))
	}},
	"RenameSite": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RenameSite(ctx, tn.c.ID, tn.site.ID, portal.SiteParams{Name: "Head office"}))
	}},
	"DeleteSite": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.DeleteSite(ctx, tn.c.ID, tn.spareSite.ID))
	}},
	"AddMember": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.AddMember(ctx, tn.c.ID, portal.AddMemberParams{Email: "new@example.com", Name: "New", Role: customer.RoleViewer}))
	}},
	"GetMember": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetMember(ctx, tn.c.ID, tn.target.ID))
	}},
	"ListMembers": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListMembers(ctx, tn.c.ID, portal.ListMembersParams{}))
	}},
	"ChangeRole": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ChangeRole(ctx, tn.c.ID, tn.target.ID, portal.ChangeRoleParams{Role: customer.RoleMaintainer}))
	}},
	"ChangeSites": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ChangeSites(ctx, tn.c.ID, tn.target.ID, portal.ChangeSitesParams{SiteIDs: []customer.SiteID{tn.site.ID}}))
	}},
	"DisableMember": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.DisableMember(ctx, tn.c.ID, tn.target.ID))
	}},
	"EnableMember": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.EnableMember(ctx, tn.c.ID, tn.target.ID))
	}},
	"RemoveMember": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.RemoveMember(ctx, tn.c.ID, tn.target.ID))
	}},
	"Invite": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.Invite(ctx, tn.c.ID, portal.InviteParams{Email: "newbie@example.com", Role: customer.RoleMaintainer}))
	}},
	"ListInvitations": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListInvitations(ctx, tn.c.ID, portal.ListInvitationsParams{}))
	}},
	"GetInvitation": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		inv, err := f.p.GetInvitation(ctx, tn.c.ID, tn.invitation.ID)
		if err != nil {
			return nil, err
		}
		return []customer.ID{inv.CustomerID}, nil
	}},
	"ResendInvitation": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ResendInvitation(ctx, tn.c.ID, tn.invitation.ID, portal.ResendInvitationParams{}))
	}},
	"RevokeInvitation": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RevokeInvitation(ctx, tn.c.ID, tn.invitation.ID))
	}},
	"CreateAccessLink": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateAccessLink(ctx, tn.c.ID, tn.viewer.ID, portal.CreateAccessLinkParams{ReadOnly: true}))
	}},
	"ListAccessLinks": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListAccessLinks(ctx, tn.c.ID, portal.ListAccessLinksParams{}))
	}},
	"RefreshAccessLink": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RefreshAccessLink(ctx, tn.c.ID, tn.accessLink.ID))
	}},
	"DisableAccessLink": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.DisableAccessLink(ctx, tn.c.ID, tn.accessLink.ID))
	}},
	"SendAccessLink": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.SendAccessLink(ctx, tn.c.ID, tn.accessLink.ID))
	}},
	"DisableUser": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.DisableUser(ctx, tn.target.User.ID))
	}},
	"EnableUser": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.EnableUser(ctx, tn.target.User.ID))
	}},
	"CreateAPIKey": {staff: identity.StaffOwner, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.CreateAPIKey(ctx, portal.CreateAPIKeyParams{Name: "Script", Role: identity.StaffAgent}))
	}},
	"ListAPIKeys": {staff: identity.StaffOwner, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ListAPIKeys(ctx, portal.ListAPIKeysParams{}))
	}},
	"RevokeAPIKey": {staff: identity.StaffOwner, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.RevokeAPIKey(ctx, f.keyID))
	}},
	"ListMail": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ListMail(ctx, portal.ListMailParams{Status: outbox.Failed}))
	}},
	"RetryMail": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RetryMail(ctx, tn.bounced))
	}},
	"ListMailTemplates": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListMailTemplates(ctx, tn.c.ID))
	}},
	"GetMailTemplate": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetMailTemplate(ctx, tn.c.ID, mailer.KindInvitation, "de"))
	}},
	"PutMailTemplate": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.PutMailTemplate(ctx, tn.c.ID, mailer.KindLoginLink, "en", portal.MailTemplateParams{Text: "Sign in: {{.Link}}"}))
	}},
	"DeleteMailTemplate": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.DeleteMailTemplate(ctx, tn.c.ID, mailer.KindInvitation, "de"))
	}},
	"PreviewMailTemplate": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.PreviewMailTemplate(ctx, tn.c.ID, mailer.KindInvitation, "en", portal.MailTemplateParams{Subject: "Join {{.CustomerName}}"}))
	}},
	// Products are the provider's: customer users see them through their catalogue.
	"CreateProduct": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateProduct(ctx, portal.CreateProductParams{SKU: "NEW-1", Name: "New", Price: orders.Money{Amount: 1, Currency: "EUR"}, CustomerID: tn.c.ID}))
	}},
	"GetProduct": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetProduct(ctx, tn.ownProduct.ID))
	}},
	"ListProducts": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListProducts(ctx, portal.ListProductsParams{CustomerID: tn.c.ID}))
	}},
	"UpdateProduct": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateProduct(ctx, tn.ownProduct.ID, portal.UpdateProductParams{Version: tn.ownProduct.Version, Name: ptr("Renamed")}))
	}},
	"DeactivateProduct": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.DeactivateProduct(ctx, tn.ownProduct.ID))
	}},
	"CreateOffer": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateOffer(ctx, tn.c.ID, portal.CreateOfferParams{ProductID: tn.ownProduct.ID, Price: orders.Money{Amount: 1, Currency: "EUR"}}))
	}},
	"GetOffer": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetOffer(ctx, tn.c.ID, tn.offer.ID))
	}},
	"ListOffers": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListOffers(ctx, tn.c.ID, portal.ListOffersParams{}))
	}},
	"UpdateOffer": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateOffer(ctx, tn.c.ID, tn.offer.ID, portal.UpdateOfferParams{Version: tn.offer.Version, Price: orders.Money{Amount: 1, Currency: "EUR"}}))
	}},
	"DeleteOffer": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.DeleteOffer(ctx, tn.c.ID, tn.offer.ID))
	}},
	"GetCatalogue": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetCatalogue(ctx, tn.c.ID, portal.GetCatalogueParams{}))
	}},
	// Orders are placed by customer users only: staff decide on them.
	"PlaceOrder": {user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.PlaceOrder(ctx, tn.c.ID, portal.PlaceOrderParams{
			Lines: []portal.OrderLineParams{{ProductID: tn.ownProduct.ID, Quantity: 1}}, Recipient: &orders.Employee{Name: "Carol"},
		}))
	}},
	"GetOrder": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetOrder(ctx, tn.c.ID, tn.submitted.ID))
	}},
	"ListOrders": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListOrders(ctx, tn.c.ID, portal.ListOrdersParams{})
		return orderCustomers(l.Items), err
	}},
	"CancelOrder": {staff: identity.StaffAgent, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		// A customer withdraws a submitted order; staff cancel a confirmed one.
		o := tn.confirmed
		if who, _ := identity.FromContext(ctx); who.Kind == identity.KindUser {
			o = tn.submitted
		}
		return none2(f.p.CancelOrder(ctx, tn.c.ID, o.ID, portal.CancelOrderParams{Reason: "changed our mind"}))
	}},
	"OrderInbox": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.OrderInbox(ctx, portal.OrderInboxParams{CustomerID: tn.c.ID})
		return orderCustomers(l.Items), err
	}},
	"ConfirmOrder": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ConfirmOrder(ctx, tn.submitted.ID, portal.DecideOrderParams{Note: "ok"}))
	}},
	"RejectOrder": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RejectOrder(ctx, tn.submitted.ID, portal.RejectOrderParams{Reason: "out of stock"}))
	}},
	"FulfilOrder": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.FulfilOrder(ctx, tn.confirmed.ID, portal.DecideOrderParams{}))
	}},
	// Supplier warehouse (stock.go); the fixture is stockTenant.
	"ListStockLevels": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListStockLevels(ctx, tn.c.ID, portal.ListStockLevelsParams{}))
	}},
	"ListStockItems": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListStockItems(ctx, tn.c.ID, portal.ListStockItemsParams{}))
	}},
	"GetStockItem": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetStockItem(ctx, tn.c.ID, tn.stock.inStock.ID))
	}},
	"StockIn": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.StockIn(ctx, tn.c.ID, portal.StockInParams{Items: []portal.StockInItemParams{{ProductID: tn.stock.product.ID, SiteID: tn.site.ID}}}))
	}},
	"IssueStockItem": {staff: identity.StaffAgent, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.IssueStockItem(ctx, tn.c.ID, tn.stock.inStock.ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Bob"}}))
	}},
	"ReturnStockItem": {staff: identity.StaffAgent, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ReturnStockItem(ctx, tn.c.ID, tn.stock.issued.ID, portal.ReturnStockItemParams{}))
	}},
	"RetireStockItem": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RetireStockItem(ctx, tn.c.ID, tn.stock.inStock.ID, portal.RetireStockItemParams{Reason: "broken"}))
	}},

	// News (news.go): the provider's articles are staff-wide; a customer's
	// news is read by its people and written by its admins.
	"CreateArticle": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateArticle(ctx, portal.CreateArticleParams{Title: "New", Body: "Body", Audience: news.Only(tn.c.ID)}))
	}},
	"ListArticles": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListArticles(ctx, portal.ListArticlesParams{Reader: tn.c.ID}))
	}},
	"GetArticle": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetArticle(ctx, tn.staffArticle.ID))
	}},
	"UpdateArticle": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateArticle(ctx, tn.staffArticle.ID, portal.UpdateArticleParams{Version: tn.staffArticle.Version, Title: ptr("Changed")}))
	}},
	"DeleteArticle": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.DeleteArticle(ctx, tn.staffArticle.ID))
	}},
	"ListCustomerNews": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListCustomerNews(ctx, tn.c.ID, portal.ListCustomerNewsParams{})
		var ids []customer.ID
		for _, a := range l.Items {
			ids = append(ids, a.Audience.Customers...)
		}
		return ids, err
	}},
	"GetCustomerArticle": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetCustomerArticle(ctx, tn.c.ID, tn.staffArticle.ID))
	}},
	"CreateCustomerArticle": {staff: identity.StaffAdmin, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateCustomerArticle(ctx, tn.c.ID, portal.CreateCustomerArticleParams{Title: "Ours", Body: "Body"}))
	}},
	"UpdateCustomerArticle": {staff: identity.StaffAdmin, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateCustomerArticle(ctx, tn.c.ID, tn.article.ID, portal.UpdateArticleParams{Version: tn.article.Version, Title: ptr("Changed")}))
	}},
	"DeleteCustomerArticle": {staff: identity.StaffAdmin, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.DeleteCustomerArticle(ctx, tn.c.ID, tn.article.ID))
	}},

	// Field service (#18): staff move sites between customers.
	"PutJob": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		_, _, err := f.p.PutJob(ctx, tn.c.ID, portal.JobParams{SiteID: tn.site.ID, Type: "repair", Title: "Pump", PlannedAt: f.p.Now()})
		return nil, err
	}},
	"UpdateJob": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateJob(ctx, tn.c.ID, tn.job.ID, portal.UpdateJobParams{Status: ptr(fieldwork.StatusScheduled)}))
	}},
	"GetJob": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetJob(ctx, tn.c.ID, tn.job.ID))
	}},
	"ListJobs": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListJobs(ctx, tn.c.ID, portal.ListJobsParams{})
		var ids []customer.ID
		for _, j := range l.Items {
			ids = append(ids, j.CustomerID)
		}
		return ids, err
	}},
	"PutVisit": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		_, _, err := f.p.PutVisit(ctx, tn.c.ID, tn.job.ID, portal.VisitParams{Technician: "Tom", StartedAt: f.p.Now()})
		return nil, err
	}},
	"GetVisit": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetVisit(ctx, tn.c.ID, tn.visit.ID))
	}},
	"ListVisits": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListVisits(ctx, tn.c.ID, portal.ListVisitsParams{})
		var ids []customer.ID
		for _, v := range l.Items {
			ids = append(ids, v.CustomerID)
		}
		return ids, err
	}},
	"UploadPicture": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UploadPicture(ctx, tn.c.ID, tn.job.ID, portal.UploadPictureParams{Name: "pump.png"}, bytes.NewReader(tinyPNG)))
	}},
	"ListPictures": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListPictures(ctx, tn.c.ID, portal.ListPicturesParams{})
		var ids []customer.ID
		for _, p := range l.Items {
			ids = append(ids, p.CustomerID)
		}
		return ids, err
	}},
	"OpenPicture": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		rc, _, err := f.p.OpenPicture(ctx, tn.c.ID, tn.picture.ID, true)
		if rc != nil {
			rc.Close()
		}
		return nil, err
	}},
	"MoveSite": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.MoveSite(ctx, tn.c.ID, tn.spareSite.ID, portal.MoveSiteParams{To: f.elsewhere.ID}))
	}},
	// Shared records (records.go): staff keep them and decide change
	// requests; a customer's people read them, maintainers edit, admins
	// claim.
	"RecordTypes": {staff: identity.StaffAgent, user: customer.RoleViewer, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.RecordTypes(ctx))
	}},
	"RecordType": {staff: identity.StaffAgent, user: customer.RoleViewer, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.RecordType(ctx, record.TypeContract, 0))
	}},
	"DefineRecordType": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.DefineRecordType(ctx, record.Type{Name: "plan", Fields: []record.Field{{Name: "code", Kind: record.KindText}}}))
	}},
	"CreateRecord": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateRecord(ctx, tn.c.ID, portal.RecordParams{Type: record.TypeTask, Values: map[string]string{"title": "New", "status": "open"}}))
	}},
	"UpsertRecords": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpsertRecords(ctx, []portal.UpsertRecordParams{{CustomerID: tn.c.ID, Type: record.TypeTask, ExternalRef: "t-1", Values: map[string]string{"title": "New", "status": "open"}}}))
	}},
	"GetRecord": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		r, err := f.p.GetRecord(ctx, tn.c.ID, tn.contract.ID)
		return recordCustomer(r, err)
	}},
	"ListRecords": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListRecords(ctx, tn.c.ID, portal.ListRecordsParams{})
		var ids []customer.ID
		for _, r := range l.Items {
			ids = append(ids, r.CustomerID)
		}
		return ids, err
	}},
	"AllRecords": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.AllRecords(ctx, portal.AllRecordsParams{CustomerID: tn.c.ID}))
	}},
	"UpdateRecord": {staff: identity.StaffAgent, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateRecord(ctx, tn.c.ID, tn.task.ID, portal.UpdateRecordParams{Version: tn.task.Version, Values: map[string]string{"status": "done"}}))
	}},
	"ClaimRecord": {user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return recordCustomer(f.p.ClaimRecord(ctx, tn.c.ID, portal.ClaimRecordParams{Type: record.TypeContract, Identifiers: tn.claimIDs}))
	}},
	"RecordChanges": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RecordChanges(ctx, portal.ListRecordChangesParams{CustomerID: tn.c.ID}))
	}},
	"RecordChangesOf": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.RecordChangesOf(ctx, tn.c.ID, tn.contract.ID)
		var ids []customer.ID
		for _, c := range l {
			ids = append(ids, c.CustomerID)
		}
		return ids, err
	}},
	"RecordActions": {staff: identity.StaffAgent, user: customer.RoleViewer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RecordActions(ctx, tn.c.ID, tn.meter.ID))
	}},
	"RunRecordAction": {staff: identity.StaffAgent, desk: true, user: customer.RoleMaintainer, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		tk, err := f.p.RunRecordAction(ctx, tn.c.ID, tn.meter.ID, "report_reading", portal.RecordActionParams{Description: "1234"})
		if err != nil {
			return nil, err
		}
		return []customer.ID{tk.CustomerID}, nil
	}},
	"DecideRecordChange": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.DecideRecordChange(ctx, tn.recordChange.ID, portal.DecideRecordChangeParams{Approve: true}))
	}},

	// Webhooks (webhooks.go): the provider's integrations, staff only.
	"ListWebhookEndpoints": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ListWebhookEndpoints(ctx, portal.ListWebhookEndpointsParams{}))
	}},
	"GetWebhookEndpoint": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.GetWebhookEndpoint(ctx, f.hook))
	}},
	"CreateWebhookEndpoint": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateWebhookEndpoint(ctx, portal.CreateWebhookEndpointParams{URL: "https://93.184.215.15/hooks", EventTypes: []webhook.Type{webhook.OrderSubmitted}, CustomerID: tn.c.ID}))
	}},
	"UpdateWebhookEndpoint": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateWebhookEndpoint(ctx, f.hook, portal.UpdateWebhookEndpointParams{Description: ptr("ERP")}))
	}},
	"RotateWebhookSecret": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.RotateWebhookSecret(ctx, f.hook, portal.RotateWebhookSecretParams{Overlap: time.Hour}))
	}},
	"DeleteWebhookEndpoint": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none(f.p.DeleteWebhookEndpoint(ctx, f.hook))
	}},
	"ListWebhookDeliveries": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ListWebhookDeliveries(ctx, f.hook, portal.ListWebhookDeliveriesParams{}))
	}},
	"GetWebhookDelivery": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.GetWebhookDelivery(ctx, f.delivery))
	}},
	"ReplayWebhookDelivery": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ReplayWebhookDelivery(ctx, f.delivery))
	}},
	"ReplayWebhookDeliveries": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ReplayWebhookDeliveries(ctx, f.hook, portal.ReplayWebhookDeliveriesParams{From: portaltest.Epoch, To: portaltest.Epoch.Add(365 * 24 * time.Hour)}))
	}},

	// Access requests: the public asks, staff decide; no customer user
	// sees them (they are nobody's yet), so customer users are refused by
	// role. Creating a customer for one is for admins, as CreateCustomer.
	"ListAccessRequests": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ListAccessRequests(ctx, portal.ListAccessRequestsParams{}))
	}},
	"CountAccessRequests": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.CountAccessRequests(ctx))
	}},
	"GetAccessRequest": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.GetAccessRequest(ctx, f.request.ID))
	}},
	"ConnectAccessRequestToNewCustomer": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ConnectAccessRequestToNewCustomer(ctx, f.request.ID, portal.ConnectNewCustomerParams{
			Version: f.request.Version, Customer: portal.AccessRequestCustomer(f.request)}))
	}},
	"ConnectAccessRequestToCustomer": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ConnectAccessRequestToCustomer(ctx, f.request.ID, portal.ConnectExistingCustomerParams{
			Version: f.request.Version, CustomerID: tn.c.ID, Role: customer.RoleViewer, SiteIDs: []customer.SiteID{tn.site.ID}}))
	}},
	"RejectAccessRequest": {staff: identity.StaffAgent, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.RejectAccessRequest(ctx, f.request.ID, portal.RejectAccessRequestParams{Version: f.request.Version, Message: "No."}))
	}},

	// Contacts: a customer's record of its people, kept by staff and its
	// admins. Correcting a person's name and address is staff admins'.
	"CreateContact": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateContact(ctx, tn.c.ID, portal.ContactParams{Name: "New Contact"}))
	}},
	"ListContacts": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListContacts(ctx, tn.c.ID, portal.ListContactsParams{})
		var ids []customer.ID
		for _, c := range l.Items {
			ids = append(ids, c.CustomerID)
		}
		return ids, err
	}},
	"GetContact": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetContact(ctx, tn.c.ID, tn.contact.ID))
	}},
	"UpdateContact": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateContact(ctx, tn.c.ID, tn.contact.ID, portal.UpdateContactParams{Version: tn.contact.Version, ContactParams: portal.ContactParams{Name: "Renamed"}}))
	}},
	"DeleteContact": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.DeleteContact(ctx, tn.c.ID, tn.contact.ID))
	}},
	"EnableContactPortalAccess": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.EnableContactPortalAccess(ctx, tn.c.ID, tn.contact.ID, portal.ContactAccessParams{Role: customer.RoleViewer}))
	}},
	"UpdateUser": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateUser(ctx, tn.target.User.ID, portal.UpdateUserParams{Version: tn.target.User.Version, Name: ptr("Renamed"), Email: ptr("renamed@example.com")}))
	}},
	"PendingEmailChange": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.PendingEmailChange(ctx, tn.target.User.ID))
	}},
	// Single sign-on (#21): a customer's identity provider is for staff
	// and the customer's admins.
	"GetSSOConfig": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetSSOConfig(ctx, tn.c.ID))
	}},
	"PutSSOConfig": {staff: identity.StaffAdmin, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.PutSSOConfig(ctx, tn.c.ID, portal.PutSSOConfigParams{
			Issuer: tn.sso.Issuer, ClientID: "changed", Domains: tn.sso.Domains, JIT: true, Version: tn.sso.Version,
		}))
	}},
	"DeleteSSOConfig": {staff: identity.StaffAdmin, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.DeleteSSOConfig(ctx, tn.c.ID))
	}},
	// A domain the customer's admin claims routes sign-ins once staff
	// approve it; the customer cannot vouch for itself.
	"ApproveSSODomain": {staff: identity.StaffAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ApproveSSODomain(ctx, tn.c.ID, tn.sso.Pending[0]))
	}},
	// Impersonation (#21): staff people act as a customer's members; the
	// customer's admins see it and alone may forbid it.
	"StartImpersonation": {staff: identity.StaffAdmin, people: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.StartImpersonation(ctx, tn.c.ID, portal.StartImpersonationParams{MembershipID: tn.viewer.ID, Reason: "ticket T-1"}))
	}},
	"ListImpersonations": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListImpersonations(ctx, tn.c.ID, portal.ListImpersonationsParams{}))
	}},
	"ImpersonationForbidden": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ImpersonationForbidden(ctx, tn.c.ID))
	}},
	"SetImpersonationForbidden": {user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.SetImpersonationForbidden(ctx, tn.c.ID, true))
	}},
	// The audit log (#21): all of it for staff admins, a customer's own for
	// its admins (and staff).
	"ListAuditEvents": {staff: identity.StaffAdmin, global: true, call: func(ctx context.Context, f fixture, _ tenant) ([]customer.ID, error) {
		return none2(f.p.ListAuditEvents(ctx, portal.ListAuditEventsParams{}))
	}},
	"ListCustomerAuditEvents": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListCustomerAuditEvents(ctx, tn.c.ID, portal.ListAuditEventsParams{Limit: 100})
		var ids []customer.ID
		for _, e := range l.Items {
			ids = append(ids, e.CustomerID)
		}
		return ids, err
	}},
}

// orderCustomers returns the customers of the orders listed.
func orderCustomers(os []orders.Order) []customer.ID {
	var ids []customer.ID
	for _, o := range os {
		ids = append(ids, o.CustomerID)
	}
	return ids

}

// notTenantScoped are the methods of portal.Portal outside the matrix, and why.
var notTenantScoped = map[string]string{
	// A token is the credential; there is no principal yet.
	"AcceptInvitation":         "public: the invitation token is the credential",
	"RequestLoginLink":         "public: answers the same for every address",
	"SignInWithLoginLink":      "public: the link token is the credential",
	"SignInWithAccessLink":     "public: the link token is the credential",
	"SignInWithPassword":       "public: e-mail and password are the credential",
	"RequestStaffLoginLink":    "public: answers the same for every address",
	"SignInStaffWithLoginLink": "public: the link token is the credential",
	"SignInStaffWithPassword":  "public: e-mail and password are the credential",
	"Authenticate":             "public: turns a token into a principal",
	"BrandingForHost":          "public: the look of the sign-in pages on a host, which any visitor of it sees (TestBrandingForHost)",
	"Bootstrap":                "maintenance: creates the first key and owner on an empty store only",
	"PurgeExpired":             "maintenance: deletes ended sessions, links, idempotency keys, unconfirmed access requests and rate-limit windows, erases expired tokens of failed mail",
	"Ping":                     "maintenance: whether the storage backend answers",
	"Ready":                    "maintenance: readiness: the storage backend answers and commits a heartbeat",
	"Now":                      "the clock adapters show time-derived states by; no data",
	"AccessLinkURL":            "no data: the address of a token the caller holds already",
	"Idempotent":               "a wrapper: the use case it runs is authorized as itself, and keys are scoped by the caller (TestIdempotent)",
	"DeliverOutbox":            "maintenance: one pass of the outbox worker, which sends the mail use cases enqueued",
	"RunOutbox":                "maintenance: the outbox worker",
	"OutboxStats":              "maintenance: how much mail waits and how late, for monitoring; no customer's data",
	"RequestAccess":            "public: answers the same for every address (TestRequestAccessSameForKnownAndUnknownAddresses)",
	"ConfirmAccessRequest":     "public: the link token is the credential",
	"ConfirmEmailChange":       "public: the link token, mailed to the new address, is the credential",
	"FileLimits":               "configuration: the limits uploads are checked against, for bounding request bodies; no data",
	"HasFiles":                 "configuration: whether a file store is configured; no data",
	"DeliverWebhooks":          "maintenance: one pass of the webhook worker, which sends the deliveries use cases wrote",
	"RunWebhooks":              "maintenance: the webhook worker",
	"WebhookStats":             "maintenance: how many deliveries wait and how late, for monitoring; no customer's data",
	"PurgeWebhookDeliveries":   "maintenance: deletes settled webhook deliveries past their retention",
	// A signed-in user's own account: TestSelfUseCases checks who may call them.
	"MyMemberships":    "self",
	"SwitchMembership": "self",
	"SetPassword":      "self",
	"UpdateMyAccount":  "self",
	"Logout":           "self",
	"Me":               "self, for every kind of caller",
	// Impersonation (#21): the caller's own request, recorded.
	"RecordImpersonatedRequest": "self: records the caller's own request in an impersonation; nothing for other callers (TestImpersonatedRequestsAreRecorded)",
	// Password reset (#21): the mailed token is the credential.
	"RequestPasswordReset":      "public: answers the same for every address",
	"RequestStaffPasswordReset": "public: answers the same for every address",
	"ResetPassword":             "public: the reset token is the credential",
	// Single sign-on (#21).
	"StartSSO":        "public: finds the identity provider of an e-mail domain (TestSSOSignIn)",
	"FinishSSO":       "public: the provider's code and the state are the credential (TestSSORefusals)",
	"SSORedirectURL":  "no data: the portal's own redirect URI",
	"SessionLifetime": "no data: a configured duration",
	// Staff single sign-on (#21).
	"StartStaffSSO":   "public: starts a sign-in at the provider's own identity provider (TestStaffSSOSignIn)",
	"FinishStaffSSO":  "public: the provider's code and the state are the credential; only active staff (TestStaffSSORefusals)",
	"StaffSSOEnabled": "no data: whether the server has staff single sign-on",
}

// caller is one kind of principal of the matrix. Customer users belong to tenant a.
type caller struct {
	name  string
	staff identity.StaffRole
	desk  bool          // a staff member with the service-desk capability, or an API key
	role  customer.Role // the effective customer role, for users
	ctx   func(t *testing.T, f fixture) context.Context

	person bool // a staff member signed in as itself, not an API key
	scim   bool // a SCIM token of tenant a
}

func staffCaller(name string, role identity.StaffRole, mk func(string, identity.StaffRole) identity.Principal) caller {
	desk := mk("x", role)
	return caller{name: name, staff: role, desk: desk.IsServiceDesk(), person: desk.Kind == identity.KindStaff, ctx: func(t *testing.T, _ fixture) context.Context {
		return identity.NewContext(t.Context(), mk("id_"+name, role))
	}}
}

func userCaller(name string, role customer.Role, pick func(tenant) portal.Member, readOnly bool) caller {
	return caller{name: name, role: role, ctx: func(t *testing.T, f fixture) context.Context {
		p := identity.User(pick(f.a).Membership)
		p.ReadOnly = readOnly
		return identity.NewContext(t.Context(), p)
	}}
}

var callers = []caller{
	{name: "anonymous", ctx: func(t *testing.T, _ fixture) context.Context { return t.Context() }},
	staffCaller("staff owner", identity.StaffOwner, identity.Staff),
	staffCaller("staff admin", identity.StaffAdmin, identity.Staff),
	staffCaller("staff agent", identity.StaffAgent, identity.Staff),
	staffCaller("staff agent service desk", identity.StaffAgent, identity.ServiceDeskStaff),
	staffCaller("api key admin", identity.StaffAdmin, identity.APIKeyPrincipal),
	staffCaller("api key agent", identity.StaffAgent, identity.APIKeyPrincipal),
	userCaller("user admin", customer.RoleAdmin, func(tn tenant) portal.Member { return tn.admin }, false),
	userCaller("user maintainer", customer.RoleMaintainer, func(tn tenant) portal.Member { return tn.maintainer }, false),
	userCaller("user viewer", customer.RoleViewer, func(tn tenant) portal.Member { return tn.viewer }, false),
	userCaller("user admin read-only", customer.RoleViewer, func(tn tenant) portal.Member { return tn.readOnlyAdmin }, true),
	{name: "scim token", scim: true, ctx: func(t *testing.T, f fixture) context.Context {
		return identity.NewContext(t.Context(), identity.SCIMPrincipal(string(f.a.hr.token), f.a.c.ID))
	}},
}

var staffRanks = map[identity.StaffRole]int{identity.StaffAgent: 1, identity.StaffAdmin: 2, identity.StaffOwner: 3}

// expect returns the code the matrix expects ("" for success).
func (u useCase) expect(c caller, foreign bool) portalerr.Code {
	switch {
	case c.staff != "":
		if u.staff != "" && staffRanks[c.staff] >= staffRanks[u.staff] && (!u.desk || c.desk) && (!u.people || c.person) {
			return ""
		}
		return portalerr.PermissionDenied
	case c.role != "":
		if foreign && !u.global {
			return portalerr.NotFound
		}
		if u.user != "" && c.role.AtLeast(u.user) {
			return ""
		}
		return portalerr.PermissionDenied
	case c.scim:
		// A SCIM token may do nothing else, for no customer; what it may
		// do, only for its own.
		if !u.scim {
			return portalerr.PermissionDenied
		}
		if foreign {
			return portalerr.NotFound
		}
		return ""
	}
	return portalerr.Unauthenticated
}

// snapshot is everything a staff owner sees of both tenants.
func (f fixture) snapshot(t *testing.T) []any {
	t.Helper()
	var out []any
	for _, tn := range []tenant{f.a, f.b} {
		c, err := f.p.GetCustomer(f.owner, tn.c.ID)
		require.NoError(t, err)
		s, err := f.p.ListSites(f.owner, tn.c.ID, portal.ListSitesParams{Limit: 100})
		require.NoError(t, err)
		m, err := f.p.ListMembers(f.owner, tn.c.ID, portal.ListMembersParams{Limit: 100})
		require.NoError(t, err)
		inv, err := f.p.ListInvitations(f.owner, tn.c.ID, portal.ListInvitationsParams{Limit: 100})
		require.NoError(t, err)
		links, err := f.p.ListAccessLinks(f.owner, tn.c.ID, portal.ListAccessLinksParams{Limit: 100})
		require.NoError(t, err)
		out = append(out, inv, links)
		mail, err := f.p.ListMail(f.owner, portal.ListMailParams{CustomerID: tn.c.ID, Limit: 100})
		require.NoError(t, err)
		templates, err := f.p.ListMailTemplates(f.owner, tn.c.ID)
		require.NoError(t, err)
		out = append(out, mail, templates)
		subs, err := f.p.ListCustomers(f.owner, portal.ListCustomersParams{ParentID: tn.c.ID})
		require.NoError(t, err)
		out = append(out, c, s, m, subs)
		offers, err := f.p.ListOffers(f.owner, tn.c.ID, portal.ListOffersParams{Limit: 100})
		require.NoError(t, err)
		ords, err := f.p.ListOrders(f.owner, tn.c.ID, portal.ListOrdersParams{Limit: 100})
		require.NoError(t, err)
		out = append(out, offers, ords)
		out = append(out, c, s, m, subs, f.stockSnapshot(t, tn.c.ID))
		tickets, err := f.p.ListTickets(f.owner, tn.c.ID, portal.ListTicketsParams{Limit: 100})
		require.NoError(t, err)
		comments, err := f.p.ListTicketComments(f.owner, tn.c.ID, tn.ticket.ID, portal.ListTicketCommentsParams{Limit: 100})
		require.NoError(t, err)
		atts, err := f.p.ListTicketAttachments(f.owner, tn.c.ID, tn.ticket.ID)
		require.NoError(t, err)
		out = append(out, tickets, comments, atts)
		out = append(out, f.hrSnapshot(t, tn)...)
		jobs, err := f.p.ListJobs(f.owner, tn.c.ID, portal.ListJobsParams{Limit: 100})
		require.NoError(t, err)
		visits, err := f.p.ListVisits(f.owner, tn.c.ID, portal.ListVisitsParams{Limit: 100})
		require.NoError(t, err)
		pics, err := f.p.ListPictures(f.owner, tn.c.ID, portal.ListPicturesParams{Limit: 100})
		require.NoError(t, err)
		out = append(out, jobs, visits, pics)
		contacts, err := f.p.ListContacts(f.owner, tn.c.ID, portal.ListContactsParams{Limit: 100})
		require.NoError(t, err)
		sso, err := f.p.GetSSOConfig(f.owner, tn.c.ID)
		require.NoError(t, err)
		out = append(out, sso)
		pending, err := f.p.PendingEmailChange(f.owner, tn.target.User.ID)
		require.NoError(t, err)
		out = append(out, contacts, pending)
		recs, err := f.p.ListRecords(f.owner, tn.c.ID, portal.ListRecordsParams{Limit: 100})
		require.NoError(t, err)
		for _, r := range recs.Items {
			got, err := f.p.GetRecord(f.owner, tn.c.ID, r.ID)
			require.NoError(t, err)
			out = append(out, got)
		}
		changes, err := f.p.RecordChanges(f.owner, portal.ListRecordChangesParams{CustomerID: tn.c.ID, Limit: 100})
		require.NoError(t, err)
		out = append(out, changes)
	}
	free, err := f.p.AllRecords(f.owner, portal.AllRecordsParams{Unassigned: true, ListRecordsParams: portal.ListRecordsParams{Limit: 100}})
	require.NoError(t, err)
	recordTypes, err := f.p.RecordTypes(f.owner)
	require.NoError(t, err)
	out = append(out, free, recordTypes)
	products, err := f.p.ListProducts(f.owner, portal.ListProductsParams{Limit: 100})
	require.NoError(t, err)
	out = append(out, products)
	keys, err := f.p.ListAPIKeys(f.owner, portal.ListAPIKeysParams{Limit: 100})
	require.NoError(t, err)
	staff, err := f.p.ListStaff(f.owner, portal.ListStaffParams{Limit: 100})
	require.NoError(t, err)
	out = append(out, staff)
	articles, err := f.p.ListArticles(f.owner, portal.ListArticlesParams{Limit: 100})
	require.NoError(t, err)
	out = append(out, articles)
	hooks, err := f.p.ListWebhookEndpoints(f.owner, portal.ListWebhookEndpointsParams{Limit: 100})
	require.NoError(t, err)
	out = append(out, hooks)
	for _, e := range hooks.Items {
		deliveries, err := f.p.ListWebhookDeliveries(f.owner, e.ID, portal.ListWebhookDeliveriesParams{Limit: 100})
		require.NoError(t, err)
		out = append(out, deliveries)
	}
	requests, err := f.p.ListAccessRequests(f.owner, portal.ListAccessRequestsParams{Limit: 100})
	require.NoError(t, err)
	out = append(out, requests)
	users := make([]any, 0, 2)
	for _, tn := range []tenant{f.a, f.b} {
		m, err := f.p.GetMember(f.owner, tn.c.ID, tn.target.ID)
		require.NoError(t, err)
		users = append(users, m.User)
	}
	return append(out, keys, users)
}

// TestAuthorizationMatrix calls every use case of portal as every kind of
// principal, against the caller's own customer and a foreign one.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	pt := reflect.TypeFor[*portal.Portal]()
	for i := range pt.NumMethod() {
		name := pt.Method(i).Name
		_, listed := notTenantScoped[name]
		if _, ok := useCases[name]; !ok && !listed {
			t.Errorf("use case portal.%s has no row in the authorization matrix: add one to useCases", name)
		}
	}
	for name := range useCases {
		if _, ok := pt.MethodByName(name); !ok {
			t.Errorf("useCases has a row for %s, which portal.Portal no longer has", name)
		}
	}

	names := make([]string, 0, len(useCases))
	for name := range useCases {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		u := useCases[name]
		// The Get and List use cases only read, and every other use case
		// refused changes nothing: those cases share one copy of the
		// fixture, one after another. A case that wrote anyway fails on
		// its snapshot, before the next case could be misled. Only the
		// cases of a change that is let through get a copy of their own.
		readOnly := strings.HasPrefix(name, "Get") || strings.HasPrefix(name, "List")
		t.Run(name, func(t *testing.T) {
			var shared *fixture
			for _, c := range callers {
				for _, foreign := range []bool{false, true} {
					target := "own"
					if foreign {
						target = "foreign"
					}
					want := u.expect(c, foreign)
					share := readOnly || want != ""
					if share && shared == nil {
						f := newFixture(t)
						shared = &f
					}
					t.Run(c.name+"/"+target, func(t *testing.T) {
						var f fixture
						if share {
							f = *shared
							f.changes = totalChanges(t, f.store)
						} else {
							t.Parallel() // each case has a portal and a database of its own
							f = newFixture(t)
						}
						tn := f.a
						if foreign {
							tn = f.b
						}
						before := fixtureTemplate.before // f is a copy of the template
						visible, err := u.call(c.ctx(t, f), f, tn)
						assertCode(t, want, err)
						if (err != nil || readOnly) && f.wrote(t) {
							assert.Equal(t, before, f.snapshot(t), "a refused call changes nothing")
							if readOnly {
								t.Errorf("%s wrote to the store", name)
							}
						}
						if c.role != "" || c.scim {
							for _, id := range visible {
								assert.Equal(t, f.a.c.ID, id, "a customer user sees only its own customer")
							}
						}
					})
				}
			}
		})
	}
}

// TestSelfUseCases checks that a signed-in user's own-account use cases
// refuse callers that are not customer users, except where a staff member
// has an own account too (SetPassword, Logout: TestStaffPassword).
func TestSelfUseCases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	calls := map[string]func(ctx context.Context) error{
		"MyMemberships":    func(ctx context.Context) error { _, err := f.p.MyMemberships(ctx); return err },
		"SwitchMembership": func(ctx context.Context) error { _, err := f.p.SwitchMembership(ctx, f.b.admin.ID); return err },
		"SetPassword": func(ctx context.Context) error {
			return f.p.SetPassword(ctx, portal.SetPasswordParams{New: "a long enough passphrase"})
		},
		"UpdateMyAccount": func(ctx context.Context) error {
			_, err := f.p.UpdateMyAccount(ctx, portal.UpdateMyAccountParams{Name: "Someone"})
			return err
		},
		"Logout": func(ctx context.Context) error { return f.p.Logout(ctx) },
		"Me":     func(ctx context.Context) error { _, err := f.p.Me(ctx); return err },
	}
	for name, reason := range notTenantScoped {
		if reason == "self" || strings.HasPrefix(reason, "self,") {
			assert.Contains(t, calls, name, "self use case %s has no row in TestSelfUseCases", name)
		}
	}
	for name, call := range calls {
		if name == "Me" {
			continue // every caller may ask who it is: TestMe
		}
		t.Run(name, func(t *testing.T) {
			assertCode(t, portalerr.Unauthenticated, call(t.Context()), "anonymous")
			staff := identity.NewContext(t.Context(), identity.Staff("stf_1", identity.StaffOwner))
			want := portalerr.PermissionDenied
			if name == "Logout" {
				// Staff members sign out of their sessions (TestInviteStaffAndSignIn);
				// this one was signed in without one.
				want = portalerr.FailedPrecondition
			}
			assertCode(t, want, call(staff), "staff have no own customer account")
			key := identity.NewContext(t.Context(), identity.APIKeyPrincipal("key_1", identity.StaffOwner))
			assertCode(t, portalerr.PermissionDenied, call(key), "API keys have no own account")
		})
	}
}

func TestMe(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	_, err := f.p.Me(t.Context())
	assertCode(t, portalerr.Unauthenticated, err)

	agent, err := f.p.Me(identity.NewContext(t.Context(), identity.Staff("stf_1", identity.StaffAgent)))
	require.NoError(t, err)
	assert.Contains(t, agent.Actions, portal.ActSiteManage)
	assert.NotContains(t, agent.Actions, portal.ActCustomerCreate, "agents do not create customers")
	assert.Contains(t, agent.Actions, portal.ActMailRetry, "agents retry failed mail")
	assert.NotContains(t, agent.Actions, portal.ActMailTemplate, "agents do not change templates")

	viewer, err := f.p.Me(identity.NewContext(t.Context(), identity.User(f.a.viewer.Membership)))
	require.NoError(t, err)
	assert.Equal(t, f.a.viewer.User.Email, viewer.User.Email)
	assert.Equal(t, f.a.c.Name, viewer.CustomerName)
	assert.Contains(t, viewer.Actions, portal.ActCustomerRead)
	assert.NotContains(t, viewer.Actions, portal.ActMembershipRead, "viewers do not manage members")
	assert.NotContains(t, viewer.Actions, portal.ActMailRead, "the outbox is staff's")

	ro := identity.User(f.a.readOnlyAdmin.Membership)
	ro.ReadOnly = true
	readOnly, err := f.p.Me(identity.NewContext(t.Context(), ro))
	require.NoError(t, err)
	assert.NotContains(t, readOnly.Actions, portal.ActMembershipAdmin, "a read-only session acts as a viewer")
}

// TestMeOffersOnlyWhatFeaturesAllow checks that a user's actions account
// for its customer's features, from the policy: a maintainer of a customer
// without order_authorization and supplier_warehouse is not offered
// ordering or the warehouse, and is refused them with FeatureDisabled.
func TestMeOffersOnlyWhatFeaturesAllow(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Plain"})
		require.NoError(t, err)
		m := e.addMember(t, c.ID, "maintainer@plain.example", customer.RoleMaintainer)
		ctx := as(t, m)
		gated := []portal.Action{portal.ActOrderPlace, portal.ActStockRead, portal.ActStockMove}

		me, err := e.p.Me(ctx)
		require.NoError(t, err)
		for _, act := range gated {
			assert.NotContains(t, me.Actions, act, "features off")
		}
		assert.Contains(t, me.Actions, portal.ActOrderRead, "reading needs no feature")
		_, err = e.p.PlaceOrder(ctx, c.ID, portal.PlaceOrderParams{
			Lines: []portal.OrderLineParams{{ProductID: "prd_any", Quantity: 1}}, Recipient: &orders.Employee{Name: "Carol"},
		})
		assertCode(t, portalerr.FeatureDisabled, err)
		_, err = e.p.ListStockItems(ctx, c.ID, portal.ListStockItemsParams{})
		assertCode(t, portalerr.FeatureDisabled, err)

		on := true
		_, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{
			Version: c.Version, FeaturesPatch: customer.FeaturesPatch{OrderAuthorization: &on, SupplierWarehouse: &on},
		})
		require.NoError(t, err)
		me, err = e.p.Me(ctx)
		require.NoError(t, err)
		for _, act := range gated {
			assert.Contains(t, me.Actions, act, "features on")
		}
	})
}

// Supplier warehouse.

// stockTenant is a tenant's supplier warehouse in the authorization
// fixture: items of the tenant's own product, so that the other tenant
// cannot stock it in, one in stock and one issued.
type stockTenant struct {
	product         orders.Product
	inStock, issued portal.StockItem
}

// stockTenant turns the supplier warehouse on for tn and stocks it. It
// returns the customer as changed.
func (f fixture) stockTenant(t *testing.T, tn tenant) (customer.Customer, stockTenant) {
	t.Helper()
	c, err := f.p.UpdateFeatures(f.owner, tn.c.ID, portal.UpdateFeaturesParams{Version: tn.c.Version,
		FeaturesPatch: customer.FeaturesPatch{SupplierWarehouse: ptr(true)}})
	require.NoError(t, err)
	st := stockTenant{product: tn.ownProduct}
	items, err := f.p.StockIn(f.owner, c.ID, portal.StockInParams{Items: []portal.StockInItemParams{
		{ProductID: st.product.ID, SiteID: tn.site.ID}, {ProductID: st.product.ID, SiteID: tn.site.ID},
	}})
	require.NoError(t, err)
	st.inStock = items[0]
	st.issued, err = f.p.IssueStockItem(f.owner, c.ID, items[1].ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Ann"}})
	require.NoError(t, err)
	return c, st
}

// ticketTenant opens tn's tickets of the fixture: one by the maintainer on
// the tenant's site with a public reply and an internal note, one the
// service desk resolved, and a master-data change.
func (f fixture) ticketTenant(t *testing.T, tn tenant) (open, resolved, masterData ticket.Ticket, reply ticket.Comment) {
	t.Helper()
	desk := portaltest.ServiceDesk(t.Context())
	var err error
	open, err = f.p.OpenTicket(as(t, tn.maintainer), tn.c.ID, portal.OpenTicketParams{
		Type: ticket.TypeEquipmentDamage, Subject: "Cracked display", Fields: map[string]string{"damage": "functional"},
		Links: portal.TicketLinksParams{SiteID: tn.site.ID},
	})
	require.NoError(t, err)
	reply, err = f.p.AddTicketComment(desk, tn.c.ID, open.ID, portal.AddTicketCommentParams{Body: "We are on it."})
	require.NoError(t, err)
	_, err = f.p.AddTicketComment(desk, tn.c.ID, open.ID, portal.AddTicketCommentParams{Visibility: ticket.Internal, Body: "Warranty expired."})
	require.NoError(t, err)
	resolved, err = f.p.OpenTicket(as(t, tn.maintainer), tn.c.ID, portal.OpenTicketParams{Type: ticket.TypeGeneric, Subject: "Question"})
	require.NoError(t, err)
	resolved, err = f.p.ChangeTicketStatus(desk, tn.c.ID, resolved.ID, portal.ChangeTicketStatusParams{Version: resolved.Version, Status: ticket.StatusResolved})
	require.NoError(t, err)
	masterData, err = f.p.OpenTicket(as(t, tn.admin), tn.c.ID, portal.OpenTicketParams{
		Type: ticket.TypeMasterDataChange, Subject: "New phone", Fields: map[string]string{"phone": "+49 30 1234"},
	})
	require.NoError(t, err)
	return open, resolved, masterData, reply
}

// TestFixtureWrote guards the shortcut the matrix takes: a fresh copy has
// written nothing, and any write, even one rolled back, counts.
func TestFixtureWrote(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	assert.False(t, f.wrote(t), "a fresh copy")
	_, err := f.p.GetCustomer(f.owner, f.a.c.ID)
	require.NoError(t, err)
	assert.False(t, f.wrote(t), "a read")
	_, err = f.p.CreateSite(f.owner, f.a.c.ID, portal.SiteParams{Name: "HQ"})
	assertCode(t, portalerr.AlreadyExists, err)
	_, err = f.p.CreateSite(f.owner, f.a.c.ID, portal.SiteParams{Name: "Plant 9"})
	require.NoError(t, err)
	assert.True(t, f.wrote(t), "a write")
}

// TestMain closes the copies of the authorization fixture's template and
// of the empty SQLite database, and removes those two files, which live as
// long as the process.
func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureStores.pool != nil {
		fixtureStores.pool.Close()
	}
	emptySQLite.Close()
	if fixtureTemplate.path != "" {
		_ = os.RemoveAll(filepath.Dir(fixtureTemplate.path))
	}
	os.Exit(code)
}

// tinyPNG is a 2×2 picture for the fixture's uploads.
var tinyPNG = func() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()
