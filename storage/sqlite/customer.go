package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type customerRepo struct{ r *repos }

// Create stores c. ErrAlreadyExists when the ID or ExternalRef is taken;
// ErrNotFound when ParentID names no customer.
func (s customerRepo) Create(ctx context.Context, c customer.Customer) error {
	if err := s.r.writable("creating customer"); err != nil {
		return err
	}
	return createCustomer(ctx, s.r.tx, c)
}

// Get returns the customer with the given ID, or ErrNotFound.
func (s customerRepo) Get(ctx context.Context, id customer.ID) (customer.Customer, error) {
	return findCustomerByID(ctx, s.r.tx, id)
}

// Update reads the customer, lets fn change it and writes it back with the
// next version. ErrNotFound, ErrAlreadyExists (ExternalRef), ErrConflict.
func (s customerRepo) Update(ctx context.Context, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error) {
	if err := s.r.writable("updating customer"); err != nil {
		return customer.Customer{}, err
	}
	return updateCustomer(ctx, s.r.tx, id, fn)
}

// List returns one page of customers matching f, ordered by ID.
func (s customerRepo) List(ctx context.Context, f storage.CustomerFilter, p storage.Page) (storage.List[customer.Customer], error) {
	return findCustomers(ctx, s.r.tx, f, p)
}

const customerColumns = `id, name, legal_name, vat_id, contact_email, phone,
	address_line1, address_line2, address_postal_code, address_city, address_region, address_country,
	external_ref, parent_id, status,
	feature_order_authorization, feature_auto_confirm_orders, feature_inherit_global_portfolio,
	feature_pre_orders, feature_supplier_warehouse, feature_hr_sync, feature_tickets, feature_access_links,
	version, created_at, updated_at`

// customerValues returns c's values in the order of customerColumns.
func customerValues(c *customer.Customer) []any {
	return []any{
		string(c.ID), c.Name, c.LegalName, c.VATID, c.ContactEmail, c.Phone,
		c.Address.Line1, c.Address.Line2, c.Address.PostalCode, c.Address.City, c.Address.Region, c.Address.Country,
		nullString(c.ExternalRef), nullString(c.ParentID), string(c.Status),
		c.Features.OrderAuthorization, c.Features.AutoConfirmOrders, c.Features.InheritGlobalPortfolio,
		c.Features.PreOrders, c.Features.SupplierWarehouse, c.Features.HRSync, c.Features.Tickets, c.Features.AccessLinks,
		c.Version, formatTime(c.CreatedAt), formatTime(c.UpdatedAt),
	}
}

// customerRow holds one customer as read from customerColumns.
type customerRow struct {
	c                  customer.Customer
	externalRef, pid   sql.NullString
	createdAt, updated string
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
		&c.Version, &r.createdAt, &r.updated,
	}
}

// value returns the customer scanned into r.
func (r *customerRow) value() (customer.Customer, error) {
	c := r.c
	c.ExternalRef = r.externalRef.String
	c.ParentID = customer.ID(r.pid.String)
	var err error
	if c.CreatedAt, err = parseTime(r.createdAt); err != nil {
		return customer.Customer{}, err
	}
	if c.UpdatedAt, err = parseTime(r.updated); err != nil {
		return customer.Customer{}, err
	}
	return c, nil
}

func scanCustomer(s scanner) (customer.Customer, error) {
	var r customerRow
	if err := s.Scan(r.dest()...); err != nil {
		return customer.Customer{}, err
	}
	return r.value()
}

func createCustomer(ctx context.Context, tx *sql.Tx, c customer.Customer) error {
	_, err := tx.ExecContext(ctx,
		`INSERT INTO customers (`+customerColumns+`) VALUES (`+placeholders(26)+`)`,
		customerValues(&c)...)
	return dbError("creating customer "+string(c.ID), err, storage.ErrNotFound)
}

func findCustomerByID(ctx context.Context, tx *sql.Tx, id customer.ID) (customer.Customer, error) {
	c, err := scanCustomer(tx.QueryRowContext(ctx,
		`SELECT `+customerColumns+` FROM customers WHERE id = ?`, string(id)))
	if err != nil {
		return customer.Customer{}, dbError("finding customer "+string(id), err, nil)
	}
	return c, nil
}

func updateCustomer(ctx context.Context, tx *sql.Tx, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error) {
	old, err := findCustomerByID(ctx, tx, id)
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
	res, err := tx.ExecContext(ctx, `UPDATE customers SET
		name = ?, legal_name = ?, vat_id = ?, contact_email = ?, phone = ?,
		address_line1 = ?, address_line2 = ?, address_postal_code = ?, address_city = ?, address_region = ?, address_country = ?,
		external_ref = ?, parent_id = ?, status = ?,
		feature_order_authorization = ?, feature_auto_confirm_orders = ?, feature_inherit_global_portfolio = ?,
		feature_pre_orders = ?, feature_supplier_warehouse = ?, feature_hr_sync = ?, feature_tickets = ?, feature_access_links = ?,
		version = ?, updated_at = ?
		WHERE id = ? AND version = ?`,
		c.Name, c.LegalName, c.VATID, c.ContactEmail, c.Phone,
		c.Address.Line1, c.Address.Line2, c.Address.PostalCode, c.Address.City, c.Address.Region, c.Address.Country,
		nullString(c.ExternalRef), nullString(c.ParentID), string(c.Status),
		c.Features.OrderAuthorization, c.Features.AutoConfirmOrders, c.Features.InheritGlobalPortfolio,
		c.Features.PreOrders, c.Features.SupplierWarehouse, c.Features.HRSync, c.Features.Tickets, c.Features.AccessLinks,
		c.Version, formatTime(c.UpdatedAt),
		string(id), old.Version)
	if err := checkUpdated("updating customer "+string(id), res, err, storage.ErrNotFound); err != nil {
		return customer.Customer{}, err
	}
	return c, nil
}

// checkUpdated classifies the result of a versioned UPDATE: no row changed
// means another transaction moved the version on first.
func checkUpdated(op string, res sql.Result, err error, fkErr error) error {
	if err != nil {
		return dbError(op, err, fkErr)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return dbError(op, err, nil)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrConflict)
	}
	return nil
}

func findCustomers(ctx context.Context, tx *sql.Tx, f storage.CustomerFilter, p storage.Page) (storage.List[customer.Customer], error) {
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[customer.Customer]{}, fmt.Errorf("sqlite: listing customers: %w", err)
	}
	// A non-nil empty ID set matches nothing: it scopes a view to no customers.
	if f.IDs != nil && len(f.IDs) == 0 {
		return storage.List[customer.Customer]{}, nil
	}

	var where strings.Builder
	args := make([]any, 0, 8)
	where.WriteString(`id > ?`)
	args = append(args, after)
	if len(f.IDs) > 0 {
		where.WriteString(` AND id IN (` + placeholders(len(f.IDs)) + `)`)
		for _, id := range f.IDs {
			args = append(args, string(id))
		}
	}
	if f.ParentID != "" {
		where.WriteString(` AND parent_id = ?`)
		args = append(args, string(f.ParentID))
	}
	if f.TopLevel {
		where.WriteString(` AND parent_id IS NULL`)
	}
	if f.Search != "" {
		// Substring LIKE cannot use an index; the scan runs in ID order and
		// stops after limit+1 matches. LIKE folds ASCII case only.
		where.WriteString(` AND (name LIKE ? ESCAPE '\' OR contact_email LIKE ? ESCAPE '\' OR external_ref LIKE ? ESCAPE '\')`)
		pat := likePattern(f.Search)
		args = append(args, pat, pat, pat)
	}

	var q string
	statuses := slices.Compact(slices.Sorted(slices.Values(f.Statuses)))
	switch len(statuses) {
	case 0:
		q = `SELECT ` + customerColumns + ` FROM customers WHERE ` + where.String() + ` ORDER BY id LIMIT ?`
		args = append(args, limit+1)
	case 1:
		q = `SELECT ` + customerColumns + ` FROM customers WHERE ` + where.String() + ` AND status = ? ORDER BY id LIMIT ?`
		args = append(args, string(statuses[0]), limit+1)
	default:
		// status IN (...) ORDER BY id would read every matching row and sort
		// them. One index range per status, each cut at limit+1, keeps a
		// page's cost independent of the table's size.
		part := `SELECT * FROM (SELECT ` + customerColumns + ` FROM customers WHERE ` + where.String() + ` AND status = ? ORDER BY id LIMIT ?)`
		common := args
		args = make([]any, 0, len(statuses)*(len(common)+2)+1)
		parts := make([]string, len(statuses))
		for i, st := range statuses {
			parts[i] = part
			args = append(args, common...)
			args = append(args, string(st), limit+1)
		}
		q = strings.Join(parts, ` UNION ALL `) + ` ORDER BY id LIMIT ?`
		args = append(args, limit+1)
	}

	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return storage.List[customer.Customer]{}, dbError("listing customers", err, nil)
	}
	defer rows.Close()
	items := make([]customer.Customer, 0, min(limit+1, 16))
	for rows.Next() {
		c, err := scanCustomer(rows)
		if err != nil {
			return storage.List[customer.Customer]{}, dbError("listing customers", err, nil)
		}
		items = append(items, c)
	}
	if err := rows.Err(); err != nil {
		return storage.List[customer.Customer]{}, dbError("listing customers", err, nil)
	}
	items, next := storage.Trim(items, limit, func(c customer.Customer) string { return string(c.ID) })
	return storage.List[customer.Customer]{Items: items, NextCursor: next}, nil
}
