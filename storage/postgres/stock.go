package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

type stockRepo struct{ t *txn }

// Create stores it and its stock-in movement m. ErrAlreadyExists when the
// item's ID, the movement's ID or the serial number within the customer is
// taken; ErrNotFound when the customer, the product or the order does not
// exist.
func (s stockRepo) Create(ctx context.Context, it warehouse.Item, m warehouse.Movement) error {
	op := "stocking in item " + string(it.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	h := it.Holder
	_, err := s.t.tx.Exec(ctx, `INSERT INTO stock_items (`+itemColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		string(it.ID), string(it.CustomerID), string(it.ProductID), nullString(it.SerialNumber), string(it.Condition),
		nullString(it.SiteID), string(it.Status), h.Name, h.Email, h.EmployeeNumber, nullString(it.OrderID),
		it.Version, it.CreatedAt, it.UpdatedAt)
	if err != nil {
		return s.t.fail(op, err, storage.ErrNotFound)
	}
	m.ItemID = it.ID
	return insertMovement(ctx, s.t, op, m)
}

// Get returns the item with the given ID, or ErrNotFound.
func (s stockRepo) Get(ctx context.Context, id warehouse.ItemID) (warehouse.Item, error) {
	it, err := scanItem(s.t.tx.QueryRow(ctx, `SELECT `+itemColumns+` FROM stock_items WHERE id = $1`, string(id)))
	if err != nil {
		return warehouse.Item{}, s.t.fail("finding item "+string(id), err, nil)
	}
	return it, nil
}

// Move writes it in one conditional UPDATE on the item's status and
// appends m. The status check and the write are one statement, so two
// moves from one status (two issues of one item) cannot both succeed,
// whatever the isolation: under SERIALIZABLE the second waits for the
// first's row lock and then fails to serialize, and InTx's rerun finds
// the status changed. ErrConflict when the item is no longer m.From;
// ErrNotFound when there is no such item; ErrAlreadyExists when m's ID is
// taken.
func (s stockRepo) Move(ctx context.Context, it warehouse.Item, m warehouse.Movement) (warehouse.Item, error) {
	op := "moving item " + string(it.ID)
	if err := s.t.writable(op); err != nil {
		return warehouse.Item{}, err
	}
	h := it.Holder
	out, err := scanItem(s.t.tx.QueryRow(ctx, `UPDATE stock_items SET
		status = $1, holder_name = $2, holder_email = $3, holder_employee_number = $4, condition = $5, site_id = $6,
		version = version + 1, updated_at = $7
		WHERE id = $8 AND status = $9
		RETURNING `+itemColumns,
		string(it.Status), h.Name, h.Email, h.EmployeeNumber, string(it.Condition), nullString(it.SiteID),
		it.UpdatedAt, string(it.ID), string(m.From)))
	if errors.Is(err, pgx.ErrNoRows) {
		var one int
		if err := s.t.tx.QueryRow(ctx, `SELECT 1 FROM stock_items WHERE id = $1`, string(it.ID)).Scan(&one); err != nil {
			return warehouse.Item{}, s.t.fail(op, err, nil) // ErrNotFound for no row
		}
		return warehouse.Item{}, fmt.Errorf("postgres: %s: not %s: %w", op, m.From, storage.ErrConflict)
	}
	if err != nil {
		return warehouse.Item{}, s.t.fail(op, err, nil)
	}
	m.ItemID = it.ID
	if err := insertMovement(ctx, s.t, op, m); err != nil {
		return warehouse.Item{}, err
	}
	return out, nil
}

func insertMovement(ctx context.Context, t *txn, op string, m warehouse.Movement) error {
	h := m.Holder
	_, err := t.tx.Exec(ctx, `INSERT INTO stock_movements (`+movementColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		string(m.ID), string(m.ItemID), string(m.CustomerID), string(m.ProductID), string(m.Kind), string(m.From), string(m.To),
		h.Name, h.Email, h.EmployeeNumber, string(m.Condition), nullString(m.OrderID), m.At, m.By, m.Note)
	return t.fail(op+": movement "+string(m.ID), err, storage.ErrNotFound)
}

// List returns one page of the customer's items matching f, ordered by ID.
func (s stockRepo) List(ctx context.Context, f storage.ItemFilter, p storage.Page) (storage.List[warehouse.Item], error) {
	const op = "listing items"
	if f.CustomerID == "" {
		return storage.List[warehouse.Item]{}, fmt.Errorf("postgres: %s: %w", op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[warehouse.Item]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return storage.List[warehouse.Item]{}, nil
	}
	var a args
	var where strings.Builder
	where.WriteString(`customer_id = ` + a.add(string(f.CustomerID)) + ` AND id > ` + a.add(after))
	if f.ProductID != "" {
		where.WriteString(` AND product_id = ` + a.add(string(f.ProductID)))
	}
	switch {
	case f.Status != "":
		where.WriteString(` AND status = ` + a.add(string(f.Status)))
	case f.Held:
		where.WriteString(` AND status IN ('in_stock', 'issued')`)
	}
	if f.SerialNumber != "" {
		where.WriteString(` AND serial_number = ` + a.add(f.SerialNumber))
	}
	if f.OrderID != "" {
		where.WriteString(` AND order_id = ` + a.add(string(f.OrderID)))
	}
	lim := a.add(limit + 1)
	var q string
	if len(f.SiteIDs) == 0 {
		q = `SELECT ` + itemColumns + ` FROM stock_items WHERE ` + where.String() + ` ORDER BY id LIMIT ` + lim
	} else {
		// One walk of (customer_id, site_id, id) per site, each cut at
		// limit+1, as for orders.
		q = `SELECT i.* FROM unnest(` + a.add(texts(f.SiteIDs)) + `::text[]) AS s (site_id)
			CROSS JOIN LATERAL (SELECT ` + itemColumns + ` FROM stock_items
				WHERE ` + where.String() + ` AND stock_items.site_id = s.site_id ORDER BY id LIMIT ` + lim + `) i
			ORDER BY i.id LIMIT ` + lim
	}
	return queryList(ctx, s.t, op, q, a, limit, scanItem, func(it warehouse.Item) string { return string(it.ID) })
}

// Movements returns one page of the customer's ledger matching f, ordered by ID.
func (s stockRepo) Movements(ctx context.Context, f storage.MovementFilter, p storage.Page) (storage.List[warehouse.Movement], error) {
	const op = "listing movements"
	if f.CustomerID == "" {
		return storage.List[warehouse.Movement]{}, fmt.Errorf("postgres: %s: %w", op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[warehouse.Movement]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	var q strings.Builder
	q.WriteString(`SELECT ` + movementColumns + ` FROM stock_movements WHERE customer_id = ` + a.add(string(f.CustomerID)) +
		` AND id > ` + a.add(after))
	if f.ItemID != "" {
		q.WriteString(` AND item_id = ` + a.add(string(f.ItemID)))
	}
	if f.ProductID != "" {
		q.WriteString(` AND product_id = ` + a.add(string(f.ProductID)))
	}
	q.WriteString(` ORDER BY id LIMIT ` + a.add(limit+1))
	return queryList(ctx, s.t, op, q.String(), a, limit, scanMovement, func(m warehouse.Movement) string { return string(m.ID) })
}

// Levels counts the customer's items per product and status, one page of
// products at a time, grouping along (customer_id, product_id, id).
func (s stockRepo) Levels(ctx context.Context, f storage.LevelFilter, p storage.Page) (storage.List[warehouse.Level], error) {
	const op = "counting stock"
	if f.CustomerID == "" {
		return storage.List[warehouse.Level]{}, fmt.Errorf("postgres: %s: %w", op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[warehouse.Level]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return storage.List[warehouse.Level]{}, nil
	}
	var a args
	var q strings.Builder
	q.WriteString(`SELECT product_id,
		count(*) FILTER (WHERE status = 'in_stock'), count(*) FILTER (WHERE status = 'issued'),
		count(*) FILTER (WHERE status = 'retired')
		FROM stock_items WHERE customer_id = ` + a.add(string(f.CustomerID)) + ` AND product_id > ` + a.add(after))
	if f.ProductID != "" {
		q.WriteString(` AND product_id = ` + a.add(string(f.ProductID)))
	}
	if len(f.SiteIDs) > 0 {
		q.WriteString(` AND site_id = ANY(` + a.add(texts(f.SiteIDs)) + `)`)
	}
	q.WriteString(` GROUP BY product_id ORDER BY product_id LIMIT ` + a.add(limit+1))
	scan := func(sc scanner) (warehouse.Level, error) {
		var l warehouse.Level
		err := sc.Scan(&l.ProductID, &l.InStock, &l.Issued, &l.Retired)
		return l, err
	}
	return queryList(ctx, s.t, op, q.String(), a, limit, scan, func(l warehouse.Level) string { return string(l.ProductID) })
}

const itemColumns = `id, customer_id, product_id, serial_number, condition, site_id, status,
	holder_name, holder_email, holder_employee_number, order_id, version, created_at, updated_at`

func scanItem(s scanner) (warehouse.Item, error) {
	var (
		it                  warehouse.Item
		serial, site, order *string
		h                   = &it.Holder
	)
	err := s.Scan(&it.ID, &it.CustomerID, &it.ProductID, &serial, &it.Condition, &site, &it.Status,
		&h.Name, &h.Email, &h.EmployeeNumber, &order, &it.Version, &it.CreatedAt, &it.UpdatedAt)
	if err != nil {
		return warehouse.Item{}, err
	}
	it.SerialNumber = orEmpty(serial)
	it.SiteID = customer.SiteID(orEmpty(site))
	it.OrderID = orders.ID(orEmpty(order))
	return it, nil
}

const movementColumns = `id, item_id, customer_id, product_id, kind, from_status, to_status,
	holder_name, holder_email, holder_employee_number, condition, order_id, at, by, note`

func scanMovement(s scanner) (warehouse.Movement, error) {
	var (
		m     warehouse.Movement
		order *string
		h     = &m.Holder
	)
	err := s.Scan(&m.ID, &m.ItemID, &m.CustomerID, &m.ProductID, &m.Kind, &m.From, &m.To,
		&h.Name, &h.Email, &h.EmployeeNumber, &m.Condition, &order, &m.At, &m.By, &m.Note)
	if err != nil {
		return warehouse.Movement{}, err
	}
	m.OrderID = orders.ID(orEmpty(order))
	return m, nil
}
