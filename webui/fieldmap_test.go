package webui_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
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
