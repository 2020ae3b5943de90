package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type impersonationRepo struct{ t *txn }

func (t *txn) Impersonations() storage.ImpersonationRepo { return impersonationRepo{t} }

var impersonations = newTable(table[identity.Impersonation]{
	name: "impersonations", noun: "impersonation",
	columns: []string{"id", "session_id", "staff_id", "user_id", "membership_id", "customer_id", "reason", "read_only",
		"started_at", "expires_at", "ended_at"},
	values: func(i *identity.Impersonation) []any {
		return []any{string(i.ID), string(i.SessionID), string(i.StaffID), string(i.UserID), string(i.MembershipID), string(i.CustomerID),
			i.Reason, i.ReadOnly, ts(i.StartedAt), ts(i.ExpiresAt), nullTS(i.EndedAt)}
	},
	dest: func(i *identity.Impersonation) []any {
		return []any{&i.ID, &i.SessionID, &i.StaffID, &i.UserID, &i.MembershipID, &i.CustomerID,
			&i.Reason, &i.ReadOnly, tcol(&i.StartedAt), tcol(&i.ExpiresAt), tcol(&i.EndedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// Create stores i.
func (s impersonationRepo) Create(ctx context.Context, i identity.Impersonation) error {
	return impersonations.insert(ctx, s.t, &i)
}

// GetBySession returns the impersonation of a session.
func (s impersonationRepo) GetBySession(ctx context.Context, id identity.SessionID) (identity.Impersonation, error) {
	return impersonations.getWhere(ctx, s.t, "finding impersonation of session "+string(id), `session_id = ?`, string(id))
}

// End marks the impersonation of a session ended, once.
func (s impersonationRepo) End(ctx context.Context, id identity.SessionID, at time.Time) error {
	const op = "ending impersonation"
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.exec(ctx, op, nil, `UPDATE impersonations SET ended_at = ? WHERE session_id = ? AND ended_at IS NULL`, ts(at), string(id))
	return err
}

// List returns the customer's impersonations, newest first.
func (s impersonationRepo) List(ctx context.Context, cid customer.ID, p storage.Page) (storage.List[identity.Impersonation], error) {
	const op = "listing impersonations"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[identity.Impersonation]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	q, args := impersonations.selectSQL+` WHERE customer_id = ?`, []any{string(cid)}
	if after != "" {
		q, args = q+` AND id < ?`, append(args, after)
	}
	q += ` ORDER BY id DESC LIMIT ?`
	return queryList(ctx, s.t, op, q, append(args, limit+1), limit, impersonations.scan,
		func(i identity.Impersonation) string { return string(i.ID) })
}

// Forbidden reports the customer's choice.
func (s impersonationRepo) Forbidden(ctx context.Context, cid customer.ID) (bool, error) {
	var forbidden bool
	err := s.t.queryRow(ctx, `SELECT forbidden FROM impersonation_policies WHERE customer_id = ?`, string(cid)).Scan(&forbidden)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return forbidden, s.t.dbError("reading impersonation policy", err, nil)
}

// SetForbidden upserts the customer's choice.
func (s impersonationRepo) SetForbidden(ctx context.Context, cid customer.ID, forbidden bool, by string, at time.Time) error {
	const op = "setting impersonation policy"
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.exec(ctx, op, storage.ErrNotFound, `INSERT INTO impersonation_policies (customer_id, forbidden, updated_by, updated_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (customer_id) DO UPDATE SET forbidden = excluded.forbidden,
		updated_by = excluded.updated_by, updated_at = excluded.updated_at`, string(cid), forbidden, by, ts(at))
	return err
}
