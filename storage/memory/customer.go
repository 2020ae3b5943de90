package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type customerRepo struct{ t *tx }

func (r customerRepo) Create(_ context.Context, c customer.Customer) error {
	if err := r.t.writable("creating customer"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.customers[c.ID]; ok {
		return fmt.Errorf("memory: creating customer %s: %w", c.ID, storage.ErrAlreadyExists)
	}
	if c.ExternalRef != "" {
		if _, ok := s.externalRefs[c.ExternalRef]; ok {
			return fmt.Errorf("memory: creating customer %s: external reference: %w", c.ID, storage.ErrAlreadyExists)
		}
	}
	if err := r.checkParent(c.ParentID); err != nil {
		return fmt.Errorf("memory: creating customer %s: %w", c.ID, err)
	}
	r.put(cloneCustomer(c))
	return nil
}

func (r customerRepo) Get(_ context.Context, id customer.ID) (customer.Customer, error) {
	c, ok := r.t.s.customers[id]
	if !ok {
		return customer.Customer{}, fmt.Errorf("memory: getting customer %s: %w", id, storage.ErrNotFound)
	}
	return cloneCustomer(c), nil
}

func (r customerRepo) Update(_ context.Context, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error) {
	if err := r.t.writable("updating customer"); err != nil {
		return customer.Customer{}, err
	}
	s := r.t.s
	old, ok := s.customers[id]
	if !ok {
		return customer.Customer{}, fmt.Errorf("memory: updating customer %s: %w", id, storage.ErrNotFound)
	}
	next := cloneCustomer(old)
	if err := fn(&next); err != nil {
		return customer.Customer{}, err
	}
	if next.ID != old.ID || !next.CreatedAt.Equal(old.CreatedAt) {
		return customer.Customer{}, fmt.Errorf("memory: updating customer %s: fn changed ID or CreatedAt", id)
	}
	if next.ExternalRef != "" && next.ExternalRef != old.ExternalRef {
		if _, ok := s.externalRefs[next.ExternalRef]; ok {
			return customer.Customer{}, fmt.Errorf("memory: updating customer %s: external reference: %w", id, storage.ErrAlreadyExists)
		}
	}
	if next.ParentID != old.ParentID {
		if err := r.checkParent(next.ParentID); err != nil {
			return customer.Customer{}, fmt.Errorf("memory: updating customer %s: %w", id, err)
		}
	}
	next.Version = old.Version + 1
	if old.ExternalRef != "" {
		remove(r.t, s.externalRefs, old.ExternalRef)
	}
	next = cloneCustomer(next)
	r.put(next)
	return cloneCustomer(next), nil
}

func (r customerRepo) List(_ context.Context, f storage.CustomerFilter, p storage.Page) (storage.List[customer.Customer], error) {
	search := strings.ToLower(f.Search)
	keep := func(c customer.Customer) bool {
		switch {
		case f.IDs != nil && !slices.Contains(f.IDs, c.ID),
			len(f.Statuses) > 0 && !slices.Contains(f.Statuses, c.Status),
			f.ParentID != "" && c.ParentID != f.ParentID,
			f.TopLevel && c.ParentID != "":
			return false
		case search == "":
			return true
		}
		return strings.Contains(strings.ToLower(c.Name), search) ||
			strings.Contains(strings.ToLower(c.ContactEmail), search) ||
			strings.Contains(strings.ToLower(c.ExternalRef), search)
	}
	l, err := list(r.t.s.customers, p, keep, cloneCustomer)
	if err != nil {
		return l, fmt.Errorf("memory: listing customers: %w", err)
	}
	return l, nil
}

// checkParent returns ErrNotFound when id names no customer, as a foreign
// key would.
func (r customerRepo) checkParent(id customer.ID) error {
	if id == "" {
		return nil
	}
	if _, ok := r.t.s.customers[id]; !ok {
		return fmt.Errorf("parent %s: %w", id, storage.ErrNotFound)
	}
	return nil
}

// put stores c, which the store then owns, and indexes its external reference.
func (r customerRepo) put(c customer.Customer) {
	put(r.t, r.t.s.customers, c.ID, c)
	if c.ExternalRef != "" {
		put(r.t, r.t.s.externalRefs, c.ExternalRef, c.ID)
	}
}

// cloneCustomer returns a copy of c sharing nothing with it, times in UTC.
// Customer holds no slices or maps today; the copy is by value.
func cloneCustomer(c customer.Customer) customer.Customer {
	c.CreatedAt = c.CreatedAt.UTC()
	c.UpdatedAt = c.UpdatedAt.UTC()
	return c
}
