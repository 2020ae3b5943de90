package postgres

import (
	"context"

	"github.com/portalkit/portalkit/customer"
)

type userRepo struct{ t *txn }

// Create stores u. ErrAlreadyExists when the ID or e-mail (ignoring case)
// is taken.
func (s userRepo) Create(ctx context.Context, u customer.User) error {
	if err := s.t.writable("creating user"); err != nil {
		return err
	}
	return createUser(ctx, s.t, u)
}

// Get returns the user with the given ID, or ErrNotFound.
func (s userRepo) Get(ctx context.Context, id customer.UserID) (customer.User, error) {
	return findUser(ctx, s.t, "by ID", `id = $1`, string(id))
}

// GetByEmail returns the user with the given e-mail (compared ignoring
// case, through the unique index on lower(email)), or ErrNotFound.
func (s userRepo) GetByEmail(ctx context.Context, email string) (customer.User, error) {
	return findUser(ctx, s.t, "by e-mail", `lower(email) = lower($1)`, email)
}

// Update reads the user, lets fn change it and writes it back with the next
// version. ErrNotFound, ErrAlreadyExists (e-mail), ErrConflict.
func (s userRepo) Update(ctx context.Context, id customer.UserID, fn func(*customer.User) error) (customer.User, error) {
	if err := s.t.writable("updating user"); err != nil {
		return customer.User{}, err
	}
	return updateUser(ctx, s.t, id, fn)
}

const userColumns = `id, email, name, locale, status, version, created_at, updated_at`

// userDest returns the scan destinations of u in the order of userColumns.
func userDest(u *customer.User) []any {
	return []any{&u.ID, &u.Email, &u.Name, &u.Locale, &u.Status, &u.Version, &u.CreatedAt, &u.UpdatedAt}
}

func scanUser(s scanner) (customer.User, error) {
	var u customer.User
	err := s.Scan(userDest(&u)...)
	return u, err
}

func createUser(ctx context.Context, t *txn, u customer.User) error {
	_, err := t.tx.Exec(ctx,
		`INSERT INTO users (`+userColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(u.ID), u.Email, u.Name, u.Locale, string(u.Status), u.Version, u.CreatedAt, u.UpdatedAt)
	return t.fail("creating user "+string(u.ID), err, nil)
}

// findUser finds the user matching cond (a constant condition on $1).
func findUser(ctx context.Context, t *txn, by, cond, value string) (customer.User, error) {
	u, err := scanUser(t.tx.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE `+cond, value))
	if err != nil {
		return customer.User{}, t.fail("finding user "+by, err, nil)
	}
	return u, nil
}

func updateUser(ctx context.Context, t *txn, id customer.UserID, fn func(*customer.User) error) (customer.User, error) {
	op := "updating user " + string(id)
	old, err := findUser(ctx, t, "by ID", `id = $1`, string(id))
	if err != nil {
		return customer.User{}, err
	}
	u := old
	if err := fn(&u); err != nil {
		return customer.User{}, err
	}
	u.ID, u.CreatedAt = old.ID, old.CreatedAt
	u.Version = old.Version + 1
	u.UpdatedAt = storedTime(u.UpdatedAt)
	n, err := execCount(ctx, t, op,
		`UPDATE users SET email = $1, name = $2, locale = $3, status = $4, version = $5, updated_at = $6
		WHERE id = $7 AND version = $8`, nil,
		u.Email, u.Name, u.Locale, string(u.Status), u.Version, u.UpdatedAt, string(id), old.Version)
	if err := checkUpdated(op, n, err); err != nil {
		return customer.User{}, err
	}
	return u, nil
}
