package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/storage"
)

// OrderTable is a size of the orders table the order benchmarks run
// against.
type OrderTable struct {
	Name      string
	Customers int
	Orders    int // spread evenly over the customers
}

// OrderTables are the sizes every backend benchmarks, so their figures
// can be put side by side.
var OrderTables = []OrderTable{
	{"orders=10k/customers=100", 100, 10_000},
	{"orders=1M/customers=10k", 10_000, 1_000_000},
}

// OpenOrderTable returns a store seeded for t, the way a backend can do it
// fastest (bulk SQL). The benchmarks rely on this data:
//   - customers cus_000000000000 … (printf "cus_%012d", i from 0), active;
//   - products prd_000000000001 (LAP-14, 129900 EUR) and prd_000000000002
//     (PHN-6, 69900 EUR);
//   - orders ord_000000000000 … ("ord_%012d", i from 0) with number i+1,
//     customer i % Customers, one line and one history event each,
//     submitted when i % 50 == 0 and fulfilled otherwise;
//   - the order-number counter at Orders.
type OpenOrderTable func(b *testing.B, t OrderTable) storage.Store

// BenchmarkOrderPlace measures placing one order (a number from the
// counter, the order, two lines and its submission) per write
// transaction, the shape of the PlaceOrder use case's writes, into each of
// OrderTables.
func BenchmarkOrderPlace(b *testing.B, open OpenOrderTable) {
	for _, t := range OrderTables {
		b.Run(t.Name, func(b *testing.B) {
			ctx := b.Context()
			s := open(b, t)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				o := benchOrder(orders.ID(fmt.Sprintf("ord_z%011d", i)), customer.ID(fmt.Sprintf("cus_%012d", i%t.Customers)))
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
func BenchmarkOrderList(b *testing.B, open OpenOrderTable) {
	for _, t := range OrderTables {
		b.Run(t.Name, func(b *testing.B) {
			ctx := b.Context()
			s := open(b, t)
			// A customer in the middle, whose orders (every Customers-th) are
			// fulfilled; the cursor is half-way down its list.
			c := t.Customers/2 + 1
			cid := customer.ID(fmt.Sprintf("cus_%012d", c))
			deep := storage.Cursor(fmt.Sprintf("ord_%012d", t.Orders/2+c))
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

// benchOrder is a submitted order of two lines for customer cid.
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
