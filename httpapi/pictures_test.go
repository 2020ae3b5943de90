package httpapi_test

import (
	"bytes"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
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

// pictureBody is a multipart body with data in its part "file", and its
// content type.
func pictureBody(data []byte) (string, string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.SetBoundary("portalkit-test-boundary")
	w, _ := mw.CreateFormFile("file", "boiler.png")
	_, _ = w.Write(data)
	_ = mw.Close()
	if regexp.MustCompile(`\{\w+\}`).Match(buf.Bytes()) {
		panic("the picture's bytes look like a placeholder of the matrices")
	}
	return buf.String(), mw.FormDataContentType()
}

var multipartPNG, multipartType = pictureBody(tinyPNG)

// A picture uploaded over the API gets a thumbnail; a file that is no
// picture is refused with the part named, and nothing is stored.
func TestUploadPictureOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	ctx := t.Context()
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{Jobs: ptr(true), Pictures: ptr(true)})
	site := must(owner.CreateSiteWithResponse(ctx, cid, nil, client.SiteRequest{Name: "Plant"}))(t).JSON201
	j, _, err := e.p.PutJob(portaltest.Owner(ctx), customer.ID(cid), portal.JobParams{SiteID: customer.SiteID(site.Id), Type: "repair", Title: "Boiler", PlannedAt: e.p.Now()})
	require.NoError(t, err)
	big := image.NewRGBA(image.Rect(0, 0, 640, 480))
	var pngBuf bytes.Buffer
	require.NoError(t, png.Encode(&pngBuf, big))
	body, ct := pictureBody(pngBuf.Bytes())
	path := "/v1/customers/" + cid + "/jobs/" + string(j.ID) + "/pictures"
	res, out := e.do(t, http.MethodPost, path, e.owner, bytes.NewReader([]byte(body)), map[string]string{"Content-Type": ct})
	require.Equal(t, http.StatusCreated, res.StatusCode, "body: %s", out)
	assert.Contains(t, string(out), `"width":640`)

	body, ct = pictureBody([]byte("%PDF-1.4 not a picture at all"))
	res, out = e.do(t, http.MethodPost, path, e.owner, bytes.NewReader([]byte(body)), map[string]string{"Content-Type": ct})
	require.Equal(t, http.StatusBadRequest, res.StatusCode, "body: %s", out)
	p := problem(t, res, out, http.StatusBadRequest, client.ProblemCodeInvalid)
	require.NotNil(t, p.Fields)
	assert.Equal(t, "file", (*p.Fields)[0].Field)

	viewer := e.client(t, ada.Token)
	l := must(viewer.ListPicturesWithResponse(ctx, cid, nil))(t).JSON200
	require.Len(t, l.Items, 1, "the refused upload left nothing")
	thumb := must(viewer.GetPictureThumbnailWithResponse(ctx, cid, l.Items[0].Id))(t)
	assert.Equal(t, "image/jpeg", thumb.HTTPResponse.Header.Get("Content-Type"))
	cfg, format, err := image.DecodeConfig(bytes.NewReader(thumb.Body))
	require.NoError(t, err)
	assert.Equal(t, "jpeg", format)
	assert.Equal(t, 320, cfg.Width)
	assert.Equal(t, 240, cfg.Height)
	full := must(viewer.GetPictureContentWithResponse(ctx, cid, l.Items[0].Id))(t)
	assert.Equal(t, "image/png", full.HTTPResponse.Header.Get("Content-Type"))
	got, _, err := image.DecodeConfig(bytes.NewReader(full.Body))
	require.NoError(t, err)
	assert.Equal(t, 640, got.Width)
}
