package postgres

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type passwordRepo struct{ t *txn }

// Get returns the user's password record, or ErrNotFound when the user has none.
func (s passwordRepo) Get(ctx context.Context, user customer.UserID) (identity.Password, error) {
	var (
		p      identity.Password
		locked *time.Time
	)
	err := s.t.tx.QueryRow(ctx,
		`SELECT user_id, hash, failed_attempts, locked_until, updated_at FROM passwords WHERE user_id = $1`,
		string(user)).Scan(&p.UserID, &p.Hash, &p.FailedAttempts, &locked, &p.UpdatedAt)
	if err != nil {
		return identity.Password{}, s.t.fail("finding password of user "+string(user), err, nil)
	}
	p.LockedUntil = orZero(locked)
	return p, nil
}

// Put creates or replaces the user's password record in one upsert.
// ErrNotFound when the user does not exist.
func (s passwordRepo) Put(ctx context.Context, p identity.Password) error {
	op := "putting password of user " + string(p.UserID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx,
		`INSERT INTO passwords (user_id, hash, failed_attempts, locked_until, updated_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id) DO UPDATE SET
			hash = excluded.hash, failed_attempts = excluded.failed_attempts,
			locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
		string(p.UserID), p.Hash, p.FailedAttempts, nullTime(p.LockedUntil), p.UpdatedAt)
	return s.t.fail(op, err, storage.ErrNotFound)
}
