package memory

import (
	"context"
	"fmt"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type userRepo struct{ t *tx }

func (r userRepo) Create(_ context.Context, u customer.User) error {
	if err := r.t.writable("creating user"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.users[u.ID]; ok {
		return fmt.Errorf("memory: creating user %s: %w", u.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.emails[emailKey(u.Email)]; ok {
		return fmt.Errorf("memory: creating user %s: e-mail: %w", u.ID, storage.ErrAlreadyExists)
	}
	r.put(cloneUser(u))
	return nil
}

func (r userRepo) Get(_ context.Context, id customer.UserID) (customer.User, error) {
	u, ok := r.t.s.users[id]
	if !ok {
		return customer.User{}, fmt.Errorf("memory: getting user %s: %w", id, storage.ErrNotFound)
	}
	return cloneUser(u), nil
}

func (r userRepo) GetByEmail(_ context.Context, email string) (customer.User, error) {
	id, ok := r.t.s.emails[emailKey(email)]
	if !ok {
		return customer.User{}, fmt.Errorf("memory: getting user by e-mail: %w", storage.ErrNotFound)
	}
	return cloneUser(r.t.s.users[id]), nil
}

func (r userRepo) Update(_ context.Context, id customer.UserID, fn func(*customer.User) error) (customer.User, error) {
	if err := r.t.writable("updating user"); err != nil {
		return customer.User{}, err
	}
	s := r.t.s
	old, ok := s.users[id]
	if !ok {
		return customer.User{}, fmt.Errorf("memory: updating user %s: %w", id, storage.ErrNotFound)
	}
	next := cloneUser(old)
	if err := fn(&next); err != nil {
		return customer.User{}, err
	}
	if next.ID != old.ID || !next.CreatedAt.Equal(old.CreatedAt) {
		return customer.User{}, fmt.Errorf("memory: updating user %s: fn changed ID or CreatedAt", id)
	}
	if owner, ok := s.emails[emailKey(next.Email)]; ok && owner != id {
		return customer.User{}, fmt.Errorf("memory: updating user %s: e-mail: %w", id, storage.ErrAlreadyExists)
	}
	next.Version = old.Version + 1
	remove(r.t, s.emails, emailKey(old.Email))
	next = cloneUser(next)
	r.put(next)
	return cloneUser(next), nil
}

// put stores u, which the store then owns, and indexes its e-mail.
func (r userRepo) put(u customer.User) {
	put(r.t, r.t.s.users, u.ID, u)
	put(r.t, r.t.s.emails, emailKey(u.Email), u.ID)
}

// emailKey folds case as the SQL backends' unique index does; callers store
// normalised addresses, so this only guards against one that is not.
func emailKey(email string) string { return strings.ToLower(email) }

// cloneUser returns a copy of u with times in UTC.
func cloneUser(u customer.User) customer.User {
	u.CreatedAt = u.CreatedAt.UTC()
	u.UpdatedAt = u.UpdatedAt.UTC()
	return u
}
