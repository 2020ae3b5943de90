package sqlstore

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type siteRepo struct {
	crud[customer.Site, customer.SiteID]
}

func (t *txn) Sites() storage.SiteRepo {
	return siteRepo{crud[customer.Site, customer.SiteID]{t, sites}}
}

// The name is unique within the customer ignoring case: COLLATE NOCASE in
// SQLite (ASCII letters), a unique index on lower(name) in PostgreSQL.
var sites = newTable(table[customer.Site]{
	name: "sites", noun: "site",
	columns: []string{"id", "customer_id", "name", "external_ref", "version", "created_at", "updated_at"},
	values: func(s *customer.Site) []any {
		return []any{string(s.ID), string(s.CustomerID), s.Name, s.ExternalRef, s.Version, ts(s.CreatedAt), ts(s.UpdatedAt)}
	},
	dest: func(s *customer.Site) []any {
		return []any{&s.ID, &s.CustomerID, &s.Name, &s.ExternalRef, &s.Version, tcol(&s.CreatedAt), tcol(&s.UpdatedAt)}
	},
	version: func(s *customer.Site) *int64 { return &s.Version },
	keep: func(old customer.Site, s *customer.Site) {
		s.ID, s.CustomerID, s.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
		s.UpdatedAt = storedTime(s.UpdatedAt)
	},
	fkErr: storage.ErrNotFound,
})

// Delete removes the site. ErrNotFound when there is none; ErrConflict while
// a membership names it: its row in membership_sites fails the foreign key
// (NO ACTION).
func (s siteRepo) Delete(ctx context.Context, id customer.SiteID) error {
	return sites.delete(ctx, s.t, string(id), storage.ErrConflict)
}

// List returns one page of a customer's sites, ordered by ID.
func (s siteRepo) List(ctx context.Context, f storage.SiteFilter, p storage.Page) (storage.List[customer.Site], error) {
	const op = "listing sites"
	// A non-nil empty ID set matches nothing: it scopes a view to no sites.
	if f.IDs != nil && len(f.IDs) == 0 {
		if _, _, err := normalize(p); err != nil {
			return storage.List[customer.Site]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
		}
		return storage.List[customer.Site]{}, nil
	}
	where, args := `customer_id = ?`, []any{string(f.CustomerID)}
	if len(f.IDs) > 0 {
		where += ` AND id IN (` + placeholders(len(f.IDs)) + `)`
		args = append(args, anyOf(f.IDs)...)
	}
	return sites.list(ctx, s.t, op, p, where, args, func(s customer.Site) string { return string(s.ID) })
}
