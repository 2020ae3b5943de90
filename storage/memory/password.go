package memory

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type passwordRepo struct{ t *tx }

func (r passwordRepo) Get(_ context.Context, user customer.UserID) (identity.Password, error) {
	p, ok := r.t.s.passwords[user]
	if !ok {
		return identity.Password{}, fmt.Errorf("memory: getting password of user %s: %w", user, storage.ErrNotFound)
	}
	return clonePassword(p), nil
}

func (r passwordRepo) Put(_ context.Context, p identity.Password) error {
	if err := r.t.writable("putting password"); err != nil {
		return err
	}
	if _, ok := r.t.s.users[p.UserID]; !ok {
		return fmt.Errorf("memory: putting password: user %s: %w", p.UserID, storage.ErrNotFound)
	}
	put(r.t, r.t.s.passwords, p.UserID, clonePassword(p))
	return nil
}

// clonePassword returns a copy of p with times in UTC.
func clonePassword(p identity.Password) identity.Password {
	p.LockedUntil = p.LockedUntil.UTC()
	p.UpdatedAt = p.UpdatedAt.UTC()
	return p
}
