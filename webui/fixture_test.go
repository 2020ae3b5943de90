package webui_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"gocloud.dev/blob"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/filestore"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/warehouse"
	"github.com/portalkit/portalkit/webui"
)

// site is the pages over a real portal, with two customers set up alike.
type site struct {
	p     *portal.Portal
	store storage.Store
	mail  *portaltest.Recorder
	srv   *httptest.Server
	a, b  tenant
	memo  *stateMemos // state's
	// copied is set when store is a copy from a sqlitepool pool, whose
	// writes state counts.
	copied bool
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

// newSite returns the site on a copy of the fixture's database, which is
// built once per process (siteTemplate): a portal of its own, drawing IDs
// after the fixture's, with a file store holding the fixture's files and a
// recorder holding the mail the fixture's portal had sent.
func newSite(t *testing.T) *site {
	t.Helper()
	tp := &siteTemplate
	store, ids := tp.take(t, func() { buildSiteTemplate(t) })
	s := openSite(t, store, ids, tp.files.copy(t), nil)
	tp.replay(t, s.mail)
	s.a, s.b = tp.a, tp.b
	s.copied = true
	return s
}

// newSiteWith is newSite with a change to the portal's config. It builds
// the fixture through the use cases under that config, since the change
// may change what building it does (mail the service desk, say).
func newSiteWith(t *testing.T, change func(*portal.Config)) *site {
	t.Helper()
	files, err := filestore.Open(t.Context(), "mem://")
	require.NoError(t, err)
	t.Cleanup(func() { _ = files.Close() })
	s := openSite(t, portaltest.Store(t), portal.SequentialIDs(), files, change)
	s.build(t)
	return s
}

// siteTemplate is newSite's fixture as built once per process, with its
// tenants and the files it stored. Building it through the use cases is
// most of what a test on it would cost under -race.
var siteTemplate struct {
	fixtureTemplate
	a, b  tenant
	files storedFiles
}

// buildSiteTemplate builds the fixture through the use cases, as
// newSiteWith does, and keeps what newSite needs to give each test a
// copy.
func buildSiteTemplate(t *testing.T) {
	t.Helper()
	bucket, err := blob.OpenBucket(t.Context(), "mem://")
	require.NoError(t, err)
	defer func() { _ = bucket.Close() }()
	ids := &portal.Sequence{}
	store := portaltest.Store(t)
	s := openSite(t, store, ids, filestore.New(bucket), nil)
	s.build(t)
	tp := &siteTemplate
	tp.files = storeFiles(t, bucket)
	tp.a, tp.b = s.a, s.b
	tp.save(t, s.p, s.mail, store, ids)
}

// fixtureTemplate is a fixture as built once per process: a copy of its
// database (sqlite.Backup) that a pool hands out copies of, how many IDs
// building it drew and the mail its portal had sent by then. Its once
// builds it, in the first test that asks, and save keeps it; TestMain
// removes it.
type fixtureTemplate struct {
	once  sync.Once
	dir   string           // holds the database file
	pool  *sqlitepool.Pool // copies of the database
	ids   int64
	mails []portaltest.Mail
}

// save keeps a copy of store's database, which p built drawing IDs from
// ids, and the mail rec, p's recorder, kept. Mail p enqueued that no read
// of rec delivered yet stays in the copy's outbox, for the recorder of
// each test to deliver, as it would have stayed in the fixture's.
func (ft *fixtureTemplate) save(t *testing.T, p *portal.Portal, rec *portaltest.Recorder, store storage.Store, ids *portal.Sequence) {
	t.Helper()
	stats, err := p.OutboxStats(t.Context())
	require.NoError(t, err)
	dir, err := os.MkdirTemp("", "portalkit-webui-")
	require.NoError(t, err)
	ft.dir = dir
	path := filepath.Join(dir, "fixture.db")
	require.NoError(t, sqlite.Backup(t.Context(), store.(*sqlite.Store), path))
	mails := rec.Mails() // delivers the mail left in the outbox, after the backup
	waiting := stats.Pending + stats.Sending
	require.GreaterOrEqual(t, len(mails), waiting)
	ft.mails = mails[:len(mails)-waiting]
	ft.ids = ids.Drawn()
	ft.pool = sqlitepool.New(path)
}

// take returns a copy of the fixture's database for t, and IDs that go on
// after the fixture's. build builds the fixture and saves it, when no
// test has yet.
func (ft *fixtureTemplate) take(t *testing.T, build func()) (storage.Store, *portal.Sequence) {
	t.Helper()
	ft.once.Do(build)
	if ft.pool == nil {
		t.Fatal("the fixture could not be built (see the first test that tried)")
	}
	return ft.pool.Take(t), portal.SequenceAfter(ft.ids)
}

// replay gives rec the mail the fixture's portal had sent.
func (ft *fixtureTemplate) replay(t *testing.T, rec *portaltest.Recorder) {
	t.Helper()
	for _, m := range ft.mails {
		require.NoError(t, rec.Send(t.Context(), m.Message))
	}
}

// remove closes the pool's copies and removes the database file.
func (ft *fixtureTemplate) remove() {
	if ft.pool != nil {
		ft.pool.Close()
	}
	if ft.dir != "" {
		_ = os.RemoveAll(ft.dir)
	}
}

// storedFile is a file of a file store's bucket, with what filestore
// keeps along with its bytes.
type storedFile struct {
	key         string
	data        []byte
	contentType string
	metadata    map[string]string
}

// storedFiles are the files of a bucket.
type storedFiles []storedFile

// storeFiles reads every file of bucket.
func storeFiles(t *testing.T, bucket *blob.Bucket) storedFiles {
	t.Helper()
	var out storedFiles
	it := bucket.List(nil)
	for {
		obj, err := it.Next(t.Context())
		if errors.Is(err, io.EOF) {
			return out
		}
		require.NoError(t, err)
		attrs, err := bucket.Attributes(t.Context(), obj.Key)
		require.NoError(t, err)
		data, err := bucket.ReadAll(t.Context(), obj.Key)
		require.NoError(t, err)
		out = append(out, storedFile{key: obj.Key, data: data, contentType: attrs.ContentType, metadata: attrs.Metadata})
	}
}

// copy returns an in-memory file store (mem://) of t's own holding fs.
func (fs storedFiles) copy(t *testing.T) *filestore.Store {
	t.Helper()
	bucket, err := blob.OpenBucket(t.Context(), "mem://")
	require.NoError(t, err)
	files := filestore.New(bucket)
	t.Cleanup(func() { _ = files.Close() })
	for _, f := range fs {
		require.NoError(t, bucket.WriteAll(t.Context(), f.key, f.data, &blob.WriterOptions{ContentType: f.contentType, Metadata: f.metadata}))
	}
	return files
}

// openSite returns the pages over a portal on store, with files as its
// file store and change made to its config; build adds the tenants.
func openSite(t *testing.T, store storage.Store, ids portal.IDSource, files *filestore.Store, change func(*portal.Config)) *site {
	t.Helper()
	rec := &portaltest.Recorder{}
	p := portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) {
		c.Store = store
		c.IDs = ids
		c.Mailer = rec
		c.HRSources = testSources // HR sync: hrsync_test.go
		c.Files = files
		if change != nil {
			change(c)
		}
	})
	s := &site{p: p, store: store, mail: rec, memo: &stateMemos{}}
	s.srv = httptest.NewServer(webui.New(p))
	t.Cleanup(s.srv.Close)
	return s
}

// build sets up the product and the two tenants through the use cases.
func (s *site) build(t *testing.T) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	prod, err := s.p.CreateProduct(ctx, portal.CreateProductParams{SKU: "LAPTOP-14", Name: "Laptop 14", Price: orders.Money{Amount: 129900, Currency: "EUR"}})
	require.NoError(t, err)
	s.a = s.tenant(t, "Acme GmbH", "acme", prod.ID)
	s.b = s.tenant(t, "Globex AG", "globex", prod.ID)
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
