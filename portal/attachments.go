package portal

import (
	"context"
	"fmt"
	"io"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/filestore/filemeta"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/ticket"
)

// PrefixAttachment starts the IDs of ticket attachments.
const PrefixAttachment = "att"

// FileStore keeps uploaded files outside the database; *filestore.Store is
// one. Put checks an upload against the limits, sniffing its type, and
// stores it under a fresh key; Get and Delete take that key. Failures are
// *portalerr.Error values: Invalid for a refused upload, NotFound for a
// missing key.
type FileStore interface {
	Put(ctx context.Context, name string, r io.Reader, l filemeta.Limits) (filemeta.File, error)
	Get(ctx context.Context, key filemeta.Key) (io.ReadSeekCloser, filemeta.File, error)
	Delete(ctx context.Context, key filemeta.Key) error
}

var errNoFileStore = portalerr.New(portalerr.FailedPrecondition, "no file store configured")

// AttachToTicketParams name an upload and what it belongs to.
type AttachToTicketParams struct {
	// CommentID attaches the file to one of the ticket's comments; empty
	// attaches it to the ticket itself.
	CommentID ticket.CommentID `json:"comment_id" validate:"max=100"`
	// Name is the client's file name, kept sanitised for display only.
	Name string `json:"name" validate:"max=1000"`
}

// AttachToTicket stores the file read from r and attaches it to a ticket
// or to one of its comments. Whoever may comment on the ticket may attach
// (AddTicketComment); only the service desk may attach to an internal
// note, and the file is then internal too. The content type is sniffed
// and checked against Config.FileLimits, as is the size. The file is
// stored first and the attachment written after it; when that fails, the
// file is deleted again. FailedPrecondition without Config.Files or on a
// closed ticket; Invalid on "file" for a refused upload; NotFound for a
// ticket or comment the caller does not see.
func (p *Portal) AttachToTicket(ctx context.Context, cid customer.ID, id ticket.ID, params AttachToTicketParams, r io.Reader) (ticket.Attachment, error) {
	if p.files == nil {
		return ticket.Attachment{}, errNoFileStore
	}
	if err := validStruct(params); err != nil {
		return ticket.Attachment{}, err
	}
	// Refuse early, so that nobody may fill the store without the right
	// to attach; the write below checks again.
	err := p.read(ctx, func(r storage.Repos) error {
		_, _, err := p.attachTarget(ctx, r, cid, id, params.CommentID)
		return err
	})
	if err != nil {
		return ticket.Attachment{}, err
	}
	f, err := p.files.Put(ctx, params.Name, r, p.fileLim)
	if err != nil {
		return ticket.Attachment{}, err
	}
	var out ticket.Attachment
	err = p.write(ctx, func(r storage.Repos) error {
		a, vis, err := p.attachTarget(ctx, r, cid, id, params.CommentID)
		if err != nil {
			return err
		}
		out = ticket.Attachment{
			ID: ticket.AttachmentID(p.ids.NewID(PrefixAttachment)), TicketID: id, CommentID: params.CommentID,
			Visibility: vis, FileKey: string(f.Key), Name: f.Name, ContentType: f.ContentType, Size: f.Size,
			SHA256: f.SHA256, UploadedBy: a.who.Actor(), CreatedAt: p.timestamp(),
		}
		noteObject(r, string(out.ID))
		if err := r.Tickets().AddAttachment(ctx, out); err != nil {
			return fmt.Errorf("portal: adding attachment: %w", err)
		}
		return p.recordDiff(ctx, r, a, "ticket.attachment_added", cid, string(out.ID), nil, nil, out)
	})
	if err != nil {
		// The context may be what failed; the orphan must go regardless.
		if derr := p.files.Delete(context.WithoutCancel(ctx), f.Key); derr != nil {
			p.log.ErrorContext(ctx, "portal: deleting the file of a failed attachment", "key", f.Key, "err", derr)
		}
		return ticket.Attachment{}, err
	}
	return out, nil
}

// attachTarget checks that the caller may attach to ticket id (and to its
// comment cmid, when given) and returns the attachment's visibility.
func (p *Portal) attachTarget(ctx context.Context, r storage.Repos, cid customer.ID, id ticket.ID, cmid ticket.CommentID) (access, ticket.Visibility, error) {
	a, err := p.authorize(ctx, r, ActTicketComment, cid, "")
	if err != nil {
		return access{}, "", err
	}
	if _, err := p.ticketCustomer(ctx, r, a, cid); err != nil {
		return access{}, "", err
	}
	t, err := getTicket(ctx, r, a, cid, id)
	if err != nil {
		return access{}, "", err
	}
	if t.Status == ticket.StatusClosed {
		return access{}, "", portalerr.New(portalerr.FailedPrecondition, "ticket %s is closed: open a new one", t.Number)
	}
	if cmid == "" {
		return a, ticket.Public, nil
	}
	notFound := portalerr.New(portalerr.NotFound, "comment %s not found", cmid)
	c, err := r.Tickets().Comment(ctx, cmid)
	if err != nil {
		return access{}, "", notFoundAs(err, notFound)
	}
	if c.TicketID != id || (a.user() && c.Visibility != ticket.Public) {
		return access{}, "", notFound
	}
	if c.Visibility == ticket.Internal {
		if a, err = p.authorize(ctx, r, ActTicketWork, cid, ""); err != nil {
			return access{}, "", err
		}
	}
	return a, c.Visibility, nil
}

// ListTicketAttachments returns the attachments of a ticket and of its
// comments, oldest first. Staff see those of internal notes; customer
// users never do. Who may call it and which tickets they see: as
// GetTicket. It needs no file store.
func (p *Portal) ListTicketAttachments(ctx context.Context, cid customer.ID, id ticket.ID) ([]ticket.Attachment, error) {
	var out []ticket.Attachment
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActTicketRead, cid, "")
		if err != nil {
			return err
		}
		if _, err := getTicket(ctx, r, a, cid, id); err != nil {
			return err
		}
		out, err = r.Tickets().Attachments(ctx, id, a.user())
		return err
	})
	return out, err
}

// OpenTicketAttachment returns the content of an attachment with what is
// known about it; the caller closes the content. Who may call it and which
// attachments they see: as GetTicketComment (an internal note's file is
// NotFound for a customer user). FailedPrecondition without Config.Files;
// NotFound when the file is gone from the store.
func (p *Portal) OpenTicketAttachment(ctx context.Context, cid customer.ID, id ticket.ID, attID ticket.AttachmentID) (io.ReadSeekCloser, ticket.Attachment, error) {
	if p.files == nil {
		return nil, ticket.Attachment{}, errNoFileStore
	}
	var att ticket.Attachment
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActTicketRead, cid, "")
		if err != nil {
			return err
		}
		if _, err := getTicket(ctx, r, a, cid, id); err != nil {
			return err
		}
		notFound := portalerr.New(portalerr.NotFound, "attachment %s not found", attID)
		att, err = r.Tickets().Attachment(ctx, attID)
		if err != nil {
			return notFoundAs(err, notFound)
		}
		if att.TicketID != id || (a.user() && att.Visibility != ticket.Public) {
			return notFound
		}
		return nil
	})
	if err != nil {
		return nil, ticket.Attachment{}, err
	}
	rc, _, err := p.files.Get(ctx, filemeta.Key(att.FileKey))
	if err != nil {
		if portalerr.CodeOf(err) == portalerr.NotFound {
			return nil, ticket.Attachment{}, &portalerr.Error{Code: portalerr.NotFound, Message: fmt.Sprintf("the file of attachment %s is gone", attID), Err: err}
		}
		return nil, ticket.Attachment{}, fmt.Errorf("portal: opening attachment %s: %w", attID, err)
	}
	return rc, att, nil
}

// FileLimits returns the limits uploads are checked against, with the
// defaults filled in: an HTTP layer bounds an upload's request body by
// MaxBytes. HasFiles reports whether attachments can be stored at all.
func (p *Portal) FileLimits() filemeta.Limits {
	l := p.fileLim
	if l.MaxBytes <= 0 {
		l.MaxBytes = filemeta.DefaultMaxBytes
	}
	if l.Types == nil {
		l.Types = filemeta.DefaultTypes()
	}
	return l
}

// HasFiles reports whether the portal has a file store (Config.Files).
func (p *Portal) HasFiles() bool { return p.files != nil }
