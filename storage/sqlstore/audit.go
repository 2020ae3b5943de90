package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/storage"
)

type auditRepo struct{ t *txn }

func (t *txn) Audit() storage.AuditRepo { return auditRepo{t} }

// changesCol scans the JSON of an event's changes; ” is none.
type changesCol struct{ p *[]audit.Change }

func (c changesCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(v)
	case []byte:
		b = v
	default:
		return fmt.Errorf("reading changes from %T", src)
	}
	if len(b) == 0 {
		*c.p = nil
		return nil
	}
	return json.Unmarshal(b, c.p)
}

func changesValue(cs []audit.Change) string {
	if len(cs) == 0 {
		return ""
	}
	b, _ := json.Marshal(cs) // strings only: cannot fail
	return string(b)
}

var auditEvents = newTable(table[audit.Event]{
	name: "audit_events", noun: "audit event",
	columns: []string{"id", "at", "actor", "action", "customer_id", "object_id", "impersonator", "request_id", "changes"},
	values: func(e *audit.Event) []any {
		return []any{string(e.ID), ts(e.At), e.Actor, e.Action, nullString(e.CustomerID), e.ObjectID, e.Impersonator, e.RequestID,
			changesValue(e.Changes)}
	},
	dest: func(e *audit.Event) []any {
		return []any{&e.ID, tcol(&e.At), &e.Actor, &e.Action, scol(&e.CustomerID), &e.ObjectID, &e.Impersonator, &e.RequestID,
			changesCol{&e.Changes}}
	},
})

// Append stores e. ErrAlreadyExists when the ID is taken.
func (s auditRepo) Append(ctx context.Context, e audit.Event) error {
	return auditEvents.insert(ctx, s.t, &e)
}

// List returns one page of events matching f, by ID in either direction.
func (s auditRepo) List(ctx context.Context, f storage.AuditFilter, p storage.Page) (storage.List[audit.Event], error) {
	const op = "listing audit events"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[audit.Event]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	var w conds
	dir := ` ASC`
	switch {
	case f.NewestFirst && after != "":
		w.and(`id < ?`, []any{after})
		dir = ` DESC`
	case f.NewestFirst:
		dir = ` DESC`
	default:
		w.and(`id > ?`, []any{after})
	}
	w.eq(`customer_id`, string(f.CustomerID))
	w.eq(`object_id`, f.ObjectID)
	w.eq(`action`, f.Action)
	if f.Actor != "" {
		w.and(`(actor = ? OR impersonator = ?)`, []any{f.Actor, f.Actor})
	}
	if !f.From.IsZero() {
		w.and(`at >= ?`, []any{ts(f.From)})
	}
	if !f.To.IsZero() {
		w.and(`at < ?`, []any{ts(f.To)})
	}
	q := auditEvents.selectSQL
	if len(w.where) > 0 {
		q += ` WHERE ` + strings.Join(w.where, ` AND `)
	}
	q += ` ORDER BY id` + dir + ` LIMIT ?`
	return queryList(ctx, s.t, op, q, append(w.args, limit+1), limit, auditEvents.scan, func(e audit.Event) string { return string(e.ID) })
}

// DeleteBefore removes the events recorded before `before`.
func (s auditRepo) DeleteBefore(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting old audit events"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM audit_events WHERE at < ?`, ts(before))
	return int(n), err
}
