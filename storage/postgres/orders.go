package postgres

import (
	"context"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type productRepo struct{ t *txn }

// Create stores p. ErrAlreadyExists when the ID or the SKU (ignoring ASCII
// case) is taken; ErrNotFound when CustomerID names no customer.
func (s productRepo) Create(ctx context.Context, p orders.Product) error {
	op := "creating product " + string(p.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx, `INSERT INTO products (`+productColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		string(p.ID), p.SKU, p.Name, p.Description, p.Category, p.Price.Amount, p.Price.Currency, p.Active,
		attributes(p.Attributes), nullString(p.CustomerID), p.Version, p.CreatedAt, p.UpdatedAt)
	return s.t.fail(op, err, storage.ErrNotFound)
}

// Get returns the product with the given ID, or ErrNotFound.
func (s productRepo) Get(ctx context.Context, id orders.ProductID) (orders.Product, error) {
	return findProductByID(ctx, s.t, id)
}

// Update reads the product, lets fn change it and writes it back with the
// next version. ErrNotFound, ErrAlreadyExists (SKU), ErrConflict.
func (s productRepo) Update(ctx context.Context, id orders.ProductID, fn func(*orders.Product) error) (orders.Product, error) {
	op := "updating product " + string(id)
	if err := s.t.writable(op); err != nil {
		return orders.Product{}, err
	}
	old, err := findProductByID(ctx, s.t, id)
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
	n, err := execCount(ctx, s.t, op, `UPDATE products SET
		sku = $1, name = $2, description = $3, category = $4, price_amount = $5, price_currency = $6, active = $7,
		attributes = $8, version = $9, updated_at = $10
		WHERE id = $11 AND version = $12`, nil,
		p.SKU, p.Name, p.Description, p.Category, p.Price.Amount, p.Price.Currency, p.Active,
		attributes(p.Attributes), p.Version, p.UpdatedAt, string(id), old.Version)
	if err := checkUpdated(op, n, err); err != nil {
		return orders.Product{}, err
	}
	return p, nil
}

// List returns one page of products matching f, ordered by ID.
func (s productRepo) List(ctx context.Context, f storage.ProductFilter, p storage.Page) (storage.List[orders.Product], error) {
	const op = "listing products"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[orders.Product]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	var q strings.Builder
	q.WriteString(`SELECT ` + productColumns + ` FROM products WHERE id > ` + a.add(after))
	switch {
	case f.Global:
		q.WriteString(` AND customer_id IS NULL`)
	case f.CustomerID != "":
		q.WriteString(` AND customer_id = ` + a.add(string(f.CustomerID)))
	}
	if f.Active != nil {
		if *f.Active {
			q.WriteString(` AND active`)
		} else {
			// The form of the partial index products_inactive_id.
			q.WriteString(` AND NOT active`)
		}
	}
	if f.Category != "" {
		q.WriteString(` AND category = ` + a.add(f.Category))
	}
	if f.Search != "" {
		pat := a.add(likePattern(f.Search))
		q.WriteString(` AND (sku ILIKE ` + pat + ` OR name ILIKE ` + pat + `)`)
	}
	q.WriteString(` ORDER BY id LIMIT ` + a.add(limit+1))
	if f.Search != "" {
		// Planned for its pattern, as customer search is (findCustomers):
		// the trigram index for a rare term, the primary key for a common one.
		a = append(args{pgx.QueryExecModeExec}, a...)
	}
	return queryList(ctx, s.t, op, q.String(), a, limit, scanProduct, func(p orders.Product) string { return string(p.ID) })
}

// Catalogue returns one page of the active products customer f.CustomerID
// may see, each with its offer for it. The candidates come from up to three
// walks in product ID order, each cut at limit+1: the customer's own
// products (products_customer_id_id), the products of its offers (the
// offers' unique (customer_id, product_id) index) and, with f.Global, the
// global portfolio (products_customer_id_id at NULL). A page therefore
// costs the same however large the portfolio and the other customers'
// catalogues are.
func (s productRepo) Catalogue(ctx context.Context, f storage.CatalogueFilter, p storage.Page) (storage.List[storage.CatalogueRow], error) {
	const op = "listing catalogue"
	if f.CustomerID == "" {
		return storage.List[storage.CatalogueRow]{}, fmt.Errorf("postgres: %s: %w", op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[storage.CatalogueRow]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	cid, from, lim := a.add(string(f.CustomerID)), a.add(after), a.add(limit+1)
	walks := []string{
		`(SELECT id FROM products WHERE customer_id = ` + cid + ` AND id > ` + from + ` AND active ORDER BY id LIMIT ` + lim + `)`,
		`(SELECT o.product_id FROM offers o JOIN products p ON p.id = o.product_id
			WHERE o.customer_id = ` + cid + ` AND o.product_id > ` + from + ` AND p.active
			ORDER BY o.product_id LIMIT ` + lim + `)`,
	}
	if f.Global {
		walks = append(walks,
			`(SELECT id FROM products WHERE customer_id IS NULL AND id > `+from+` AND active ORDER BY id LIMIT `+lim+`)`)
	}
	q := `SELECT ` + prefixed("p.", productColumns) + `, ` + prefixed("o.", offerColumns) + `
		FROM (` + strings.Join(walks, ` UNION `) + `) c (id)
		JOIN products p ON p.id = c.id
		LEFT JOIN offers o ON o.customer_id = ` + cid + ` AND o.product_id = p.id
		ORDER BY p.id LIMIT ` + lim
	scan := func(sc scanner) (storage.CatalogueRow, error) {
		var (
			row                  storage.CatalogueRow
			oid, ocid, opid, cur *string
			amount, version      *int64
			created, updated     *time.Time
		)
		dest, finish := productDest(&row.Product)
		if err := sc.Scan(append(dest, &oid, &ocid, &opid, &amount, &cur, &version, &created, &updated)...); err != nil {
			return row, err
		}
		finish()
		if oid != nil {
			row.Offer = orders.Offer{
				ID: orders.OfferID(*oid), CustomerID: customer.ID(*ocid), ProductID: orders.ProductID(*opid),
				Price: orders.Money{Amount: *amount, Currency: *cur}, Version: *version,
				CreatedAt: *created, UpdatedAt: *updated,
			}
		}
		return row, nil
	}
	return queryList(ctx, s.t, op, q, a, limit, scan, func(r storage.CatalogueRow) string { return string(r.Product.ID) })
}

const productColumns = `id, sku, name, description, category, price_amount, price_currency, active,
	attributes, customer_id, version, created_at, updated_at`

// productDest returns the scan destinations of productColumns for p and a
// function that finishes p once scanned.
func productDest(p *orders.Product) ([]any, func()) {
	var cid *string
	dest := []any{&p.ID, &p.SKU, &p.Name, &p.Description, &p.Category, &p.Price.Amount, &p.Price.Currency, &p.Active,
		&p.Attributes, &cid, &p.Version, &p.CreatedAt, &p.UpdatedAt}
	return dest, func() {
		p.CustomerID = customer.ID(orEmpty(cid))
		if len(p.Attributes) == 0 {
			p.Attributes = nil
		}
	}
}

func scanProduct(s scanner) (orders.Product, error) {
	var p orders.Product
	dest, finish := productDest(&p)
	if err := s.Scan(dest...); err != nil {
		return orders.Product{}, err
	}
	finish()
	return p, nil
}

func findProductByID(ctx context.Context, t *txn, id orders.ProductID) (orders.Product, error) {
	p, err := scanProduct(t.tx.QueryRow(ctx, `SELECT `+productColumns+` FROM products WHERE id = $1`, string(id)))
	if err != nil {
		return orders.Product{}, t.fail("finding product "+string(id), err, nil)
	}
	return p, nil
}

// attributes returns attrs as the jsonb parameter: an object, {} for none.
func attributes(attrs map[string]string) map[string]string {
	if attrs == nil {
		return map[string]string{}
	}
	return attrs
}

// cloneAttributes copies attrs; nil when empty, as they read back.
func cloneAttributes(attrs map[string]string) map[string]string {
	if len(attrs) == 0 {
		return nil
	}
	return maps.Clone(attrs)
}

type offerRepo struct{ t *txn }

// Create stores o. ErrAlreadyExists when the ID is taken or the customer
// has an offer for the product; ErrNotFound when the customer or the
// product does not exist.
func (s offerRepo) Create(ctx context.Context, o orders.Offer) error {
	op := "creating offer " + string(o.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx, `INSERT INTO offers (`+offerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(o.ID), string(o.CustomerID), string(o.ProductID), o.Price.Amount, o.Price.Currency,
		o.Version, o.CreatedAt, o.UpdatedAt)
	return s.t.fail(op, err, storage.ErrNotFound)
}

// Get returns the offer with the given ID, or ErrNotFound.
func (s offerRepo) Get(ctx context.Context, id orders.OfferID) (orders.Offer, error) {
	o, err := scanOffer(s.t.tx.QueryRow(ctx, `SELECT `+offerColumns+` FROM offers WHERE id = $1`, string(id)))
	if err != nil {
		return orders.Offer{}, s.t.fail("finding offer "+string(id), err, nil)
	}
	return o, nil
}

// Find returns customer cid's offer for product pid, or ErrNotFound.
func (s offerRepo) Find(ctx context.Context, cid customer.ID, pid orders.ProductID) (orders.Offer, error) {
	o, err := scanOffer(s.t.tx.QueryRow(ctx,
		`SELECT `+offerColumns+` FROM offers WHERE customer_id = $1 AND product_id = $2`, string(cid), string(pid)))
	if err != nil {
		return orders.Offer{}, s.t.fail("finding offer of customer "+string(cid)+" for product "+string(pid), err, nil)
	}
	return o, nil
}

// Update reads the offer, lets fn change it and writes it back with the
// next version. ErrNotFound, ErrConflict.
func (s offerRepo) Update(ctx context.Context, id orders.OfferID, fn func(*orders.Offer) error) (orders.Offer, error) {
	op := "updating offer " + string(id)
	if err := s.t.writable(op); err != nil {
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
	n, err := execCount(ctx, s.t, op,
		`UPDATE offers SET price_amount = $1, price_currency = $2, version = $3, updated_at = $4 WHERE id = $5 AND version = $6`, nil,
		o.Price.Amount, o.Price.Currency, o.Version, o.UpdatedAt, string(id), old.Version)
	if err := checkUpdated(op, n, err); err != nil {
		return orders.Offer{}, err
	}
	return o, nil
}

// Delete removes the offer, or returns ErrNotFound.
func (s offerRepo) Delete(ctx context.Context, id orders.OfferID) error {
	op := "deleting offer " + string(id)
	if err := s.t.writable(op); err != nil {
		return err
	}
	n, err := execCount(ctx, s.t, op, `DELETE FROM offers WHERE id = $1`, nil, string(id))
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// List returns one page of offers matching f, ordered by ID.
func (s offerRepo) List(ctx context.Context, f storage.OfferFilter, p storage.Page) (storage.List[orders.Offer], error) {
	const op = "listing offers"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[orders.Offer]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	var q strings.Builder
	q.WriteString(`SELECT ` + offerColumns + ` FROM offers WHERE id > ` + a.add(after))
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ` + a.add(string(f.CustomerID)))
	}
	if f.ProductID != "" {
		q.WriteString(` AND product_id = ` + a.add(string(f.ProductID)))
	}
	q.WriteString(` ORDER BY id LIMIT ` + a.add(limit+1))
	return queryList(ctx, s.t, op, q.String(), a, limit, scanOffer, func(o orders.Offer) string { return string(o.ID) })
}

const offerColumns = `id, customer_id, product_id, price_amount, price_currency, version, created_at, updated_at`

func scanOffer(s scanner) (orders.Offer, error) {
	var o orders.Offer
	err := s.Scan(&o.ID, &o.CustomerID, &o.ProductID, &o.Price.Amount, &o.Price.Currency, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	return o, err
}

type orderRepo struct{ t *txn }

// orderNumberCounter names the counters row order numbers come from.
const orderNumberCounter = "order_number"

// NextNumber takes the next order number from the counters row, in the
// transaction, rather than from a sequence: a sequence hands out numbers
// as transactions ask, so one that asked later may commit first with the
// greater number, while the contract wants numbers that increase in
// commit order. The UPDATE holds the row until the transaction ends, so
// the next taker waits for it; under SERIALIZABLE that taker then fails to
// serialize and InTx runs it again, when it reads the committed value. A
// rolled-back transaction gives its number back. The price is that order
// placements take turns from NextNumber to commit.
func (s orderRepo) NextNumber(ctx context.Context) (orders.Number, error) {
	const op = "taking an order number"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	var n int64
	err := s.t.tx.QueryRow(ctx, `UPDATE counters SET value = value + 1 WHERE name = $1 RETURNING value`,
		orderNumberCounter).Scan(&n)
	if err != nil {
		return 0, s.t.fail(op, err, nil)
	}
	return orders.Number(n), nil
}

// Create stores o, its lines and its history. ErrAlreadyExists when the ID
// or the number is taken; ErrNotFound when the customer or a product does
// not exist.
func (s orderRepo) Create(ctx context.Context, o orders.Order) error {
	op := "creating order " + string(o.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	a, r := o.DeliveryAddress, o.Recipient
	_, err := s.t.tx.Exec(ctx, `INSERT INTO orders (`+orderColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)`,
		string(o.ID), int64(o.Number), string(o.CustomerID), nullString(o.SiteID), string(o.Kind), string(o.Status), o.Currency,
		a.Line1, a.Line2, a.PostalCode, a.City, a.Region, a.Country,
		r.Name, r.Email, r.EmployeeNumber, nullTime(o.RequestedDate), o.Note, string(o.OrderedBy),
		o.Version, o.CreatedAt, o.UpdatedAt)
	if err != nil {
		return s.t.fail(op, err, storage.ErrNotFound)
	}
	if len(o.Lines) > 0 {
		n := len(o.Lines)
		pids, skus, names, amounts, currencies, quantities :=
			make([]string, n), make([]string, n), make([]string, n), make([]int64, n), make([]string, n), make([]int32, n)
		for i, l := range o.Lines {
			pids[i], skus[i], names[i] = string(l.ProductID), l.SKU, l.Name
			amounts[i], currencies[i], quantities[i] = l.UnitPrice.Amount, l.UnitPrice.Currency, int32(l.Quantity)
		}
		// One statement for all lines; WITH ORDINALITY numbers them from 1.
		_, err := s.t.tx.Exec(ctx, `INSERT INTO order_lines (order_id, line, product_id, sku, name, unit_amount, unit_currency, quantity)
			SELECT $1, l.n, l.product_id, l.sku, l.name, l.unit_amount, l.unit_currency, l.quantity
			FROM unnest($2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::integer[])
				WITH ORDINALITY AS l (product_id, sku, name, unit_amount, unit_currency, quantity, n)`,
			string(o.ID), pids, skus, names, amounts, currencies, quantities)
		if err != nil {
			return s.t.fail(op, err, storage.ErrNotFound)
		}
	}
	for i, ev := range o.History {
		if err := insertOrderEvent(ctx, s.t, op, o.ID, i+1, ev); err != nil {
			return err
		}
	}
	return nil
}

func insertOrderEvent(ctx context.Context, t *txn, op string, id orders.ID, seq int, ev orders.Event) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO order_events (order_id, seq, from_status, to_status, at, by, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		string(id), seq, string(ev.From), string(ev.To), ev.At, ev.By, ev.Note)
	return t.fail(op, err, storage.ErrNotFound)
}

// Get returns the order with the given ID, or ErrNotFound.
func (s orderRepo) Get(ctx context.Context, id orders.ID) (orders.Order, error) {
	return findOrderByID(ctx, s.t, id)
}

// Transition moves the order from ev.From to ev.To in one conditional
// UPDATE and appends ev. The status check and the write are one
// statement, so two transitions from one status cannot both succeed,
// whatever the isolation: under SERIALIZABLE the second waits for the
// first's row lock and then fails to serialize, and InTx's rerun finds
// the status changed. ErrConflict when the order is no longer at ev.From;
// ErrNotFound when there is no such order.
func (s orderRepo) Transition(ctx context.Context, id orders.ID, ev orders.Event) (orders.Order, error) {
	op := "changing status of order " + string(id)
	if err := s.t.writable(op); err != nil {
		return orders.Order{}, err
	}
	n, err := execCount(ctx, s.t, op,
		`UPDATE orders SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND status = $4`, nil,
		string(ev.To), ev.At, string(id), string(ev.From))
	if err != nil {
		return orders.Order{}, err
	}
	if n == 0 {
		var one int
		if err := s.t.tx.QueryRow(ctx, `SELECT 1 FROM orders WHERE id = $1`, string(id)).Scan(&one); err != nil {
			return orders.Order{}, s.t.fail(op, err, nil) // ErrNotFound for no row
		}
		return orders.Order{}, fmt.Errorf("postgres: %s: not %s: %w", op, ev.From, storage.ErrConflict)
	}
	// The order's row is locked by the UPDATE, so no other transition
	// appends between this count and the insert.
	_, err = s.t.tx.Exec(ctx, `INSERT INTO order_events (order_id, seq, from_status, to_status, at, by, note)
		SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5, $6 FROM order_events WHERE order_id = $1`,
		string(id), string(ev.From), string(ev.To), ev.At, ev.By, ev.Note)
	if err != nil {
		return orders.Order{}, s.t.fail(op, err, nil)
	}
	return findOrderByID(ctx, s.t, id)
}

// List returns one page of orders matching f, in ID order or, with
// f.NewestFirst, in reverse.
func (s orderRepo) List(ctx context.Context, f storage.OrderFilter, p storage.Page) (storage.List[orders.Order], error) {
	const op = "listing orders"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[orders.Order]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	// A non-nil empty site set matches nothing: it scopes a view to no sites.
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return storage.List[orders.Order]{}, nil
	}
	dir, cmp := "ASC", ">"
	if f.NewestFirst {
		dir, cmp = "DESC", "<"
	}
	var a args
	var where strings.Builder
	where.WriteString(`true`)
	if after != "" || !f.NewestFirst {
		where.WriteString(` AND id ` + cmp + ` ` + a.add(after))
	}
	if f.CustomerID != "" {
		where.WriteString(` AND customer_id = ` + a.add(string(f.CustomerID)))
	}
	if f.Status != "" {
		where.WriteString(` AND status = ` + a.add(string(f.Status)))
	}
	lim := a.add(limit + 1)
	var q string
	switch len(f.SiteIDs) {
	case 0:
		q = `SELECT ` + orderColumns + ` FROM orders WHERE ` + where.String() + ` ORDER BY id ` + dir + ` LIMIT ` + lim
	default:
		// site_id = ANY(…) ORDER BY id would read every order of those
		// sites and sort them; one walk of (customer_id, site_id, id) per
		// site, each cut at limit+1, keeps a page's cost independent of
		// the table's size.
		q = `SELECT o.* FROM unnest(` + a.add(texts(f.SiteIDs)) + `::text[]) AS s (site_id)
			CROSS JOIN LATERAL (SELECT ` + orderColumns + ` FROM orders
				WHERE ` + where.String() + ` AND orders.site_id = s.site_id ORDER BY id ` + dir + ` LIMIT ` + lim + `) o
			ORDER BY o.id ` + dir + ` LIMIT ` + lim
	}
	l, err := queryList(ctx, s.t, op, q, a, limit, scanOrder, func(o orders.Order) string { return string(o.ID) })
	if err != nil {
		return l, err
	}
	if err := loadOrderParts(ctx, s.t, l.Items); err != nil {
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
		o         orders.Order
		site      *string
		requested *time.Time
		a         = &o.DeliveryAddress
		r         = &o.Recipient
	)
	err := s.Scan(&o.ID, &o.Number, &o.CustomerID, &site, &o.Kind, &o.Status, &o.Currency,
		&a.Line1, &a.Line2, &a.PostalCode, &a.City, &a.Region, &a.Country,
		&r.Name, &r.Email, &r.EmployeeNumber, &requested, &o.Note, &o.OrderedBy,
		&o.Version, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return orders.Order{}, err
	}
	o.SiteID = customer.SiteID(orEmpty(site))
	o.RequestedDate = orZero(requested)
	return o, nil
}

func findOrderByID(ctx context.Context, t *txn, id orders.ID) (orders.Order, error) {
	o, err := scanOrder(t.tx.QueryRow(ctx, `SELECT `+orderColumns+` FROM orders WHERE id = $1`, string(id)))
	if err != nil {
		return orders.Order{}, t.fail("finding order "+string(id), err, nil)
	}
	list := []orders.Order{o}
	if err := loadOrderParts(ctx, t, list); err != nil {
		return orders.Order{}, err
	}
	return list[0], nil
}

// loadOrderParts fills in the lines and the history of os: one query for
// each over all of them, sent together in one round trip.
func loadOrderParts(ctx context.Context, t *txn, os []orders.Order) error {
	if len(os) == 0 {
		return nil
	}
	const op = "reading order lines and history"
	at := make(map[orders.ID]int, len(os))
	ids := make([]string, len(os))
	for i, o := range os {
		at[o.ID] = i
		ids[i] = string(o.ID)
	}
	var b pgx.Batch
	b.Queue(`SELECT order_id, product_id, sku, name, unit_amount, unit_currency, quantity
		FROM order_lines WHERE order_id = ANY($1) ORDER BY order_id, line`, ids).Query(func(rows pgx.Rows) error {
		var (
			id orders.ID
			l  orders.Line
		)
		_, err := pgx.ForEachRow(rows, []any{&id, &l.ProductID, &l.SKU, &l.Name, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &l.Quantity}, func() error {
			o := &os[at[id]]
			o.Lines = append(o.Lines, l)
			return nil
		})
		return err
	})
	b.Queue(`SELECT order_id, from_status, to_status, at, by, note
		FROM order_events WHERE order_id = ANY($1) ORDER BY order_id, seq`, ids).Query(func(rows pgx.Rows) error {
		var (
			id orders.ID
			ev orders.Event
		)
		_, err := pgx.ForEachRow(rows, []any{&id, &ev.From, &ev.To, &ev.At, &ev.By, &ev.Note}, func() error {
			o := &os[at[id]]
			o.History = append(o.History, ev)
			return nil
		})
		return err
	})
	if err := t.tx.SendBatch(ctx, &b).Close(); err != nil {
		return t.fail(op, err, nil)
	}
	return nil
}
