package postgres_test

import (
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// openOrderTable returns a store that holds t's customers, two products
// and t's orders (one line and one history event each; one in fifty
// submitted, the rest fulfilled), seeded by openSeeded.
func openOrderTable(b *testing.B, t storagetest.OrderTable) storage.Store {
	b.Helper()
	return openSeeded(b, []string{"customers", "products", "orders", "order_lines", "order_events"},
		pgx.NamedArgs{"customers": t.Customers, "orders": t.Orders},
		seedCustomers,
		`INSERT INTO products VALUES
			('prd_000000000001', 'LAP-14', 'Laptop 14', '', 'laptops', 129900, 'EUR', true, '{}', NULL, 1, `+seedTS+`, `+seedTS+`),
			('prd_000000000002', 'PHN-6', 'Phone 6', '', 'phones', 69900, 'EUR', true, '{}', NULL, 1, `+seedTS+`, `+seedTS+`)`,
		`INSERT INTO orders
		SELECT 'ord_' || lpad(i::text, 12, '0'), i + 1, 'cus_' || lpad((i % @customers::int)::text, 12, '0'), NULL, 'standard',
			CASE WHEN i % 50 = 0 THEN 'submitted' ELSE 'fulfilled' END, 'EUR',
			'', '', '', '', '', '', 'Bob', '', '', NULL, '', 'usr_000000000001', 1, `+seedTS+`, `+seedTS+`
		FROM generate_series(0, @orders::int - 1) i`,
		`INSERT INTO order_lines
		SELECT id, 1, 'prd_000000000001', 'LAP-14', 'Laptop 14', 129900, 'EUR', 1 FROM orders`,
		`INSERT INTO order_events
		SELECT id, 1, '', 'submitted', `+seedTS+`, 'user:usr_000000000001', '' FROM orders`,
		`SELECT setval('order_number', @orders::bigint + 1, false)`,
	)
}

// BenchmarkOrderPlace is storagetest.BenchmarkOrderPlace on this backend.
func BenchmarkOrderPlace(b *testing.B) { storagetest.BenchmarkOrderPlace(b, openOrderTable) }

// BenchmarkOrderList is storagetest.BenchmarkOrderList on this backend.
func BenchmarkOrderList(b *testing.B) { storagetest.BenchmarkOrderList(b, openOrderTable) }
