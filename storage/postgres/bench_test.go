package postgres_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

func benchCustomer(i int) customer.Customer {
	c := newCustomer(fmt.Sprintf("cus_%012d", i), fmt.Sprintf("Customer %d", i))
	c.ExternalRef = fmt.Sprintf("ERP-%d", i)
	if i%10 == 0 {
		c.Status = customer.StatusSuspended
	}
	return c
}

// The benchmarks mirror storage/sqlite's, names and sizes included, so the
// two backends' figures can be put side by side.

// BenchmarkCustomerCreate measures one customer per write transaction, the
// shape of a use case, into an empty table and into one of 100k customers.
func BenchmarkCustomerCreate(b *testing.B) {
	for _, n := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("rows=%dk", n/1000), func(b *testing.B) {
			ctx := b.Context()
			s := postgrestest.Open(b)
			seedCustomers(b, s, n)
			b.ReportAllocs()
			i := n
			for b.Loop() {
				i++
				err := s.InTx(ctx, func(r storage.Repos) error { return r.Customers().Create(ctx, benchCustomer(i)) })
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// seedCustomers stores customers 0..n-1 in transactions of 10k.
func seedCustomers(b *testing.B, s storage.Store, n int) {
	b.Helper()
	ctx := b.Context()
	const batch = 10_000
	started := time.Now()
	for start := 0; start < n; start += batch {
		err := s.InTx(ctx, func(r storage.Repos) error {
			for i := start; i < min(start+batch, n); i++ {
				if err := r.Customers().Create(ctx, benchCustomer(i)); err != nil {
					return err
				}
			}
			return nil
		})
		require.NoError(b, err)
	}
	// As autovacuum would leave the table a little later: statistics, so
	// the planner knows its size, and the trigram index's pending entries
	// merged, so a search does not scan them.
	require.NoError(b, s.InTx(ctx, func(r storage.Repos) error {
		tx := postgres.TxOf(r)
		if _, err := tx.Exec(ctx, `ANALYZE customers`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT gin_clean_pending_list(oid) FROM pg_class WHERE oid = to_regclass('customers_search')`)
		return err
	}))
	b.Logf("seeded %d customers in %s", n, time.Since(started).Round(time.Millisecond))
}

// BenchmarkCustomerList measures one page of 50 at two table sizes: keyset
// paging should cost the same near the start and deep in the table, and the
// same at 10k and 100k rows.
func BenchmarkCustomerList(b *testing.B) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%dk", n/1000), func(b *testing.B) {
			ctx := b.Context()
			s := postgrestest.Open(b)
			seedCustomers(b, s, n)
			deep := storage.Cursor(fmt.Sprintf("cus_%012d", n*9/10))
			cases := []struct {
				name string
				f    storage.CustomerFilter
				p    storage.Page
				want int
			}{
				{"first", storage.CustomerFilter{}, storage.Page{Limit: 50}, 50},
				{"deep", storage.CustomerFilter{}, storage.Page{Limit: 50, Cursor: deep}, 50},
				{"status", storage.CustomerFilter{Statuses: []customer.Status{customer.StatusSuspended}}, storage.Page{Limit: 50}, 50},
				{"status-deep", storage.CustomerFilter{Statuses: []customer.Status{customer.StatusSuspended}}, storage.Page{Limit: 50, Cursor: deep}, 50},
				// Substring search: the planner walks the primary key until
				// the page is full for a common term, and asks the trigram
				// index for a term no row has.
				{"search-common", storage.CustomerFilter{Search: "customer 9"}, storage.Page{Limit: 50}, 50},
				{"search-none", storage.CustomerFilter{Search: "no such customer"}, storage.Page{Limit: 50}, 0},
				{"statuses-deep", storage.CustomerFilter{Statuses: []customer.Status{customer.StatusActive, customer.StatusSuspended}}, storage.Page{Limit: 50, Cursor: deep}, 50},
			}
			for _, tc := range cases {
				b.Run(tc.name, func(b *testing.B) {
					b.ReportAllocs()
					for b.Loop() {
						err := s.ReadTx(ctx, func(r storage.Repos) error {
							l, err := r.Customers().List(ctx, tc.f, tc.p)
							if err == nil && len(l.Items) != tc.want {
								err = fmt.Errorf("got %d items", len(l.Items))
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
