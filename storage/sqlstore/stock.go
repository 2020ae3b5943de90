package sqlstore

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

type stockRepo struct{ t *txn }

func (t *txn) Stock() storage.StockRepo { return stockRepo{t} }

var items = newTable(table[warehouse.Item]{
	name: "stock_items", noun: "item",
	columns: []string{"id", "customer_id", "product_id", "serial_number", "condition", "site_id", "status",
		"holder_name", "holder_email", "holder_employee_number", "order_id", "version", "created_at", "updated_at",
		"holder_employee_id"},
	values: func(it *warehouse.Item) []any {
		h := &it.Holder
		return []any{
			string(it.ID), string(it.CustomerID), string(it.ProductID), nullString(it.SerialNumber), string(it.Condition),
			nullString(it.SiteID), string(it.Status), h.Name, h.Email, h.EmployeeNumber, nullString(it.OrderID),
			it.Version, ts(it.CreatedAt), ts(it.UpdatedAt), nullString(it.HolderID),
		}
	},
	dest: func(it *warehouse.Item) []any {
		h := &it.Holder
		return []any{
			&it.ID, &it.CustomerID, &it.ProductID, scol(&it.SerialNumber), &it.Condition,
			scol(&it.SiteID), &it.Status, &h.Name, &h.Email, &h.EmployeeNumber, scol(&it.OrderID),
			&it.Version, tcol(&it.CreatedAt), tcol(&it.UpdatedAt), scol(&it.HolderID),
		}
	},
	fkErr: storage.ErrNotFound,
})

var movements = newTable(table[warehouse.Movement]{
	name: "stock_movements", noun: "movement",
	columns: []string{"id", "item_id", "customer_id", "product_id", "kind", "from_status", "to_status",
		"holder_name", "holder_email", "holder_employee_number", "condition", "order_id", "at", "by", "note"},
	values: func(m *warehouse.Movement) []any {
		h := &m.Holder
		return []any{
			string(m.ID), string(m.ItemID), string(m.CustomerID), string(m.ProductID), string(m.Kind),
			string(m.From), string(m.To), h.Name, h.Email, h.EmployeeNumber, string(m.Condition),
			nullString(m.OrderID), ts(m.At), m.By, m.Note,
		}
	},
	dest: func(m *warehouse.Movement) []any {
		h := &m.Holder
		return []any{
			&m.ID, &m.ItemID, &m.CustomerID, &m.ProductID, &m.Kind, &m.From, &m.To,
			&h.Name, &h.Email, &h.EmployeeNumber, &m.Condition, scol(&m.OrderID), tcol(&m.At), &m.By, &m.Note,
		}
	},
	fkErr: storage.ErrNotFound,
})

// Create stores it and its stock-in movement m. ErrAlreadyExists when the
// item's ID, the movement's ID or the serial number within the customer is
// taken; ErrNotFound when the customer, the product or the order does not
// exist.
func (s stockRepo) Create(ctx context.Context, it warehouse.Item, m warehouse.Movement) error {
	op := "stocking in item " + string(it.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	if _, err := s.t.exec(ctx, op, items.fkErr, items.insertSQL, items.values(&it)...); err != nil {
		return err
	}
	m.ItemID = it.ID
	return s.appendMovement(ctx, op, m)
}

// appendMovement adds m to the ledger, as part of op.
func (s stockRepo) appendMovement(ctx context.Context, op string, m warehouse.Movement) error {
	_, err := s.t.exec(ctx, op+": movement "+string(m.ID), movements.fkErr, movements.insertSQL, movements.values(&m)...)
	return err
}

// Get returns the item with the given ID, or ErrNotFound.
func (s stockRepo) Get(ctx context.Context, id warehouse.ItemID) (warehouse.Item, error) {
	return items.get(ctx, s.t, string(id))
}

// moveSQL writes a moved item if its status is still the one the move
// starts from.
var moveSQL = `UPDATE stock_items SET
	status = ?, holder_name = ?, holder_email = ?, holder_employee_number = ?, condition = ?, site_id = ?,
	holder_employee_id = ?, version = version + 1, updated_at = ?
	WHERE id = ? AND status = ?
	RETURNING ` + items.cols

// Move writes it in one conditional UPDATE on the item's status and
// appends m. The status check and the write are one statement, so two
// moves from one status (two issues of one item) cannot both succeed,
// whatever the isolation: on PostgreSQL, under SERIALIZABLE, the second
// waits for the first's row lock and then fails to serialize, and InTx's
// rerun finds the status changed. ErrConflict when the item is no longer
// m.From; ErrNotFound when there is no such item; ErrAlreadyExists when
// m's ID is taken.
func (s stockRepo) Move(ctx context.Context, it warehouse.Item, m warehouse.Movement) (warehouse.Item, error) {
	op := "moving item " + string(it.ID)
	if err := s.t.writable(op); err != nil {
		return warehouse.Item{}, err
	}
	h := it.Holder
	out, err := updateIf(ctx, s.t, items, op, string(it.ID), "not "+string(m.From), moveSQL,
		string(it.Status), h.Name, h.Email, h.EmployeeNumber, string(it.Condition), nullString(it.SiteID),
		nullString(it.HolderID), ts(it.UpdatedAt), string(it.ID), string(m.From))
	if err != nil {
		return warehouse.Item{}, err
	}
	m.ItemID = it.ID
	if err := s.appendMovement(ctx, op, m); err != nil {
		return warehouse.Item{}, err
	}
	return out, nil
}

// List returns one page of the customer's items matching f, ordered by ID.
// With sites, one walk of (customer_id, site_id, id) per site, each cut at
// limit+1, so that a page costs the same however many items the sites hold.
func (s stockRepo) List(ctx context.Context, f storage.ItemFilter, p storage.Page) (storage.List[warehouse.Item], error) {
	const op = "listing items"
	if err := s.customerRequired(op, f.CustomerID); err != nil {
		return storage.List[warehouse.Item]{}, err
	}
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return emptyPage[warehouse.Item](s.t, op, p)
	}
	where := `customer_id = ?`
	args := []any{string(f.CustomerID)}
	if f.ProductID != "" {
		where += ` AND product_id = ?`
		args = append(args, string(f.ProductID))
	}
	switch {
	case f.Status != "":
		where += ` AND status = ?`
		args = append(args, string(f.Status))
	case f.Held:
		where += ` AND status IN ('in_stock', 'issued')`
	}
	if f.SerialNumber != "" {
		where += ` AND serial_number = ?`
		args = append(args, f.SerialNumber)
	}
	if f.OrderID != "" {
		where += ` AND order_id = ?`
		args = append(args, string(f.OrderID))
	}
	if f.HolderID != "" {
		where += ` AND holder_employee_id = ?`
		args = append(args, string(f.HolderID))
	}
	return listByAnyOf(ctx, s.t, items, op, p, where, args, "site_id", anyOf(f.SiteIDs),
		func(it warehouse.Item) string { return string(it.ID) })
}

// Movements returns one page of the customer's ledger matching f, ordered by ID.
func (s stockRepo) Movements(ctx context.Context, f storage.MovementFilter, p storage.Page) (storage.List[warehouse.Movement], error) {
	const op = "listing movements"
	if err := s.customerRequired(op, f.CustomerID); err != nil {
		return storage.List[warehouse.Movement]{}, err
	}
	where := `customer_id = ?`
	args := []any{string(f.CustomerID)}
	if f.ItemID != "" {
		where += ` AND item_id = ?`
		args = append(args, string(f.ItemID))
	}
	if f.ProductID != "" {
		where += ` AND product_id = ?`
		args = append(args, string(f.ProductID))
	}
	return movements.list(ctx, s.t, op, p, where, args, func(m warehouse.Movement) string { return string(m.ID) })
}

// Levels counts the customer's items per product and status, one page of
// products at a time, grouping along (customer_id, product_id, id).
func (s stockRepo) Levels(ctx context.Context, f storage.LevelFilter, p storage.Page) (storage.List[warehouse.Level], error) {
	const op = "counting stock"
	if err := s.customerRequired(op, f.CustomerID); err != nil {
		return storage.List[warehouse.Level]{}, err
	}
	if f.SiteIDs != nil && len(f.SiteIDs) == 0 {
		return emptyPage[warehouse.Level](s.t, op, p)
	}
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[warehouse.Level]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	q := `SELECT product_id,
		count(*) FILTER (WHERE status = 'in_stock'), count(*) FILTER (WHERE status = 'issued'),
		count(*) FILTER (WHERE status = 'retired')
		FROM stock_items WHERE customer_id = ? AND product_id > ?`
	args := []any{string(f.CustomerID), after}
	if f.ProductID != "" {
		q += ` AND product_id = ?`
		args = append(args, string(f.ProductID))
	}
	if len(f.SiteIDs) > 0 {
		q += ` AND site_id IN (` + placeholders(len(f.SiteIDs)) + `)`
		args = append(args, anyOf(f.SiteIDs)...)
	}
	q += ` GROUP BY product_id ORDER BY product_id LIMIT ?`
	args = append(args, limit+1)
	scan := func(sc scanner) (warehouse.Level, error) {
		var l warehouse.Level
		err := sc.Scan(&l.ProductID, &l.InStock, &l.Issued, &l.Retired)
		return l, err
	}
	return queryList(ctx, s.t, op, q, args, limit, scan, func(l warehouse.Level) string { return string(l.ProductID) })
}

// customerRequired refuses a list of the warehouse without a customer.
func (s stockRepo) customerRequired(op string, id customer.ID) error {
	if id == "" {
		return fmt.Errorf("%s: %s: %w", s.t.d.Name, op, portalerr.Invalidf("customer_id", "is required"))
	}
	return nil
}

// emptyPage is the page of a filter that matches nothing, once the page
// itself has been checked.
func emptyPage[T any](t *txn, op string, p storage.Page) (storage.List[T], error) {
	if _, _, err := normalize(p); err != nil {
		return storage.List[T]{}, fmt.Errorf("%s: %s: %w", t.d.Name, op, err)
	}
	return storage.List[T]{}, nil
}
