package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type productRepo struct {
	crud[orders.Product, orders.ProductID]
}

func (t *txn) Products() storage.ProductRepo {
	return productRepo{crud[orders.Product, orders.ProductID]{t, productTable}}
}

var productTable = newTable(table[orders.Product]{
	name: "products", noun: "product",
	columns: []string{"id", "sku", "name", "description", "category", "price_amount", "price_currency", "active",
		"attributes", "customer_id", "version", "created_at", "updated_at"},
	values: func(p *orders.Product) []any {
		return []any{string(p.ID), p.SKU, p.Name, p.Description, p.Category, p.Price.Amount, p.Price.Currency, p.Active,
			attributesJSON(p.Attributes), nullString(p.CustomerID), p.Version, ts(p.CreatedAt), ts(p.UpdatedAt)}
	},
	dest: func(p *orders.Product) []any {
		return []any{&p.ID, &p.SKU, &p.Name, &p.Description, &p.Category, &p.Price.Amount, &p.Price.Currency, &p.Active,
			attributesCol{&p.Attributes}, scol(&p.CustomerID), &p.Version, tcol(&p.CreatedAt), tcol(&p.UpdatedAt)}
	},
	version: func(p *orders.Product) *int64 { return &p.Version },
	keep: func(old orders.Product, p *orders.Product) {
		p.ID, p.CustomerID, p.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
		p.UpdatedAt = storedTime(p.UpdatedAt)
		// The caller's map stays the caller's.
		p.Attributes = cloneAttributes(p.Attributes)
	},
	fkErr: storage.ErrNotFound,
})

// attributesJSON returns attrs as the attributes column's JSON object, {}
// for none.
func attributesJSON(attrs map[string]string) any {
	if len(attrs) == 0 {
		return "{}"
	}
	return jsonValue{attrs}
}

// attributesCol scans the attributes column: nil when the object is empty,
// as Create was given none.
type attributesCol struct{ p *map[string]string }

func (c attributesCol) Scan(src any) error {
	*c.p = nil
	if err := jcol(c.p).Scan(src); err != nil {
		return fmt.Errorf("reading attributes: %w", err)
	}
	if len(*c.p) == 0 {
		*c.p = nil
	}
	return nil
}

// cloneAttributes copies attrs; nil when empty, as they read back.
func cloneAttributes(attrs map[string]string) map[string]string {
	if len(attrs) == 0 {
		return nil
	}
	return maps.Clone(attrs)
}

// List returns one page of products matching f, ordered by ID.
func (s productRepo) List(ctx context.Context, f storage.ProductFilter, p storage.Page) (storage.List[orders.Product], error) {
	var w conds
	switch {
	case f.Global:
		w.and(`customer_id IS NULL`, nil)
	case f.CustomerID != "":
		w.and(`customer_id = ?`, []any{string(f.CustomerID)})
	}
	if f.Active != nil {
		if *f.Active {
			w.and(`active`, nil)
		} else {
			// The form of PostgreSQL's partial index products_inactive_id.
			w.and(`NOT active`, nil)
		}
	}
	w.eq(`category`, f.Category)
	if f.Search != "" {
		// Substring search scans in ID order and stops after limit+1
		// matches (PostgreSQL answers it from a trigram index where
		// pg_trgm is installed).
		like := s.t.d.ILike
		pat := likePattern(f.Search)
		w.and(`(sku `+like+` ? ESCAPE '\' OR name `+like+` ? ESCAPE '\')`, []any{pat, pat})
		ctx = planEach(ctx)
	}
	return productTable.list(ctx, s.t, "listing products", p, w.String(), w.args,
		func(p orders.Product) string { return string(p.ID) })
}

// catalogueSQL is Catalogue's query without and with the global portfolio.
// The candidates come from up to three walks in product ID order, each cut
// at limit+1: the customer's own products (products_customer_id_id), the
// products of its offers (the offers' unique (customer_id, product_id)
// index) and, with the global portfolio, the global products
// (products_customer_id_id at NULL). A page therefore costs the same
// however large the portfolio and the other customers' catalogues are.
var catalogueSQL = [2]string{catalogueQuery(false), catalogueQuery(true)}

func catalogueQuery(global bool) string {
	walks := []string{
		`SELECT id FROM (SELECT id FROM products WHERE customer_id = ? AND id > ? AND active ORDER BY id LIMIT ?) AS own`,
		`SELECT id FROM (SELECT o.product_id AS id FROM offers o JOIN products p ON p.id = o.product_id
			WHERE o.customer_id = ? AND o.product_id > ? AND p.active ORDER BY o.product_id LIMIT ?) AS offered`,
	}
	if global {
		walks = append(walks,
			`SELECT id FROM (SELECT id FROM products WHERE customer_id IS NULL AND id > ? AND active ORDER BY id LIMIT ?) AS global`)
	}
	return `SELECT ` + prefixed("p.", productTable.columns) + `, ` + prefixed("o.", offerTable.columns) + `
		FROM (` + strings.Join(walks, ` UNION `) + `) AS c
		JOIN products p ON p.id = c.id
		LEFT JOIN offers o ON o.customer_id = ? AND o.product_id = p.id
		ORDER BY p.id LIMIT ?`
}

// Catalogue returns one page of the active products customer f.CustomerID
// may see, each with its offer for it. Invalid when f.CustomerID is empty.
func (s productRepo) Catalogue(ctx context.Context, f storage.CatalogueFilter, p storage.Page) (storage.List[storage.CatalogueRow], error) {
	const op = "listing catalogue"
	if f.CustomerID == "" {
		return storage.List[storage.CatalogueRow]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[storage.CatalogueRow]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	cid := string(f.CustomerID)
	args := []any{cid, after, limit + 1, cid, after, limit + 1}
	q := catalogueSQL[0]
	if f.Global {
		q = catalogueSQL[1]
		args = append(args, after, limit+1)
	}
	args = append(args, cid, limit+1)
	scan := func(sc scanner) (storage.CatalogueRow, error) {
		var (
			row             storage.CatalogueRow
			o               = &row.Offer
			amount, version sql.Null[int64]
		)
		// The offer's columns are NULL when the customer has none: o
		// stays zero.
		dest := append(productTable.dest(&row.Product),
			scol(&o.ID), scol(&o.CustomerID), scol(&o.ProductID), &amount, scol(&o.Price.Currency), &version,
			tcol(&o.CreatedAt), tcol(&o.UpdatedAt))
		if err := sc.Scan(dest...); err != nil {
			return row, err
		}
		o.Price.Amount, o.Version = amount.V, version.V
		return row, nil
	}
	return queryList(ctx, s.t, op, q, args, limit, scan, func(r storage.CatalogueRow) string { return string(r.Product.ID) })
}

// prefixed qualifies each of columns with prefix ("p.") and joins them.
func prefixed(prefix string, columns []string) string {
	return prefix + strings.Join(columns, ", "+prefix)
}

type offerRepo struct {
	crud[orders.Offer, orders.OfferID]
}

func (t *txn) Offers() storage.OfferRepo {
	return offerRepo{crud[orders.Offer, orders.OfferID]{t, offerTable}}
}

var offerTable = newTable(table[orders.Offer]{
	name: "offers", noun: "offer",
	columns: []string{"id", "customer_id", "product_id", "price_amount", "price_currency", "version", "created_at", "updated_at"},
	values: func(o *orders.Offer) []any {
		return []any{string(o.ID), string(o.CustomerID), string(o.ProductID), o.Price.Amount, o.Price.Currency,
			o.Version, ts(o.CreatedAt), ts(o.UpdatedAt)}
	},
	dest: func(o *orders.Offer) []any {
		return []any{&o.ID, &o.CustomerID, &o.ProductID, &o.Price.Amount, &o.Price.Currency,
			&o.Version, tcol(&o.CreatedAt), tcol(&o.UpdatedAt)}
	},
	version: func(o *orders.Offer) *int64 { return &o.Version },
	keep: func(old orders.Offer, o *orders.Offer) {
		o.ID, o.CustomerID, o.ProductID, o.CreatedAt = old.ID, old.CustomerID, old.ProductID, old.CreatedAt
		o.UpdatedAt = storedTime(o.UpdatedAt)
	},
	fkErr: storage.ErrNotFound,
})

// Find returns customer cid's offer for product pid, or ErrNotFound.
func (s offerRepo) Find(ctx context.Context, cid customer.ID, pid orders.ProductID) (orders.Offer, error) {
	return offerTable.getWhere(ctx, s.t, "finding offer of customer "+string(cid)+" for product "+string(pid),
		`customer_id = ? AND product_id = ?`, string(cid), string(pid))
}

// Delete removes the offer, or returns ErrNotFound.
func (s offerRepo) Delete(ctx context.Context, id orders.OfferID) error {
	return offerTable.delete(ctx, s.t, string(id), nil)
}

// List returns one page of offers matching f, ordered by ID.
func (s offerRepo) List(ctx context.Context, f storage.OfferFilter, p storage.Page) (storage.List[orders.Offer], error) {
	var w conds
	w.eq(`customer_id`, string(f.CustomerID))
	w.eq(`product_id`, string(f.ProductID))
	return offerTable.list(ctx, s.t, "listing offers", p, w.String(), w.args,
		func(o orders.Offer) string { return string(o.ID) })
}

type orderRepo struct{ t *txn }

func (t *txn) Orders() storage.OrderRepo { return orderRepo{t} }

// orderTable is the orders row of an order; its lines and history are rows
// of order_lines and order_events.
var orderTable = newTable(table[orders.Order]{
	name: "orders", noun: "order",
	columns: []string{"id", "number", "customer_id", "site_id", "kind", "status", "currency",
		"delivery_line1", "delivery_line2", "delivery_postal_code", "delivery_city", "delivery_region", "delivery_country",
		"recipient_name", "recipient_email", "recipient_employee_number", "requested_date", "note", "ordered_by",
		"version", "created_at", "updated_at"},
	values: func(o *orders.Order) []any {
		a, r := &o.DeliveryAddress, &o.Recipient
		return []any{string(o.ID), int64(o.Number), string(o.CustomerID), nullString(o.SiteID), string(o.Kind), string(o.Status), o.Currency,
			a.Line1, a.Line2, a.PostalCode, a.City, a.Region, a.Country,
			r.Name, r.Email, r.EmployeeNumber, nullTS(o.RequestedDate), o.Note, string(o.OrderedBy),
			o.Version, ts(o.CreatedAt), ts(o.UpdatedAt)}
	},
	dest: func(o *orders.Order) []any {
		a, r := &o.DeliveryAddress, &o.Recipient
		return []any{&o.ID, &o.Number, &o.CustomerID, scol(&o.SiteID), &o.Kind, &o.Status, &o.Currency,
			&a.Line1, &a.Line2, &a.PostalCode, &a.City, &a.Region, &a.Country,
			&r.Name, &r.Email, &r.EmployeeNumber, tcol(&o.RequestedDate), &o.Note, &o.OrderedBy,
			&o.Version, tcol(&o.CreatedAt), tcol(&o.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// NextNumber takes the next order number: from the dialect's sequence
// where it has one (PostgreSQL), else from the counters row, in the
// transaction. A sequence never blocks: numbers increase in the order they
// are taken, a rolled-back transaction skips its number, and a number
// taken later may commit first, which the contract allows. The counters
// row would make every placement wait for the one before it to commit,
// and under PostgreSQL's SERIALIZABLE fail to serialize after it: 16
// concurrent clients ran out of retries. On SQLite, whose writers take
// turns anyway, the row costs nothing and a rolled-back transaction gives
// its number back. The row is made by the first taker where the schema
// did not seed it.
func (s orderRepo) NextNumber(ctx context.Context) (orders.Number, error) {
	const op = "taking an order number"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	q := s.t.d.OrderNumber
	if q == "" {
		q = `INSERT INTO counters (name, value) VALUES ('order_number', 1)
		ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value`
	}
	var n int64
	if err := s.t.queryRow(ctx, q).Scan(&n); err != nil {
		return 0, s.t.dbError(op, err, nil)
	}
	return orders.Number(n), nil
}

// Create stores o, its lines and its history. ErrAlreadyExists when the ID
// or the number is taken; ErrNotFound when the customer or a product does
// not exist.
func (s orderRepo) Create(ctx context.Context, o orders.Order) error {
	if err := orderTable.insert(ctx, s.t, &o); err != nil {
		return err
	}
	op := "creating order " + string(o.ID)
	lines := make([]any, 0, len(o.Lines)*8)
	for i, l := range o.Lines {
		lines = append(lines, string(o.ID), i+1, string(l.ProductID), l.SKU, l.Name, l.UnitPrice.Amount, l.UnitPrice.Currency, l.Quantity)
	}
	err := insertRows(ctx, s.t, op, `INSERT INTO order_lines (order_id, line, product_id, sku, name, unit_amount, unit_currency, quantity) VALUES `, 8, lines)
	if err != nil {
		return err
	}
	events := make([]any, 0, len(o.History)*7)
	for i, ev := range o.History {
		events = append(events, string(o.ID), i+1, string(ev.From), string(ev.To), ts(ev.At), ev.By, ev.Note)
	}
	return insertRows(ctx, s.t, op, `INSERT INTO order_events (order_id, seq, from_status, to_status, at, by, note) VALUES `, 7, events)
}

// rowsPerInsert bounds the rows of one insertRows statement, so that its
// parameters stay within both engines' limits (SQLite's 32766) for any
// width up to 32. An order has at most orders.MaxLines lines.
const rowsPerInsert = 1000

// insertRows runs head ("INSERT INTO t (c1, …) VALUES ") for the rows in
// args, width values each: one statement for up to rowsPerInsert rows.
// ErrNotFound when a row refers to a missing row.
func insertRows(ctx context.Context, t *txn, op, head string, width int, args []any) error {
	row := `(` + placeholders(width) + `)`
	for len(args) > 0 {
		n := min(len(args)/width, rowsPerInsert)
		q := head + strings.Repeat(row+`, `, n-1) + row
		if _, err := t.exec(ctx, op, storage.ErrNotFound, q, args[:n*width]...); err != nil {
			return err
		}
		args = args[n*width:]
	}
	return nil
}

// Get returns the order with the given ID, or ErrNotFound.
func (s orderRepo) Get(ctx context.Context, id orders.ID) (orders.Order, error) {
	o, err := orderTable.get(ctx, s.t, string(id))
	if err != nil {
		return orders.Order{}, err
	}
	list := []orders.Order{o}
	if err := loadOrderParts(ctx, s.t, list); err != nil {
		return orders.Order{}, err
	}
	return list[0], nil
}

// Transition moves the order from ev.From to ev.To in one conditional
// UPDATE and appends ev. The status check and the write are one
// statement, so two transitions from one status cannot both succeed,
// whatever the isolation: under PostgreSQL's SERIALIZABLE the second waits
// for the first's row lock and then fails to serialize, and InTx's rerun
// finds the status changed. ErrConflict when the order is no longer at
// ev.From; ErrNotFound when there is no such order.
func (s orderRepo) Transition(ctx context.Context, id orders.ID, ev orders.Event) (orders.Order, error) {
	op := "changing status of order " + string(id)
	if err := s.t.writable(op); err != nil {
		return orders.Order{}, err
	}
	n, err := s.t.exec(ctx, op, nil,
		`UPDATE orders SET status = ?, version = version + 1, updated_at = ? WHERE id = ? AND status = ?`,
		string(ev.To), ts(ev.At), string(id), string(ev.From))
	if err != nil {
		return orders.Order{}, err
	}
	if n == 0 {
		var one int
		if err := s.t.queryRow(ctx, `SELECT 1 FROM orders WHERE id = ?`, string(id)).Scan(&one); err != nil {
			return orders.Order{}, s.t.dbError(op, err, nil) // ErrNotFound for no row
		}
		return orders.Order{}, fmt.Errorf("%s: %s: not %s: %w", s.t.d.Name, op, ev.From, storage.ErrConflict)
	}
	// The UPDATE holds the order's row, so no other transition appends
	// between reading the last seq and the insert.
	_, err = s.t.exec(ctx, op, nil, `INSERT INTO order_events (order_id, seq, from_status, to_status, at, by, note)
		SELECT ?, coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ? FROM order_events WHERE order_id = ?`,
		string(id), string(ev.From), string(ev.To), ts(ev.At), ev.By, ev.Note, string(id))
	if err != nil {
		return orders.Order{}, err
	}
	return s.Get(ctx, id)
}

// List returns one page of orders matching f, in ID order or, with
// f.NewestFirst, in reverse.
func (s orderRepo) List(ctx context.Context, f storage.OrderFilter, p storage.Page) (storage.List[orders.Order], error) {
	const op = "listing orders"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[orders.Order]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	// A non-nil empty site set matches nothing: it scopes a view to no sites.
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return storage.List[orders.Order]{}, nil
	}
	dir, cmp := ` ASC`, `id > ?`
	if f.NewestFirst {
		dir, cmp = ` DESC`, `id < ?`
	}
	var w conds
	if after != "" || !f.NewestFirst {
		w.and(cmp, []any{after})
	}
	w.eq(`customer_id`, string(f.CustomerID))
	w.eq(`status`, string(f.Status))
	sites := slices.Compact(slices.Sorted(slices.Values(f.SiteIDs)))
	if len(sites) == 1 {
		w.and(`site_id = ?`, []any{string(sites[0])})
	}
	where, args := w.where, w.args
	sel := func(where []string) string {
		q := orderTable.selectSQL
		if len(where) > 0 {
			q += ` WHERE ` + strings.Join(where, ` AND `)
		}
		return q + ` ORDER BY id` + dir + ` LIMIT ?`
	}
	var q string
	if len(sites) <= 1 {
		q = sel(where)
		args = append(args, limit+1)
	} else {
		// site_id IN (…) ORDER BY id would read every matching row and
		// sort them; one index range per site, each cut at limit+1, keeps
		// a page's cost independent of the table's size.
		part := `SELECT * FROM (` + sel(append(where, `site_id = ?`)) + `) AS s`
		parts := make([]string, len(sites))
		common := args
		args = make([]any, 0, len(sites)*(len(common)+2)+1)
		for i, site := range sites {
			parts[i] = part
			args = append(args, common...)
			args = append(args, string(site), limit+1)
		}
		q = strings.Join(parts, ` UNION ALL `) + ` ORDER BY id` + dir + ` LIMIT ?`
		args = append(args, limit+1)
	}
	l, err := queryList(ctx, s.t, op, q, args, limit, orderTable.scan, func(o orders.Order) string { return string(o.ID) })
	if err != nil {
		return l, err
	}
	if err := loadOrderParts(ctx, s.t, l.Items); err != nil {
		return storage.List[orders.Order]{}, err
	}
	return l, nil
}

// loadOrderParts fills in the lines and the history of os, with one query
// for each over all of them.
func loadOrderParts(ctx context.Context, t *txn, os []orders.Order) error {
	if len(os) == 0 {
		return nil
	}
	const op = "reading order lines and history"
	at := make(map[orders.ID]*orders.Order, len(os))
	ids := make([]any, len(os))
	for i := range os {
		at[os[i].ID] = &os[i]
		ids[i] = string(os[i].ID)
	}
	in := `(` + placeholders(len(os)) + `)`
	var id orders.ID
	var l orders.Line
	err := eachRow(ctx, t, op, `SELECT order_id, product_id, sku, name, unit_amount, unit_currency, quantity
		FROM order_lines WHERE order_id IN `+in+` ORDER BY order_id, line`, ids,
		[]any{&id, &l.ProductID, &l.SKU, &l.Name, &l.UnitPrice.Amount, &l.UnitPrice.Currency, &l.Quantity},
		func() { o := at[id]; o.Lines = append(o.Lines, l) })
	if err != nil {
		return err
	}
	var ev orders.Event
	return eachRow(ctx, t, op, `SELECT order_id, from_status, to_status, at, by, note
		FROM order_events WHERE order_id IN `+in+` ORDER BY order_id, seq`, ids,
		[]any{&id, &ev.From, &ev.To, tcol(&ev.At), &ev.By, &ev.Note},
		func() { o := at[id]; o.History = append(o.History, ev) })
}

// eachRow runs q and, for each row, scans it into dest and calls fn.
func eachRow(ctx context.Context, t *txn, op, q string, args, dest []any, fn func()) error {
	rows, err := t.query(ctx, q, args...)
	if err != nil {
		return t.dbError(op, err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return t.dbError(op, err, nil)
		}
		fn()
	}
	return t.dbError(op, rows.Err(), nil)
}
