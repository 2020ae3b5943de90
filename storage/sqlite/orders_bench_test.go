package sqlite_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// orderTable is a size of the orders table the benchmarks run against.
type orderTable struct {
	name      string
	customers int
	orders    int // spread evenly over the customers
}

var orderTables = []orderTable{
	{"orders=10k/customers=100", 100, 10_000},
	{"orders=1M/customers=10k", 10_000, 1_000_000},
}

// openOrderTable returns a store whose database holds t's customers, two
// products and t's orders (one line and one history event each; one in
// fifty submitted, the rest fulfilled), seeded with bulk SQL on a
// connection of its own, so that a million orders take seconds.
func openOrderTable(b *testing.B, t orderTable) *sqlite.Store {
	b.Helper()
	path := filepath.Join(b.TempDir(), "portal.db")
	s := openStore(b, path)
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	require.NoError(b, err)
	defer db.Close()
	ctx := b.Context()
	started := time.Now()
	tx, err := db.BeginTx(ctx, nil)
	require.NoError(b, err)
	// Building the indexes after the rows is much faster than keeping them
	// up to date row by row.
	var indexes []string
	rows, err := tx.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL
		AND tbl_name IN ('customers', 'orders', 'order_lines', 'order_events')`)
	require.NoError(b, err)
	for rows.Next() {
		var q string
		require.NoError(b, rows.Scan(&q))
		indexes = append(indexes, q)
	}
	require.NoError(b, rows.Err())
	require.NoError(b, rows.Close())
	for _, q := range indexes {
		name := strings.Fields(q)[2] // CREATE INDEX <name> ON ...
		_, err := tx.ExecContext(ctx, `DROP INDEX `+name)
		require.NoError(b, err)
	}
	const ts = `'2026-01-05T09:00:00.000000Z'`
	stmts := []string{
		`INSERT INTO customers
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?1)
		SELECT printf('cus_%012d', i), 'Customer ' || i, '', '', '', '', '', '', '', '', '', 'DE',
			NULL, NULL, 'active', 1, 0, 1, 0, 0, 0, 0, 0, 1, ` + ts + `, ` + ts + ` FROM n`,
		`INSERT INTO products VALUES
			('prd_000000000001', 'LAP-14', 'Laptop 14', '', 'laptops', 129900, 'EUR', 1, '{}', NULL, 1, ` + ts + `, ` + ts + `),
			('prd_000000000002', 'PHN-6', 'Phone 6', '', 'phones', 69900, 'EUR', 1, '{}', NULL, 1, ` + ts + `, ` + ts + `)`,
		`INSERT INTO orders
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
		SELECT printf('ord_%012d', i), i + 1, printf('cus_%012d', i % ?1), NULL, 'standard',
			CASE WHEN i % 50 = 0 THEN 'submitted' ELSE 'fulfilled' END, 'EUR',
			'', '', '', '', '', '', 'Bob', '', '', NULL, '', 'usr_000000000001', 1, ` + ts + `, ` + ts + ` FROM n`,
		`INSERT INTO order_lines
		SELECT id, 1, 'prd_000000000001', 'LAP-14', 'Laptop 14', 129900, 'EUR', 1 FROM orders`,
		`INSERT INTO order_events
		SELECT id, 1, '', 'submitted', ` + ts + `, 'user:usr_000000000001', '' FROM orders`,
		`INSERT INTO counters VALUES ('order_number', ?2)`,
	}
	for _, q := range stmts {
		_, err := tx.ExecContext(ctx, q, t.customers, t.orders)
		require.NoError(b, err, q)
	}
	for _, q := range indexes {
		_, err := tx.ExecContext(ctx, q)
		require.NoError(b, err, q)
	}
	require.NoError(b, tx.Commit())
	// Statistics for the planner, and the seed moved from the WAL into the
	// database, so that no benchmark pays for checkpointing it.
	for _, q := range []string{`ANALYZE`, `PRAGMA wal_checkpoint(TRUNCATE)`} {
		_, err = db.ExecContext(ctx, q)
		require.NoError(b, err, q)
	}
	b.Logf("seeded %d orders of %d customers in %s", t.orders, t.customers, time.Since(started).Round(time.Millisecond))
	return s
}

func benchOrder(id orders.ID, cid customer.ID) orders.Order {
	at := time.Date(2026, 1, 6, 9, 0, 0, 0, time.UTC)
	return orders.Order{
		ID: id, CustomerID: cid, Kind: orders.KindStandard, Status: orders.StatusSubmitted, Currency: "EUR",
		Lines: []orders.Line{
			{ProductID: "prd_000000000001", SKU: "LAP-14", Name: "Laptop 14", UnitPrice: orders.Money{Amount: 129900, Currency: "EUR"}, Quantity: 2},
			{ProductID: "prd_000000000002", SKU: "PHN-6", Name: "Phone 6", UnitPrice: orders.Money{Amount: 69900, Currency: "EUR"}, Quantity: 1},
		},
		Recipient: orders.Employee{Name: "Bob"}, OrderedBy: "usr_000000000001",
		History: []orders.Event{{To: orders.StatusSubmitted, At: at, By: "user:usr_000000000001"}},
		Version: 1, CreatedAt: at, UpdatedAt: at,
	}
}

// BenchmarkOrderPlace measures placing one order (a number from the
// counter, the order, two lines and its submission) per write
// transaction, the shape of the PlaceOrder use case's writes, into a small
// table and into one of a million orders.
func BenchmarkOrderPlace(b *testing.B) {
	for _, t := range orderTables {
		b.Run(t.name, func(b *testing.B) {
			ctx := b.Context()
			s := openOrderTable(b, t)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				o := benchOrder(orders.ID(fmt.Sprintf("ord_z%011d", i)), customer.ID(fmt.Sprintf("cus_%012d", i%t.customers)))
				err := s.InTx(ctx, func(r storage.Repos) error {
					n, err := r.Orders().NextNumber(ctx)
					if err != nil {
						return err
					}
					o.Number = n
					return r.Orders().Create(ctx, o)
				})
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkOrderList measures one page of 50 orders, lines and history
// included: a customer's orders newest first (its first page and one deep
// in its history), one status of them, and the provider's inbox across
// customers, oldest first. Keyset paging over the indexes keeps each flat
// as the table grows.
func BenchmarkOrderList(b *testing.B) {
	for _, t := range orderTables {
		b.Run(t.name, func(b *testing.B) {
			ctx := b.Context()
			s := openOrderTable(b, t)
			// A customer in the middle, whose orders (every customers-th) are
			// fulfilled; the cursor is half-way down its list.
			c := t.customers/2 + 1
			cid := customer.ID(fmt.Sprintf("cus_%012d", c))
			deep := storage.Cursor(fmt.Sprintf("ord_%012d", t.orders/2+c))
			cases := []struct {
				name string
				f    storage.OrderFilter
				p    storage.Page
				want int
			}{
				{"customer-newest", storage.OrderFilter{CustomerID: cid, NewestFirst: true}, storage.Page{Limit: 50}, 50},
				{"customer-newest-deep", storage.OrderFilter{CustomerID: cid, NewestFirst: true}, storage.Page{Limit: 50, Cursor: deep}, 50},
				{"customer-status", storage.OrderFilter{CustomerID: cid, Status: orders.StatusFulfilled, NewestFirst: true}, storage.Page{Limit: 50}, 50},
				{"inbox", storage.OrderFilter{Status: orders.StatusSubmitted}, storage.Page{Limit: 50}, 50},
			}
			for _, tc := range cases {
				b.Run(tc.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						err := s.ReadTx(ctx, func(r storage.Repos) error {
							l, err := r.Orders().List(ctx, tc.f, tc.p)
							if err == nil && len(l.Items) != tc.want {
								err = fmt.Errorf("got %d orders", len(l.Items))
							}
							return err
						})
						if err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}
