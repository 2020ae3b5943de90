package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type siteRepo struct{ r *repos }

// Create stores s. ErrAlreadyExists when the ID is taken or the customer has
// a site of that name (ignoring ASCII case); ErrNotFound when the customer
// does not exist.
func (s siteRepo) Create(ctx context.Context, site customer.Site) error {
	if err := s.r.writable("creating site"); err != nil {
		return err
	}
	return createSite(ctx, s.r.tx, site)
}

// Get returns the site with the given ID, or ErrNotFound.
func (s siteRepo) Get(ctx context.Context, id customer.SiteID) (customer.Site, error) {
	return findSiteByID(ctx, s.r.tx, id)
}

// Update reads the site, lets fn change it and writes it back with the next
// version. ErrNotFound, ErrAlreadyExists (name), ErrConflict.
func (s siteRepo) Update(ctx context.Context, id customer.SiteID, fn func(*customer.Site) error) (customer.Site, error) {
	if err := s.r.writable("updating site"); err != nil {
		return customer.Site{}, err
	}
	return updateSite(ctx, s.r.tx, id, fn)
}

// Delete removes the site. ErrNotFound when there is none; ErrConflict while
// a membership names it.
func (s siteRepo) Delete(ctx context.Context, id customer.SiteID) error {
	if err := s.r.writable("deleting site"); err != nil {
		return err
	}
	return deleteSite(ctx, s.r.tx, id)
}

// List returns one page of a customer's sites, ordered by ID.
func (s siteRepo) List(ctx context.Context, f storage.SiteFilter, p storage.Page) (storage.List[customer.Site], error) {
	return findSites(ctx, s.r.tx, f, p)
}

const siteColumns = `id, customer_id, name, version, created_at, updated_at`

func scanSite(s scanner) (customer.Site, error) {
	var (
		site               customer.Site
		createdAt, updated string
	)
	if err := s.Scan(&site.ID, &site.CustomerID, &site.Name, &site.Version, &createdAt, &updated); err != nil {
		return customer.Site{}, err
	}
	var err error
	if site.CreatedAt, err = parseTime(createdAt); err != nil {
		return customer.Site{}, err
	}
	if site.UpdatedAt, err = parseTime(updated); err != nil {
		return customer.Site{}, err
	}
	return site, nil
}

func createSite(ctx context.Context, tx *sql.Tx, s customer.Site) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO sites (`+siteColumns+`) VALUES (?, ?, ?, ?, ?, ?)`,
		string(s.ID), string(s.CustomerID), s.Name, s.Version, formatTime(s.CreatedAt), formatTime(s.UpdatedAt))
	return dbError("creating site "+string(s.ID), err, storage.ErrNotFound)
}

func findSiteByID(ctx context.Context, tx *sql.Tx, id customer.SiteID) (customer.Site, error) {
	s, err := scanSite(tx.QueryRowContext(ctx, `SELECT `+siteColumns+` FROM sites WHERE id = ?`, string(id)))
	if err != nil {
		return customer.Site{}, dbError("finding site "+string(id), err, nil)
	}
	return s, nil
}

func updateSite(ctx context.Context, tx *sql.Tx, id customer.SiteID, fn func(*customer.Site) error) (customer.Site, error) {
	old, err := findSiteByID(ctx, tx, id)
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
	res, err := tx.ExecContext(ctx,
		`UPDATE sites SET name = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		s.Name, s.Version, formatTime(s.UpdatedAt), string(id), old.Version)
	if err := checkUpdated("updating site "+string(id), res, err, nil); err != nil {
		return customer.Site{}, err
	}
	return s, nil
}

func deleteSite(ctx context.Context, tx *sql.Tx, id customer.SiteID) error {
	op := "deleting site " + string(id)
	// A membership still naming the site fails the foreign key (NO ACTION).
	res, err := tx.ExecContext(ctx, `DELETE FROM sites WHERE id = ?`, string(id))
	if err != nil {
		return dbError(op, err, storage.ErrConflict)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbError(op, err, nil)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

func findSites(ctx context.Context, tx *sql.Tx, f storage.SiteFilter, p storage.Page) (storage.List[customer.Site], error) {
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[customer.Site]{}, fmt.Errorf("sqlite: listing sites: %w", err)
	}
	// A non-nil empty ID set matches nothing: it scopes a view to no sites.
	if f.IDs != nil && len(f.IDs) == 0 {
		return storage.List[customer.Site]{}, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + siteColumns + ` FROM sites WHERE customer_id = ? AND id > ?`)
	args := []any{string(f.CustomerID), after}
	if len(f.IDs) > 0 {
		q.WriteString(` AND id IN (` + placeholders(len(f.IDs)) + `)`)
		for _, id := range f.IDs {
			args = append(args, string(id))
		}
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, limit+1)

	rows, err := tx.QueryContext(ctx, q.String(), args...)
	if err != nil {
		return storage.List[customer.Site]{}, dbError("listing sites", err, nil)
	}
	defer rows.Close()
	var items []customer.Site
	for rows.Next() {
		s, err := scanSite(rows)
		if err != nil {
			return storage.List[customer.Site]{}, dbError("listing sites", err, nil)
		}
		items = append(items, s)
	}
	if err := rows.Err(); err != nil {
		return storage.List[customer.Site]{}, dbError("listing sites", err, nil)
	}
	items, next := storage.Trim(items, limit, func(s customer.Site) string { return string(s.ID) })
	return storage.List[customer.Site]{Items: items, NextCursor: next}, nil
}
