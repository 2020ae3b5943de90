package storage

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/ticket"
)

// TicketRepo stores support tickets with their history and comments.
// Tickets are never deleted.
type TicketRepo interface {
	// NextNumber returns a new ticket number, as OrderRepo.NextNumber
	// returns order numbers (its own series).
	NextNumber(ctx context.Context) (ticket.Number, error)
	// Create stores t with its history as given. ErrAlreadyExists when the
	// ID or the Number is taken; ErrNotFound when the customer does not
	// exist. The links, the requester and the assignee are stored as
	// given, not checked: a ticket outlives what it names.
	Create(ctx context.Context, t ticket.Ticket) error
	// Get returns the ticket with the given ID and its history, or
	// ErrNotFound.
	Get(ctx context.Context, id ticket.ID) (ticket.Ticket, error)
	// Change stores next in place of the ticket next.ID in one conditional
	// write that succeeds only while the stored version is next.Version:
	// the version becomes next.Version+1, and evs are appended to the
	// history. Number, CustomerID, Type, RequestedBy and CreatedAt stay as
	// stored. It returns the ticket as written, with its history.
	// ErrConflict when the stored version differs (a concurrent change won)
	// and nothing is written; ErrNotFound when there is no such ticket.
	Change(ctx context.Context, next ticket.Ticket, evs ...ticket.Event) (ticket.Ticket, error)
	// List returns one page of tickets matching f, without their history,
	// ordered by ID: oldest first, or newest first with f.NewestFirst.
	List(ctx context.Context, f TicketFilter, p Page) (List[ticket.Ticket], error)
	// Count returns how many tickets matching f (its Status ignored) are in
	// each status; statuses without tickets are absent.
	Count(ctx context.Context, f TicketFilter) (map[ticket.Status]int, error)

	// AddComment stores c as given. ErrAlreadyExists when the ID is taken;
	// ErrNotFound when the ticket does not exist.
	AddComment(ctx context.Context, c ticket.Comment) error
	// Comment returns the comment with the given ID, or ErrNotFound.
	Comment(ctx context.Context, id ticket.CommentID) (ticket.Comment, error)
	// Comments returns one page of the comments of a ticket, oldest first;
	// with publicOnly, internal notes are left out (and never counted).
	Comments(ctx context.Context, id ticket.ID, publicOnly bool, p Page) (List[ticket.Comment], error)

	// AddAttachment stores a as given (the file itself is in a file store).
	// ErrAlreadyExists when the ID or the file key is taken; ErrNotFound
	// when the ticket or the comment does not exist.
	AddAttachment(ctx context.Context, a ticket.Attachment) error
	// Attachment returns the attachment with the given ID, or ErrNotFound.
	Attachment(ctx context.Context, id ticket.AttachmentID) (ticket.Attachment, error)
	// Attachments returns the attachments of a ticket and of its comments,
	// oldest first; with publicOnly, internal ones are left out.
	Attachments(ctx context.Context, id ticket.ID, publicOnly bool) ([]ticket.Attachment, error)
}

// TicketFilter narrows a ticket list. Zero fields do not filter.
type TicketFilter struct {
	CustomerID customer.ID
	Status     ticket.Status
	// Active keeps tickets that are neither resolved nor closed; not
	// combined with Status.
	Active bool
	Type   string
	// Assignee keeps tickets assigned to this staff member.
	Assignee identity.StaffID
	// Unassigned keeps tickets assigned to nobody; not combined with Assignee.
	Unassigned bool
	// SiteIDs keeps tickets of one of these sites or of no site (what a
	// membership limited to some sites sees). nil does not filter; a
	// non-nil empty slice keeps the tickets of no site.
	SiteIDs []customer.SiteID
	// RecordID keeps tickets linked to this record.
	RecordID record.ID
	// NewestFirst lists in descending ID order.
	NewestFirst bool
}
