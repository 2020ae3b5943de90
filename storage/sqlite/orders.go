package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type productRepo struct{ r *repos }

// Create stores p. ErrAlreadyExists when the ID or the SKU (ignoring ASCII
// case) is taken; ErrNotFound when CustomerID names no customer.
func (s productRepo) Create(ctx context.Context, p orders.Product) error {
	if err := s.r.writable("creating product"); err != nil {
		return err
	}
	attrs, err := attributesJSON(p.Attributes)
	if err != nil {
		return fmt.Errorf("sqlite: creating product %s: %w", p.ID, err)
	}
	_, err = s.r.tx.ExecContext(ctx,
		`INSERT INTO products (`+productColumns+`) VALUES (`+placeholders(13)+`)`,
		string(p.ID), p.SKU, p.Name, p.Description, p.Category, p.Price.Amount, p.Price.Currency, p.Active,
		attrs, nullString(p.CustomerID), p.Version, formatTime(p.CreatedAt), formatTime(p.UpdatedAt))
	return dbError("creating product "+string(p.ID), err, storage.ErrNotFound)
}

// Get returns the product with the given ID, or ErrNotFound.
func (s productRepo) Get(ctx context.Context, id orders.ProductID) (orders.Product, error) {
	return findProductByID(ctx, s.r.tx, id)
}

// Update reads the product, lets fn change it and writes it back with the
// next version. ErrNotFound, ErrAlreadyExists (SKU), ErrConflict.
func (s productRepo) Update(ctx context.Context, id orders.ProductID, fn func(*orders.Product) error) (orders.Product, error) {
	if err := s.r.writable("updating product"); err != nil {
		return orders.Product{}, err
	}
	op := "updating product " + string(id)
	old, err := findProductByID(ctx, s.r.tx, id)
	if err != nil {
		return orders.Product{}, err
	}
	p := old
	p.Attributes = cloneAttributes(old.Attributes)
	if err := fn(&p); err != nil {
		return orders.Product{}, err
	}
	p.ID, p.CustomerID, p.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
	p.Version = old.Version + 1
	p.UpdatedAt = storedTime(p.UpdatedAt)
	p.Attributes = cloneAttributes(p.Attributes)
	attrs, err := attributesJSON(p.Attributes)
	if err != nil {
		return orders.Product{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	res, err := s.r.tx.ExecContext(ctx, `UPDATE products SET
		sku = ?, name = ?, description = ?, category = ?, price_amount = ?, price_currency = ?, active = ?,
		attributes = ?, version = ?, updated_at = ?
		WHERE id = ? AND version = ?`,
		p.SKU, p.Name, p.Description, p.Category, p.Price.Amount, p.Price.Currency, p.Active,
		attrs, p.Version, formatTime(p.UpdatedAt), string(id), old.Version)
	if err := checkUpdated(op, res, err, nil); err != nil {
		return orders.Product{}, err
	}
	return p, nil
}

// List returns one page of products matching f, ordered by ID.
func (s productRepo) List(ctx context.Context, f storage.ProductFilter, p storage.Page) (storage.List[orders.Product], error) {
	const op = "listing products"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[orders.Product]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + productColumns + ` FROM products WHERE id > ?`)
	args := []any{after}
	switch {
	case f.Global:
		q.WriteString(` AND customer_id IS NULL`)
	case f.CustomerID != "":
		q.WriteString(` AND customer_id = ?`)
		args = append(args, string(f.CustomerID))
	}
	if f.Active != nil {
		q.WriteString(` AND active = ?`)
		args = append(args, *f.Active)
	}
	if f.Category != "" {
		q.WriteString(` AND category = ?`)
		args = append(args, f.Category)
	}
	if f.Search != "" {
		// Substring LIKE scans in ID order and stops after limit+1 matches.
		q.WriteString(` AND (sku LIKE ? ESCAPE '\' OR name LIKE ? ESCAPE '\')`)
		pat := likePattern(f.Search)
		args = append(args, pat, pat)
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, limit+1)
	return queryList(ctx, s.r.tx, op, q.String(), args, limit, scanProduct, func(p orders.Product) string { return string(p.ID) })
}

// Catalogue returns one page of the active products customer f.CustomerID
// may see, each with its offer for it.
func (s productRepo) Catalogue(ctx context.Context, f storage.CatalogueFilter, p storage.Page) (storage.List[storage.CatalogueRow], error) {
	const op = "listing catalogue"
	if f.CustomerID == "" {
		return storage.List[storage.CatalogueRow]{}, fmt.Errorf("sqlite: %s: %w", op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[storage.CatalogueRow]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	// Products in ID order, each joined with the customer's offer through
	// the UNIQUE (customer_id, product_id) index.
	q := `SELECT ` + prefixed("p.", productColumns) + `, ` + prefixed("o.", offerColumns) + `
		FROM products p LEFT JOIN offers o ON o.customer_id = ? AND o.product_id = p.id
		WHERE p.id > ? AND p.active = 1 AND (p.customer_id = ? OR o.id IS NOT NULL OR (? AND p.customer_id IS NULL))
		ORDER BY p.id LIMIT ?`
	args := []any{string(f.CustomerID), after, string(f.CustomerID), f.Global, limit + 1}
	scan := func(sc scanner) (storage.CatalogueRow, error) {
		var row storage.CatalogueRow
		dest, finish := productDest(&row.Product)
		odest, ofinish := offerDestNullable(&row.Offer)
		if err := sc.Scan(append(dest, odest...)...); err != nil {
			return row, err
		}
		if err := finish(); err != nil {
			return row, err
		}
		return row, ofinish()
	}
	return queryList(ctx, s.r.tx, op, q, args, limit, scan, func(r storage.CatalogueRow) string { return string(r.Product.ID) })
}

const productColumns = `id, sku, name, description, category, price_amount, price_currency, active,
	attributes, customer_id, version, created_at, updated_at`

// productDest returns the scan destinations of productColumns for p and a
// function that finishes p once scanned.
func productDest(p *orders.Product) ([]any, func() error) {
	var (
		attrs, created, updated string
		cid                     sql.NullString
	)
	dest := []any{&p.ID, &p.SKU, &p.Name, &p.Description, &p.Category, &p.Price.Amount, &p.Price.Currency, &p.Active,
		&attrs, &cid, &p.Version, &created, &updated}
	return dest, func() error {
		p.CustomerID = customer.ID(cid.String)
		if attrs != "{}" {
			if err := json.Unmarshal([]byte(attrs), &p.Attributes); err != nil {
				return fmt.Errorf("sqlite: reading attributes of product %s: %w", p.ID, err)
			}
		}
		var err error
		if p.CreatedAt, err = parseTime(created); err != nil {
			return err
		}
		p.UpdatedAt, err = parseTime(updated)
		return err
	}
}

func scanProduct(s scanner) (orders.Product, error) {
	var p orders.Product
	dest, finish := productDest(&p)
	if err := s.Scan(dest...); err != nil {
		return orders.Product{}, err
	}
	return p, finish()
}

func findProductByID(ctx context.Context, tx *sql.Tx, id orders.ProductID) (orders.Product, error) {
	p, err := scanProduct(tx.QueryRowContext(ctx, `SELECT `+productColumns+` FROM products WHERE id = ?`, string(id)))
	if err != nil {
		return orders.Product{}, dbError("finding product "+string(id), err, nil)
	}
	return p, nil
}

// attributesJSON returns attrs as a JSON object, "{}" for none.
func attributesJSON(attrs map[string]string) (string, error) {
	if len(attrs) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(attrs)
	if err != nil {
		return "", fmt.Errorf("writing attributes: %w", err)
	}
	return string(b), nil
}

// cloneAttributes copies attrs; nil when empty, as they read back.
func cloneAttributes(attrs map[string]string) map[string]string {
	if len(attrs) == 0 {
		return nil
	}
	return maps.Clone(attrs)
}

// prefixed qualifies each column of a column list with prefix ("p.").
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

type offerRepo struct{ r *repos }

// Create stores o. ErrAlreadyExists when the ID is taken or the customer
// has an offer for the product; ErrNotFound when the customer or the
// product does not exist.
func (s offerRepo) Create(ctx context.Context, o orders.Offer) error {
	if err := s.r.writable("creating offer"); err != nil {
		return err
	}
	_, err := s.r.tx.ExecContext(ctx,
		`INSERT INTO offers (`+offerColumns+`) VALUES (`+placeholders(8)+`)`,
		string(o.ID), string(o.CustomerID), string(o.ProductID), o.Price.Amount, o.Price.Currency,
		o.Version, formatTime(o.CreatedAt), formatTime(o.UpdatedAt))
	return dbError("creating offer "+string(o.ID), err, storage.ErrNotFound)
}

// Get returns the offer with the given ID, or ErrNotFound.
func (s offerRepo) Get(ctx context.Context, id orders.OfferID) (orders.Offer, error) {
	o, err := scanOffer(s.r.tx.QueryRowContext(ctx, `SELECT `+offerColumns+` FROM offers WHERE id = ?`, string(id)))
	if err != nil {
		return orders.Offer{}, dbError("finding offer "+string(id), err, nil)
	}
	return o, nil
}

// Find returns customer cid's offer for product pid, or ErrNotFound.
func (s offerRepo) Find(ctx context.Context, cid customer.ID, pid orders.ProductID) (orders.Offer, error) {
	o, err := scanOffer(s.r.tx.QueryRowContext(ctx,
		`SELECT `+offerColumns+` FROM offers WHERE customer_id = ? AND product_id = ?`, string(cid), string(pid)))
	if err != nil {
		return orders.Offer{}, dbError("finding offer of customer "+string(cid)+" for product "+string(pid), err, nil)
	}
	return o, nil
}

// Update reads the offer, lets fn change it and writes it back with the
// next version. ErrNotFound, ErrConflict.
func (s offerRepo) Update(ctx context.Context, id orders.OfferID, fn func(*orders.Offer) error) (orders.Offer, error) {
	if err := s.r.writable("updating offer"); err != nil {
		return orders.Offer{}, err
	}
	old, err := s.Get(ctx, id)
	if err != nil {
		return orders.Offer{}, err
	}
	o := old
	if err := fn(&o); err != nil {
		return orders.Offer{}, err
	}
	o.ID, o.CustomerID, o.ProductID, o.CreatedAt = old.ID, old.CustomerID, old.ProductID, old.CreatedAt
	o.Version = old.Version + 1
	o.UpdatedAt = storedTime(o.UpdatedAt)
	res, err := s.r.tx.ExecContext(ctx,
		`UPDATE offers SET price_amount = ?, price_currency = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
		o.Price.Amount, o.Price.Currency, o.Version, formatTime(o.UpdatedAt), string(id), old.Version)
	if err := checkUpdated("updating offer "+string(id), res, err, nil); err != nil {
		return orders.Offer{}, err
	}
	return o, nil
}

// Delete removes the offer, or returns ErrNotFound.
func (s offerRepo) Delete(ctx context.Context, id orders.OfferID) error {
	op := "deleting offer " + string(id)
	if err := s.r.writable(op); err != nil {
		return err
	}
	res, err := s.r.tx.ExecContext(ctx, `DELETE FROM offers WHERE id = ?`, string(id))
	n, err := rowsAffected(op, res, err, nil)
	if err == nil && n == 0 {
		err = fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	return err
}

// List returns one page of offers matching f, ordered by ID.
func (s offerRepo) List(ctx context.Context, f storage.OfferFilter, p storage.Page) (storage.List[orders.Offer], error) {
	const op = "listing offers"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[orders.Offer]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + offerColumns + ` FROM offers WHERE id > ?`)
	args := []any{after}
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ?`)
		args = append(args, string(f.CustomerID))
	}
	if f.ProductID != "" {
		q.WriteString(` AND product_id = ?`)
		args = append(args, string(f.ProductID))
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, limit+1)
	return queryList(ctx, s.r.tx, op, q.String(), args, limit, scanOffer, func(o orders.Offer) string { return string(o.ID) })
}

const offerColumns = `id, customer_id, product_id, price_amount, price_currency, version, created_at, updated_at`

func scanOffer(s scanner) (orders.Offer, error) {
	var (
		o                orders.Offer
		created, updated string
	)
	if err := s.Scan(&o.ID, &o.CustomerID, &o.ProductID, &o.Price.Amount, &o.Price.Currency, &o.Version, &created, &updated); err != nil {
		return orders.Offer{}, err
	}
	var err error
	if o.CreatedAt, err = parseTime(created); err != nil {
		return orders.Offer{}, err
	}
	if o.UpdatedAt, err = parseTime(updated); err != nil {
		return orders.Offer{}, err
	}
	return o, nil
}

// offerDestNullable returns scan destinations for offerColumns read through
// a LEFT JOIN, and
// a function that fills o, or leaves it zero when the join found no offer.
func offerDestNullable(o *orders.Offer) ([]any, func() error) {
	var (
		id, cid, pid, cur, created, updated sql.NullString
		amount, version                     sql.NullInt64
	)
	return []any{&id, &cid, &pid, &amount, &cur, &version, &created, &updated}, func() error {
		if !id.Valid {
			return nil
		}
		*o = orders.Offer{
			ID: orders.OfferID(id.String), CustomerID: customer.ID(cid.String), ProductID: orders.ProductID(pid.String),
			Price: orders.Money{Amount: amount.Int64, Currency: cur.String}, Version: version.Int64,
		}
		var err error
		if o.CreatedAt, err = parseTime(created.String); err != nil {
			return err
		}
		o.UpdatedAt, err = parseTime(updated.String)
		return err
	}
}

type orderRepo struct{ r *repos }

// NextNumber takes the next order number from the counter row, in the
// transaction: one writer at a time, so numbers are unique and increase
// in commit order; a rolled-back transaction gives its number back.
func (s orderRepo) NextNumber(ctx context.Context) (orders.Number, error) {
	const op = "taking an order number"
	if err := s.r.writable(op); err != nil {
		return 0, err
	}
	var n int64
	err := s.r.tx.QueryRowContext(ctx,
		`INSERT INTO counters (name, value) VALUES ('order_number', 1)
		ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value`).Scan(&n)
	if err != nil {
		return 0, dbError(op, err, nil)
	}
	return orders.Number(n), nil
}

// Create stores o, its lines and its history. ErrAlreadyExists when the ID
// or the number is taken; ErrNotFound when the customer or a product does
// not exist.
func (s orderRepo) Create(ctx context.Context, o orders.Order) error {
	op := "creating order " + string(o.ID)
	if err := s.r.writable(op); err != nil {
		return err
	}
	tx := s.r.tx
	a, r := o.DeliveryAddress, o.Recipient
	_, err := tx.ExecContext(ctx,
		`INSERT INTO orders (`+orderColumns+`) VALUES (`+placeholders(22)+`)`,
		string(o.ID), int64(o.Number), string(o.CustomerID), nullString(o.SiteID), string(o.Kind), string(o.Status), o.Currency,
		a.Line1, a.Line2, a.PostalCode, a.City, a.Region, a.Country,
		r.Name, r.Email, r.EmployeeNumber, nullTime(o.RequestedDate), o.Note, string(o.OrderedBy),
		o.Version, formatTime(o.CreatedAt), formatTime(o.UpdatedAt))
	if err != nil {
		return dbError(op, err, storage.ErrNotFound)
	}
	for i, l := range o.Lines {
		_, err := tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, line, product_id, sku, name, unit_amount, unit_currency, quantity)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			string(o.ID), i+1, string(l.ProductID), l.SKU, l.Name, l.UnitPrice.Amount, l.UnitPrice.Currency, l.Quantity)
		if err != nil {
			return dbError(op, err, storage.ErrNotFound)
		}
	}
	for i, ev := range o.History {
		if err := insertOrderEvent(ctx, tx, o.ID, i+1, ev); err != nil {
			return dbError(op, err, storage.ErrNotFound)
		}
	}
	return nil
}

func insertOrderEvent(ctx context.Context, tx *sql.Tx, id orders.ID, seq int, ev orders.Event) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO order_events (order_id, seq, from_status, to_status, at, by, note)
		VALUES (?, ?, ?, ?, ?, ?, ?)`,
		string(id), seq, string(ev.From), string(ev.To), formatTime(ev.At), ev.By, ev.Note)
	return err
}

// Get returns the order with the given ID, or ErrNotFound.
func (s orderRepo) Get(ctx context.Context, id orders.ID) (orders.Order, error) {
	return findOrderByID(ctx, s.r.tx, id)
}

// Transition moves the order from ev.From to ev.To in one conditional
// UPDATE and appends ev. ErrConflict when the order is no longer at
// ev.From; ErrNotFound when there is no such order.
func (s orderRepo) Transition(ctx context.Context, id orders.ID, ev orders.Event) (orders.Order, error) {
	op := "changing status of order " + string(id)
	if err := s.r.writable(op); err != nil {
		return orders.Order{}, err
	}
	tx := s.r.tx
	// The status check and the write are one statement, so two transitions
	// from one status cannot both succeed, whatever the isolation.
	res, err := tx.ExecContext(ctx,
		`UPDATE orders SET status = ?, version = version + 1, updated_at = ? WHERE id = ? AND status = ?`,
		string(ev.To), formatTime(ev.At), string(id), string(ev.From))
	n, err := rowsAffected(op, res, err, nil)
	if err != nil {
		return orders.Order{}, err
	}
	if n == 0 {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM orders WHERE id = ?`, string(id)).Scan(&one); err != nil {
			return orders.Order{}, dbError(op, err, nil) // ErrNotFound for no row
		}
		return orders.Order{}, fmt.Errorf("sqlite: %s: not %s: %w", op, ev.From, storage.ErrConflict)
	}
	var seq int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM order_events WHERE order_id = ?`, string(id)).Scan(&seq); err != nil {
		return orders.Order{}, dbError(op, err, nil)
	}
	if err := insertOrderEvent(ctx, tx, id, seq+1, ev); err != nil {
		return orders.Order{}, dbError(op, err, nil)
	}
	return findOrderByID(ctx, tx, id)
}

// List returns one page of orders matching f, in ID order or, with
// f.NewestFirst, in reverse.
func (s orderRepo) List(ctx context.Context, f storage.OrderFilter, p storage.Page) (storage.List[orders.Order], error) {
	const op = "listing orders"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[orders.Order]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	// A non-nil empty site set matches nothing: it scopes a view to no sites.
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return storage.List[orders.Order]{}, nil
	}
	dir, cmp := "ASC", "id > ?"
	if f.NewestFirst {
		dir, cmp = "DESC", "id < ?"
	}
	var where strings.Builder
	var args []any
	if after != "" || !f.NewestFirst {
		where.WriteString(cmp)
		args = append(args, after)
	} else {
		where.WriteString("1")
	}
	if f.CustomerID != "" {
		where.WriteString(` AND customer_id = ?`)
		args = append(args, string(f.CustomerID))
	}
	if f.Status != "" {
		where.WriteString(` AND status = ?`)
		args = append(args, string(f.Status))
	}
	var q string
	switch len(f.SiteIDs) {
	case 0:
		q = `SELECT ` + orderColumns + ` FROM orders WHERE ` + where.String() + ` ORDER BY id ` + dir + ` LIMIT ?`
		args = append(args, limit+1)
	default:
		// site_id IN (...) ORDER BY id would read every matching row and
		// sort them; one index range per site, each cut at limit+1, keeps
		// a page's cost independent of the table's size.
		part := `SELECT * FROM (SELECT ` + orderColumns + ` FROM orders WHERE ` + where.String() +
			` AND site_id = ? ORDER BY id ` + dir + ` LIMIT ?)`
		common := args
		args = make([]any, 0, len(f.SiteIDs)*(len(common)+2)+1)
		parts := make([]string, len(f.SiteIDs))
		for i, site := range f.SiteIDs {
			parts[i] = part
			args = append(args, common...)
			args = append(args, string(site), limit+1)
		}
		q = strings.Join(parts, ` UNION ALL `) + ` ORDER BY id ` + dir + ` LIMIT ?`
		args = append(args, limit+1)
	}
	l, err := queryList(ctx, s.r.tx, op, q, args, limit, scanOrder, func(o orders.Order) string { return string(o.ID) })
	if err != nil {
		return l, err
	}
	if err := loadOrderParts(ctx, s.r.tx, l.Items); err != nil {
		return storage.List[orders.Order]{}, err
	}
	return l, nil
}

const orderColumns = `id, number, customer_id, site_id, kind, status, currency,
	delivery_line1, delivery_line2, delivery_postal_code, delivery_city, delivery_region, delivery_country,
	recipient_name, recipient_email, recipient_employee_number, requested_date, note, ordered_by,
	version, created_at, updated_at`

func scanOrder(s scanner) (orders.Order, error) {
	var (
		o                orders.Order
		site, requested  sql.NullString
		number           int64
		created, updated string
		a                = &o.DeliveryAddress
		r                = &o.Recipient
	)
	err := s.Scan(&o.ID, &number, &o.CustomerID, &site, &o.Kind, &o.Status, &o.Currency,
		&a.Line1, &a.Line2, &a.PostalCode, &a.City, &a.Region, &a.Country,
		&r.Name, &r.Email, &r.EmployeeNumber, &requested, &o.Note, &o.OrderedBy,
		&o.Version, &created, &updated)
	if err != nil {
		return orders.Order{}, err
	}
	o.Number = orders.Number(number)
	o.SiteID = customer.SiteID(site.String)
	if o.RequestedDate, err = parseNullTime(requested); err != nil {
		return orders.Order{}, err
	}
	if o.CreatedAt, err = parseTime(created); err != nil {
		return orders.Order{}, err
	}
	if o.UpdatedAt, err = parseTime(updated); err != nil {
		return orders.Order{}, err
	}
	return o, nil
}

func findOrderByID(ctx context.Context, tx *sql.Tx, id orders.ID) (orders.Order, error) {
	op := "finding order " + string(id)
	o, err := scanOrder(tx.QueryRowContext(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = ?`, string(id)))
	if err != nil {
		return orders.Order{}, dbError(op, err, nil)
	}
	list := []orders.Order{o}
	if err := loadOrderParts(ctx, tx, list); err != nil {
		return orders.Order{}, err
	}
	return list[0], nil
}

// loadOrderParts fills in the lines and the history of os, with one query
// for each over all of them.
func loadOrderParts(ctx context.Context, tx *sql.Tx, os []orders.Order) error {
	if len(os) == 0 {
		return nil
	}
	const op = "reading order lines and history"
	at := make(map[orders.ID]int, len(os))
	args := make([]any, len(os))
	for i, o := range os {
		at[o.ID] = i
		args[i] = string(o.ID)
	}
	in := `(` + placeholders(len(os)) + `)`
	rows, err := tx.QueryContext(ctx, `SELECT order_id, product_id, sku, name, unit_amount, unit_currency, quantity
		FROM order_lines WHERE order_id IN `+in+` ORDER BY order_id, line`, args...)
	if err != nil {
		return dbError(op, err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id orders.ID
			l  orders.Line
		)
		if err := rows.Scan(&id, &l.ProductID, &l.SKU, &l.Name, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &l.Quantity); err != nil {
			return dbError(op, err, nil)
		}
		o := &os[at[id]]
		o.Lines = append(o.Lines, l)
	}
	if err := rows.Err(); err != nil {
		return dbError(op, err, nil)
	}
	rows.Close()

	rows, err = tx.QueryContext(ctx, `SELECT order_id, from_status, to_status, at, by, note
		FROM order_events WHERE order_id IN `+in+` ORDER BY order_id, seq`, args...)
	if err != nil {
		return dbError(op, err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			id orders.ID
			ev orders.Event
			ts string
		)
		if err := rows.Scan(&id, &ev.From, &ev.To, &ts, &ev.By, &ev.Note); err != nil {
			return dbError(op, err, nil)
		}
		if ev.At, err = parseTime(ts); err != nil {
			return err
		}
		o := &os[at[id]]
		o.History = append(o.History, ev)
	}
	if err := rows.Err(); err != nil {
		return dbError(op, err, nil)
	}
	return nil
}
