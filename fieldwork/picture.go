package fieldwork

import (
	"bytes"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"time"

	// Decoders for the picture formats accepted besides JPEG and PNG.
	_ "image/gif"

	"github.com/disintegration/imaging"
	_ "golang.org/x/image/webp"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// PictureID identifies a picture ("pic_" + UUIDv7).
type PictureID string

// Picture is a photo taken at a site for a job. The image and its
// thumbnail live in the file store; the database keeps their keys.
type Picture struct {
	ID         PictureID
	CustomerID customer.ID     // the job's
	SiteID     customer.SiteID // the job's
	JobID      JobID
	// Name is the uploader's file name, sanitised; for display only.
	Name        string
	ContentType string // of the stored image: image/jpeg or image/png
	Size        int64
	Width       int
	Height      int
	FileKey     string
	ThumbKey    string
	// TakenAt is when the picture was uploaded: what date ranges of
	// pictures select on.
	TakenAt   time.Time
	CreatedAt time.Time
}

// Limits on pictures.
const (
	// MaxPixels refuses images whose decoded size would be a memory bomb.
	MaxPixels = 50_000_000
	// ThumbSize is the longest side of a thumbnail, in pixels.
	ThumbSize = 320
)

// Prepared is an uploaded picture made ready to store: the image as it
// is kept, and its thumbnail (always JPEG).
type Prepared struct {
	Image, Thumb  []byte
	ContentType   string // of Image
	Width, Height int
}

// errNotPicture is the refusal of an upload that is no picture.
func errNotPicture(why string) error {
	return portalerr.InvalidFields(portalerr.FieldViolation{Field: "file", Message: why})
}

// Prepare reads an upload of at most maxBytes, checks by its content (the
// client's claim counts for nothing) that it is a JPEG, PNG, GIF or WebP
// image of at most MaxPixels, turns it upright by its EXIF orientation,
// and makes a thumbnail of at most ThumbSize pixels a side.
//
// The image is re-encoded (JPEG stays JPEG, the others become PNG): Go's
// encoders write pixels only, so EXIF and every other metadata block,
// the GPS position included, is gone from what is stored. With
// keepMetadata the bytes are kept exactly as uploaded instead, for a
// provider that wants the position on purpose; the thumbnail is always
// re-encoded. Invalid on "file" for anything else.
func Prepare(r io.Reader, maxBytes int64, keepMetadata bool) (Prepared, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxBytes+1))
	if err != nil {
		return Prepared{}, fmt.Errorf("fieldwork: reading the picture: %w", err)
	}
	if int64(len(data)) > maxBytes {
		return Prepared{}, errNotPicture(fmt.Sprintf("is larger than %d bytes", maxBytes))
	}
	sniffed := http.DetectContentType(data)
	switch sniffed {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
	default:
		return Prepared{}, errNotPicture("is not a picture (JPEG, PNG, GIF or WebP) but " + sniffed)
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Prepared{}, errNotPicture("cannot be read as a picture")
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > MaxPixels {
		return Prepared{}, errNotPicture(fmt.Sprintf("has %d×%d pixels; at most %d are accepted", cfg.Width, cfg.Height, MaxPixels))
	}
	img, err := imaging.Decode(bytes.NewReader(data), imaging.AutoOrientation(true))
	if err != nil {
		return Prepared{}, errNotPicture("cannot be read as a picture")
	}
	out := Prepared{Width: img.Bounds().Dx(), Height: img.Bounds().Dy()}
	var buf bytes.Buffer
	switch {
	case keepMetadata:
		out.Image, out.ContentType = data, sniffed
	case sniffed == "image/jpeg":
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
			return Prepared{}, fmt.Errorf("fieldwork: encoding the picture: %w", err)
		}
		out.Image, out.ContentType = buf.Bytes(), "image/jpeg"
	default:
		if err := png.Encode(&buf, img); err != nil {
			return Prepared{}, fmt.Errorf("fieldwork: encoding the picture: %w", err)
		}
		out.Image, out.ContentType = buf.Bytes(), "image/png"
	}
	var tb bytes.Buffer
	thumb := imaging.Fit(img, ThumbSize, ThumbSize, imaging.Lanczos)
	if err := jpeg.Encode(&tb, thumb, &jpeg.Options{Quality: 80}); err != nil {
		return Prepared{}, fmt.Errorf("fieldwork: encoding the thumbnail: %w", err)
	}
	out.Thumb = tb.Bytes()
	return out, nil
}
