package webui_test

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/filestore"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/warehouse"
	"github.com/portalkit/portalkit/webui"
)

// site is the pages over a real portal, with two customers set up alike.
type site struct {
	p    *portal.Portal
	mail *portaltest.Recorder
	srv  *httptest.Server
	a, b tenant
}

// tenant is one customer with a person of each role and an object of each
// kind the pages show.
type tenant struct {
	c          customer.Customer
	users      map[customer.Role]person
	order      orders.Order
	item       warehouse.ItemID
	invitation invite.Invitation
	product    orders.ProductID
	ticket     ticket.Ticket
	article    news.Article // written by the admin for the customer's people
	staffNews  news.Article // the provider's, for this customer alone
	hr         hrTenant     // HR sync: hrsync_test.go
	// Field service: a located site with a job and a visit; the jobs and
	// visits live views are on.
	site    customer.Site
	job     fieldwork.Job
	picture fieldwork.Picture
	// attachment is a picture the maintainer attached to ticket; noteFile
	// a file on its internal note, which no customer user may ever see.
	attachment, noteFile ticket.Attachment
	task                 record.Record // a task its maintainers may edit
	contract             record.Record // with a value customers do not see
	meter                record.Record // whose action (report_reading) opens a ticket

	contact customer.Contact
}

// internalNote is the text of a staff note on every fixture ticket: no
// customer user may ever see it.
const internalNote = "Internal: the courier broke it, claim with DHL"

// person is a signed-in customer user.
type person struct {
	email  string
	token  string
	member customer.MembershipID
}

func newSite(t *testing.T) *site {
	t.Helper()
	return newSiteWith(t, nil)
}

// newSiteWith is newSite with a change to the portal's config.
func newSiteWith(t *testing.T, change func(*portal.Config)) *site {
	t.Helper()
	clock := &portaltest.Clock{}
	rec := &portaltest.Recorder{}
	files, err := filestore.Open(t.Context(), "mem://")
	require.NoError(t, err)
	t.Cleanup(func() { _ = files.Close() })
	p := portaltest.New(t, clock, func(c *portal.Config) {
		c.Mailer = rec
		c.HRSources = testSources // HR sync: hrsync_test.go
		c.Files = files
		if change != nil {
			change(c)
		}
	})
	s := &site{p: p, mail: rec}
	s.srv = httptest.NewServer(webui.New(p))
	t.Cleanup(s.srv.Close)
	ctx := portaltest.Owner(t.Context())
	prod, err := p.CreateProduct(ctx, portal.CreateProductParams{SKU: "LAPTOP-14", Name: "Laptop 14", Price: orders.Money{Amount: 129900, Currency: "EUR"}})
	require.NoError(t, err)
	s.a = s.tenant(t, "Acme GmbH", "acme", prod.ID)
	s.b = s.tenant(t, "Globex AG", "globex", prod.ID)
	return s
}

func (s *site) tenant(t *testing.T, name, domain string, prod orders.ProductID) tenant {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	c, err := s.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: name})
	require.NoError(t, err)
	on := true
	c, err = s.p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{
		OrderAuthorization: &on, SupplierWarehouse: &on, PreOrders: &on, InheritGlobalPortfolio: &on, Tickets: &on,
	}})
	require.NoError(t, err)
	tn := tenant{c: c, users: map[customer.Role]person{}, product: prod}
	for _, role := range []customer.Role{customer.RoleAdmin, customer.RoleMaintainer, customer.RoleViewer} {
		email := string(role) + "@" + domain + ".example"
		_, err := s.p.Invite(ctx, c.ID, portal.InviteParams{Email: email, Role: role})
		require.NoError(t, err)
		m, ok := s.mail.Last(email)
		require.True(t, ok, "invitation mail to %s", email)
		in, err := s.p.AcceptInvitation(t.Context(), m.Token, portal.AcceptInvitationParams{Name: strings.ToUpper(string(role[:1])) + string(role[1:]) + " of " + name})
		require.NoError(t, err)
		tn.users[role] = person{email: email, token: in.Token, member: in.Membership.ID}
	}
	maint := portaltest.As(t.Context(), mustPrincipal(t, s.p, tn.users[customer.RoleMaintainer].token))
	tn.order, err = s.p.PlaceOrder(maint, c.ID, portal.PlaceOrderParams{
		Lines:     []portal.OrderLineParams{{ProductID: prod, Quantity: 2}},
		Recipient: &orders.Employee{Name: "Erin " + name},
	})
	require.NoError(t, err)
	items, err := s.p.StockIn(ctx, c.ID, portal.StockInParams{Items: []portal.StockInItemParams{{ProductID: prod, SerialNumber: "SN-" + domain}}})
	require.NoError(t, err)
	tn.item = items[0].ID
	tn.invitation, err = s.p.Invite(ctx, c.ID, portal.InviteParams{Email: "pending@" + domain + ".example", Role: customer.RoleViewer})
	require.NoError(t, err)
	tn.ticket, err = s.p.OpenTicket(maint, c.ID, portal.OpenTicketParams{
		Type: ticket.TypeEquipmentDamage, Subject: "Broken screen at " + name, Fields: map[string]string{"damage": "functional"},
	})
	require.NoError(t, err)
	desk := portaltest.As(t.Context(), identity.APIKeyPrincipal("key_desk", identity.StaffAgent))
	note, err := s.p.AddTicketComment(desk, c.ID, tn.ticket.ID, portal.AddTicketCommentParams{Visibility: ticket.Internal, Body: internalNote})
	require.NoError(t, err)
	tn.attachment, err = s.p.AttachToTicket(maint, c.ID, tn.ticket.ID, portal.AttachToTicketParams{Name: "Photo of " + name + ".png"}, bytes.NewReader(pngBytes))
	require.NoError(t, err)
	tn.noteFile, err = s.p.AttachToTicket(desk, c.ID, tn.ticket.ID, portal.AttachToTicketParams{CommentID: note.ID, Name: "courier-claim-" + domain + ".txt"},
		strings.NewReader(internalNote))
	require.NoError(t, err)
	admin := portaltest.As(t.Context(), mustPrincipal(t, s.p, tn.users[customer.RoleAdmin].token))
	tn.article, err = s.p.CreateCustomerArticle(admin, c.ID, portal.CreateCustomerArticleParams{Title: "Canteen news of " + name, Body: "Soup on *Friday*."})
	require.NoError(t, err)
	tn.staffNews, err = s.p.CreateArticle(ctx, portal.CreateArticleParams{Title: "Delivery dates for " + name, Body: "Next week.", Audience: news.Only(c.ID)})
	require.NoError(t, err)
	tn.c, tn.hr = s.hrTenant(t, tn, prod)
	tn.site, tn.job, tn.picture = s.fieldwork(t, c.ID, name)
	tn.c, err = s.p.GetCustomer(ctx, c.ID) // at the version the live views left it
	require.NoError(t, err)
	tn.task, tn.contract = s.records(t, c.ID, domain)
	tn.meter = s.meter(t, c.ID, domain)
	tn.contact, err = s.p.CreateContact(ctx, c.ID, portal.ContactParams{Name: "Carla Contact of " + name, Email: "carla." + strings.TrimPrefix(string(c.ID), "cus_") + "@example.com"})
	require.NoError(t, err)
	return tn
}

// fieldwork gives customer cid a located site with a job and a visit of
// yesterday, and turns its jobs and visits live views on.
func (s *site) fieldwork(t *testing.T, cid customer.ID, name string) (customer.Site, fieldwork.Job, fieldwork.Picture) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	site, err := s.p.CreateSite(ctx, cid, portal.SiteParams{Name: "Depot of " + name,
		Address: &customer.Address{Line1: "Hafenstraße 1", City: "Hamburg " + name, Country: "DE"}, Location: &customer.GeoPoint{Latitude: 53.54, Longitude: 9.98}})
	require.NoError(t, err)
	j, _, err := s.p.PutJob(ctx, cid, portal.JobParams{SiteID: site.ID, Type: "repair", Title: "Boiler job of " + name, PlannedAt: s.p.Now().Add(-24 * time.Hour)})
	require.NoError(t, err)
	_, _, err = s.p.PutVisit(ctx, cid, j.ID, portal.VisitParams{Technician: "Tess of " + name, StartedAt: s.p.Now().Add(-24 * time.Hour), Report: "Visit report of " + name})
	require.NoError(t, err)
	c, err := s.p.GetCustomer(ctx, cid)
	require.NoError(t, err)
	on := true
	_, err = s.p.UpdateFeatures(ctx, cid, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{Jobs: &on, Visits: &on, Pictures: &on}})
	require.NoError(t, err)
	pic, err := s.p.UploadPicture(ctx, cid, j.ID, portal.UploadPictureParams{Name: "boiler of " + name + ".png"}, bytes.NewReader(tinyPNG))
	require.NoError(t, err)
	return site, j, pic
}

func mustPrincipal(t *testing.T, p *portal.Portal, token string) identity.Principal {
	t.Helper()
	who, err := p.Authenticate(t.Context(), token)
	require.NoError(t, err)
	return who
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, signed in with a session token (or not, for "").
type browser struct {
	t   *testing.T
	c   *http.Client
	srv *httptest.Server
}

func (s *site) browser(t *testing.T, token string) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	u, _ := url.Parse(s.srv.URL)
	if token != "" {
		jar.SetCookies(u, []*http.Cookie{{Name: "portalkit_session", Value: token, Path: "/"}})
	}
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &browser{t: t, c: c, srv: s.srv}
}

// page is an answer: its status, where it redirects and its body.
type page struct {
	status   int
	location string
	body     string
	header   http.Header
}

func (b *browser) get(path string) page {
	b.t.Helper()
	return b.do(http.MethodGet, path, nil)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	return b.do(http.MethodPost, path, form)
}

// upload sends a multipart form with content as its file "file", as a
// page's upload form does.
func (b *browser) upload(path, name string, content []byte) page {
	b.t.Helper()
	return b.uploadWith(path, nil, name, content)
}

// uploadWith is upload with form fields before the file, in the order
// given (name, value, name, value, …), as a form's fields come.
func (b *browser) uploadWith(path string, fields []string, name string, content []byte) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(fields); i += 2 {
		require.NoError(b.t, mw.WriteField(fields[i], fields[i+1]))
	}
	w, err := mw.CreateFormFile("file", name)
	require.NoError(b.t, err)
	_, err = w.Write(content)
	require.NoError(b.t, err)
	require.NoError(b.t, mw.Close())
	return b.send(http.MethodPost, path, mw.FormDataContentType(), &body)
}

// pngBytes is a 1×1 PNG.
var pngBytes = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" +
	"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")

func (b *browser) do(method, path string, form url.Values) page {
	b.t.Helper()
	if form != nil {
		return b.send(method, path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	}
	return b.send(method, path, "", nil)
}

// send sends a request with a body of the given type ("" for none).
func (b *browser) send(method, path, contentType string, body io.Reader) page {
	b.t.Helper()
	req, err := http.NewRequestWithContext(context.WithoutCancel(b.t.Context()), method, b.srv.URL+path, body)
	require.NoError(b.t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	// A browser says a form comes from the page's own origin.
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	res, err := b.c.Do(req)
	require.NoError(b.t, err)
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(res.Body)
	require.NoError(b.t, err)
	return page{status: res.StatusCode, location: res.Header.Get("Location"), body: string(data), header: res.Header}
}
