package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

type stockRepo struct{ r *repos }

// Create stores it and its stock-in movement m. ErrAlreadyExists when the
// item's ID, the movement's ID or the serial number within the customer is
// taken; ErrNotFound when the customer, the product or the order does not
// exist.
func (s stockRepo) Create(ctx context.Context, it warehouse.Item, m warehouse.Movement) error {
	op := "stocking in item " + string(it.ID)
	if err := s.r.writable(op); err != nil {
		return err
	}
	h := it.Holder
	_, err := s.r.tx.ExecContext(ctx,
		`INSERT INTO stock_items (`+itemColumns+`) VALUES (`+placeholders(14)+`)`,
		string(it.ID), string(it.CustomerID), string(it.ProductID), nullString(it.SerialNumber), string(it.Condition),
		nullString(it.SiteID), string(it.Status), h.Name, h.Email, h.EmployeeNumber, nullString(it.OrderID),
		it.Version, formatTime(it.CreatedAt), formatTime(it.UpdatedAt))
	if err != nil {
		return dbError(op, err, storage.ErrNotFound)
	}
	m.ItemID = it.ID
	return insertMovement(ctx, s.r.tx, op, m)
}

// Get returns the item with the given ID, or ErrNotFound.
func (s stockRepo) Get(ctx context.Context, id warehouse.ItemID) (warehouse.Item, error) {
	return findItemByID(ctx, s.r.tx, id)
}

// Move writes it and appends m in one conditional UPDATE on the item's
// status. ErrConflict when the item is no longer m.From; ErrNotFound when
// there is no such item; ErrAlreadyExists when m's ID is taken.
func (s stockRepo) Move(ctx context.Context, it warehouse.Item, m warehouse.Movement) (warehouse.Item, error) {
	op := "moving item " + string(it.ID)
	if err := s.r.writable(op); err != nil {
		return warehouse.Item{}, err
	}
	tx := s.r.tx
	h := it.Holder
	// The status check and the write are one statement, so two moves from
	// one status (two issues of one item) cannot both succeed.
	res, err := tx.ExecContext(ctx, `UPDATE stock_items SET
		status = ?, holder_name = ?, holder_email = ?, holder_employee_number = ?, condition = ?, site_id = ?,
		version = version + 1, updated_at = ?
		WHERE id = ? AND status = ?`,
		string(it.Status), h.Name, h.Email, h.EmployeeNumber, string(it.Condition), nullString(it.SiteID),
		formatTime(it.UpdatedAt), string(it.ID), string(m.From))
	n, err := rowsAffected(op, res, err, nil)
	if err != nil {
		return warehouse.Item{}, err
	}
	if n == 0 {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM stock_items WHERE id = ?`, string(it.ID)).Scan(&one); err != nil {
			return warehouse.Item{}, dbError(op, err, nil) // ErrNotFound for no row
		}
		return warehouse.Item{}, fmt.Errorf("sqlite: %s: not %s: %w", op, m.From, storage.ErrConflict)
	}
	m.ItemID = it.ID
	if err := insertMovement(ctx, tx, op, m); err != nil {
		return warehouse.Item{}, err
	}
	return findItemByID(ctx, tx, it.ID)
}

func insertMovement(ctx context.Context, tx *sql.Tx, op string, m warehouse.Movement) error {
	h := m.Holder
	_, err := tx.ExecContext(ctx,
		`INSERT INTO stock_movements (`+movementColumns+`) VALUES (`+placeholders(15)+`)`,
		string(m.ID), string(m.ItemID), string(m.CustomerID), string(m.ProductID), string(m.Kind), string(m.From), string(m.To),
		h.Name, h.Email, h.EmployeeNumber, string(m.Condition), nullString(m.OrderID), formatTime(m.At), m.By, m.Note)
	return dbError(op+": movement "+string(m.ID), err, storage.ErrNotFound)
}

// List returns one page of the customer's items matching f, ordered by ID.
func (s stockRepo) List(ctx context.Context, f storage.ItemFilter, p storage.Page) (storage.List[warehouse.Item], error) {
	const op = "listing items"
	if f.CustomerID == "" {
		return storage.List[warehouse.Item]{}, fmt.Errorf("sqlite: %s: %w", op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[warehouse.Item]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return storage.List[warehouse.Item]{}, nil
	}
	var where strings.Builder
	where.WriteString(`customer_id = ? AND id > ?`)
	args := []any{string(f.CustomerID), after}
	if f.ProductID != "" {
		where.WriteString(` AND product_id = ?`)
		args = append(args, string(f.ProductID))
	}
	switch {
	case f.Status != "":
		where.WriteString(` AND status = ?`)
		args = append(args, string(f.Status))
	case f.Held:
		where.WriteString(` AND status IN ('in_stock', 'issued')`)
	}
	if f.SerialNumber != "" {
		where.WriteString(` AND serial_number = ?`)
		args = append(args, f.SerialNumber)
	}
	if f.OrderID != "" {
		where.WriteString(` AND order_id = ?`)
		args = append(args, string(f.OrderID))
	}
	q, args := bySites(`SELECT `+itemColumns+` FROM stock_items WHERE `+where.String(), args, f.SiteIDs, limit)
	return queryList(ctx, s.r.tx, op, q, args, limit, scanItem, func(it warehouse.Item) string { return string(it.ID) })
}

// bySites finishes a query selecting rows by where (with its args) in ID
// order, limited to limit+1 rows: with sites, one index range per site,
// each cut at limit+1, so that a page costs the same however many rows
// the sites hold.
func bySites(sel string, args []any, sites []customer.SiteID, limit int) (string, []any) {
	if len(sites) == 0 {
		return sel + ` ORDER BY id LIMIT ?`, append(args, limit+1)
	}
	part := `SELECT * FROM (` + sel + ` AND site_id = ? ORDER BY id LIMIT ?)`
	out := make([]any, 0, len(sites)*(len(args)+2)+1)
	parts := make([]string, len(sites))
	for i, site := range sites {
		parts[i] = part
		out = append(out, args...)
		out = append(out, string(site), limit+1)
	}
	return strings.Join(parts, ` UNION ALL `) + ` ORDER BY id LIMIT ?`, append(out, limit+1)
}

// Movements returns one page of the customer's ledger matching f, ordered by ID.
func (s stockRepo) Movements(ctx context.Context, f storage.MovementFilter, p storage.Page) (storage.List[warehouse.Movement], error) {
	const op = "listing movements"
	if f.CustomerID == "" {
		return storage.List[warehouse.Movement]{}, fmt.Errorf("sqlite: %s: %w", op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[warehouse.Movement]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + movementColumns + ` FROM stock_movements WHERE customer_id = ? AND id > ?`)
	args := []any{string(f.CustomerID), after}
	if f.ItemID != "" {
		q.WriteString(` AND item_id = ?`)
		args = append(args, string(f.ItemID))
	}
	if f.ProductID != "" {
		q.WriteString(` AND product_id = ?`)
		args = append(args, string(f.ProductID))
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, limit+1)
	return queryList(ctx, s.r.tx, op, q.String(), args, limit, scanMovement, func(m warehouse.Movement) string { return string(m.ID) })
}

// Levels counts the customer's items per product and status, one page of
// products at a time.
func (s stockRepo) Levels(ctx context.Context, f storage.LevelFilter, p storage.Page) (storage.List[warehouse.Level], error) {
	const op = "counting stock"
	if f.CustomerID == "" {
		return storage.List[warehouse.Level]{}, fmt.Errorf("sqlite: %s: %w", op, portalerr.Invalidf("customer_id", "is required"))
	}
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[warehouse.Level]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return storage.List[warehouse.Level]{}, nil
	}
	var q strings.Builder
	q.WriteString(`SELECT product_id,
		sum(status = 'in_stock'), sum(status = 'issued'), sum(status = 'retired')
		FROM stock_items WHERE customer_id = ? AND product_id > ?`)
	args := []any{string(f.CustomerID), after}
	if f.ProductID != "" {
		q.WriteString(` AND product_id = ?`)
		args = append(args, string(f.ProductID))
	}
	if len(f.SiteIDs) > 0 {
		q.WriteString(` AND site_id IN (` + placeholders(len(f.SiteIDs)) + `)`)
		for _, id := range f.SiteIDs {
			args = append(args, string(id))
		}
	}
	q.WriteString(` GROUP BY product_id ORDER BY product_id LIMIT ?`)
	args = append(args, limit+1)
	scan := func(sc scanner) (warehouse.Level, error) {
		var l warehouse.Level
		err := sc.Scan(&l.ProductID, &l.InStock, &l.Issued, &l.Retired)
		return l, err
	}
	return queryList(ctx, s.r.tx, op, q.String(), args, limit, scan, func(l warehouse.Level) string { return string(l.ProductID) })
}

const itemColumns = `id, customer_id, product_id, serial_number, condition, site_id, status,
	holder_name, holder_email, holder_employee_number, order_id, version, created_at, updated_at`

func scanItem(s scanner) (warehouse.Item, error) {
	var (
		it                  warehouse.Item
		serial, site, order sql.NullString
		created, updated    string
		h                   = &it.Holder
	)
	err := s.Scan(&it.ID, &it.CustomerID, &it.ProductID, &serial, &it.Condition, &site, &it.Status,
		&h.Name, &h.Email, &h.EmployeeNumber, &order, &it.Version, &created, &updated)
	if err != nil {
		return warehouse.Item{}, err
	}
	it.SerialNumber = serial.String
	it.SiteID = customer.SiteID(site.String)
	it.OrderID = orders.ID(order.String)
	if it.CreatedAt, err = parseTime(created); err != nil {
		return warehouse.Item{}, err
	}
	if it.UpdatedAt, err = parseTime(updated); err != nil {
		return warehouse.Item{}, err
	}
	return it, nil
}

func findItemByID(ctx context.Context, tx *sql.Tx, id warehouse.ItemID) (warehouse.Item, error) {
	it, err := scanItem(tx.QueryRowContext(ctx, `SELECT `+itemColumns+` FROM stock_items WHERE id = ?`, string(id)))
	if err != nil {
		return warehouse.Item{}, dbError("finding item "+string(id), err, nil)
	}
	return it, nil
}

const movementColumns = `id, item_id, customer_id, product_id, kind, from_status, to_status,
	holder_name, holder_email, holder_employee_number, condition, order_id, at, by, note`

func scanMovement(s scanner) (warehouse.Movement, error) {
	var (
		m     warehouse.Movement
		order sql.NullString
		at    string
		h     = &m.Holder
	)
	err := s.Scan(&m.ID, &m.ItemID, &m.CustomerID, &m.ProductID, &m.Kind, &m.From, &m.To,
		&h.Name, &h.Email, &h.EmployeeNumber, &m.Condition, &order, &at, &m.By, &m.Note)
	if err != nil {
		return warehouse.Movement{}, err
	}
	m.OrderID = orders.ID(order.String)
	if m.At, err = parseTime(at); err != nil {
		return warehouse.Movement{}, err
	}
	return m, nil
}
