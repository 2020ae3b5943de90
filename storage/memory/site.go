package memory

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type siteRepo struct{ t *tx }

func (r siteRepo) Create(_ context.Context, site customer.Site) error {
	if err := r.t.writable("creating site"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.sites[site.ID]; ok {
		return fmt.Errorf("memory: creating site %s: %w", site.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.customers[site.CustomerID]; !ok {
		return fmt.Errorf("memory: creating site %s: customer %s: %w", site.ID, site.CustomerID, storage.ErrNotFound)
	}
	if _, ok := s.siteNames[nameKey(site)]; ok {
		return fmt.Errorf("memory: creating site %s: name: %w", site.ID, storage.ErrAlreadyExists)
	}
	r.put(cloneSite(site))
	return nil
}

func (r siteRepo) Get(_ context.Context, id customer.SiteID) (customer.Site, error) {
	site, ok := r.t.s.sites[id]
	if !ok {
		return customer.Site{}, fmt.Errorf("memory: getting site %s: %w", id, storage.ErrNotFound)
	}
	return cloneSite(site), nil
}

func (r siteRepo) Update(_ context.Context, id customer.SiteID, fn func(*customer.Site) error) (customer.Site, error) {
	if err := r.t.writable("updating site"); err != nil {
		return customer.Site{}, err
	}
	s := r.t.s
	old, ok := s.sites[id]
	if !ok {
		return customer.Site{}, fmt.Errorf("memory: updating site %s: %w", id, storage.ErrNotFound)
	}
	next := cloneSite(old)
	if err := fn(&next); err != nil {
		return customer.Site{}, err
	}
	if next.ID != old.ID || next.CustomerID != old.CustomerID || !next.CreatedAt.Equal(old.CreatedAt) {
		return customer.Site{}, fmt.Errorf("memory: updating site %s: fn changed ID, CustomerID or CreatedAt", id)
	}
	if owner, ok := s.siteNames[nameKey(next)]; ok && owner != id {
		return customer.Site{}, fmt.Errorf("memory: updating site %s: name: %w", id, storage.ErrAlreadyExists)
	}
	next.Version = old.Version + 1
	remove(r.t, s.siteNames, nameKey(old))
	next = cloneSite(next)
	r.put(next)
	return cloneSite(next), nil
}

func (r siteRepo) Delete(_ context.Context, id customer.SiteID) error {
	if err := r.t.writable("deleting site"); err != nil {
		return err
	}
	s := r.t.s
	site, ok := s.sites[id]
	if !ok {
		return fmt.Errorf("memory: deleting site %s: %w", id, storage.ErrNotFound)
	}
	if s.siteUses[id] > 0 {
		return fmt.Errorf("memory: deleting site %s: a membership names it: %w", id, storage.ErrConflict)
	}
	remove(r.t, s.sites, id)
	remove(r.t, s.siteNames, nameKey(site))
	return nil
}

func (r siteRepo) List(_ context.Context, f storage.SiteFilter, p storage.Page) (storage.List[customer.Site], error) {
	if f.CustomerID == "" {
		return storage.List[customer.Site]{}, fmt.Errorf("memory: listing sites: %w", portalerr.Invalidf("customer_id", "is required"))
	}
	keep := func(site customer.Site) bool {
		return site.CustomerID == f.CustomerID && (f.IDs == nil || slices.Contains(f.IDs, site.ID))
	}
	l, err := list(r.t.s.sites, p, keep, cloneSite)
	if err != nil {
		return l, fmt.Errorf("memory: listing sites: %w", err)
	}
	return l, nil
}

// put stores site, which the store then owns, and indexes its name.
func (r siteRepo) put(site customer.Site) {
	put(r.t, r.t.s.sites, site.ID, site)
	put(r.t, r.t.s.siteNames, nameKey(site), site.ID)
}

func nameKey(site customer.Site) siteKey {
	return siteKey{customer: site.CustomerID, name: strings.ToLower(site.Name)}
}

// cloneSite returns a copy of site with times in UTC.
func cloneSite(site customer.Site) customer.Site {
	site.CreatedAt = site.CreatedAt.UTC()
	site.UpdatedAt = site.UpdatedAt.UTC()
	return site
}
