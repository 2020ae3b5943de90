package sqlite_test

import (
	"testing"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// openOrderTable returns a store whose database holds t's customers, two
// products and t's orders (one line and one history event each; one in
// fifty submitted, the rest fulfilled), seeded by openSeeded.
func openOrderTable(b *testing.B, t storagetest.OrderTable) storage.Store {
	b.Helper()
	return openSeeded(b, []string{"customers", "orders", "order_lines", "order_events"}, []any{t.Customers, t.Orders},
		seedCustomers,
		`INSERT INTO products VALUES
			('prd_000000000001', 'LAP-14', 'Laptop 14', '', 'laptops', 129900, 'EUR', 1, '{}', NULL, 1, `+seedTS+`, `+seedTS+`),
			('prd_000000000002', 'PHN-6', 'Phone 6', '', 'phones', 69900, 'EUR', 1, '{}', NULL, 1, `+seedTS+`, `+seedTS+`)`,
		`INSERT INTO orders
		WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?2)
		SELECT printf('ord_%012d', i), i + 1, printf('cus_%012d', i % ?1), NULL, 'standard',
			CASE WHEN i % 50 = 0 THEN 'submitted' ELSE 'fulfilled' END, 'EUR',
			'', '', '', '', '', '', 'Bob', '', '', NULL, '', 'usr_000000000001', 1, `+seedTS+`, `+seedTS+` FROM n`,
		`INSERT INTO order_lines
		SELECT id, 1, 'prd_000000000001', 'LAP-14', 'Laptop 14', 129900, 'EUR', 1 FROM orders`,
		`INSERT INTO order_events
		SELECT id, 1, '', 'submitted', `+seedTS+`, 'user:usr_000000000001', '' FROM orders`,
		`INSERT INTO counters VALUES ('order_number', ?2)`,
	)
}

// BenchmarkOrderPlace is storagetest.BenchmarkOrderPlace on this backend.
func BenchmarkOrderPlace(b *testing.B) { storagetest.BenchmarkOrderPlace(b, openOrderTable) }

// BenchmarkOrderList is storagetest.BenchmarkOrderList on this backend.
func BenchmarkOrderList(b *testing.B) { storagetest.BenchmarkOrderList(b, openOrderTable) }
