package sqlstore

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type userRepo struct {
	crud[customer.User, customer.UserID]
}

func (t *txn) Users() storage.UserRepo {
	return userRepo{crud[customer.User, customer.UserID]{t, users}}
}

var users = newTable(table[customer.User]{
	name: "users", noun: "user",
	columns: []string{"id", "email", "name", "locale", "status", "version", "created_at", "updated_at"},
	values: func(u *customer.User) []any {
		return []any{string(u.ID), u.Email, u.Name, u.Locale, string(u.Status), u.Version, ts(u.CreatedAt), ts(u.UpdatedAt)}
	},
	dest: func(u *customer.User) []any {
		return []any{&u.ID, &u.Email, &u.Name, &u.Locale, &u.Status, &u.Version, tcol(&u.CreatedAt), tcol(&u.UpdatedAt)}
	},
	version: func(u *customer.User) *int64 { return &u.Version },
	keep: func(old customer.User, u *customer.User) {
		u.ID, u.CreatedAt = old.ID, old.CreatedAt
		u.UpdatedAt = storedTime(u.UpdatedAt)
	},
})

// GetByEmail returns the user with the given e-mail (compared ignoring
// case), or ErrNotFound. The condition is the expression of the indexes on
// lower(email) (PostgreSQL's unique one; SQLite's from migration 00010).
// SQLite's lower() folds ASCII letters only, as the column's NOCASE
// uniqueness does; PostgreSQL's folds all.
func (s userRepo) GetByEmail(ctx context.Context, email string) (customer.User, error) {
	return users.getWhere(ctx, s.t, "finding user by e-mail", `lower(email) = lower(?)`, email)
}
