package sqlite

import (
	"context"
	"database/sql"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type passwordRepo struct{ r *repos }

// Get returns the user's password record, or ErrNotFound when the user has none.
func (s passwordRepo) Get(ctx context.Context, user customer.UserID) (identity.Password, error) {
	var (
		p       identity.Password
		locked  sql.NullString
		updated string
	)
	err := s.r.tx.QueryRowContext(ctx,
		`SELECT user_id, hash, failed_attempts, locked_until, updated_at FROM passwords WHERE user_id = ?`,
		string(user)).Scan(&p.UserID, &p.Hash, &p.FailedAttempts, &locked, &updated)
	if err != nil {
		return identity.Password{}, dbError("finding password of user "+string(user), err, nil)
	}
	if p.LockedUntil, err = parseNullTime(locked); err != nil {
		return identity.Password{}, err
	}
	if p.UpdatedAt, err = parseTime(updated); err != nil {
		return identity.Password{}, err
	}
	return p, nil
}

// Put creates or replaces the user's password record in one upsert.
// ErrNotFound when the user does not exist.
func (s passwordRepo) Put(ctx context.Context, p identity.Password) error {
	op := "putting password of user " + string(p.UserID)
	if err := s.r.writable(op); err != nil {
		return err
	}
	_, err := s.r.tx.ExecContext(ctx,
		`INSERT INTO passwords (user_id, hash, failed_attempts, locked_until, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET
			hash = excluded.hash, failed_attempts = excluded.failed_attempts,
			locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
		string(p.UserID), p.Hash, p.FailedAttempts, nullTime(p.LockedUntil), formatTime(p.UpdatedAt))
	return dbError(op, err, storage.ErrNotFound)
}
