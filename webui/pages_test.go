package webui_test

import (
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/webui"
)

// TestPagesOfferWhatTheRoleMay checks that a page shows a form only to
// those who may send it, by the same policy.
func TestPagesOfferWhatTheRoleMay(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	tests := []struct {
		path, marker string
		action       portal.Action
	}{
		{"/orders", `href="/catalogue"`, portal.ActOrderPlace},
		{"/orders", `href="/members"`, portal.ActMembershipRead},
		{"/", `href="/news"`, portal.ActNewsWrite},
		{"/orders/" + string(s.a.order.ID), "/cancel", portal.ActOrderCancel},
		{"/stock/items/" + string(s.a.item), "/issue", portal.ActStockMove},
		{"/stock/items/" + string(s.a.item), "/retire", portal.ActStockRetire},
	}
	for _, role := range []customer.Role{customer.RoleAdmin, customer.RoleMaintainer, customer.RoleViewer} {
		br := s.browser(t, s.a.users[role].token)
		for _, tt := range tests {
			pg := br.get(tt.path)
			require.Equal(t, http.StatusOK, pg.status, "%s as %s", tt.path, role)
			assert.Equal(t, mayDo(role, tt.action), strings.Contains(pg.body, tt.marker), "%s as %s: %s offered", tt.path, role, tt.marker)
		}
	}
}

// TestPagesFollowFeatures turns the customer's ordering and warehouse off:
// its people no longer see the catalogue or the warehouse, and the pages
// refuse them.
func TestPagesFollowFeatures(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := portaltest.Owner(t.Context())
	off := false
	_, err := s.p.UpdateFeatures(ctx, s.a.c.ID, portal.UpdateFeaturesParams{Version: s.a.c.Version, FeaturesPatch: customer.FeaturesPatch{
		OrderAuthorization: &off, PreOrders: &off,
	}})
	require.NoError(t, err)
	br := s.browser(t, s.a.users[customer.RoleAdmin].token)
	pg := br.get("/orders")
	require.Equal(t, http.StatusOK, pg.status)
	assert.NotContains(t, pg.body, `href="/catalogue"`)
	pg = br.post("/orders", url.Values{"qty." + string(s.a.product): {"1"}, "recipient_name": {"Zed"}})
	assert.Equal(t, http.StatusForbidden, pg.status)
	assert.Contains(t, pg.body, "switched off for your company")
}

// TestOrderMailLinkOpensTheOrder follows the link of an order's mail: it
// opens the order's page for its customer's people, and the sign-in page
// for anyone signed out.
func TestOrderMailLinkOpensTheOrder(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	m, ok := s.mail.Last(s.a.users[customer.RoleMaintainer].email)
	require.True(t, ok)
	require.Equal(t, portal.NotifyOrderSubmitted, m.Kind)
	u, err := url.Parse(m.Link)
	require.NoError(t, err)
	require.Equal(t, "/orders/"+string(s.a.order.ID), u.Path)

	pg := s.browser(t, s.a.users[customer.RoleViewer].token).get(u.Path)
	assert.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, s.a.order.Number.String())

	// Signed out, the link leads through the sign-in and back to the order.
	br := s.browser(t, "")
	pg = br.get(u.Path)
	assert.Equal(t, http.StatusSeeOther, pg.status)
	assert.Equal(t, "/signin", pg.location)
	email := s.a.users[customer.RoleViewer].email
	pg = br.post("/signin/link", url.Values{"email": {email}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	link, ok := s.mail.Last(email)
	require.True(t, ok)
	require.Equal(t, portal.NotifyLoginLink, link.Kind)
	lu, err := url.Parse(link.Link)
	require.NoError(t, err)
	br.get(lu.Path + "?" + lu.RawQuery)
	pg = br.post("/login", url.Values{})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Equal(t, u.Path, pg.location, "back to the page asked for")
	pg = br.get(pg.location)
	assert.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, s.a.order.Number.String())
}

// TestSignInLinkLeavesTheAddressBar follows an invitation's link: the token
// moves into a cookie and the address bar loses it before anything is
// redeemed; the click redeems it once.
func TestSignInLinkLeavesTheAddressBar(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := portaltest.Owner(t.Context())
	_, err := s.p.Invite(ctx, s.a.c.ID, portal.InviteParams{Email: "neo@acme.example", Role: customer.RoleViewer})
	require.NoError(t, err)
	m, ok := s.mail.Last("neo@acme.example")
	require.True(t, ok)
	u, err := url.Parse(m.Link)
	require.NoError(t, err)

	br := s.browser(t, "")
	pg := br.get(u.Path + "?" + u.RawQuery)
	require.Equal(t, http.StatusSeeOther, pg.status)
	assert.Equal(t, "/accept", pg.location)
	pg = br.get("/accept")
	require.Equal(t, http.StatusOK, pg.status)
	assert.NotContains(t, pg.body, m.Token)
	pg = br.post("/accept", url.Values{"name": {"Neo"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = br.get("/orders")
	assert.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, "Neo")

	// The link is used: a second browser gets nowhere with it.
	other := s.browser(t, "")
	other.get(u.Path + "?" + u.RawQuery)
	pg = other.post("/accept", url.Values{"name": {"Trinity"}})
	assert.Equal(t, http.StatusGone, pg.status)
}

// TestFormsFromAnotherSiteAreRefused sends a form as a browser would from
// another origin: it is refused and changes nothing.
func TestFormsFromAnotherSiteAreRefused(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	before := s.state(t, s.a)
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, s.srv.URL+"/orders/"+string(s.a.order.ID)+"/cancel", strings.NewReader("reason=x"))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.AddCookie(&http.Cookie{Name: "portalkit_session", Value: s.a.users[customer.RoleAdmin].token})
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = res.Body.Close()
	assert.Equal(t, http.StatusForbidden, res.StatusCode)
	assert.Equal(t, before, s.state(t, s.a))
}

// TestPagesSpeakGerman asks in German and by the user's own setting.
func TestPagesSpeakGerman(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	br := s.browser(t, s.a.users[customer.RoleAdmin].token)
	pg := br.get("/orders")
	assert.Contains(t, pg.body, `<html lang="en">`)
	assert.Contains(t, pg.body, "€2,598.00")

	pg = br.post("/account", url.Values{"name": {"Ada"}, "locale": {"de"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = br.get("/orders")
	assert.Contains(t, pg.body, `<html lang="de">`)
	assert.Contains(t, pg.body, "Bestellungen")
	assert.Contains(t, pg.body, "2.598,00\u00a0€")
	assert.Contains(t, pg.body, "Eingereicht")
}

// TestEveryTextIsTranslated finds the texts of the templates and handlers
// and wants a German translation of each.
func TestEveryTextIsTranslated(t *testing.T) {
	t.Parallel()
	var texts []string
	tmpl := regexp.MustCompile(`\.T "([^"]+)"`)
	code := regexp.MustCompile(`\bv\.T\("([^"]+)"[,)]`)
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, "_test.go") {
			return err
		}
		re := code
		switch filepath.Ext(path) {
		case ".html":
			re = tmpl
		case ".go":
		default:
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(data), -1) {
			texts = append(texts, m[1])
		}
		return nil
	})
	require.NoError(t, err)
	require.NotEmpty(t, texts)
	texts = append(texts, webui.FixedTexts()...)
	// The pages name the built-in ticket types, their fields and options
	// by the registry's values (view.Label): each needs a label of its own,
	// else the registry's English shows in German pages too.
	for _, tt := range ticket.DefaultTypes() {
		texts = append(texts, "ticket_type:"+tt.Name)
		for _, f := range tt.Fields {
			texts = append(texts, "ticket_field:"+f.Name)
			for _, o := range f.Options {
				texts = append(texts, "ticket_option:"+o)
			}
		}
	}
	// Labels the templates build from a value: every value has one.
	for _, s := range hrsync.RunStatuses {
		texts = append(texts, "run_status:"+string(s))
	}
	for _, text := range texts {
		assert.True(t, webui.Translated(text), "%q has no German text", text)
	}
}

// TestBranding shows a customer's own look on the sign-in pages of its
// host name and on its people's pages; the provider's elsewhere.
func TestBranding(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := portaltest.Owner(t.Context())
	c, err := s.p.GetCustomer(ctx, s.a.c.ID)
	require.NoError(t, err)
	_, err = s.p.UpdateCustomer(ctx, c.ID, portal.UpdateCustomerParams{Version: c.Version, Branding: &customer.Branding{
		DisplayName: "Acme Portal", AccentColor: "#0f766e", HostName: "portal.acme.example",
	}})
	require.NoError(t, err)

	get := func(host, token string) string {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, s.srv.URL+"/signin", nil)
		require.NoError(t, err)
		req.Host = host
		if token != "" {
			req.URL.Path = "/account"
			req.AddCookie(&http.Cookie{Name: "portalkit_session", Value: token})
		}
		res, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer func() { _ = res.Body.Close() }()
		body, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return string(body)
	}
	body := get("portal.acme.example:443", "")
	assert.Contains(t, body, "<span>Acme Portal</span>")
	assert.Contains(t, body, "accent=0f766e")
	body = get("portal.example.com", "")
	assert.Contains(t, body, "<span>portalkit</span>")
	assert.NotContains(t, body, "Acme Portal")
	body = get("portal.example.com", s.a.users[customer.RoleViewer].token)
	assert.Contains(t, body, "<span>Acme Portal</span>", "a signed-in user sees its customer's look")
	body = get("portal.example.com", s.b.users[customer.RoleViewer].token)
	assert.NotContains(t, body, "Acme Portal")
}

// TestInternalNotesStayInternal shows a ticket with a staff member's
// internal note to each role of its customer, who never see the note, and
// to the service desk in the console, who do.
func TestInternalNotesStayInternal(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	path := "/tickets/" + string(s.a.ticket.ID)
	for _, role := range []customer.Role{customer.RoleAdmin, customer.RoleMaintainer, customer.RoleViewer} {
		pg := s.browser(t, s.a.users[role].token).get(path)
		require.Equal(t, http.StatusOK, pg.status, "%s as %s", path, role)
		assert.Contains(t, pg.body, s.a.ticket.Subject)
		assert.NotContains(t, pg.body, internalNote, "%s sees the internal note", role)
		assert.NotContains(t, pg.body, "Internal note")
		list := s.browser(t, s.a.users[role].token).get("/tickets")
		assert.Contains(t, list.body, s.a.ticket.Number.String())
	}
	key, err := s.p.CreateAPIKey(portaltest.Owner(t.Context()), portal.CreateAPIKeyParams{Name: "desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	pg := s.browser(t, key.Token).get("/console/customers/" + string(s.a.c.ID) + "/tickets/" + string(s.a.ticket.ID))
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, internalNote, "the service desk sees its notes")
	pg = s.browser(t, key.Token).get("/console/tickets")
	assert.Contains(t, pg.body, s.a.ticket.Number.String())
	assert.Contains(t, pg.body, s.b.ticket.Number.String(), "the queue spans customers")
}

// TestStartPageShowsTheCustomersNews: a customer's people see on their
// start page the provider's news for them and their admins', rendered,
// never another customer's or a scheduled article; admins change and
// delete their own articles on the news pages, not the provider's.
func TestStartPageShowsTheCustomersNews(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := portaltest.Owner(t.Context())
	later, err := s.p.CreateArticle(ctx, portal.CreateArticleParams{Title: "Coming soon", Body: "x", Audience: news.Everyone,
		PublishAt: s.p.Now().Add(time.Hour)})
	require.NoError(t, err)
	_, err = s.p.CreateArticle(ctx, portal.CreateArticleParams{Title: "For everyone", Body: `Hello <img src=x onerror="alert(1)"> **all**`, Audience: news.Everyone})
	require.NoError(t, err)

	viewer := s.browser(t, s.a.users[customer.RoleViewer].token)
	pg := viewer.get("/")
	require.Equal(t, http.StatusOK, pg.status)
	for _, want := range []string{s.a.article.Title, "Soup on <em>Friday</em>.", s.a.staffNews.Title, "For everyone", "<strong>all</strong>"} {
		assert.Contains(t, pg.body, want)
	}
	for _, gone := range []string{s.b.article.Title, s.b.staffNews.Title, later.Title, "onerror", "alert(1)"} {
		assert.NotContains(t, pg.body, gone)
	}
	assert.Equal(t, http.StatusNotFound, viewer.get("/news/"+string(s.b.article.ID)).status)

	admin := s.browser(t, s.a.users[customer.RoleAdmin].token)
	pg = admin.get("/news")
	require.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, s.a.article.Title)
	assert.NotContains(t, pg.body, s.a.staffNews.Title, "the provider's article is not the admin's to change")
	assert.Equal(t, http.StatusNotFound, admin.get("/news/"+string(s.a.staffNews.ID)).status)
	pg = admin.post("/news/"+string(s.a.article.ID), url.Values{"title": {"Canteen closed"}, "body": {"Until *Monday*."}, "version": {"1"}})
	assert.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = admin.post("/news/"+string(s.a.article.ID), url.Values{"title": {"Stale"}, "body": {"x"}, "version": {"1"}})
	assert.Equal(t, http.StatusConflict, pg.status, "a stale version")
	assert.Contains(t, viewer.get("/").body, "Until <em>Monday</em>.")
	pg = admin.post("/news/"+string(s.a.article.ID)+"/delete", nil)
	assert.Equal(t, http.StatusSeeOther, pg.status)
	assert.NotContains(t, viewer.get("/").body, "Canteen closed")
}

// TestErrorMessagesAreTranslated finds the format of every
// portalerr.Invalidf call (and of the domain checks' add calls, which
// collect violations) in the module's code that a page can show and
// requires a German text for it: the pages translate an error's message
// through the format it was made from. The API's own packages are left
// out (their faults are about JSON and HTTP, never a page's), and so are
// the messages below, which no page shows.
func TestErrorMessagesAreTranslated(t *testing.T) {
	t.Parallel()
	notOnPages := map[string]string{
		"needs Time ≥ 1, Threads ≥ 1 and Memory ≥ 8 KiB per thread (or all zero for the defaults)": "portal.Config",
		"needs a client secret": "portal.Config",
		"needs the portal's public address (Branding.PublicBaseURL or StaffSSO.RedirectURL)": "portal.Config",
		"is required with a Mailer: the links in the mail are built on it":                   "portal.Config",
		"is required with a state": "a storage filter built wrong, a bug",
		"%s":                       "passes on another violation's message, translated as that one",
		"%v":                       "an address the mailer's configuration holds",
	}
	call := regexp.MustCompile(`(?:Invalidf|\badd)\([^,()]+, "((?:[^"\\]|\\.)*)"`)
	skip := map[string]bool{"httpapi": true, "scimapi": true, "client": true, "examples": true, "tools": true, "internal/oapi": true}
	var formats []string
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("..", path)
		if d.IsDir() {
			if skip[filepath.ToSlash(rel)] || strings.HasPrefix(d.Name(), ".") && rel != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range call.FindAllStringSubmatch(string(data), -1) {
			format, err := strconv.Unquote(`"` + m[1] + `"`)
			require.NoError(t, err, "%s: %s", rel, m[1])
			formats = append(formats, format)
			if _, ok := notOnPages[format]; !ok {
				assert.True(t, webui.Translated(format), "%s: %q has no German text (webui/messages_errors.go)", rel, format)
			}
		}
		return nil
	})
	require.NoError(t, err)
	assert.Greater(t, len(formats), 50, "the walk found the use cases' calls")
	for format := range notOnPages {
		assert.Contains(t, formats, format, "an exception for a message the code no longer has")
	}
}
