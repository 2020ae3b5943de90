package httpapi

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/internal/oapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/ticket"
)

// multipartSlack is what an upload's body may hold beyond the file itself:
// the multipart boundaries and part headers. The file's own limit is the
// portal's (Portal.FileLimits), which Put enforces while streaming.
const multipartSlack = 64 << 10

// ListTicketAttachments implements oapi.StrictServerInterface.
func (s *Server) ListTicketAttachments(ctx context.Context, req oapi.ListTicketAttachmentsRequestObject) (oapi.ListTicketAttachmentsResponseObject, error) {
	l, err := s.p.ListTicketAttachments(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId))
	if err != nil {
		return nil, err
	}
	out := oapi.ListTicketAttachments200JSONResponse{Items: make([]oapi.TicketAttachment, 0, len(l))}
	for _, a := range l {
		out.Items = append(out.Items, attachmentOut(a))
	}
	return out, nil
}

// AttachToTicket implements oapi.StrictServerInterface.
func (s *Server) AttachToTicket(ctx context.Context, req oapi.AttachToTicketRequestObject) (oapi.AttachToTicketResponseObject, error) {
	a, err := s.attach(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), "", req.Body)
	if err != nil {
		return nil, err
	}
	return oapi.AttachToTicket201JSONResponse(attachmentOut(a)), nil
}

// AttachToTicketComment implements oapi.StrictServerInterface.
func (s *Server) AttachToTicketComment(ctx context.Context, req oapi.AttachToTicketCommentRequestObject) (oapi.AttachToTicketCommentResponseObject, error) {
	a, err := s.attach(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), ticket.CommentID(req.CommentId), req.Body)
	if err != nil {
		return nil, err
	}
	return oapi.AttachToTicketComment201JSONResponse(attachmentOut(a)), nil
}

// attach streams the part "file" of an upload's body to the portal,
// skipping the parts before it and leaving those after it unread.
func (s *Server) attach(ctx context.Context, cid customer.ID, id ticket.ID, cmid ticket.CommentID, mr *multipart.Reader) (ticket.Attachment, error) {
	for {
		part, err := mr.NextPart()
		switch {
		case errors.Is(err, io.EOF):
			return ticket.Attachment{}, portalerr.Invalidf("file", "is required")
		case err != nil:
			return ticket.Attachment{}, multipartError(err)
		}
		if part.FormName() != "file" {
			continue // NextPart skips what is left of it
		}
		a, err := s.p.AttachToTicket(ctx, cid, id, portal.AttachToTicketParams{CommentID: cmid, Name: part.FileName()}, part)
		if errors.Is(err, filemeta.ErrTooLarge) {
			return ticket.Attachment{}, withStatus(http.StatusRequestEntityTooLarge, err)
		}
		return a, err
	}
}

// multipartError names what went wrong reading a multipart body: the body
// limit (413), or a body that is not well-formed multipart.
func multipartError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errBodyTooLarge(mbe.Limit)
	}
	return portalerr.Invalidf("body", "is not valid multipart/form-data")
}

// DownloadTicketAttachment implements oapi.StrictServerInterface. The
// answer streams the file itself (download), with the headers of
// filemeta.ServeDownload.
func (s *Server) DownloadTicketAttachment(ctx context.Context, req oapi.DownloadTicketAttachmentRequestObject) (oapi.DownloadTicketAttachmentResponseObject, error) {
	r, ok := ctx.Value(httpRequestKey).(*http.Request)
	if !ok {
		return nil, errors.New("httpapi: the download has no request")
	}
	rc, a, err := s.p.OpenTicketAttachment(ctx, customer.ID(req.CustomerId), ticket.ID(req.TicketId), ticket.AttachmentID(req.AttachmentId))
	if err != nil {
		return nil, err
	}
	return download{r: r, content: rc, a: a}, nil
}

// download answers with an attachment's content.
type download struct {
	r       *http.Request
	content io.ReadSeekCloser
	a       ticket.Attachment
}

func (d download) VisitDownloadTicketAttachmentResponse(w http.ResponseWriter) error {
	defer d.content.Close()
	f := filemeta.File{Key: filemeta.Key(d.a.FileKey), Name: d.a.Name, ContentType: d.a.ContentType, Size: d.a.Size}
	filemeta.ServeDownload(w, d.r, f, d.a.CreatedAt, d.content)
	return nil
}

// keepRequest gives the operations that answer with http.ServeContent
// their *http.Request (for Range, If-None-Match and HEAD), which strict
// handlers do not get.
func keepRequest(f oapi.StrictHandlerFunc, operationID string) oapi.StrictHandlerFunc {
	if operationID != "DownloadTicketAttachment" {
		return f
	}
	return func(ctx context.Context, w http.ResponseWriter, r *http.Request, request any) (any, error) {
		return f(context.WithValue(ctx, httpRequestKey, r), w, r, request)
	}
}

// transferTimeout is how long an authenticated caller's upload or download
// may take: a server's ReadTimeout and WriteTimeout (the reference
// server's are 30 s and 60 s) suit JSON bodies, not files of megabytes on
// a slow line.
const transferTimeout = 10 * time.Minute

// extendDeadlines gives the request on w transferTimeout to be read and
// answered, where the server supports it.
func extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(transferTimeout)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
}

// streamsFile reports whether route answers with a file's content.
func streamsFile(route *routers.Route) bool {
	return route != nil && route.Operation != nil && route.Operation.OperationID == "downloadTicketAttachment"
}

// isUpload reports whether route's body is multipart/form-data: an upload,
// which is streamed rather than read whole, and bounded by the portal's
// file limit rather than the body limit.
func isUpload(route *routers.Route) bool {
	if route == nil || route.Operation == nil || route.Operation.RequestBody == nil || route.Operation.RequestBody.Value == nil {
		return false
	}
	return route.Operation.RequestBody.Value.Content.Get("multipart/form-data") != nil
}

// checkUpload checks an upload's Content-Type: multipart/form-data with a
// boundary. kin-openapi does not read an upload's body (it would buffer it
// whole), so this is the only check before the handler streams it.
func checkUpload(r *http.Request) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return portalerr.Invalidf("Content-Type", "must be multipart/form-data")
	}
	return nil
}

func attachmentOut(a ticket.Attachment) oapi.TicketAttachment {
	out := oapi.TicketAttachment{
		Id: string(a.ID), TicketId: string(a.TicketID), Visibility: oapi.TicketVisibility(a.Visibility),
		Name: a.Name, ContentType: a.ContentType, Size: a.Size, Sha256: a.SHA256, UploadedBy: a.UploadedBy, CreatedAt: a.CreatedAt,
	}
	if a.CommentID != "" {
		out.CommentId = ptr(string(a.CommentID))
	}
	return out
}
