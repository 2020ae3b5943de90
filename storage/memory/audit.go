package memory

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/storage"
)

type auditRepo struct{ t *tx }

func (r auditRepo) Append(_ context.Context, e audit.Event) error {
	if err := r.t.writable("appending audit event"); err != nil {
		return err
	}
	if _, ok := r.t.s.events[e.ID]; ok {
		return fmt.Errorf("memory: appending audit event %s: %w", e.ID, storage.ErrAlreadyExists)
	}
	put(r.t, r.t.s.events, e.ID, cloneEvent(e))
	return nil
}

func (r auditRepo) List(_ context.Context, f storage.AuditFilter, p storage.Page) (storage.List[audit.Event], error) {
	keep := func(e audit.Event) bool {
		return (f.CustomerID == "" || e.CustomerID == f.CustomerID) &&
			(f.ObjectID == "" || e.ObjectID == f.ObjectID)
	}
	l, err := list(r.t.s.events, p, keep, cloneEvent)
	if err != nil {
		return l, fmt.Errorf("memory: listing audit events: %w", err)
	}
	return l, nil
}

// cloneEvent returns a copy of e with its time in UTC.
func cloneEvent(e audit.Event) audit.Event {
	e.At = e.At.UTC()
	return e
}
