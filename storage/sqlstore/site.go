package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

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
	columns: []string{"id", "customer_id", "name", "external_ref", "version", "created_at", "updated_at",
		"address_line1", "address_line2", "postal_code", "city", "region", "country", "latitude", "longitude", "notes"},
	values: func(s *customer.Site) []any {
		a := s.Address
		var lat, lon any
		if s.Location != nil {
			lat, lon = s.Location.Latitude, s.Location.Longitude
		}
		return []any{string(s.ID), string(s.CustomerID), s.Name, s.ExternalRef, s.Version, ts(s.CreatedAt), ts(s.UpdatedAt),
			a.Line1, a.Line2, a.PostalCode, a.City, a.Region, a.Country, lat, lon, s.Notes}
	},
	dest: func(s *customer.Site) []any {
		a := &s.Address
		return []any{&s.ID, &s.CustomerID, &s.Name, &s.ExternalRef, &s.Version, tcol(&s.CreatedAt), tcol(&s.UpdatedAt),
			&a.Line1, &a.Line2, &a.PostalCode, &a.City, &a.Region, &a.Country, geoCol{&s.Location, false}, geoCol{&s.Location, true}, &s.Notes}
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
	if f.Search != "" {
		like, pat := s.t.d.ILike, likePattern(f.Search)
		where += ` AND (name ` + like + ` ? ESCAPE '\' OR city ` + like + ` ? ESCAPE '\' OR external_ref ` + like + ` ? ESCAPE '\')`
		args = append(args, pat, pat, pat)
	}
	return sites.list(ctx, s.t, op, p, where, args, func(s customer.Site) string { return string(s.ID) })
}

// Move gives the site to customer to, removes it from every membership's
// site set and moves its version on, in two statements of the caller's
// transaction.
func (s siteRepo) Move(ctx context.Context, id customer.SiteID, to customer.ID, version int64, at time.Time) (customer.Site, error) {
	op := "moving site " + string(id)
	if err := s.t.writable(op); err != nil {
		return customer.Site{}, err
	}
	if _, err := s.t.exec(ctx, op, nil, `DELETE FROM membership_sites WHERE site_id = ?`, string(id)); err != nil {
		return customer.Site{}, err
	}
	n, err := s.t.exec(ctx, op, storage.ErrNotFound,
		`UPDATE sites SET customer_id = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		string(to), ts(at), string(id), version)
	if err != nil {
		return customer.Site{}, err
	}
	if n == 0 {
		if _, err := s.Get(ctx, id); err != nil {
			return customer.Site{}, err
		}
		return customer.Site{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, storage.ErrConflict)
	}
	return s.Get(ctx, id)
}

// geoCol scans one coordinate of a site's nullable position into *p,
// making the point when the first non-NULL coordinate arrives. A row has
// both or neither (the use cases write them together).
type geoCol struct {
	p   **customer.GeoPoint
	lon bool // the longitude; else the latitude
}

func (c geoCol) Scan(src any) error {
	var f sql.NullFloat64
	if err := f.Scan(src); err != nil {
		return fmt.Errorf("reading a coordinate: %w", err)
	}
	if !f.Valid {
		*c.p = nil
		return nil
	}
	if *c.p == nil {
		*c.p = &customer.GeoPoint{}
	}
	if c.lon {
		(*c.p).Longitude = f.Float64
	} else {
		(*c.p).Latitude = f.Float64
	}
	return nil
}
