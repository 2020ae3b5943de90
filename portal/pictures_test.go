package portal_test

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// pictureOf returns a w×h picture: JPEG with a marker in an EXIF-like
// APP1 segment, or PNG.
func pictureOf(t *testing.T, w, h int, format string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		img.Set(x, x%h, color.RGBA{200, 10, 10, 255})
	}
	var buf bytes.Buffer
	if format == "png" {
		require.NoError(t, png.Encode(&buf, img))
		return buf.Bytes()
	}
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	app1 := append([]byte{0xFF, 0xE1, 0x00, 0x1A}, "Exif\x00\x00GPS 52.5N 13.4E\x00\x00"...)
	b := buf.Bytes()
	return append(append(append([]byte{}, b[:2]...), app1...), b[2:]...)
}

// A picture uploaded by staff gets a thumbnail and loses its EXIF block;
// anything else is refused; customer users see pictures while the live
// view is on.
func TestUploadPicture(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		site := e.createSite(t, c.ID, "Plant")
		j, _, err := e.p.PutJob(e.owner, c.ID, portal.JobParams{SiteID: site.ID, Type: "repair", Title: "Boiler", PlannedAt: e.p.Now()})
		require.NoError(t, err)
		in := pictureOf(t, 800, 600, "jpeg")
		require.Contains(t, string(in), "GPS 52.5N")
		pic, err := e.p.UploadPicture(e.owner, c.ID, j.ID, portal.UploadPictureParams{Name: "boiler.jpg"}, bytes.NewReader(in))
		require.NoError(t, err)
		assert.Equal(t, site.ID, pic.SiteID)
		assert.Equal(t, "image/jpeg", pic.ContentType)
		assert.Equal(t, 800, pic.Width)

		read := func(ctx any, thumb bool) []byte {
			rc, _, err := e.p.OpenPicture(e.owner, c.ID, pic.ID, thumb)
			require.NoError(t, err)
			defer rc.Close()
			b, err := io.ReadAll(rc)
			require.NoError(t, err)
			return b
		}
		full := read(nil, false)
		assert.NotContains(t, string(full), "GPS 52.5N", "the position is not stored")
		th, _, err := image.DecodeConfig(bytes.NewReader(read(nil, true)))
		require.NoError(t, err)
		assert.Equal(t, fieldwork.ThumbSize, th.Width, "a thumbnail")
		assert.Equal(t, 240, th.Height)

		_, err = e.p.UploadPicture(e.owner, c.ID, j.ID, portal.UploadPictureParams{Name: "notes.txt"}, strings.NewReader("not a picture"))
		assertCode(t, portalerr.Invalid, err, "a non-image is refused")
		assert.Equal(t, []string{"file"}, fieldsOf(err))
		_, err = e.p.UploadPicture(e.owner, c.ID, j.ID, portal.UploadPictureParams{Name: "fake.jpg"}, strings.NewReader("%PDF-1.4 pretending"))
		assertCode(t, portalerr.Invalid, err, "the name's claim counts for nothing")
		l, err := e.p.ListPictures(e.owner, c.ID, portal.ListPicturesParams{JobID: j.ID})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1, "refused uploads leave nothing")

		viewer := identity.NewContext(t.Context(), identity.User(e.addMember(t, c.ID, "vic@acme.example", customer.RoleViewer).Membership))
		_, err = e.p.ListPictures(viewer, c.ID, portal.ListPicturesParams{})
		assertCode(t, portalerr.NotFound, err, "pictures off: not there")
		_, _, err = e.p.OpenPicture(viewer, c.ID, pic.ID, true)
		assertCode(t, portalerr.NotFound, err)
		cur, err := e.p.GetCustomer(e.owner, c.ID)
		require.NoError(t, err)
		_, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: cur.Version, FeaturesPatch: customer.FeaturesPatch{Pictures: ptr(true)}})
		require.NoError(t, err)
		l, err = e.p.ListPictures(viewer, c.ID, portal.ListPicturesParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1)
		_, err = e.p.UploadPicture(viewer, c.ID, j.ID, portal.UploadPictureParams{}, bytes.NewReader(pictureOf(t, 10, 10, "png")))
		assertCode(t, portalerr.PermissionDenied, err, "customer users only look")
	}, withFiles(t))
}

// With KeepPictureMetadata the provider keeps the upload as it is, GPS
// block included, on purpose.
func TestKeepPictureMetadata(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		site := e.createSite(t, c.ID, "Plant")
		j, _, err := e.p.PutJob(e.owner, c.ID, portal.JobParams{SiteID: site.ID, Type: "repair", Title: "Boiler", PlannedAt: e.p.Now()})
		require.NoError(t, err)
		in := pictureOf(t, 64, 48, "jpeg")
		pic, err := e.p.UploadPicture(e.owner, c.ID, j.ID, portal.UploadPictureParams{Name: "boiler.jpg"}, bytes.NewReader(in))
		require.NoError(t, err)
		rc, _, err := e.p.OpenPicture(e.owner, c.ID, pic.ID, false)
		require.NoError(t, err)
		defer rc.Close()
		got, err := io.ReadAll(rc)
		require.NoError(t, err)
		assert.Equal(t, in, got)
	}, withFiles(t), func(c *portal.Config) { c.KeepPictureMetadata = true })
}
