package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type auditRepo struct{ r *repos }

// Append stores e. ErrAlreadyExists when the ID is taken.
func (s auditRepo) Append(ctx context.Context, e audit.Event) error {
	op := "appending audit event " + string(e.ID)
	if err := s.r.writable(op); err != nil {
		return err
	}
	_, err := s.r.tx.ExecContext(ctx,
		`INSERT INTO audit_events (`+auditColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		string(e.ID), formatTime(e.At), e.Actor, e.Action, nullString(e.CustomerID), e.ObjectID)
	return dbError(op, err, nil)
}

// List returns one page of events matching f, ordered by ID.
func (s auditRepo) List(ctx context.Context, f storage.AuditFilter, p storage.Page) (storage.List[audit.Event], error) {
	const op = "listing audit events"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[audit.Event]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + auditColumns + ` FROM audit_events WHERE id > ?`)
	args := []any{after}
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ?`)
		args = append(args, string(f.CustomerID))
	}
	if f.ObjectID != "" {
		q.WriteString(` AND object_id = ?`)
		args = append(args, f.ObjectID)
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, limit+1)
	return queryList(ctx, s.r.tx, op, q.String(), args, limit, scanEvent,
		func(e audit.Event) string { return string(e.ID) })
}

const auditColumns = `id, at, actor, action, customer_id, object_id`

func scanEvent(s scanner) (audit.Event, error) {
	var (
		e   audit.Event
		at  string
		cus sql.NullString
	)
	err := s.Scan(&e.ID, &at, &e.Actor, &e.Action, &cus, &e.ObjectID)
	if err != nil {
		return audit.Event{}, err
	}
	e.CustomerID = customer.ID(cus.String)
	if e.At, err = parseTime(at); err != nil {
		return audit.Event{}, err
	}
	return e, nil
}
