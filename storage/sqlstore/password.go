package sqlstore

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type passwordRepo struct{ t *txn }

func (t *txn) Passwords() storage.PasswordRepo { return passwordRepo{t} }

var passwords = newTable(table[identity.Password]{
	name: "passwords", noun: "password of user",
	columns: []string{"user_id", "hash", "failed_attempts", "locked_until", "updated_at"},
	values: func(p *identity.Password) []any {
		return []any{string(p.UserID), p.Hash, p.FailedAttempts, nullTS(p.LockedUntil), ts(p.UpdatedAt)}
	},
	dest: func(p *identity.Password) []any {
		return []any{&p.UserID, &p.Hash, &p.FailedAttempts, tcol(&p.LockedUntil), tcol(&p.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// putPasswordSQL replaces the record of the user if there is one.
var putPasswordSQL = upsertSQL(passwords, []string{"user_id"})

// Get returns the user's password record, or ErrNotFound when the user has none.
func (s passwordRepo) Get(ctx context.Context, user customer.UserID) (identity.Password, error) {
	return passwords.get(ctx, s.t, string(user))
}

// Put creates or replaces the user's password record in one upsert.
// ErrNotFound when the user does not exist.
func (s passwordRepo) Put(ctx context.Context, p identity.Password) error {
	op := "putting password of user " + string(p.UserID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.exec(ctx, op, passwords.fkErr, putPasswordSQL, passwords.values(&p)...)
	return err
}
