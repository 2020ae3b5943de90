package sqlstore

import (
	"context"
	"fmt"
	"slices"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/ticket"
)

type ticketRepo struct{ t *txn }

func (t *txn) Tickets() storage.TicketRepo { return ticketRepo{t} }

// ticketTable is the tickets row of a ticket; its history is rows of
// ticket_events.
var ticketTable = newTable(table[ticket.Ticket]{
	name: "tickets", noun: "ticket",
	columns: []string{"id", "number", "customer_id", "type", "subject", "description", "status", "priority",
		"requested_by", "assignee", "order_id", "order_line", "stock_item_id", "site_id", "record_id", "fields",
		"resolved_at", "applied_at", "version", "created_at", "updated_at"},
	values: func(t *ticket.Ticket) []any {
		l := &t.Links
		return []any{string(t.ID), int64(t.Number), string(t.CustomerID), t.Type, t.Subject, t.Description, string(t.Status), string(t.Priority),
			string(t.RequestedBy), string(t.Assignee), string(l.OrderID), l.OrderLine, string(l.StockItemID), string(l.SiteID), string(l.RecordID), attributesJSON(t.Fields),
			nullTS(t.ResolvedAt), nullTS(t.AppliedAt), t.Version, ts(t.CreatedAt), ts(t.UpdatedAt)}
	},
	dest: func(t *ticket.Ticket) []any {
		l := &t.Links
		return []any{&t.ID, &t.Number, &t.CustomerID, &t.Type, &t.Subject, &t.Description, &t.Status, &t.Priority,
			&t.RequestedBy, &t.Assignee, &l.OrderID, &l.OrderLine, &l.StockItemID, &l.SiteID, &l.RecordID, attributesCol{&t.Fields},
			tcol(&t.ResolvedAt), tcol(&t.AppliedAt), &t.Version, tcol(&t.CreatedAt), tcol(&t.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

var commentTable = newTable(table[ticket.Comment]{
	name: "ticket_comments", noun: "ticket comment",
	columns: []string{"id", "ticket_id", "visibility", "author", "author_name", "body", "created_at"},
	values: func(c *ticket.Comment) []any {
		return []any{string(c.ID), string(c.TicketID), string(c.Visibility), c.Author, c.AuthorName, c.Body, ts(c.CreatedAt)}
	},
	dest: func(c *ticket.Comment) []any {
		return []any{&c.ID, &c.TicketID, &c.Visibility, &c.Author, &c.AuthorName, &c.Body, tcol(&c.CreatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// NextNumber takes the next ticket number as orderRepo.NextNumber takes
// order numbers: from the dialect's sequence, else the counters row.
func (s ticketRepo) NextNumber(ctx context.Context) (ticket.Number, error) {
	const op = "taking a ticket number"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	q := s.t.d.TicketNumber
	if q == "" {
		q = `INSERT INTO counters (name, value) VALUES ('ticket_number', 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`
	}
	var n int64
	if err := s.t.queryRow(ctx, q).Scan(&n); err != nil {
		return 0, s.t.dbError(op, err, nil)
	}
	return ticket.Number(n), nil
}

// Create stores t and its history.
func (s ticketRepo) Create(ctx context.Context, t ticket.Ticket) error {
	if err := ticketTable.insert(ctx, s.t, &t); err != nil {
		return err
	}
	return s.appendEvents(ctx, "creating ticket "+string(t.ID), t.ID, 0, t.History)
}

// appendEvents stores evs as the events after seq `after` of ticket id.
func (s ticketRepo) appendEvents(ctx context.Context, op string, id ticket.ID, after int, evs []ticket.Event) error {
	args := make([]any, 0, len(evs)*8)
	for i, ev := range evs {
		args = append(args, string(id), after+i+1, string(ev.Kind), ev.From, ev.To, ts(ev.At), ev.By, ev.Note)
	}
	return insertRows(ctx, s.t, op, `INSERT INTO ticket_events (ticket_id, seq, kind, from_value, to_value, at, by, note) VALUES `, 8, args)
}

// Get returns the ticket with its history, or ErrNotFound.
func (s ticketRepo) Get(ctx context.Context, id ticket.ID) (ticket.Ticket, error) {
	t, err := ticketTable.get(ctx, s.t, string(id))
	if err != nil {
		return ticket.Ticket{}, err
	}
	var ev ticket.Event
	err = eachRow(ctx, s.t, "reading history of ticket "+string(id),
		`SELECT kind, from_value, to_value, at, by, note FROM ticket_events WHERE ticket_id = ? ORDER BY seq`,
		[]any{string(id)}, []any{&ev.Kind, &ev.From, &ev.To, tcol(&ev.At), &ev.By, &ev.Note},
		func() { t.History = append(t.History, ev) })
	if err != nil {
		return ticket.Ticket{}, err
	}
	return t, nil
}

// Change writes next if the stored version is still next.Version, and
// appends evs. The version check and the write are one statement, so of
// two changes made from one version only one is stored.
func (s ticketRepo) Change(ctx context.Context, next ticket.Ticket, evs ...ticket.Event) (ticket.Ticket, error) {
	op := "changing ticket " + string(next.ID)
	if err := s.t.writable(op); err != nil {
		return ticket.Ticket{}, err
	}
	l := &next.Links
	n, err := s.t.exec(ctx, op, nil, `UPDATE tickets SET subject = ?, description = ?, status = ?, priority = ?, assignee = ?,
		order_id = ?, order_line = ?, stock_item_id = ?, site_id = ?, record_id = ?, fields = ?, resolved_at = ?, applied_at = ?,
		version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		next.Subject, next.Description, string(next.Status), string(next.Priority), string(next.Assignee),
		string(l.OrderID), l.OrderLine, string(l.StockItemID), string(l.SiteID), string(l.RecordID), attributesJSON(next.Fields),
		nullTS(next.ResolvedAt), nullTS(next.AppliedAt), ts(next.UpdatedAt), string(next.ID), next.Version)
	if err != nil {
		return ticket.Ticket{}, err
	}
	if n == 0 {
		var one int
		if err := s.t.queryRow(ctx, `SELECT 1 FROM tickets WHERE id = ?`, string(next.ID)).Scan(&one); err != nil {
			return ticket.Ticket{}, s.t.dbError(op, err, nil) // ErrNotFound for no row
		}
		return ticket.Ticket{}, fmt.Errorf("%s: %s: not at version %d: %w", s.t.d.Name, op, next.Version, storage.ErrConflict)
	}
	if len(evs) > 0 {
		// The UPDATE holds the ticket's row, so nobody appends between
		// reading the last seq and the insert.
		var last int
		if err := s.t.queryRow(ctx, `SELECT coalesce(max(seq), 0) FROM ticket_events WHERE ticket_id = ?`, string(next.ID)).Scan(&last); err != nil {
			return ticket.Ticket{}, s.t.dbError(op, err, nil)
		}
		if err := s.appendEvents(ctx, op, next.ID, last, evs); err != nil {
			return ticket.Ticket{}, err
		}
	}
	return s.Get(ctx, next.ID)
}

// filter returns f's conditions, but for the cursor, the status and the
// sites.
func (f ticketFilter) conds() conds {
	var w conds
	w.eq(`customer_id`, string(f.CustomerID))
	w.eq(`type`, f.Type)
	w.eq(`record_id`, string(f.RecordID))
	switch {
	case f.Assignee != "":
		w.eq(`assignee`, string(f.Assignee))
	case f.Unassigned:
		w.and(`assignee = ''`, nil)
	}
	if f.SiteIDs != nil {
		sites := slices.Compact(slices.Sorted(slices.Values(f.SiteIDs)))
		args := []any{""}
		for _, s := range sites {
			args = append(args, string(s))
		}
		w.and(`site_id IN (`+placeholders(len(args))+`)`, args)
	}
	return w
}

type ticketFilter storage.TicketFilter

// activeStatuses are the statuses of TicketFilter.Active.
var activeStatuses = []any{string(ticket.StatusOpen), string(ticket.StatusInProgress), string(ticket.StatusWaitingOnCustomer)}

// List returns one page of tickets matching f, without their history.
func (s ticketRepo) List(ctx context.Context, f storage.TicketFilter, p storage.Page) (storage.List[ticket.Ticket], error) {
	const op = "listing tickets"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[ticket.Ticket]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	dir, cmp := ` ASC`, `id > ?`
	if f.NewestFirst {
		dir, cmp = ` DESC`, `id < ?`
	}
	w := ticketFilter(f).conds()
	if after != "" || !f.NewestFirst {
		w.and(cmp, []any{after})
	}
	switch {
	case f.Status != "":
		w.eq(`status`, string(f.Status))
	case f.Active:
		w.and(`status IN (?, ?, ?)`, activeStatuses)
	}
	q := ticketTable.selectSQL
	if len(w.where) > 0 {
		q += ` WHERE ` + w.String()
	}
	q += ` ORDER BY id` + dir + ` LIMIT ?`
	return queryList(ctx, s.t, op, q, append(w.args, limit+1), limit, ticketTable.scan, func(t ticket.Ticket) string { return string(t.ID) })
}

// Count returns the number of tickets matching f per status.
func (s ticketRepo) Count(ctx context.Context, f storage.TicketFilter) (map[ticket.Status]int, error) {
	w := ticketFilter(f).conds()
	q := `SELECT status, count(*) FROM tickets`
	if len(w.where) > 0 {
		q += ` WHERE ` + w.String()
	}
	q += ` GROUP BY status`
	out := map[ticket.Status]int{}
	var st ticket.Status
	var n int
	err := eachRow(ctx, s.t, "counting tickets", q, w.args, []any{&st, &n}, func() { out[st] = n })
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AddComment stores c. ErrNotFound when its ticket does not exist.
func (s ticketRepo) AddComment(ctx context.Context, c ticket.Comment) error {
	return commentTable.insert(ctx, s.t, &c)
}

// Comment returns the comment with the given ID, or ErrNotFound.
func (s ticketRepo) Comment(ctx context.Context, id ticket.CommentID) (ticket.Comment, error) {
	return commentTable.get(ctx, s.t, string(id))
}

// Comments returns one page of a ticket's comments, oldest first.
func (s ticketRepo) Comments(ctx context.Context, id ticket.ID, publicOnly bool, p storage.Page) (storage.List[ticket.Comment], error) {
	var w conds
	w.and(`ticket_id = ?`, []any{string(id)})
	if publicOnly {
		w.and(`visibility = ?`, []any{string(ticket.Public)})
	}
	return commentTable.list(ctx, s.t, "listing comments of ticket "+string(id), p, w.String(), w.args,
		func(c ticket.Comment) string { return string(c.ID) })
}

var attachmentTable = newTable(table[ticket.Attachment]{
	name: "ticket_attachments", noun: "ticket attachment",
	columns: []string{"id", "ticket_id", "comment_id", "visibility", "file_key", "name", "content_type",
		"size", "sha256", "uploaded_by", "created_at"},
	values: func(a *ticket.Attachment) []any {
		return []any{string(a.ID), string(a.TicketID), nullString(a.CommentID), string(a.Visibility), a.FileKey, a.Name, a.ContentType,
			a.Size, a.SHA256, a.UploadedBy, ts(a.CreatedAt)}
	},
	dest: func(a *ticket.Attachment) []any {
		return []any{&a.ID, &a.TicketID, scol(&a.CommentID), &a.Visibility, &a.FileKey, &a.Name, &a.ContentType,
			&a.Size, &a.SHA256, &a.UploadedBy, tcol(&a.CreatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// AddAttachment stores a. ErrNotFound when its ticket or comment does not
// exist.
func (s ticketRepo) AddAttachment(ctx context.Context, a ticket.Attachment) error {
	return attachmentTable.insert(ctx, s.t, &a)
}

// Attachment returns the attachment with the given ID, or ErrNotFound.
func (s ticketRepo) Attachment(ctx context.Context, id ticket.AttachmentID) (ticket.Attachment, error) {
	return attachmentTable.get(ctx, s.t, string(id))
}

// Attachments returns a ticket's attachments, oldest first.
func (s ticketRepo) Attachments(ctx context.Context, id ticket.ID, publicOnly bool) ([]ticket.Attachment, error) {
	var w conds
	w.and(`ticket_id = ?`, []any{string(id)})
	if publicOnly {
		w.and(`visibility = ?`, []any{string(ticket.Public)})
	}
	q := attachmentTable.selectSQL + ` WHERE ` + w.String() + ` ORDER BY id`
	return queryAll(ctx, s.t, "listing attachments of ticket "+string(id), q, w.args, 4, attachmentTable.scan)
}
