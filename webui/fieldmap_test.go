package webui_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
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
