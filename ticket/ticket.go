package ticket

import (
	"fmt"
	"maps"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/warehouse"
)

// ID identifies a ticket ("tkt_" + UUIDv7).
type ID string

// Number is a ticket's number as people know it: unique and increasing
// across the deployment (one deployment is one provider), given by storage
// when the ticket is opened.
type Number int64

// String formats n as people see it: "T-000123".
func (n Number) String() string { return fmt.Sprintf("T-%06d", int64(n)) }

// Status is where a ticket stands.
type Status string

// Ticket statuses, in the order of the status machine.
const (
	StatusOpen              Status = "open"                // new, not yet picked up
	StatusInProgress        Status = "in_progress"         // the service desk works on it
	StatusWaitingOnCustomer Status = "waiting_on_customer" // the service desk waits for an answer
	StatusResolved          Status = "resolved"            // done; may be reopened within the window
	StatusClosed            Status = "closed"              // final
)

// Statuses lists every status in the order of the status machine.
var Statuses = []Status{StatusOpen, StatusInProgress, StatusWaitingOnCustomer, StatusResolved, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusOpen, StatusInProgress, StatusWaitingOnCustomer, StatusResolved, StatusClosed:
		return true
	}
	return false
}

// Active reports whether a ticket in s still needs work or an answer:
// not resolved and not closed.
func (s Status) Active() bool { return s != StatusResolved && s != StatusClosed && s != "" }

// moves lists the statuses each status may move to with Move. Reopening a
// resolved ticket is Reopen, which checks the window.
var moves = map[Status][]Status{
	StatusOpen:              {StatusInProgress, StatusWaitingOnCustomer, StatusResolved, StatusClosed},
	StatusInProgress:        {StatusWaitingOnCustomer, StatusResolved, StatusClosed},
	StatusWaitingOnCustomer: {StatusInProgress, StatusResolved, StatusClosed},
	StatusResolved:          {StatusClosed},
	StatusClosed:            nil,
}

// CanMove reports whether the status machine lets a ticket go from one
// status to another with Move.
func CanMove(from, to Status) bool {
	for _, s := range moves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Priority says how urgent a ticket is.
type Priority string

// Priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	switch p {
	case PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent:
		return true
	}
	return false
}

// Limits of a ticket's text.
const (
	MaxSubject     = 200
	MaxDescription = 10_000
	MaxComment     = 10_000
	MaxNote        = 2000
	MaxFieldValue  = 2000
)

// DefaultReopenWindow is how long after resolving a ticket it may be
// reopened, when the deployment configures no other.
const DefaultReopenWindow = 14 * 24 * time.Hour

// Links are what a ticket is about besides its customer; each is optional.
// They are kept as records: a ticket outlives what it names.
type Links struct {
	OrderID orders.ID
	// OrderLine is the 1-based line of OrderID the ticket is about; 0 for
	// the whole order. It needs OrderID.
	OrderLine   int
	StockItemID warehouse.ItemID
	SiteID      customer.SiteID
	// RecordID is the shared record (package record) the ticket is about,
	// such as the one whose action opened it.
	RecordID record.ID
}

// Ticket is a customer's support request.
type Ticket struct {
	ID         ID
	Number     Number
	CustomerID customer.ID
	// Type names the ticket's Type in the Registry.
	Type        string
	Subject     string
	Description string
	Status      Status
	Priority    Priority
	// RequestedBy is the customer user the ticket is for; its replies and
	// status changes are mailed to them. Empty when staff opened it on the
	// customer's behalf without naming one.
	RequestedBy customer.UserID
	// Assignee is the staff member working on the ticket; empty when none.
	Assignee identity.StaffID
	Links    Links
	// Fields are the values of the type's fields, validated by the type.
	Fields map[string]string
	// ResolvedAt is when the ticket was last resolved; zero when it is not
	// resolved or closed.
	ResolvedAt time.Time
	// AppliedAt is when the change a master-data change asks for was
	// applied to the customer; zero until then. It is applied once.
	AppliedAt time.Time
	// History holds every change, oldest first; the first is the opening.
	// Lists leave it empty; Get fills it.
	History   []Event
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// EventKind says what an Event records.
type EventKind string

// Event kinds.
const (
	EventOpened   EventKind = "opened"   // To: the first status
	EventStatus   EventKind = "status"   // From, To: statuses
	EventReopened EventKind = "reopened" // From: resolved, To: open
	EventAssigned EventKind = "assigned" // From, To: staff IDs, empty for none
	EventPriority EventKind = "priority" // From, To: priorities
	EventApplied  EventKind = "applied"  // a master-data change was applied to the customer
)

// Event is one change of a ticket, kept in its history.
type Event struct {
	Kind EventKind
	From string
	To   string
	At   time.Time
	// By names who made the change, as identity.Principal.Actor returns
	// it ("user:usr_…", "staff:stf_…", "api_key:key_…").
	By   string
	Note string
}

// Act is a change asked for: who, when and with which note.
type Act struct {
	By   string
	At   time.Time
	Note string
}

// Draft is a ticket as opened, before its rules are checked.
type Draft struct {
	ID          ID
	CustomerID  customer.ID
	Type        string
	Subject     string
	Description string
	Priority    Priority
	RequestedBy customer.UserID
	Links       Links
	Fields      map[string]string
	By          string
	At          time.Time
}

// New checks d against its type in reg and returns the open ticket it
// makes, with its opening as the first event and Version 1. The number is
// left to storage. An Invalid error names every bad field ("subject",
// "fields.start_date", "links.order_line"): an unknown type, an empty or
// overlong subject, an overlong description, an unknown priority (empty is
// normal), an order line without an order, and the type's own fields and
// rules (Type.Check).
func New(reg *Registry, d Draft) (Ticket, error) {
	var bad []portalerr.FieldViolation
	fail := func(field, format string, args ...any) {
		bad = append(bad, portalerr.FieldViolation{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	t := Ticket{
		ID: d.ID, CustomerID: d.CustomerID, Type: d.Type,
		Subject: strings.TrimSpace(d.Subject), Description: strings.TrimSpace(d.Description),
		Status: StatusOpen, Priority: d.Priority, RequestedBy: d.RequestedBy, Links: d.Links,
		Version: 1, CreatedAt: d.At, UpdatedAt: d.At,
	}
	switch n := utf8.RuneCountInString(t.Subject); {
	case n == 0:
		fail("subject", "is required")
	case n > MaxSubject:
		fail("subject", "must be at most %d characters", MaxSubject)
	case strings.ContainsAny(t.Subject, "\r\n"):
		fail("subject", "must be one line")
	}
	if utf8.RuneCountInString(t.Description) > MaxDescription {
		fail("description", "must be at most %d characters", MaxDescription)
	}
	if t.Priority == "" {
		t.Priority = PriorityNormal
	}
	if !t.Priority.Valid() {
		fail("priority", "must be one of: low, normal, high, urgent")
	}
	if d.Links.OrderLine < 0 {
		fail("links.order_line", "must be 1 or more")
	} else if d.Links.OrderLine > 0 && d.Links.OrderID == "" {
		fail("links.order_line", "needs links.order_id")
	}
	typ, ok := reg.Lookup(d.Type)
	if !ok {
		fail("type", "must be one of: %s", strings.Join(reg.Names(), ", "))
	} else {
		fields, err := typ.Check(d.Fields, d.Links)
		bad = append(bad, portalerr.FieldsOf(err)...)
		t.Fields = fields
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return Ticket{}, err
	}
	t.History = []Event{{Kind: EventOpened, To: string(StatusOpen), At: d.At, By: d.By}}
	return t, nil
}

// Move moves t to status to, as the service desk does. It returns the
// ticket after the move and the event to record. FailedPrecondition when
// the status machine does not allow the move (a closed ticket, a resolved
// one that is to be reopened: see Reopen); Invalid for an unknown status
// or an overlong note.
func (t Ticket) Move(to Status, a Act) (Ticket, Event, error) {
	if !to.Valid() {
		return t, Event{}, portalerr.Invalidf("status", "must be one of: open, in_progress, waiting_on_customer, resolved, closed")
	}
	if to == t.Status {
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "ticket %s is %s already", t.Number, t.Status)
	}
	if !CanMove(t.Status, to) {
		hint := ""
		if t.Status == StatusResolved && to == StatusOpen {
			hint = ": reopen it instead"
		}
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "ticket %s is %s and cannot become %s%s", t.Number, t.Status, to, hint)
	}
	return t.record(EventStatus, string(t.Status), string(to), a, func(n *Ticket) {
		n.Status = to
		switch to {
		case StatusResolved:
			n.ResolvedAt = a.At
		case StatusClosed:
		default:
			n.ResolvedAt = time.Time{}
		}
	})
}

// Reopen moves a resolved ticket back to open, when a.At is within window
// after it was resolved. FailedPrecondition for a ticket that is not
// resolved, or was resolved longer ago than window.
func (t Ticket) Reopen(a Act, window time.Duration) (Ticket, Event, error) {
	if t.Status != StatusResolved {
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "ticket %s is %s; only a resolved ticket can be reopened", t.Number, t.Status)
	}
	if a.At.After(t.ResolvedAt.Add(window)) {
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition,
			"ticket %s was resolved at %s; it could be reopened until %s: open a new ticket",
			t.Number, t.ResolvedAt.UTC().Format(time.RFC3339), t.ResolvedAt.Add(window).UTC().Format(time.RFC3339))
	}
	return t.record(EventReopened, string(t.Status), string(StatusOpen), a, func(n *Ticket) {
		n.Status, n.ResolvedAt = StatusOpen, time.Time{}
	})
}

// Assign gives t to staff member to (empty: nobody). FailedPrecondition
// for a closed ticket or one that is already assigned so.
func (t Ticket) Assign(to identity.StaffID, a Act) (Ticket, Event, error) {
	if t.Status == StatusClosed {
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "ticket %s is closed", t.Number)
	}
	if t.Assignee == to {
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "ticket %s is assigned so already", t.Number)
	}
	return t.record(EventAssigned, string(t.Assignee), string(to), a, func(n *Ticket) { n.Assignee = to })
}

// Reprioritize changes t's priority. Invalid for an unknown priority;
// FailedPrecondition for a closed ticket.
func (t Ticket) Reprioritize(p Priority, a Act) (Ticket, Event, error) {
	if !p.Valid() {
		return t, Event{}, portalerr.Invalidf("priority", "must be one of: low, normal, high, urgent")
	}
	if t.Status == StatusClosed {
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "ticket %s is closed", t.Number)
	}
	return t.record(EventPriority, string(t.Priority), string(p), a, func(n *Ticket) { n.Priority = p })
}

// MarkApplied records that the change t asks for was applied to its
// customer. FailedPrecondition when t is no master-data change, is
// closed, or was applied before: a change is applied exactly once.
func (t Ticket) MarkApplied(a Act) (Ticket, Event, error) {
	switch {
	case t.Type != TypeMasterDataChange:
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "ticket %s is a %s ticket, not a master-data change", t.Number, t.Type)
	case !t.AppliedAt.IsZero():
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "the change of ticket %s was applied at %s already",
			t.Number, t.AppliedAt.UTC().Format(time.RFC3339))
	case t.Status == StatusClosed:
		return t, Event{}, portalerr.New(portalerr.FailedPrecondition, "ticket %s is closed", t.Number)
	}
	return t.record(EventApplied, "", "", a, func(n *Ticket) { n.AppliedAt = a.At })
}

// record returns t changed by change, with the event of kind appended and
// UpdatedAt at a.At. Invalid on "note" for an overlong note.
func (t Ticket) record(kind EventKind, from, to string, a Act, change func(*Ticket)) (Ticket, Event, error) {
	note := strings.TrimSpace(a.Note)
	if utf8.RuneCountInString(note) > MaxNote {
		return t, Event{}, portalerr.Invalidf("note", "must be at most %d characters", MaxNote)
	}
	ev := Event{Kind: kind, From: from, To: to, At: a.At, By: a.By, Note: note}
	n := t
	n.Fields = maps.Clone(t.Fields)
	change(&n)
	n.History = append(append(make([]Event, 0, len(t.History)+1), t.History...), ev)
	n.UpdatedAt = a.At
	return n, ev, nil
}

// CommentID identifies a comment ("tcm_" + UUIDv7).
type CommentID string

// Visibility says who sees a comment.
type Visibility string

// Visibilities.
const (
	// Public: a reply the customer's users see.
	Public Visibility = "public"
	// Internal: a note for the provider's staff only; customer users never
	// see it, in no list, read or count.
	Internal Visibility = "internal"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == Public || v == Internal }

// Comment is a reply or a note on a ticket.
type Comment struct {
	ID         CommentID
	TicketID   ID
	Visibility Visibility
	// Author names who wrote it, as identity.Principal.Actor returns it.
	Author string
	// AuthorName is the author's name or e-mail as it was when written.
	AuthorName string
	Body       string
	CreatedAt  time.Time
}

// NewComment checks and returns a comment. Invalid on "body" when it is
// empty or longer than MaxComment, on "visibility" when unknown.
func NewComment(c Comment) (Comment, error) {
	c.Body = strings.TrimSpace(c.Body)
	var bad []portalerr.FieldViolation
	switch n := utf8.RuneCountInString(c.Body); {
	case n == 0:
		bad = append(bad, portalerr.FieldViolation{Field: "body", Message: "is required"})
	case n > MaxComment:
		bad = append(bad, portalerr.FieldViolation{Field: "body", Message: fmt.Sprintf("must be at most %d characters", MaxComment)})
	}
	if !c.Visibility.Valid() {
		bad = append(bad, portalerr.FieldViolation{Field: "visibility", Message: "must be public or internal"})
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return Comment{}, err
	}
	return c, nil
}

// AttachmentID identifies an attachment ("att_" + UUIDv7).
type AttachmentID string

// Attachment is a file on a ticket or on one of its comments. The file
// itself lives in a file store under FileKey; the attachment keeps what
// the store learnt while writing it. An attachment of an internal comment
// is internal too: customer users never see it.
type Attachment struct {
	ID       AttachmentID
	TicketID ID
	// CommentID is the comment the file belongs to; empty for a file on
	// the ticket itself.
	CommentID  CommentID
	Visibility Visibility
	FileKey    string
	// Name is the sanitised client file name, for display and downloads.
	Name string
	// ContentType is sniffed from the content, never the client's claim.
	ContentType string
	Size        int64
	SHA256      string
	// UploadedBy names who attached it, as identity.Principal.Actor returns it.
	UploadedBy string
	CreatedAt  time.Time
}
