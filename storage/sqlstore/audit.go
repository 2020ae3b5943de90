package sqlstore

import (
	"context"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/storage"
)

type auditRepo struct{ t *txn }

func (t *txn) Audit() storage.AuditRepo { return auditRepo{t} }

var auditEvents = newTable(table[audit.Event]{
	name: "audit_events", noun: "audit event",
	columns: []string{"id", "at", "actor", "action", "customer_id", "object_id"},
	values: func(e *audit.Event) []any {
		return []any{string(e.ID), ts(e.At), e.Actor, e.Action, nullString(e.CustomerID), e.ObjectID}
	},
	dest: func(e *audit.Event) []any {
		return []any{&e.ID, tcol(&e.At), &e.Actor, &e.Action, scol(&e.CustomerID), &e.ObjectID}
	},
})

// Append stores e. ErrAlreadyExists when the ID is taken.
func (s auditRepo) Append(ctx context.Context, e audit.Event) error {
	return auditEvents.insert(ctx, s.t, &e)
}

// List returns one page of events matching f, ordered by ID.
func (s auditRepo) List(ctx context.Context, f storage.AuditFilter, p storage.Page) (storage.List[audit.Event], error) {
	var w conds
	w.eq(`customer_id`, string(f.CustomerID))
	w.eq(`object_id`, f.ObjectID)
	return auditEvents.list(ctx, s.t, "listing audit events", p, w.String(), w.args,
		func(e audit.Event) string { return string(e.ID) })
}
