package postgres

import (
	"context"
	"fmt"
	"strings"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type auditRepo struct{ t *txn }

// Append stores e. ErrAlreadyExists when the ID is taken.
func (s auditRepo) Append(ctx context.Context, e audit.Event) error {
	op := "appending audit event " + string(e.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx,
		`INSERT INTO audit_events (`+auditColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(e.ID), e.At, e.Actor, e.Action, nullString(e.CustomerID), e.ObjectID)
	return s.t.fail(op, err, nil)
}

// List returns one page of events matching f, ordered by ID.
func (s auditRepo) List(ctx context.Context, f storage.AuditFilter, p storage.Page) (storage.List[audit.Event], error) {
	const op = "listing audit events"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[audit.Event]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	var q strings.Builder
	q.WriteString(`SELECT ` + auditColumns + ` FROM audit_events WHERE id > ` + a.add(after))
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ` + a.add(string(f.CustomerID)))
	}
	if f.ObjectID != "" {
		q.WriteString(` AND object_id = ` + a.add(f.ObjectID))
	}
	q.WriteString(` ORDER BY id LIMIT ` + a.add(limit+1))
	return queryList(ctx, s.t, op, q.String(), a, limit, scanEvent,
		func(e audit.Event) string { return string(e.ID) })
}

const auditColumns = `id, at, actor, action, customer_id, object_id`

func scanEvent(s scanner) (audit.Event, error) {
	var (
		e   audit.Event
		cus *string
	)
	if err := s.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &cus, &e.ObjectID); err != nil {
		return audit.Event{}, err
	}
	e.CustomerID = customer.ID(orEmpty(cus))
	return e, nil
}
