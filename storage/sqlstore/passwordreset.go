package sqlstore

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type passwordResetRepo struct{ t *txn }

func (t *txn) PasswordResets() storage.PasswordResetRepo { return passwordResetRepo{t} }

var passwordResets = newTable(table[identity.PasswordReset]{
	name: "password_resets", noun: "password reset",
	columns: []string{"id", "user_id", "staff_id", "token_hash", "expires_at", "used_at", "created_at"},
	values: func(r *identity.PasswordReset) []any {
		// A user's reset has no staff member and a staff member's no user:
		// the empty one is NULL.
		return []any{string(r.ID), nullString(r.UserID), nullString(r.StaffID), r.TokenHash, ts(r.ExpiresAt), nullTS(r.UsedAt), ts(r.CreatedAt)}
	},
	dest: func(r *identity.PasswordReset) []any {
		return []any{&r.ID, scol(&r.UserID), scol(&r.StaffID), &r.TokenHash, tcol(&r.ExpiresAt), tcol(&r.UsedAt), tcol(&r.CreatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// Create stores r. Invalid unless exactly one owner is set;
// ErrAlreadyExists when the ID or token hash is taken; ErrNotFound when the
// owner does not exist.
func (s passwordResetRepo) Create(ctx context.Context, r identity.PasswordReset) error {
	if (r.UserID == "") == (r.StaffID == "") {
		return portalerr.New(portalerr.Invalid, "storage: a password reset belongs to a user or to a staff member")
	}
	return passwordResets.insert(ctx, s.t, &r)
}

// Consume marks the usable reset with this token hash as used at now and
// returns it, in one conditional UPDATE, as loginLinkRepo.Consume does.
func (s passwordResetRepo) Consume(ctx context.Context, hash string, now time.Time) (identity.PasswordReset, error) {
	const op = "consuming password reset"
	if err := s.t.writable(op); err != nil {
		return identity.PasswordReset{}, err
	}
	r, err := passwordResets.scan(s.t.queryRow(ctx,
		`UPDATE password_resets SET used_at = ? WHERE token_hash = ? AND `+loginLinkUsable+` RETURNING `+passwordResets.cols,
		ts(now), hash, ts(now)))
	if err != nil {
		return identity.PasswordReset{}, s.t.dbError(op, err, nil)
	}
	return r, nil
}

// Supersede marks every unused reset of the user, or else of the staff
// member, as used at `at`.
func (s passwordResetRepo) Supersede(ctx context.Context, user customer.UserID, staff identity.StaffID, at time.Time) error {
	const op = "superseding password resets"
	if err := s.t.writable(op); err != nil {
		return err
	}
	col, id := "user_id", string(user)
	if user == "" {
		col, id = "staff_id", string(staff)
	}
	_, err := s.t.exec(ctx, op, nil,
		`UPDATE password_resets SET used_at = ? WHERE `+col+` = ? AND `+loginLinkUnused, ts(at), id)
	return err
}

// DeleteExpired removes the resets that expired before `before` and
// returns how many.
func (s passwordResetRepo) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired password resets"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM password_resets WHERE expires_at < ?`, ts(before))
	return int(n), err
}
