package sqlite

import (
	"context"
	"database/sql"

	"github.com/portalkit/portalkit/customer"
)

type userRepo struct{ r *repos }

// Create stores u. ErrAlreadyExists when the ID or e-mail is taken.
func (s userRepo) Create(ctx context.Context, u customer.User) error {
	if err := s.r.writable("creating user"); err != nil {
		return err
	}
	return createUser(ctx, s.r.tx, u)
}

// Get returns the user with the given ID, or ErrNotFound.
func (s userRepo) Get(ctx context.Context, id customer.UserID) (customer.User, error) {
	return findUser(ctx, s.r.tx, "id", string(id))
}

// GetByEmail returns the user with the given e-mail (compared ignoring
// ASCII case), or ErrNotFound.
func (s userRepo) GetByEmail(ctx context.Context, email string) (customer.User, error) {
	return findUser(ctx, s.r.tx, "email", email)
}

// Update reads the user, lets fn change it and writes it back with the next
// version. ErrNotFound, ErrAlreadyExists (e-mail), ErrConflict.
func (s userRepo) Update(ctx context.Context, id customer.UserID, fn func(*customer.User) error) (customer.User, error) {
	if err := s.r.writable("updating user"); err != nil {
		return customer.User{}, err
	}
	return updateUser(ctx, s.r.tx, id, fn)
}

const userColumns = `id, email, name, locale, status, version, created_at, updated_at`

// userRow holds one user as read from userColumns.
type userRow struct {
	u                  customer.User
	createdAt, updated string
}

// dest returns the scan destinations in the order of userColumns.
func (r *userRow) dest() []any {
	u := &r.u
	return []any{&u.ID, &u.Email, &u.Name, &u.Locale, &u.Status, &u.Version, &r.createdAt, &r.updated}
}

// value returns the user scanned into r.
func (r *userRow) value() (customer.User, error) {
	u := r.u
	var err error
	if u.CreatedAt, err = parseTime(r.createdAt); err != nil {
		return customer.User{}, err
	}
	if u.UpdatedAt, err = parseTime(r.updated); err != nil {
		return customer.User{}, err
	}
	return u, nil
}

func scanUser(s scanner) (customer.User, error) {
	var r userRow
	if err := s.Scan(r.dest()...); err != nil {
		return customer.User{}, err
	}
	return r.value()
}

func createUser(ctx context.Context, tx *sql.Tx, u customer.User) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		string(u.ID), u.Email, u.Name, u.Locale, string(u.Status), u.Version, formatTime(u.CreatedAt), formatTime(u.UpdatedAt))
	return dbError("creating user "+string(u.ID), err, nil)
}

// findUser finds the user whose column (id or email, never caller input)
// equals value.
func findUser(ctx context.Context, tx *sql.Tx, column, value string) (customer.User, error) {
	u, err := scanUser(tx.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE `+column+` = ?`, value))
	if err != nil {
		return customer.User{}, dbError("finding user by "+column, err, nil)
	}
	return u, nil
}

func updateUser(ctx context.Context, tx *sql.Tx, id customer.UserID, fn func(*customer.User) error) (customer.User, error) {
	old, err := findUser(ctx, tx, "id", string(id))
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
	res, err := tx.ExecContext(ctx,
		`UPDATE users SET email = ?, name = ?, locale = ?, status = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		u.Email, u.Name, u.Locale, string(u.Status), u.Version, formatTime(u.UpdatedAt), string(id), old.Version)
	if err := checkUpdated("updating user "+string(id), res, err, nil); err != nil {
		return customer.User{}, err
	}
	return u, nil
}
