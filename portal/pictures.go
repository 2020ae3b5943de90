package portal

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// PrefixPicture starts the IDs of pictures.
const PrefixPicture = "pic"

func errPictureNotFound(id fieldwork.PictureID) error {
	return portalerr.New(portalerr.NotFound, "picture %s not found", id)
}

// UploadPictureParams name an uploaded picture.
type UploadPictureParams struct {
	// Name is the client's file name, kept sanitised for display only.
	Name string `json:"name" validate:"max=1000"`
}

// UploadPicture stores the picture read from r for job jid of customer
// cid, and a thumbnail made from it. Staff and API keys may call it. The
// content must be a picture, by its bytes (fieldwork.Prepare: Invalid on
// "file" otherwise, and for more than Config.FileLimits.MaxBytes); it is
// re-encoded, which strips EXIF and its GPS position, unless
// Config.KeepPictureMetadata. FailedPrecondition without Config.Files;
// NotFound for a job that is not the customer's. Files stored before a
// failed write are deleted again.
func (p *Portal) UploadPicture(ctx context.Context, cid customer.ID, jid fieldwork.JobID, params UploadPictureParams, r io.Reader) (fieldwork.Picture, error) {
	if p.files == nil {
		return fieldwork.Picture{}, errNoFileStore
	}
	if err := validStruct(params); err != nil {
		return fieldwork.Picture{}, err
	}
	// Refuse early, so that nobody may fill the store without the right.
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActPictureWrite, cid, ""); err != nil {
			return err
		}
		_, err := getJob(ctx, r, access{}, cid, jid)
		return err
	})
	if err != nil {
		return fieldwork.Picture{}, err
	}
	maxBytes := p.fileLim.MaxBytes
	if maxBytes <= 0 {
		maxBytes = filemeta.DefaultMaxBytes
	}
	prep, err := fieldwork.Prepare(r, maxBytes, p.keepPictureMeta)
	if err != nil {
		return fieldwork.Picture{}, err
	}
	lim := filemeta.Limits{MaxBytes: maxBytes, Types: []string{"image/jpeg", "image/png", "image/gif", "image/webp"}}
	full, err := p.files.Put(ctx, params.Name, bytes.NewReader(prep.Image), lim)
	if err != nil {
		return fieldwork.Picture{}, err
	}
	stored := []filemeta.Key{full.Key}
	defer func() {
		for _, k := range stored {
			// The context may be what failed; the orphans must go regardless.
			if derr := p.files.Delete(context.WithoutCancel(ctx), k); derr != nil {
				p.log.ErrorContext(ctx, "portal: deleting the file of a failed picture", "key", k, "err", derr)
			}
		}
	}()
	// The thumbnail is ours, not the uploader's: the upload's limit is no
	// measure of it (a tiny PNG makes a larger JPEG).
	thumb, err := p.files.Put(ctx, "thumbnail.jpg", bytes.NewReader(prep.Thumb), filemeta.Limits{MaxBytes: 4 << 20, Types: []string{"image/jpeg"}})
	if err != nil {
		return fieldwork.Picture{}, err
	}
	stored = append(stored, thumb.Key)
	var out fieldwork.Picture
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActPictureWrite, cid, "")
		if err != nil {
			return err
		}
		j, err := getJob(ctx, r, access{}, cid, jid)
		if err != nil {
			return err
		}
		now := p.timestamp()
		out = fieldwork.Picture{
			ID: fieldwork.PictureID(p.ids.NewID(PrefixPicture)), CustomerID: cid, SiteID: j.SiteID, JobID: j.ID,
			Name: full.Name, ContentType: prep.ContentType, Size: full.Size, Width: prep.Width, Height: prep.Height,
			FileKey: string(full.Key), ThumbKey: string(thumb.Key), TakenAt: now, CreatedAt: now,
		}
		noteObject(r, string(out.ID))
		if err := r.Pictures().Create(ctx, out); err != nil {
			return fmt.Errorf("portal: adding picture: %w", err)
		}
		return p.recordDiff(ctx, r, a, "picture.uploaded", cid, string(out.ID), nil, nil, out)
	})
	if err != nil {
		return fieldwork.Picture{}, err
	}
	stored = nil
	return out, nil
}

// ListPicturesParams select and page a picture list.
type ListPicturesParams struct {
	SiteID customer.SiteID `json:"site_id" validate:"max=100"`
	JobID  fieldwork.JobID `json:"job_id" validate:"max=100"`
	// From and To keep pictures taken from From (inclusive) to To
	// (exclusive); zero leaves a side open.
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Cursor string    `json:"cursor" validate:"max=200"`
	Limit  int       `json:"limit" validate:"min=0,max=100"`
}

func (p ListPicturesParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListPictures returns one page of customer cid's pictures taken in the
// range, newest first. Customer users see them while the pictures live
// view is on, at the sites they may see.
func (p *Portal) ListPictures(ctx context.Context, cid customer.ID, params ListPicturesParams) (List[fieldwork.Picture], error) {
	rng := fieldwork.Range{From: params.From, To: params.To}
	if err := rng.Check(); err != nil {
		return List[fieldwork.Picture]{}, err
	}
	return listIn(ctx, p, "pictures", ActPictureRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[fieldwork.Picture], error) {
		return r.Pictures().List(ctx, storage.PictureFilter{CustomerID: cid, SiteIDs: siteScope(a, params.SiteID), JobID: params.JobID, Range: rng}, page)
	})
}

// OpenPicture returns a picture of customer cid and its image, or with
// thumb its thumbnail, to read; the caller closes it. Who may list the
// pictures may open them. FailedPrecondition without Config.Files.
func (p *Portal) OpenPicture(ctx context.Context, cid customer.ID, id fieldwork.PictureID, thumb bool) (io.ReadSeekCloser, fieldwork.Picture, error) {
	if p.files == nil {
		return nil, fieldwork.Picture{}, errNoFileStore
	}
	var pic fieldwork.Picture
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActPictureRead, cid, "")
		if err != nil {
			return err
		}
		pic, err = r.Pictures().Get(ctx, id)
		if err != nil {
			return notFoundAs(err, errPictureNotFound(id))
		}
		if pic.CustomerID != cid || (a.user() && !a.membership.CoversSite(pic.SiteID)) {
			return errPictureNotFound(id)
		}
		return nil
	})
	if err != nil {
		return nil, fieldwork.Picture{}, err
	}
	key := pic.FileKey
	if thumb {
		key = pic.ThumbKey
	}
	rc, _, err := p.files.Get(ctx, filemeta.Key(key))
	if err != nil {
		return nil, fieldwork.Picture{}, err
	}
	return rc, pic, nil
}
