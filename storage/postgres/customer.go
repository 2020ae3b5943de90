package postgres

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type customerRepo struct{ t *txn }

// Create stores c. ErrAlreadyExists when the ID or ExternalRef is taken;
// ErrNotFound when ParentID names no customer.
func (s customerRepo) Create(ctx context.Context, c customer.Customer) error {
	if err := s.t.writable("creating customer"); err != nil {
		return err
	}
	return createCustomer(ctx, s.t, c)
}

// Get returns the customer with the given ID, or ErrNotFound.
func (s customerRepo) Get(ctx context.Context, id customer.ID) (customer.Customer, error) {
	return findCustomerByID(ctx, s.t, id)
}

// Update reads the customer, lets fn change it and writes it back with the
// next version. ErrNotFound, ErrAlreadyExists (ExternalRef), ErrConflict.
func (s customerRepo) Update(ctx context.Context, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error) {
	if err := s.t.writable("updating customer"); err != nil {
		return customer.Customer{}, err
	}
	return updateCustomer(ctx, s.t, id, fn)
}

// List returns one page of customers matching f, ordered by ID.
func (s customerRepo) List(ctx context.Context, f storage.CustomerFilter, p storage.Page) (storage.List[customer.Customer], error) {
	return findCustomers(ctx, s.t, f, p)
}

const customerColumns = `id, name, legal_name, vat_id, contact_email, phone,
	address_line1, address_line2, address_postal_code, address_city, address_region, address_country,
	external_ref, parent_id, status,
	feature_order_authorization, feature_auto_confirm_orders, feature_inherit_global_portfolio,
	feature_pre_orders, feature_supplier_warehouse, feature_hr_sync, feature_tickets, feature_access_links,
	version, created_at, updated_at`

// customerRow holds one customer as read from customerColumns.
type customerRow struct {
	c                customer.Customer
	externalRef, pid *string
}

// dest returns the scan destinations in the order of customerColumns.
func (r *customerRow) dest() []any {
	c := &r.c
	return []any{
		&c.ID, &c.Name, &c.LegalName, &c.VATID, &c.ContactEmail, &c.Phone,
		&c.Address.Line1, &c.Address.Line2, &c.Address.PostalCode, &c.Address.City, &c.Address.Region, &c.Address.Country,
		&r.externalRef, &r.pid, &c.Status,
		&c.Features.OrderAuthorization, &c.Features.AutoConfirmOrders, &c.Features.InheritGlobalPortfolio,
		&c.Features.PreOrders, &c.Features.SupplierWarehouse, &c.Features.HRSync, &c.Features.Tickets, &c.Features.AccessLinks,
		&c.Version, &c.CreatedAt, &c.UpdatedAt,
	}
}

// value returns the customer scanned into r.
func (r *customerRow) value() customer.Customer {
	c := r.c
	c.ExternalRef = orEmpty(r.externalRef)
	c.ParentID = customer.ID(orEmpty(r.pid))
	return c
}

func scanCustomer(s scanner) (customer.Customer, error) {
	var r customerRow
	if err := s.Scan(r.dest()...); err != nil {
		return customer.Customer{}, err
	}
	return r.value(), nil
}

func createCustomer(ctx context.Context, t *txn, c customer.Customer) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO customers (`+customerColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,
			$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)`,
		string(c.ID), c.Name, c.LegalName, c.VATID, c.ContactEmail, c.Phone,
		c.Address.Line1, c.Address.Line2, c.Address.PostalCode, c.Address.City, c.Address.Region, c.Address.Country,
		nullString(c.ExternalRef), nullString(c.ParentID), string(c.Status),
		c.Features.OrderAuthorization, c.Features.AutoConfirmOrders, c.Features.InheritGlobalPortfolio,
		c.Features.PreOrders, c.Features.SupplierWarehouse, c.Features.HRSync, c.Features.Tickets, c.Features.AccessLinks,
		c.Version, c.CreatedAt, c.UpdatedAt)
	return t.fail("creating customer "+string(c.ID), err, storage.ErrNotFound)
}

func findCustomerByID(ctx context.Context, t *txn, id customer.ID) (customer.Customer, error) {
	c, err := scanCustomer(t.tx.QueryRow(ctx, `SELECT `+customerColumns+` FROM customers WHERE id = $1`, string(id)))
	if err != nil {
		return customer.Customer{}, t.fail("finding customer "+string(id), err, nil)
	}
	return c, nil
}

func updateCustomer(ctx context.Context, t *txn, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error) {
	old, err := findCustomerByID(ctx, t, id)
	if err != nil {
		return customer.Customer{}, err
	}
	c := old
	if err := fn(&c); err != nil {
		return customer.Customer{}, err
	}
	c.ID, c.CreatedAt = old.ID, old.CreatedAt
	c.Version = old.Version + 1
	c.UpdatedAt = storedTime(c.UpdatedAt)
	n, err := execCount(ctx, t, "updating customer "+string(id), `UPDATE customers SET
		name = $1, legal_name = $2, vat_id = $3, contact_email = $4, phone = $5,
		address_line1 = $6, address_line2 = $7, address_postal_code = $8, address_city = $9,
		address_region = $10, address_country = $11,
		external_ref = $12, parent_id = $13, status = $14,
		feature_order_authorization = $15, feature_auto_confirm_orders = $16, feature_inherit_global_portfolio = $17,
		feature_pre_orders = $18, feature_supplier_warehouse = $19, feature_hr_sync = $20, feature_tickets = $21,
		feature_access_links = $22,
		version = $23, updated_at = $24
		WHERE id = $25 AND version = $26`, storage.ErrNotFound,
		c.Name, c.LegalName, c.VATID, c.ContactEmail, c.Phone,
		c.Address.Line1, c.Address.Line2, c.Address.PostalCode, c.Address.City, c.Address.Region, c.Address.Country,
		nullString(c.ExternalRef), nullString(c.ParentID), string(c.Status),
		c.Features.OrderAuthorization, c.Features.AutoConfirmOrders, c.Features.InheritGlobalPortfolio,
		c.Features.PreOrders, c.Features.SupplierWarehouse, c.Features.HRSync, c.Features.Tickets, c.Features.AccessLinks,
		c.Version, c.UpdatedAt,
		string(id), old.Version)
	if err := checkUpdated("updating customer "+string(id), n, err); err != nil {
		return customer.Customer{}, err
	}
	return c, nil
}

// checkUpdated classifies the result of a versioned UPDATE: no row changed
// means another transaction moved the version on first. (Under SERIALIZABLE
// that transaction fails to serialize instead; the version check stays, so
// a lost write is never reported as made.)
func checkUpdated(op string, n int, err error) error {
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrConflict)
	}
	return nil
}

func findCustomers(ctx context.Context, t *txn, f storage.CustomerFilter, p storage.Page) (storage.List[customer.Customer], error) {
	const op = "listing customers"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[customer.Customer]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	// A non-nil empty ID set matches nothing: it scopes a view to no customers.
	if f.IDs != nil && len(f.IDs) == 0 {
		return storage.List[customer.Customer]{}, nil
	}

	var a args
	var where strings.Builder
	where.WriteString(`id > ` + a.add(after))
	if len(f.IDs) > 0 {
		where.WriteString(` AND id = ANY(` + a.add(texts(f.IDs)) + `)`)
	}
	if f.ParentID != "" {
		where.WriteString(` AND parent_id = ` + a.add(string(f.ParentID)))
	}
	if f.TopLevel {
		where.WriteString(` AND parent_id IS NULL`)
	}
	if f.Search != "" {
		// ILIKE '%…%' uses the trigram index customers_search where the
		// migration could create it; the planner weighs it against walking
		// the primary key until the page is full.
		pat := a.add(likePattern(f.Search))
		where.WriteString(` AND (name ILIKE ` + pat + ` OR contact_email ILIKE ` + pat + ` OR external_ref ILIKE ` + pat + `)`)
	}

	var q string
	statuses := slices.Compact(slices.Sorted(slices.Values(f.Statuses)))
	switch len(statuses) {
	case 0:
		q = `SELECT ` + customerColumns + ` FROM customers WHERE ` + where.String() + ` ORDER BY id LIMIT ` + a.add(limit+1)
	case 1:
		q = `SELECT ` + customerColumns + ` FROM customers WHERE ` + where.String() +
			` AND status = ` + a.add(string(statuses[0])) + ` ORDER BY id LIMIT ` + a.add(limit+1)
	default:
		// status = ANY(…) ORDER BY id would read every row of those states
		// and sort them, or walk the primary key past rows of other states.
		// One walk of (status, id) per state, each cut at limit+1, keeps a
		// page's cost independent of the table's size.
		lim := a.add(limit + 1)
		q = `SELECT c.* FROM unnest(` + a.add(texts(statuses)) + `::text[]) AS s (status)
			CROSS JOIN LATERAL (SELECT ` + customerColumns + ` FROM customers
				WHERE ` + where.String() + ` AND customers.status = s.status ORDER BY id LIMIT ` + lim + `) c
			ORDER BY c.id LIMIT ` + lim
	}
	if f.Search != "" {
		// A cached prepared statement soon runs on a generic plan, which
		// cannot tell a pattern that matches nothing (best asked of the
		// trigram index) from a common one (best found walking the primary
		// key): it walked all 100k rows of the benchmark for a term no row
		// has. Sent unprepared, each search is planned for its pattern.
		a = append(args{pgx.QueryExecModeExec}, a...)
	}
	return queryList(ctx, t, op, q, a, limit, scanCustomer, func(c customer.Customer) string { return string(c.ID) })
}
