package webui_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/webui"
)

// tinyPNG is a 2×2 picture.
var tinyPNG = func() []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 2, 2))); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()

// The site page shows the job, the visit and a gallery whose thumbnails
// and pictures the customer's viewer can open; another customer's picture
// answers 404.
func TestSitePageGallery(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	br := s.browser(t, s.a.users[customer.RoleViewer].token)
	pg := br.get("/sites/" + string(s.a.site.ID))
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, s.a.job.Title)
	assert.Contains(t, pg.body, `src="/pictures/`+string(s.a.picture.ID)+`/thumb"`)
	thumb := br.get("/pictures/" + string(s.a.picture.ID) + "/thumb")
	require.Equal(t, http.StatusOK, thumb.status)
	_, format, err := image.DecodeConfig(bytes.NewReader([]byte(thumb.body)))
	require.NoError(t, err)
	assert.Equal(t, "jpeg", format)
	assert.Equal(t, http.StatusNotFound, br.get("/pictures/"+string(s.b.picture.ID)).status)
	pg = br.get("/sites")
	require.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, s.a.site.Name)
	assert.NotContains(t, pg.body, s.b.site.Name)
}

// The site map's search keeps the sites whose name, city or reference
// holds the text, on the map and in the list.
func TestSiteMapSearch(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := portaltest.Owner(t.Context())
	office, err := s.p.CreateSite(ctx, s.a.c.ID, portal.SiteParams{Name: "Office", ExternalRef: ptrTo("OF-7"),
		Address: &customer.Address{City: "Bremen"}, Location: &customer.GeoPoint{Latitude: 53.08, Longitude: 8.80}})
	require.NoError(t, err)
	_, _, err = s.p.PutJob(ctx, s.a.c.ID, portal.JobParams{SiteID: office.ID, Type: "repair", Title: "Door", PlannedAt: s.p.Now().Add(-time.Hour)})
	require.NoError(t, err)
	br := s.browser(t, s.a.users[customer.RoleViewer].token)
	pg := br.get("/sites")
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	require.Contains(t, pg.body, ">Office<")
	require.Contains(t, pg.body, ">"+s.a.site.Name+"<")
	for q, want := range map[string]string{"bremen": "Office", "of-7": "Office", "depot": s.a.site.Name, "hamburg": s.a.site.Name} {
		pg = br.get("/sites?q=" + url.QueryEscape(q))
		require.Equal(t, http.StatusOK, pg.status, pg.body)
		assert.Contains(t, pg.body, `name="q" maxlength="100" value="`+q+`"`, "the box keeps the search")
		for _, name := range []string{"Office", s.a.site.Name} {
			if name == want {
				assert.Contains(t, pg.body, ">"+name+"<", "%q finds %s", q, name)
			} else {
				assert.NotContains(t, pg.body, ">"+name+"<", "%q leaves %s out", q, name)
			}
		}
		assert.Equal(t, 1, strings.Count(pg.body, `class="marker"`), "%q: one marker", q)
	}
	pg = br.get("/sites?q=paris")
	assert.Contains(t, pg.body, "No sites match.")
}

// TestSubCustomerPages sends the ?c= of the field-service pages, with
// which a primary customer's people look at a sub-customer's sites,
// pictures and map: below the caller's customer they answer, for a
// sibling, the parent or an object of another customer than c names they
// answer 404 and show nothing of it.
func TestSubCustomerPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	ctx := portaltest.Owner(t.Context())
	on := true
	live := customer.FeaturesPatch{Jobs: &on, Visits: &on, Pictures: &on}
	type place struct {
		c    customer.Customer
		site customer.Site
		pic  fieldwork.Picture
	}
	mk := func(name string, parent customer.ID) place {
		c, err := s.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: name, ParentID: parent, Features: live})
		require.NoError(t, err)
		site, err := s.p.CreateSite(ctx, c.ID, portal.SiteParams{Name: name + " depot", Location: &customer.GeoPoint{Latitude: 53.5, Longitude: 10}})
		require.NoError(t, err)
		j, _, err := s.p.PutJob(ctx, c.ID, portal.JobParams{SiteID: site.ID, Type: "repair", Title: name + " boiler", PlannedAt: s.p.Now().Add(-time.Hour)})
		require.NoError(t, err)
		pic, err := s.p.UploadPicture(ctx, c.ID, j.ID, portal.UploadPictureParams{Name: name + ".png"}, bytes.NewReader(tinyPNG))
		require.NoError(t, err)
		return place{c: c, site: site, pic: pic}
	}
	top := mk("Top", "")
	primary := mk("Primary", top.c.ID)
	north := mk("North", primary.c.ID)
	south := mk("South", primary.c.ID)
	other := mk("Other", top.c.ID) // the primary's sibling
	otherSub := mk("Othersub", other.c.ID)
	signIn := func(cid customer.ID, email string, role customer.Role) *browser {
		_, err := s.p.Invite(ctx, cid, portal.InviteParams{Email: email, Role: role})
		require.NoError(t, err)
		m, ok := s.mail.Last(email)
		require.True(t, ok)
		in, err := s.p.AcceptInvitation(t.Context(), m.Token, portal.AcceptInvitationParams{Name: email})
		require.NoError(t, err)
		require.Equal(t, role, in.Membership.Role)
		return s.browser(t, in.Token)
	}
	signIn(primary.c.ID, "ada@primary.example", customer.RoleAdmin) // a customer's first member is its admin
	primaryViewer := signIn(primary.c.ID, "vic@primary.example", customer.RoleViewer)
	northAdmin := signIn(north.c.ID, "nina@north.example", customer.RoleAdmin)

	for _, tc := range []struct {
		who    string
		br     *browser
		c      customer.ID // what ?c= names
		of     place       // whose site and picture are asked for
		answer bool
		self   bool // c names the caller's own customer
	}{
		{"the primary's viewer", primaryViewer, north.c.ID, north, true, false},
		{"the primary's viewer", primaryViewer, south.c.ID, south, true, false},
		{"the primary's viewer", primaryViewer, other.c.ID, other, false, false},       // a sibling
		{"the primary's viewer", primaryViewer, otherSub.c.ID, otherSub, false, false}, // a sibling's sub-customer
		{"the primary's viewer", primaryViewer, top.c.ID, top, false, false},           // the parent
		{"the primary's viewer", primaryViewer, south.c.ID, north, false, false},       // c names another customer than the object's
		{"the sub-customer's admin", northAdmin, north.c.ID, north, true, true},        // its own, named
		{"the sub-customer's admin", northAdmin, primary.c.ID, primary, false, false},  // the parent
		{"the sub-customer's admin", northAdmin, south.c.ID, south, false, false},      // a sibling
	} {
		c := "?c=" + string(tc.c)
		for _, path := range []string{
			"/sites/" + string(tc.of.site.ID) + c,
			"/pictures/" + string(tc.of.pic.ID) + c,
			"/pictures/" + string(tc.of.pic.ID) + "/thumb" + c,
		} {
			pg := tc.br.get(path)
			if tc.answer {
				assert.Equal(t, http.StatusOK, pg.status, "%s: %s", tc.who, path)
			} else {
				assert.Equal(t, http.StatusNotFound, pg.status, "%s: %s", tc.who, path)
				assert.NotContains(t, pg.body, tc.of.site.Name, "%s: %s", tc.who, path)
			}
		}
		if tc.c != tc.of.c.ID {
			continue // the map names no object
		}
		pg := tc.br.get("/sites" + c)
		if !tc.answer {
			assert.Equal(t, http.StatusNotFound, pg.status, "%s: /sites%s", tc.who, c)
			assert.NotContains(t, pg.body, tc.of.site.Name, "%s: /sites%s", tc.who, c)
			continue
		}
		require.Equal(t, http.StatusOK, pg.status, "%s: /sites%s", tc.who, c)
		link, keep := `href="/sites/`+string(tc.of.site.ID)+c+`"`, `<input type="hidden" name="c" value="`+string(tc.c)+`">`
		if tc.self {
			link = `href="/sites/` + string(tc.of.site.ID) + `"`
			assert.NotContains(t, pg.body, keep, "%s: its own customer needs no c", tc.who)
		} else {
			assert.Contains(t, pg.body, keep, "%s: the form keeps c", tc.who)
		}
		assert.Contains(t, pg.body, link, "%s: /sites%s lists the sub-customer's site", tc.who, c)
		assert.NotContains(t, pg.body, primary.site.Name, "%s: /sites%s shows the sub-customer's alone", tc.who, c)
	}
}

// The site map lays OpenStreetMap's standard tiles by default and credits
// them as their licence asks, with a link to OpenStreetMap's copyright
// page; without tiles there is nothing to credit.
func TestSiteMapCreditsOpenStreetMap(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	pg := s.browser(t, s.a.users[customer.RoleViewer].token).get("/sites")
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `<image href="https://tile.openstreetmap.org/`, "the default tiles")
	assert.Contains(t, pg.body, `<figcaption class="muted"><a href="https://www.openstreetmap.org/copyright">`+webui.DefaultTileAttribution+`</a></figcaption>`)

	plain := *s
	plain.srv = httptest.NewServer(webui.New(s.p, webui.WithMapTiles("", "")))
	t.Cleanup(plain.srv.Close)
	pg = plain.browser(t, s.a.users[customer.RoleViewer].token).get("/sites")
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.NotContains(t, pg.body, "<image ", "no tiles")
	assert.NotContains(t, pg.body, "openstreetmap.org", "and no credit")
	assert.Contains(t, pg.body, `class="marker"`, "the markers still show")
}
