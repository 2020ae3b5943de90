package postgres

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type siteRepo struct{ t *txn }

// Create stores s. ErrAlreadyExists when the ID is taken or the customer has
// a site of that name (ignoring case); ErrNotFound when the customer does
// not exist.
func (s siteRepo) Create(ctx context.Context, site customer.Site) error {
	if err := s.t.writable("creating site"); err != nil {
		return err
	}
	return createSite(ctx, s.t, site)
}

// Get returns the site with the given ID, or ErrNotFound.
func (s siteRepo) Get(ctx context.Context, id customer.SiteID) (customer.Site, error) {
	return findSiteByID(ctx, s.t, id)
}

// Update reads the site, lets fn change it and writes it back with the next
// version. ErrNotFound, ErrAlreadyExists (name), ErrConflict.
func (s siteRepo) Update(ctx context.Context, id customer.SiteID, fn func(*customer.Site) error) (customer.Site, error) {
	if err := s.t.writable("updating site"); err != nil {
		return customer.Site{}, err
	}
	return updateSite(ctx, s.t, id, fn)
}

// Delete removes the site. ErrNotFound when there is none; ErrConflict while
// a membership names it.
func (s siteRepo) Delete(ctx context.Context, id customer.SiteID) error {
	if err := s.t.writable("deleting site"); err != nil {
		return err
	}
	return deleteSite(ctx, s.t, id)
}

// List returns one page of a customer's sites, ordered by ID.
func (s siteRepo) List(ctx context.Context, f storage.SiteFilter, p storage.Page) (storage.List[customer.Site], error) {
	return findSites(ctx, s.t, f, p)
}

const siteColumns = `id, customer_id, name, version, created_at, updated_at`

func scanSite(s scanner) (customer.Site, error) {
	var site customer.Site
	err := s.Scan(&site.ID, &site.CustomerID, &site.Name, &site.Version, &site.CreatedAt, &site.UpdatedAt)
	return site, err
}

func createSite(ctx context.Context, t *txn, s customer.Site) error {
	_, err := t.tx.Exec(ctx,
		`INSERT INTO sites (`+siteColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		string(s.ID), string(s.CustomerID), s.Name, s.Version, s.CreatedAt, s.UpdatedAt)
	return t.fail("creating site "+string(s.ID), err, storage.ErrNotFound)
}

func findSiteByID(ctx context.Context, t *txn, id customer.SiteID) (customer.Site, error) {
	s, err := scanSite(t.tx.QueryRow(ctx, `SELECT `+siteColumns+` FROM sites WHERE id = $1`, string(id)))
	if err != nil {
		return customer.Site{}, t.fail("finding site "+string(id), err, nil)
	}
	return s, nil
}

func updateSite(ctx context.Context, t *txn, id customer.SiteID, fn func(*customer.Site) error) (customer.Site, error) {
	op := "updating site " + string(id)
	old, err := findSiteByID(ctx, t, id)
	if err != nil {
		return customer.Site{}, err
	}
	s := old
	if err := fn(&s); err != nil {
		return customer.Site{}, err
	}
	s.ID, s.CustomerID, s.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
	s.Version = old.Version + 1
	s.UpdatedAt = storedTime(s.UpdatedAt)
	n, err := execCount(ctx, t, op,
		`UPDATE sites SET name = $1, version = $2, updated_at = $3 WHERE id = $4 AND version = $5`, nil,
		s.Name, s.Version, s.UpdatedAt, string(id), old.Version)
	if err := checkUpdated(op, n, err); err != nil {
		return customer.Site{}, err
	}
	return s, nil
}

func deleteSite(ctx context.Context, t *txn, id customer.SiteID) error {
	op := "deleting site " + string(id)
	// A membership still naming the site fails the foreign key (NO ACTION).
	n, err := execCount(ctx, t, op, `DELETE FROM sites WHERE id = $1`, storage.ErrConflict, string(id))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

func findSites(ctx context.Context, t *txn, f storage.SiteFilter, p storage.Page) (storage.List[customer.Site], error) {
	const op = "listing sites"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[customer.Site]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	// A non-nil empty ID set matches nothing: it scopes a view to no sites.
	if f.IDs != nil && len(f.IDs) == 0 {
		return storage.List[customer.Site]{}, nil
	}
	var a args
	q := `SELECT ` + siteColumns + ` FROM sites WHERE customer_id = ` + a.add(string(f.CustomerID)) + ` AND id > ` + a.add(after)
	if len(f.IDs) > 0 {
		q += ` AND id = ANY(` + a.add(texts(f.IDs)) + `)`
	}
	q += ` ORDER BY id LIMIT ` + a.add(limit+1)
	return queryList(ctx, t, op, q, a, limit, scanSite, func(s customer.Site) string { return string(s.ID) })
}
