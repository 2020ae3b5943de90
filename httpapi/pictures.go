package httpapi

import (
	"context"
	"errors"
	"io"
	"mime/multipart"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// UploadPicture implements oapi.StrictServerInterface: the picture is the
// multipart body's part "file" (filePart), streamed to the use case.
func (s *Server) UploadPicture(ctx context.Context, req oapi.UploadPictureRequestObject) (oapi.UploadPictureResponseObject, error) {
	part, err := filePart(req.Body, "file")
	if err != nil {
		return nil, err
	}
	defer part.Close()
	pic, err := s.p.UploadPicture(ctx, customer.ID(req.CustomerId), fieldwork.JobID(req.JobId), portal.UploadPictureParams{Name: part.FileName()}, part)
	if err != nil {
		return nil, err
	}
	return oapi.UploadPicture201JSONResponse(pictureOut(pic)), nil
}

// filePart returns the first part of mr named name, or Invalid naming it.
func filePart(mr *multipart.Reader, name string) (*multipart.Part, error) {
	missing := portalerr.InvalidFields(portalerr.FieldViolation{Field: name, Message: "is required: a part of the multipart body"})
	if mr == nil {
		return nil, missing
	}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil, missing
		}
		if err != nil {
			return nil, portalerr.InvalidFields(portalerr.FieldViolation{Field: name, Message: "the multipart body cannot be read"})
		}
		if p.FormName() == name {
			return p, nil
		}
		_ = p.Close()
	}
}

// ListPictures implements oapi.StrictServerInterface.
func (s *Server) ListPictures(ctx context.Context, req oapi.ListPicturesRequestObject) (oapi.ListPicturesResponseObject, error) {
	params := portal.ListPicturesParams{From: derefTime(req.Params.From), To: derefTime(req.Params.To),
		SiteID: customer.SiteID(deref(req.Params.SiteId)), JobID: fieldwork.JobID(deref(req.Params.JobId))}
	params.Cursor, params.Limit = pageIn(req.Params.Cursor, req.Params.Limit)
	l, err := s.p.ListPictures(ctx, customer.ID(req.CustomerId), params)
	if err != nil {
		return nil, err
	}
	out := oapi.ListPictures200JSONResponse{Items: make([]oapi.Picture, len(l.Items)), NextCursor: l.NextCursor}
	for i, p := range l.Items {
		out.Items[i] = pictureOut(p)
	}
	return out, nil
}

// GetPictureContent implements oapi.StrictServerInterface.
func (s *Server) GetPictureContent(ctx context.Context, req oapi.GetPictureContentRequestObject) (oapi.GetPictureContentResponseObject, error) {
	rc, pic, err := s.p.OpenPicture(ctx, customer.ID(req.CustomerId), fieldwork.PictureID(req.PictureId), false)
	if err != nil {
		return nil, err
	}
	return oapi.GetPictureContent200ImageResponse{Body: rc, ContentType: pic.ContentType, ContentLength: pic.Size}, nil
}

// GetPictureThumbnail implements oapi.StrictServerInterface.
func (s *Server) GetPictureThumbnail(ctx context.Context, req oapi.GetPictureThumbnailRequestObject) (oapi.GetPictureThumbnailResponseObject, error) {
	rc, _, err := s.p.OpenPicture(ctx, customer.ID(req.CustomerId), fieldwork.PictureID(req.PictureId), true)
	if err != nil {
		return nil, err
	}
	return oapi.GetPictureThumbnail200ImageResponse{Body: rc, ContentType: "image/jpeg"}, nil
}

func pictureOut(p fieldwork.Picture) oapi.Picture {
	return oapi.Picture{
		Id: string(p.ID), JobId: string(p.JobID), CustomerId: string(p.CustomerID), SiteId: string(p.SiteID), Name: p.Name,
		ContentType: p.ContentType, Size: p.Size, Width: p.Width, Height: p.Height, TakenAt: p.TakenAt,
	}
}
