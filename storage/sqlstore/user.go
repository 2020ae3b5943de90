package sqlstore

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type userRepo struct{ t *txn }

func (t *txn) Users() storage.UserRepo { return userRepo{t} }

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

// Create stores u. ErrAlreadyExists when the ID or e-mail (ignoring case)
// is taken.
func (s userRepo) Create(ctx context.Context, u customer.User) error {
	return users.insert(ctx, s.t, string(u.ID), &u)
}

// Get returns the user with the given ID, or ErrNotFound.
func (s userRepo) Get(ctx context.Context, id customer.UserID) (customer.User, error) {
	return users.get(ctx, s.t, string(id))
}

// GetByEmail returns the user with the given e-mail (compared ignoring
// case), or ErrNotFound. The condition is the expression of the indexes on
// lower(email) (PostgreSQL's unique one; SQLite's from migration 00010).
// SQLite's lower() folds ASCII letters only, as the column's NOCASE
// uniqueness does; PostgreSQL's folds all.
func (s userRepo) GetByEmail(ctx context.Context, email string) (customer.User, error) {
	return users.getWhere(ctx, s.t, "finding user by e-mail", `lower(email) = lower(?)`, email)
}

// Update reads the user, lets fn change it and writes it back with the next
// version. ErrNotFound, ErrAlreadyExists (e-mail), ErrConflict.
func (s userRepo) Update(ctx context.Context, id customer.UserID, fn func(*customer.User) error) (customer.User, error) {
	return users.update(ctx, s.t, string(id), fn)
}
