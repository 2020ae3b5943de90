package webui

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/ticket"
)

// multipartSlack is what an upload form may send beyond the file: the
// multipart boundaries and part headers.
const multipartSlack = 64 << 10

// attachmentRoutes registers the upload and download of a ticket's files,
// on the customer's ticket page and on the console's. The console's
// upload route is more specific than its other ticket forms', so it wins.
func (h *handler) attachmentRoutes() {
	h.handle("POST /tickets/{id}/attachments", h.asUser(h.attachPortal))
	h.handle("GET /tickets/{id}/attachments/{att}", h.asUser(h.downloadPortal))
	h.handle("POST /console/customers/{id}/tickets/{tid}/attachments", h.asStaff(h.attachConsole))
	h.handle("GET /console/customers/{id}/tickets/{tid}/attachments/{att}", h.asStaff(h.downloadConsole))
}

func (h *handler) attachPortal(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	id := ticket.ID(r.PathValue("id"))
	if err := h.upload(w, r, cid, id); err != nil {
		h.ticketFailed(w, r, v, cid, err)
		return
	}
	h.redirect(w, r, "/tickets/"+url.PathEscape(string(id)), "attached")
}

func (h *handler) attachConsole(w http.ResponseWriter, r *http.Request, v *view) {
	cid, id := customer.ID(r.PathValue("id")), ticket.ID(r.PathValue("tid"))
	if err := h.upload(w, r, cid, id); err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleTicket(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/customers/"+url.PathEscape(string(cid))+"/tickets/"+url.PathEscape(string(id)), "attached")
}

// upload streams the part "file" of a multipart form to the ticket, or to
// the comment its part "comment_id" names when that comes first (as the
// form's fields do): the form is read as it arrives, never whole, and may
// be as large as the portal accepts files.
func (h *handler) upload(w http.ResponseWriter, r *http.Request, cid customer.ID, id ticket.ID) error {
	limit := h.p.FileLimits().MaxBytes
	extendDeadlines(w)
	r.Body = http.MaxBytesReader(w, r.Body, limit+multipartSlack)
	noFile := portalerr.Invalidf("file", "choose a file to attach")
	mr, err := r.MultipartReader()
	if err != nil {
		return noFile
	}
	var cmid ticket.CommentID
	for {
		part, err := mr.NextPart()
		var mbe *http.MaxBytesError
		switch {
		case errors.Is(err, io.EOF):
			return noFile
		case errors.As(err, &mbe):
			return portalerr.Invalidf("file", "is larger than the limit of %d bytes", limit)
		case err != nil:
			return portalerr.Invalidf("file", "could not be read: send the form again")
		}
		if part.FormName() == "comment_id" {
			b, err := io.ReadAll(io.LimitReader(part, 101))
			if err != nil || len(b) > 100 {
				return portalerr.Invalidf("comment_id", "is not valid")
			}
			cmid = ticket.CommentID(strings.TrimSpace(string(b)))
			continue
		}
		if part.FormName() != "file" {
			continue
		}
		if part.FileName() == "" {
			return noFile // a browser sends an empty part when no file is chosen
		}
		_, err = h.p.AttachToTicket(r.Context(), cid, id, portal.AttachToTicketParams{CommentID: cmid, Name: part.FileName()}, part)
		return err
	}
}

func (h *handler) downloadPortal(w http.ResponseWriter, r *http.Request, _ *view, cid customer.ID) {
	h.download(w, r, cid, ticket.ID(r.PathValue("id")))
}

func (h *handler) downloadConsole(w http.ResponseWriter, r *http.Request, _ *view) {
	h.download(w, r, customer.ID(r.PathValue("id")), ticket.ID(r.PathValue("tid")))
}

// download streams an attachment with the headers of
// filemeta.ServeDownload: its sniffed type, nosniff, Content-Disposition
// attachment with the sanitised name, a sandboxing CSP.
func (h *handler) download(w http.ResponseWriter, r *http.Request, cid customer.ID, id ticket.ID) {
	rc, a, err := h.p.OpenTicketAttachment(r.Context(), cid, id, ticket.AttachmentID(r.PathValue("att")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	defer rc.Close()
	extendDeadlines(w)
	f := filemeta.File{Key: filemeta.Key(a.FileKey), Name: a.Name, ContentType: a.ContentType, Size: a.Size}
	filemeta.ServeDownload(w, r, f, a.CreatedAt, rc)
}

// transferTimeout is how long a signed-in person's upload or download may
// take: a server's ReadTimeout and WriteTimeout suit forms, not files of
// megabytes on a slow line.
const transferTimeout = 10 * time.Minute

// extendDeadlines gives the request on w transferTimeout to be read and
// answered, where the server supports it.
func extendDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	deadline := time.Now().Add(transferTimeout)
	_ = rc.SetReadDeadline(deadline)
	_ = rc.SetWriteDeadline(deadline)
}

// ticketFiles is what a ticket's page shows of its files: the list, where
// they are downloaded and uploaded, and what the upload form accepts.
type ticketFiles struct {
	Attachments []ticket.Attachment
	FilesURL    string // the upload form's action; a file's download adds "/" and its ID
	CanAttach   bool
	Accept      string // the accept attribute: the media types allowed
	MaxBytes    int64
}

// loadFiles fills in a ticket's files for its page at base ("/tickets/…"
// or "/console/customers/…/tickets/…"); a failure to list them leaves the
// list empty rather than the page unshown.
func (h *handler) loadFiles(r *http.Request, cid customer.ID, t ticket.Ticket, canComment bool, base string) ticketFiles {
	l := h.p.FileLimits()
	d := ticketFiles{FilesURL: base + "/attachments", CanAttach: canComment && h.p.HasFiles(), Accept: strings.Join(l.Types, ","), MaxBytes: l.MaxBytes}
	as, err := h.p.ListTicketAttachments(r.Context(), cid, t.ID)
	if err != nil {
		h.log.ErrorContext(r.Context(), "webui: listing attachments", "ticket", t.ID, "err", err)
		return d
	}
	d.Attachments = as
	return d
}
