package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type customerRepo struct {
	crud[customer.Customer, customer.ID]
}

func (t *txn) Customers() storage.CustomerRepo {
	return customerRepo{crud[customer.Customer, customer.ID]{t, customers}}
}

var customers = newTable(table[customer.Customer]{
	name: "customers", noun: "customer",
	columns: []string{"id", "name", "legal_name", "vat_id", "contact_email", "phone",
		"address_line1", "address_line2", "address_postal_code", "address_city", "address_region", "address_country",
		"external_ref", "parent_id", "status",
		"feature_order_authorization", "feature_auto_confirm_orders", "feature_inherit_global_portfolio",
		"feature_pre_orders", "feature_supplier_warehouse", "feature_hr_sync", "feature_tickets", "feature_access_links",
		"brand_display_name", "brand_logo_url", "brand_accent_color", "host_name",
		"version", "created_at", "updated_at",
		"feature_jobs", "feature_visits", "feature_pictures"},
	values: func(c *customer.Customer) []any {
		return []any{
			string(c.ID), c.Name, c.LegalName, c.VATID, c.ContactEmail, c.Phone,
			c.Address.Line1, c.Address.Line2, c.Address.PostalCode, c.Address.City, c.Address.Region, c.Address.Country,
			nullString(c.ExternalRef), nullString(c.ParentID), string(c.Status),
			c.Features.OrderAuthorization, c.Features.AutoConfirmOrders, c.Features.InheritGlobalPortfolio,
			c.Features.PreOrders, c.Features.SupplierWarehouse, c.Features.HRSync, c.Features.Tickets, c.Features.AccessLinks,
			c.Branding.DisplayName, c.Branding.LogoURL, c.Branding.AccentColor, nullString(c.Branding.HostName),
			c.Version, ts(c.CreatedAt), ts(c.UpdatedAt),
			c.Features.Jobs, c.Features.Visits, c.Features.Pictures,
		}
	},
	dest: func(c *customer.Customer) []any {
		return []any{
			&c.ID, &c.Name, &c.LegalName, &c.VATID, &c.ContactEmail, &c.Phone,
			&c.Address.Line1, &c.Address.Line2, &c.Address.PostalCode, &c.Address.City, &c.Address.Region, &c.Address.Country,
			scol(&c.ExternalRef), scol(&c.ParentID), &c.Status,
			&c.Features.OrderAuthorization, &c.Features.AutoConfirmOrders, &c.Features.InheritGlobalPortfolio,
			&c.Features.PreOrders, &c.Features.SupplierWarehouse, &c.Features.HRSync, &c.Features.Tickets, &c.Features.AccessLinks,
			&c.Branding.DisplayName, &c.Branding.LogoURL, &c.Branding.AccentColor, scol(&c.Branding.HostName),
			&c.Version, tcol(&c.CreatedAt), tcol(&c.UpdatedAt),
			&c.Features.Jobs, &c.Features.Visits, &c.Features.Pictures,
		}
	},
	version: func(c *customer.Customer) *int64 { return &c.Version },
	keep: func(old customer.Customer, c *customer.Customer) {
		c.ID, c.CreatedAt = old.ID, old.CreatedAt
		c.UpdatedAt = storedTime(c.UpdatedAt)
		// The host name is written by a statement of its own (setHostName).
		c.Branding.HostName = old.Branding.HostName
	},
	fkErr: storage.ErrNotFound,
})

// The host name is written by a statement of its own, after the row: a
// unique violation of that statement can only be the host name's, so the
// store tells it from the external reference's by the engine's error code
// alone, never by the text of its message (which is all SQLite would give
// to tell the two indexes apart).

// Create stores c. ErrAlreadyExists when the ID, external reference or host
// name is taken (the host name's wraps storage.ErrHostNameTaken too);
// ErrNotFound when the parent is missing.
func (s customerRepo) Create(ctx context.Context, c customer.Customer) error {
	host := c.Branding.HostName
	c.Branding.HostName = ""
	if err := s.crud.Create(ctx, c); err != nil {
		return err
	}
	if host == "" {
		return nil
	}
	return s.setHostName(ctx, c.ID, host)
}

// Update is crud's Update, with the host name written apart as in Create.
func (s customerRepo) Update(ctx context.Context, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error) {
	var host string
	c, err := s.crud.Update(ctx, id, func(c *customer.Customer) error {
		if err := fn(c); err != nil {
			return err
		}
		host = c.Branding.HostName
		return nil
	})
	if err != nil || host == c.Branding.HostName {
		return c, err
	}
	if err := s.setHostName(ctx, id, host); err != nil {
		return customer.Customer{}, err
	}
	c.Branding.HostName = host
	return c, nil
}

// setHostName sets customer id's host name ("" for none).
func (s customerRepo) setHostName(ctx context.Context, id customer.ID, host string) error {
	op := "setting the host name of customer " + string(id)
	_, err := s.t.exec(ctx, op, nil, `UPDATE customers SET host_name = ? WHERE id = ?`, nullString(host), string(id))
	if errors.Is(err, storage.ErrAlreadyExists) {
		return fmt.Errorf("%w: %w", storage.ErrHostNameTaken, err)
	}
	return err
}

// GetByHostName returns the customer whose host name is host, or
// ErrNotFound.
func (s customerRepo) GetByHostName(ctx context.Context, host string) (customer.Customer, error) {
	const op = "finding customer by host name"
	if host == "" {
		return customer.Customer{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, storage.ErrNotFound)
	}
	return s.tb.getWhere(ctx, s.t, op, `host_name = ?`, host)
}

// List returns one page of customers matching f, ordered by ID.
func (s customerRepo) List(ctx context.Context, f storage.CustomerFilter, p storage.Page) (storage.List[customer.Customer], error) {
	const op = "listing customers"
	// A non-nil empty ID set matches nothing: it scopes a view to no customers.
	if f.IDs != nil && len(f.IDs) == 0 {
		if _, _, err := normalize(p); err != nil {
			return storage.List[customer.Customer]{}, err
		}
		return storage.List[customer.Customer]{}, nil
	}
	var w conds
	if len(f.IDs) > 0 {
		w.and(`id IN (`+placeholders(len(f.IDs))+`)`, anyOf(f.IDs))
	}
	w.eq(`parent_id`, string(f.ParentID))
	if f.TopLevel {
		w.and(`parent_id IS NULL`, nil)
	}
	if f.Search != "" {
		// Substring search cannot use a b-tree index; the scan runs in ID
		// order and stops after limit+1 matches (PostgreSQL answers it from
		// a trigram index where pg_trgm is installed).
		like := s.t.d.ILike
		pat := likePattern(f.Search)
		w.and(`(name `+like+` ? ESCAPE '\' OR contact_email `+like+` ? ESCAPE '\' OR external_ref `+like+` ? ESCAPE '\')`, []any{pat, pat, pat})
		ctx = planEach(ctx)
	}
	statuses := slices.Compact(slices.Sorted(slices.Values(f.Statuses)))
	return listByAnyOf(ctx, s.t, customers, op, p, w.String(), w.args, "status", anyOf(statuses),
		func(c customer.Customer) string { return string(c.ID) })
}

// listByAnyOf is tb.list with one more condition: column is any of values
// (none: no condition). status IN (…) ORDER BY id would read every matching
// row and sort them; one index range per value, each cut at limit+1 and
// merged, keeps a page's cost independent of the table's size.
func listByAnyOf[T any](ctx context.Context, t *txn, tb *table[T], op string, p storage.Page,
	where string, args []any, column string, values []any, id func(T) string) (storage.List[T], error) {
	and := func(cond string) string {
		if where == "" {
			return cond
		}
		return where + ` AND ` + cond
	}
	switch len(values) {
	case 0:
		return tb.list(ctx, t, op, p, where, args, id)
	case 1:
		return tb.list(ctx, t, op, p, and(column+` = ?`), append(args, values[0]), id)
	}
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[T]{}, err
	}
	part := `SELECT * FROM (` + tb.selectSQL + ` WHERE ` + tb.key + ` > ? AND ` + and(column+` = ?`) +
		` ORDER BY ` + tb.key + ` LIMIT ?) AS p`
	parts := make([]string, len(values))
	all := make([]any, 0, len(values)*(len(args)+3)+1)
	for i, v := range values {
		parts[i] = part
		all = append(all, after)
		all = append(all, args...)
		all = append(all, v, limit+1)
	}
	q := strings.Join(parts, ` UNION ALL `) + ` ORDER BY ` + tb.key + ` LIMIT ?`
	all = append(all, limit+1)
	return queryList(ctx, t, op, q, all, limit, tb.scan, id)
}
