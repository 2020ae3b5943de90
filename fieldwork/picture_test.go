package fieldwork_test

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/portalerr"
)

// gpsMarker stands for the GPS block of a phone's EXIF data.
const gpsMarker = "GPS 52.5170N 13.3889E"

// photo returns a w×h JPEG with an EXIF segment that carries gpsMarker,
// as a phone's camera writes one.
func photo(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	require.NoError(t, jpeg.Encode(&buf, img, nil))
	// APP1: "Exif\0\0", a big-endian TIFF header and an empty IFD, then the marker.
	payload := append([]byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00"), gpsMarker...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	jpg := buf.Bytes()
	return append(append(append([]byte{}, jpg[:2]...), append(seg, payload...)...), jpg[2:]...)
}

func TestPrepareStripsMetadataAndMakesAThumbnail(t *testing.T) {
	in := photo(t, 1200, 800)
	require.Contains(t, string(in), gpsMarker, "the upload carries a position")
	p, err := fieldwork.Prepare(bytes.NewReader(in), 10<<20, false)
	require.NoError(t, err)
	assert.Equal(t, "image/jpeg", p.ContentType)
	assert.Equal(t, 1200, p.Width)
	assert.Equal(t, 800, p.Height)
	assert.NotContains(t, string(p.Image), gpsMarker, "re-encoding drops the EXIF block")
	assert.NotContains(t, string(p.Image), "Exif\x00\x00")
	th, format, err := image.Decode(bytes.NewReader(p.Thumb))
	require.NoError(t, err)
	assert.Equal(t, "jpeg", format)
	assert.Equal(t, image.Pt(fieldwork.ThumbSize, 213), th.Bounds().Size(), "fitted, proportions kept")

	kept, err := fieldwork.Prepare(bytes.NewReader(in), 10<<20, true)
	require.NoError(t, err)
	assert.Equal(t, in, kept.Image, "kept as uploaded, on purpose")
	assert.NotContains(t, string(kept.Thumb), gpsMarker, "the thumbnail never carries it")
}

func TestPrepareRefuses(t *testing.T) {
	cases := map[string][]byte{
		"text":      []byte("just some text, not a picture at all"),
		"pdf":       []byte("%PDF-1.4\n1 0 obj\n"),
		"truncated": photo(t, 50, 50)[:40],
	}
	for name, data := range cases {
		_, err := fieldwork.Prepare(bytes.NewReader(data), 10<<20, false)
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), name)
		assert.Equal(t, []string{"file"}, fieldsOf(err), name)
	}
	_, err := fieldwork.Prepare(bytes.NewReader(photo(t, 100, 100)), 100, false)
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "too large")
	assert.Contains(t, portalerr.MessageOf(err), "larger than 100 bytes")

	var buf bytes.Buffer
	require.NoError(t, png.Encode(&buf, image.NewGray(image.Rect(0, 0, 20, 10))))
	p, err := fieldwork.Prepare(&buf, 10<<20, false)
	require.NoError(t, err)
	assert.Equal(t, "image/png", p.ContentType, "a PNG stays a PNG")
}

func fieldsOf(err error) []string {
	var out []string
	for _, f := range portalerr.FieldsOf(err) {
		out = append(out, f.Field)
	}
	return out
}
