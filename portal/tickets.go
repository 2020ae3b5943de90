package portal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/ticket"
	"github.com/portalkit/portalkit/warehouse"
)

// ID prefixes of tickets and their comments.
const (
	PrefixTicket  = "tkt"
	PrefixComment = "tcm"
)

// ticketSetup is the ticket part of Config, its defaults filled in.
type ticketSetup struct {
	types  *ticket.Registry
	reopen time.Duration
	desk   string // the service desk's address; "" sends no mail
}

func errTicketNotFound(id ticket.ID) error {
	return portalerr.New(portalerr.NotFound, "ticket %s not found", id)
}

// TicketTypes returns the ticket types, sorted by name. Staff and the
// users of a customer with the tickets feature may call it.
func (p *Portal) TicketTypes(ctx context.Context) ([]ticket.Type, error) {
	err := p.read(ctx, func(r storage.Repos) error {
		_, err := p.authorize(ctx, r, ActTicketTypes, "", "")
		return err
	})
	if err != nil {
		return nil, err
	}
	return p.tickets.types.Types(), nil
}

// TicketLinksParams name what a ticket is about besides its customer.
type TicketLinksParams struct {
	OrderID orders.ID `json:"order_id" validate:"max=100"`
	// OrderLine is the 1-based line of OrderID; 0 for the whole order.
	OrderLine   int              `json:"order_line" validate:"min=0,max=100"`
	StockItemID warehouse.ItemID `json:"stock_item_id" validate:"max=100"`
	SiteID      customer.SiteID  `json:"site_id" validate:"max=100"`
	// RecordID names a shared record of the customer.
	RecordID record.ID `json:"record_id" validate:"max=100"`
}

// OpenTicketParams are a ticket as it is opened.
type OpenTicketParams struct {
	Type        string            `json:"type" validate:"required,max=64"`
	Subject     string            `json:"subject" validate:"required,max=200"`
	Description string            `json:"description" validate:"max=10000"`
	Priority    ticket.Priority   `json:"priority" validate:"omitempty,oneof=low normal high urgent"`
	Links       TicketLinksParams `json:"links"`
	// Fields are the values of the type's fields (see TicketTypes).
	Fields map[string]string `json:"fields" validate:"max=50"`
	// RequestedBy names the customer's user the ticket is for, when staff
	// open it; a customer user opens tickets for itself (leave it empty).
	RequestedBy customer.UserID `json:"requested_by" validate:"max=100"`
}

// OpenTicket opens a ticket of customer cid: it gets the next ticket
// number, status open, and the service desk (Config.ServiceDeskEmail) is
// mailed. The customer's maintainers and admins may call it, for
// themselves, and staff with the service-desk capability, for one of the
// customer's users or for nobody. What the ticket links to must be the
// customer's: its order (and that order's line), its stock item, its site
// (Invalid on links.* otherwise); a member limited to some sites may name
// only those. FeatureDisabled when the customer's tickets feature is off;
// Invalid for bad input (ticket.New says which).
func (p *Portal) OpenTicket(ctx context.Context, cid customer.ID, params OpenTicketParams) (ticket.Ticket, error) {
	if err := validStruct(params); err != nil {
		return ticket.Ticket{}, err
	}
	var out ticket.Ticket
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActTicketOpen, cid, params.Links.SiteID)
		if err != nil {
			return err
		}
		c, err := p.ticketCustomer(ctx, r, a, cid)
		if err != nil {
			return err
		}
		if err := c.CheckNotArchived(); err != nil {
			return err
		}
		requester := a.membership.UserID
		if !a.user() {
			if requester, err = checkRequester(ctx, r, cid, params.RequestedBy); err != nil {
				return err
			}
		} else if params.RequestedBy != "" && params.RequestedBy != requester {
			return portalerr.Invalidf("requested_by", "must be empty: you open tickets for yourself")
		}
		if err := checkTicketLinks(ctx, r, a, cid, params.Links); err != nil {
			return err
		}
		now := p.timestamp()
		t, err := ticket.New(p.tickets.types, ticket.Draft{
			ID: ticket.ID(p.ids.NewID(PrefixTicket)), CustomerID: cid, Type: params.Type,
			Subject: params.Subject, Description: params.Description, Priority: params.Priority,
			RequestedBy: requester, Fields: params.Fields, By: a.who.Actor(), At: now,
			Links: ticket.Links{OrderID: params.Links.OrderID, OrderLine: params.Links.OrderLine,
				StockItemID: params.Links.StockItemID, SiteID: params.Links.SiteID, RecordID: params.Links.RecordID},
		})
		if err != nil {
			return err
		}
		if t.Number, err = r.Tickets().NextNumber(ctx); err != nil {
			return fmt.Errorf("portal: taking a ticket number: %w", err)
		}
		noteObject(r, string(t.ID))
		if err := r.Tickets().Create(ctx, t); err != nil {
			return fmt.Errorf("portal: creating ticket: %w", err)
		}
		out = t
		if err := p.recordDiff(ctx, r, a, "ticket.opened", cid, string(t.ID), nil, nil, t); err != nil {
			return err
		}
		if p.tickets.desk == "" {
			return nil
		}
		return p.enqueue(ctx, r, ticketNotice(NotifyTicketOpened, p.tickets.desk, "", t, c))
	})
	if err != nil {
		return ticket.Ticket{}, err
	}
	return out, nil
}

// ticketCustomer returns customer cid for a ticket use case: staff meet
// the tickets feature here, users met it in authorize.
func (p *Portal) ticketCustomer(ctx context.Context, r storage.Repos, a access, cid customer.ID) (customer.Customer, error) {
	c, err := a.customerOf(ctx, r, cid)
	if err != nil {
		return c, err
	}
	return c, c.Features.CheckOn(c.ID, customer.FeatureTickets)
}

// checkRequester checks the user staff name as a ticket's requester: an
// active member of customer cid. Invalid on requested_by otherwise.
func checkRequester(ctx context.Context, r storage.Repos, cid customer.ID, uid customer.UserID) (customer.UserID, error) {
	if uid == "" {
		return "", nil
	}
	_, ok, err := activeMembership(ctx, r, uid, cid)
	if err != nil {
		return "", fmt.Errorf("portal: loading the requester's membership: %w", err)
	}
	if !ok {
		return "", portalerr.Invalidf("requested_by", "%s is not an active member of this customer", uid)
	}
	return uid, nil
}

// checkTicketLinks checks that what a ticket links to is customer cid's,
// and that the caller may see it: a member limited to some sites links
// only those sites' orders and stock items. Every bad link is named in
// one Invalid error, the same whether the object is another customer's,
// out of the caller's sites or missing.
func checkTicketLinks(ctx context.Context, r storage.Repos, a access, cid customer.ID, l TicketLinksParams) error {
	var bad []portalerr.FieldViolation
	fail := func(field, format string, args ...any) {
		bad = append(bad, portalerr.FieldViolation{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if l.OrderID != "" {
		o, err := getOrder(ctx, r, a, cid, l.OrderID)
		switch {
		case portalerr.CodeOf(err) == portalerr.NotFound:
			fail("links.order_id", "%s is not an order of this customer", l.OrderID)
		case err != nil:
			return fmt.Errorf("portal: loading order: %w", err)
		case l.OrderLine > len(o.Lines):
			fail("links.order_line", "order %s has %d lines", o.Number, len(o.Lines))
		}
	}
	if l.StockItemID != "" {
		_, err := getItem(ctx, r, a, cid, l.StockItemID)
		switch {
		case portalerr.CodeOf(err) == portalerr.NotFound:
			fail("links.stock_item_id", "%s is not a stock item of this customer", l.StockItemID)
		case err != nil:
			return fmt.Errorf("portal: loading stock item: %w", err)
		}
	}
	if l.SiteID != "" {
		s, err := r.Sites().Get(ctx, l.SiteID)
		switch {
		case errors.Is(err, storage.ErrNotFound), err == nil && s.CustomerID != cid:
			fail("links.site_id", "%s is not a site of this customer", l.SiteID)
		case err != nil:
			return fmt.Errorf("portal: loading site: %w", err)
		}
	}
	if l.RecordID != "" {
		rec, err := r.Records().Get(ctx, l.RecordID)
		switch {
		case errors.Is(err, storage.ErrNotFound), err == nil && rec.CustomerID != cid:
			fail("links.record_id", "%s is not a record of this customer", l.RecordID)
		case err != nil:
			return fmt.Errorf("portal: loading record: %w", err)
		}
	}
	return portalerr.InvalidFields(bad...)
}

// GetTicket returns one of a customer's tickets with its history. Staff
// and the customer's users may call it; a member limited to some sites
// sees the tickets of those sites and those of no site (any other is
// NotFound). Staff may leave cid empty to find a ticket by its ID alone,
// as the service desk's mail links do; for a customer user an empty cid
// finds nothing.
func (p *Portal) GetTicket(ctx context.Context, cid customer.ID, id ticket.ID) (ticket.Ticket, error) {
	var out ticket.Ticket
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActTicketRead, cid, "")
		if err != nil {
			return err
		}
		if cid == "" && a.who.IsProvider() {
			if out, err = r.Tickets().Get(ctx, id); err != nil {
				return notFoundAs(err, errTicketNotFound(id))
			}
			return nil
		}
		out, err = getTicket(ctx, r, a, cid, id)
		return err
	})
	return out, err
}

// getTicket loads a ticket of customer cid as the caller may see it:
// another customer's, or one of a site the caller is not limited to, is
// NotFound.
func getTicket(ctx context.Context, r storage.Repos, a access, cid customer.ID, id ticket.ID) (ticket.Ticket, error) {
	t, err := r.Tickets().Get(ctx, id)
	if err != nil {
		return t, notFoundAs(err, errTicketNotFound(id))
	}
	if t.CustomerID != cid || (a.sites() != nil && t.Links.SiteID != "" && !a.membership.CoversSite(t.Links.SiteID)) {
		return ticket.Ticket{}, errTicketNotFound(id)
	}
	return t, nil
}

// ListTicketsParams filter and page a customer's tickets.
type ListTicketsParams struct {
	// Status keeps tickets in this status; empty keeps all.
	Status ticket.Status `json:"status" validate:"omitempty,oneof=open in_progress waiting_on_customer resolved closed"`
	Type   string        `json:"type" validate:"max=64"`
	Cursor string        `json:"cursor" validate:"max=200"`
	Limit  int           `json:"limit" validate:"min=0,max=100"`
	// RecordID keeps the tickets linked to this record; empty keeps all.
	RecordID record.ID `json:"record_id" validate:"max=100"`
}

func (p ListTicketsParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }

// ListTickets returns one page of a customer's tickets, newest first,
// without their history. Staff and the customer's users may call it; a
// member limited to some sites sees the tickets of those sites and those
// of no site.
func (p *Portal) ListTickets(ctx context.Context, cid customer.ID, params ListTicketsParams) (List[ticket.Ticket], error) {
	return listIn(ctx, p, "tickets", ActTicketRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[ticket.Ticket], error) {
		var sites []customer.SiteID
		if s := a.sites(); s != nil {
			sites = s
		}
		return r.Tickets().List(ctx, storage.TicketFilter{
			CustomerID: cid, Status: params.Status, Type: params.Type, SiteIDs: sites, RecordID: params.RecordID, NewestFirst: true,
		}, page)
	})
}

// TicketQueueParams choose the tickets of the service desk's queue.
type TicketQueueParams struct {
	// Status keeps tickets in this status; empty keeps the active ones
	// (open, in progress, waiting on the customer).
	Status     ticket.Status    `json:"status" validate:"omitempty,oneof=open in_progress waiting_on_customer resolved closed"`
	Type       string           `json:"type" validate:"max=64"`
	CustomerID customer.ID      `json:"customer_id" validate:"max=100"`
	Assignee   identity.StaffID `json:"assignee" validate:"max=100"`
	// Unassigned keeps tickets assigned to nobody; not with Assignee.
	Unassigned bool   `json:"unassigned" validate:"excluded_with=Assignee"`
	Cursor     string `json:"cursor" validate:"max=200"`
	Limit      int    `json:"limit" validate:"min=0,max=100"`
}

func (p TicketQueueParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }

// TicketQueue is one page of the service desk's queue and how many tickets
// wait in each status.
type TicketQueue struct {
	List[ticket.Ticket]
	// Counts are the numbers of tickets per status matching the queue's
	// filters but its status; every status is present.
	Counts map[ticket.Status]int
}

// TicketQueue returns one page of tickets across customers (or of one),
// oldest first, so the longest waiting come first, with the counts per
// status. Staff with the service-desk capability may call it.
func (p *Portal) TicketQueue(ctx context.Context, params TicketQueueParams) (TicketQueue, error) {
	if err := validStruct(params); err != nil {
		return TicketQueue{}, err
	}
	lc, page, err := p.openList(ctx, "ticket_queue", "", params)
	if err != nil {
		return TicketQueue{}, err
	}
	var out TicketQueue
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActTicketQueue, "", ""); err != nil {
			return err
		}
		f := storage.TicketFilter{
			CustomerID: params.CustomerID, Status: params.Status, Active: params.Status == "",
			Type: params.Type, Assignee: params.Assignee, Unassigned: params.Unassigned,
		}
		var err error
		if out.List, err = listPage(r.Tickets().List(ctx, f, page)); err != nil {
			return err
		}
		counts, err := r.Tickets().Count(ctx, f)
		if err != nil {
			return err
		}
		out.Counts = make(map[ticket.Status]int, len(ticket.Statuses))
		for _, s := range ticket.Statuses {
			out.Counts[s] = counts[s]
		}
		return nil
	})
	if err != nil {
		return TicketQueue{}, err
	}
	out.List, err = sealed(ctx, lc, out.List, nil)
	return out, err
}

// ChangeTicketStatusParams move a ticket. Version is the version the
// caller read (If-Match).
type ChangeTicketStatusParams struct {
	Version int64         `json:"version" validate:"required,min=1"`
	Status  ticket.Status `json:"status" validate:"required,oneof=open in_progress waiting_on_customer resolved closed"`
	Note    string        `json:"note" validate:"max=2000"`
}

// ChangeTicketStatus moves a ticket as the status machine allows (see
// ticket.Ticket.Move) and mails the requester. Staff with the service-desk
// capability may call it. FailedPrecondition for a move the machine does
// not allow; Conflict when params.Version is not the stored version.
func (p *Portal) ChangeTicketStatus(ctx context.Context, cid customer.ID, id ticket.ID, params ChangeTicketStatusParams) (ticket.Ticket, error) {
	return p.changeTicket(ctx, ActTicketWork, cid, id, params, params.Version, func(_ access, t ticket.Ticket, act ticket.Act) (ticket.Ticket, ticket.Event, error) {
		act.Note = params.Note
		return t.Move(params.Status, act)
	})
}

// SetTicketPriorityParams change a ticket's priority.
type SetTicketPriorityParams struct {
	Version  int64           `json:"version" validate:"required,min=1"`
	Priority ticket.Priority `json:"priority" validate:"required,oneof=low normal high urgent"`
}

// SetTicketPriority changes how urgent a ticket is. Staff with the
// service-desk capability may call it. FailedPrecondition for a closed
// ticket; Conflict for a stale version.
func (p *Portal) SetTicketPriority(ctx context.Context, cid customer.ID, id ticket.ID, params SetTicketPriorityParams) (ticket.Ticket, error) {
	return p.changeTicket(ctx, ActTicketWork, cid, id, params, params.Version, func(_ access, t ticket.Ticket, act ticket.Act) (ticket.Ticket, ticket.Event, error) {
		return t.Reprioritize(params.Priority, act)
	})
}

// ReopenTicketParams reopen a resolved ticket.
type ReopenTicketParams struct {
	Version int64  `json:"version" validate:"required,min=1"`
	Note    string `json:"note" validate:"max=2000"`
}

// ReopenTicket moves a resolved ticket back to open, within
// Config.TicketReopenWindow after it was resolved. The customer's
// maintainers and admins and staff with the service-desk capability may
// call it; the requester is mailed when someone else reopens it.
// FailedPrecondition for a ticket that is not resolved or was resolved
// too long ago; Conflict for a stale version.
func (p *Portal) ReopenTicket(ctx context.Context, cid customer.ID, id ticket.ID, params ReopenTicketParams) (ticket.Ticket, error) {
	return p.changeTicket(ctx, ActTicketReopen, cid, id, params, params.Version, func(_ access, t ticket.Ticket, act ticket.Act) (ticket.Ticket, ticket.Event, error) {
		act.Note = params.Note
		return t.Reopen(act, p.tickets.reopen)
	})
}

// AssignTicketParams give a ticket to a staff member; an empty Assignee
// takes it from whoever has it.
type AssignTicketParams struct {
	Version  int64            `json:"version" validate:"required,min=1"`
	Assignee identity.StaffID `json:"assignee" validate:"max=100"`
}

// AssignTicket gives a ticket to a staff member with the service-desk
// capability who is not disabled (Invalid on assignee otherwise), or to
// nobody. Staff with the service-desk capability may call it.
// FailedPrecondition for a closed ticket; Conflict for a stale version.
func (p *Portal) AssignTicket(ctx context.Context, cid customer.ID, id ticket.ID, params AssignTicketParams) (ticket.Ticket, error) {
	var member identity.StaffMember
	return p.changeTicket(ctx, ActTicketWork, cid, id, params, params.Version, func(_ access, t ticket.Ticket, act ticket.Act) (ticket.Ticket, ticket.Event, error) {
		if params.Assignee != "" && member.ID != params.Assignee {
			return t, ticket.Event{}, portalerr.Invalidf("assignee", "%s is not a service-desk staff member", params.Assignee)
		}
		return t.Assign(params.Assignee, act)
	}, func(ctx context.Context, r storage.Repos) error {
		if params.Assignee == "" {
			return nil
		}
		m, err := r.Staff().Get(ctx, params.Assignee)
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if err == nil && m.ServiceDesk && m.Status != identity.StaffDisabled {
			member = m
		}
		return nil
	})
}

// ticketFor authorizes act on customer cid's ticket id and loads what
// every change of a ticket needs: the caller's access, the customer (its
// tickets feature on) and the ticket as the caller may see it. loads run
// before the ticket is read.
func (p *Portal) ticketFor(ctx context.Context, r storage.Repos, act Action, cid customer.ID, id ticket.ID,
	loads ...func(context.Context, storage.Repos) error) (access, customer.Customer, ticket.Ticket, error) {
	a, err := p.authorize(ctx, r, act, cid, "")
	if err != nil {
		return a, customer.Customer{}, ticket.Ticket{}, err
	}
	c, err := p.ticketCustomer(ctx, r, a, cid)
	if err != nil {
		return a, c, ticket.Ticket{}, err
	}
	for _, load := range loads {
		if err := load(ctx, r); err != nil {
			return a, c, ticket.Ticket{}, err
		}
	}
	t, err := getTicket(ctx, r, a, cid, id)
	return a, c, t, err
}

// changeTicket is the shape of every change of a ticket: check params,
// authorize act, run the loads, load the ticket as the caller may see it,
// check the version, let move change it, store it with the event, and mail
// the requester about a new status when someone else made it.
func (p *Portal) changeTicket(ctx context.Context, act Action, cid customer.ID, id ticket.ID, params any, version int64,
	move func(access, ticket.Ticket, ticket.Act) (ticket.Ticket, ticket.Event, error),
	loads ...func(context.Context, storage.Repos) error) (ticket.Ticket, error) {
	if err := validStruct(params); err != nil {
		return ticket.Ticket{}, err
	}
	var out ticket.Ticket
	err := p.write(ctx, func(r storage.Repos) error {
		a, c, t, err := p.ticketFor(ctx, r, act, cid, id, loads...)
		if err != nil {
			return err
		}
		if err := checkVersion("ticket", t.Version, version); err != nil {
			return err
		}
		next, ev, err := move(a, t, ticket.Act{By: a.who.Actor(), At: p.timestamp()})
		if err != nil {
			return err
		}
		if out, err = p.storeTicket(ctx, r, next, ev); err != nil {
			return err
		}
		if err := p.recordTicketEvent(ctx, r, a, ev, out); err != nil {
			return err
		}
		if ev.Kind == ticket.EventStatus || ev.Kind == ticket.EventReopened {
			return p.notifyRequester(ctx, r, a, NotifyTicketStatus, out, c, ev.Note)
		}
		return nil
	})
	if err != nil {
		return ticket.Ticket{}, err
	}
	return out, nil
}

// ticketAuditActions name the audit events of a ticket's changes: who moved,
// reopened, assigned or reprioritised which ticket, beside the ticket's own
// history.
var ticketAuditActions = map[ticket.EventKind]string{
	ticket.EventStatus:   "ticket.status_changed",
	ticket.EventReopened: "ticket.reopened",
	ticket.EventAssigned: "ticket.assigned",
	ticket.EventPriority: "ticket.priority_changed",
	ticket.EventApplied:  "ticket.change_applied",
}

// recordTicketEvent appends the audit event of ev on t, if its kind has
// one, and so publishes t as ticket.updated: every kind but opening (which
// OpenTicket records) has one.
func (p *Portal) recordTicketEvent(ctx context.Context, r storage.Repos, a access, ev ticket.Event, t ticket.Ticket) error {
	action, ok := ticketAuditActions[ev.Kind]
	if !ok {
		return nil
	}
	return p.record(ctx, r, a.who.Actor(), action, t.CustomerID, string(t.ID), t)
}

// storeTicket writes next, read at its Version, with evs. Conflict when a
// concurrent change won.
func (p *Portal) storeTicket(ctx context.Context, r storage.Repos, next ticket.Ticket, evs ...ticket.Event) (ticket.Ticket, error) {
	out, err := r.Tickets().Change(ctx, next, evs...)
	if errors.Is(err, storage.ErrConflict) {
		return ticket.Ticket{}, &portalerr.Error{
			Code:    portalerr.Conflict,
			Message: fmt.Sprintf("ticket %s was changed by someone else at the same time; read it again", next.Number),
			Err:     err,
		}
	}
	return out, err
}

// ApplyMasterDataChangeParams accept a master-data change ticket.
type ApplyMasterDataChangeParams struct {
	// Version is the ticket's version the caller read.
	Version int64 `json:"version" validate:"required,min=1"`
	// CustomerVersion is the customer's version the caller read: the
	// change applies only to the details the caller saw.
	CustomerVersion int64 `json:"customer_version" validate:"required,min=1"`
	// Resolve also resolves the ticket.
	Resolve bool   `json:"resolve"`
	Note    string `json:"note" validate:"max=2000"`
}

// ApplyMasterDataChange applies the change a master_data_change ticket
// asks for to its customer, through UpdateCustomer's change with its
// validation and version check, in the same transaction as the ticket's
// record of it: exactly once (a second apply is FailedPrecondition).
// Staff with the service-desk capability may call it, whatever their
// role: accepting the change is the service desk's decision. Conflict when
// the ticket or the customer changed since the caller read them; Invalid
// when the new values do not pass UpdateCustomer's rules.
func (p *Portal) ApplyMasterDataChange(ctx context.Context, cid customer.ID, id ticket.ID, params ApplyMasterDataChangeParams) (ticket.Ticket, customer.Customer, error) {
	if err := validStruct(params); err != nil {
		return ticket.Ticket{}, customer.Customer{}, err
	}
	var out ticket.Ticket
	var cust customer.Customer
	err := p.write(ctx, func(r storage.Repos) error {
		a, c, t, err := p.ticketFor(ctx, r, ActTicketWork, cid, id)
		if err != nil {
			return err
		}
		if err := checkVersion("ticket", t.Version, params.Version); err != nil {
			return err
		}
		act := ticket.Act{By: a.who.Actor(), At: p.timestamp(), Note: params.Note}
		next, ev, err := t.MarkApplied(act)
		if err != nil {
			return err
		}
		evs := []ticket.Event{ev}
		if params.Resolve {
			act.Note = ""
			if next, ev, err = next.Move(ticket.StatusResolved, act); err != nil {
				return err
			}
			evs = append(evs, ev)
		}
		up := masterDataUpdate(t.Fields, c, params.CustomerVersion)
		up.normalize()
		if err := mergeInvalid(validStruct(up), contactEmailCheck(up.ContactEmail)); err != nil {
			return err
		}
		var changes []audit.Change
		if cust, changes, err = p.updateCustomer(ctx, r, cid, up); err != nil {
			return err
		}
		if err := p.recordChanges(ctx, r, a.who.Actor(), "customer.updated", cid, string(t.ID), changes, cust); err != nil {
			return err
		}
		if out, err = p.storeTicket(ctx, r, next, evs...); err != nil {
			return err
		}
		for _, ev := range evs {
			if err := p.recordTicketEvent(ctx, r, a, ev, out); err != nil {
				return err
			}
		}
		if params.Resolve {
			return p.notifyRequester(ctx, r, a, NotifyTicketStatus, out, cust, "")
		}
		return nil
	})
	if err != nil {
		return ticket.Ticket{}, customer.Customer{}, err
	}
	return out, cust, nil
}

// masterDataUpdate turns the fields of a master-data change (see
// ticket.MasterDataFields) into UpdateCustomer's params, at version v. An
// address field changes that line of c's address.
func masterDataUpdate(fields map[string]string, c customer.Customer, v int64) UpdateCustomerParams {
	up := UpdateCustomerParams{Version: v}
	str := func(name string) *string {
		if s, ok := fields[name]; ok {
			return &s
		}
		return nil
	}
	up.Name, up.LegalName, up.VATID = str("name"), str("legal_name"), str("vat_id")
	up.ContactEmail, up.Phone = str("contact_email"), str("phone")
	addr, changed := c.Address, false
	for name, dst := range map[string]*string{
		"address_line1": &addr.Line1, "address_line2": &addr.Line2, "address_postal_code": &addr.PostalCode,
		"address_city": &addr.City, "address_region": &addr.Region, "address_country": &addr.Country,
	} {
		if s, ok := fields[name]; ok {
			*dst, changed = s, true
		}
	}
	if changed {
		up.Address = &addr
	}
	return up
}

// AddTicketCommentParams are a reply or an internal note.
type AddTicketCommentParams struct {
	// Visibility is public (default) or internal: an internal note is for
	// staff only.
	Visibility ticket.Visibility `json:"visibility" validate:"omitempty,oneof=public internal"`
	Body       string            `json:"body" validate:"required,max=10000"`
}

// AddTicketComment adds a comment to a ticket. The customer's maintainers
// and admins reply publicly; staff with the service-desk capability reply
// or write internal notes. A public reply by staff is mailed to the
// requester; one by the customer is mailed to the staff member the ticket
// is assigned to (NotifyTicketCustomerReply), and moves a ticket waiting
// on the customer back to in progress. PermissionDenied for an internal note by a
// customer user; FailedPrecondition on a closed ticket.
func (p *Portal) AddTicketComment(ctx context.Context, cid customer.ID, id ticket.ID, params AddTicketCommentParams) (ticket.Comment, error) {
	if params.Visibility == "" {
		params.Visibility = ticket.Public
	}
	if err := validStruct(params); err != nil {
		return ticket.Comment{}, err
	}
	var out ticket.Comment
	err := p.write(ctx, func(r storage.Repos) error {
		act := ActTicketComment
		if params.Visibility == ticket.Internal {
			act = ActTicketWork
		}
		a, c, t, err := p.ticketFor(ctx, r, act, cid, id)
		if err != nil {
			return err
		}
		if t.Status == ticket.StatusClosed {
			return portalerr.New(portalerr.FailedPrecondition, "ticket %s is closed: open a new one", t.Number)
		}
		now := p.timestamp()
		cm, err := ticket.NewComment(ticket.Comment{
			ID: ticket.CommentID(p.ids.NewID(PrefixComment)), TicketID: t.ID, Visibility: params.Visibility,
			Author: a.who.Actor(), AuthorName: p.authorName(ctx, r, a), Body: params.Body, CreatedAt: now,
		})
		if err != nil {
			return err
		}
		noteObject(r, string(cm.ID))
		if err := r.Tickets().AddComment(ctx, cm); err != nil {
			return fmt.Errorf("portal: adding comment: %w", err)
		}
		out = cm
		if err := p.recordDiff(ctx, r, a, "ticket.commented", cid, string(cm.ID), nil, nil, cm); err != nil {
			return err
		}
		switch {
		case cm.Visibility == ticket.Internal:
			return nil
		case a.user():
			if err := p.notifyAssignee(ctx, r, t, c, cm.Body); err != nil {
				return err
			}
			if t.Status != ticket.StatusWaitingOnCustomer {
				return nil
			}
			next, ev, err := t.Move(ticket.StatusInProgress, ticket.Act{By: a.who.Actor(), At: now})
			if err != nil {
				return err
			}
			stored, err := p.storeTicket(ctx, r, next, ev)
			if err != nil {
				return err
			}
			return p.recordTicketEvent(ctx, r, a, ev, stored)
		default:
			n, err := p.requesterNotice(ctx, r, a, NotifyTicketReply, t, c)
			if err != nil || n.Kind == "" {
				return err
			}
			n.Message = cm.Body
			return p.enqueue(ctx, r, n)
		}
	})
	if err != nil {
		return ticket.Comment{}, err
	}
	return out, nil
}

// notifyAssignee mails the staff member t is assigned to, while active
// and on the service desk, that the customer replied body.
func (p *Portal) notifyAssignee(ctx context.Context, r storage.Repos, t ticket.Ticket, c customer.Customer, body string) error {
	if t.Assignee == "" {
		return nil
	}
	m, err := r.Staff().Get(ctx, t.Assignee)
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("portal: loading the assignee: %w", err)
	}
	if m.Status != identity.StaffActive || !m.ServiceDesk {
		return nil
	}
	n := ticketNotice(NotifyTicketCustomerReply, m.Email, "", t, c)
	n.Message = body
	return p.enqueue(ctx, r, n)
}

// authorName is how a comment names its author: a user's or a staff
// member's name or e-mail; for an API key, "API key".
func (p *Portal) authorName(ctx context.Context, r storage.Repos, a access) string {
	switch a.who.Kind {
	case identity.KindUser:
		return cmp.Or(strings.TrimSpace(a.person.Name), a.person.Email)
	case identity.KindStaff:
		if m, err := r.Staff().Get(ctx, identity.StaffID(a.who.ID)); err == nil {
			return cmp.Or(strings.TrimSpace(m.Name), m.Email)
		}
	}
	return "API key"
}

// GetTicketComment returns one comment of a ticket. Who may call it and
// which tickets they see: as GetTicket; an internal note is NotFound for a
// customer user.
func (p *Portal) GetTicketComment(ctx context.Context, cid customer.ID, id ticket.ID, cmid ticket.CommentID) (ticket.Comment, error) {
	var out ticket.Comment
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActTicketRead, cid, "")
		if err != nil {
			return err
		}
		if _, err := getTicket(ctx, r, a, cid, id); err != nil {
			return err
		}
		notFound := portalerr.New(portalerr.NotFound, "comment %s not found", cmid)
		c, err := r.Tickets().Comment(ctx, cmid)
		if err != nil {
			return notFoundAs(err, notFound)
		}
		if c.TicketID != id || (a.user() && c.Visibility != ticket.Public) {
			return notFound
		}
		out = c
		return nil
	})
	return out, err
}

// ListTicketCommentsParams page a ticket's comments.
type ListTicketCommentsParams struct {
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

func (p ListTicketCommentsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListTicketComments returns one page of a ticket's comments, oldest
// first. Staff see internal notes; customer users never do. Who may call
// it and which tickets they see: as GetTicket.
func (p *Portal) ListTicketComments(ctx context.Context, cid customer.ID, id ticket.ID, params ListTicketCommentsParams) (List[ticket.Comment], error) {
	return listIn(ctx, p, "ticket_comments:"+string(id), ActTicketRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[ticket.Comment], error) {
		if _, err := getTicket(ctx, r, a, cid, id); err != nil {
			return storage.List[ticket.Comment]{}, err
		}
		return r.Tickets().Comments(ctx, id, a.user(), page)
	})
}

// notifyRequester writes the e-mail of kind about t to its requester into
// the outbox, unless the requester made the change or there is nobody to
// tell (requesterNotice).
func (p *Portal) notifyRequester(ctx context.Context, r storage.Repos, a access, kind NotificationKind, t ticket.Ticket, c customer.Customer, note string) error {
	n, err := p.requesterNotice(ctx, r, a, kind, t, c)
	if err != nil || n.Kind == "" {
		return err
	}
	n.Reason = note
	return p.enqueue(ctx, r, n)
}

// requesterNotice is the e-mail of kind about t to its requester, if that
// user is not the caller, is active and may still see the ticket (an
// active member of its customer whose sites cover the ticket's); a zero
// Notification otherwise.
func (p *Portal) requesterNotice(ctx context.Context, r storage.Repos, a access, kind NotificationKind, t ticket.Ticket, c customer.Customer) (Notification, error) {
	if t.RequestedBy == "" || (a.user() && a.membership.UserID == t.RequestedBy) {
		return Notification{}, nil
	}
	u, ok, err := activeRecipient(ctx, r, t.RequestedBy, t.CustomerID, t.Links.SiteID, "the requester")
	if err != nil || !ok {
		return Notification{}, err
	}
	return ticketNotice(kind, u.Email, u.Locale, t, c), nil
}

// ticketNotice is the e-mail of kind about ticket t of customer c to the
// address to.
func ticketNotice(kind NotificationKind, to, locale string, t ticket.Ticket, c customer.Customer) Notification {
	return Notification{
		Kind: kind, To: to, Locale: locale, CustomerID: c.ID, CustomerName: c.Name,
		TicketID: string(t.ID), TicketNumber: t.Number.String(), TicketSubject: t.Subject, TicketStatus: string(t.Status),
	}
}
