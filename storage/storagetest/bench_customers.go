package storagetest

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

// CustomerBench is how a backend takes part in the customer benchmarks:
// Open returns a fresh, empty store, and Settle, when set, runs after the
// table has been seeded and before anything is timed, doing what the
// backend's own housekeeping would have done by then (PostgreSQL: gather
// statistics).
type CustomerBench struct {
	Open   func(b *testing.B) storage.Store
	Settle func(b *testing.B, s storage.Store)
}

// benchCustomer is customer i of the seeded table: ID "cus_%012d", name
// "Customer i", an external reference, every tenth suspended.
func benchCustomer(i int) customer.Customer {
	c := newCustomer(fmt.Sprintf("Customer %d", i))
	c.ID = customer.ID(fmt.Sprintf("cus_%012d", i))
	c.ExternalRef = fmt.Sprintf("ERP-%d", i)
	if i%10 == 0 {
		c.Status = customer.StatusSuspended
	}
	return c
}

// seedCustomers stores customers 0..n-1 in transactions of 10k, then
// settles the store.
func (cb CustomerBench) seed(b *testing.B, s storage.Store, n int) {
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
	if cb.Settle != nil {
		cb.Settle(b, s)
	}
	b.Logf("seeded %d customers in %s", n, time.Since(started).Round(time.Millisecond))
}

// BenchmarkCustomerCreate measures one customer per write transaction, the
// shape of a use case, into an empty table and into one of 100k customers.
func BenchmarkCustomerCreate(b *testing.B, cb CustomerBench) {
	for _, n := range []int{0, 100_000} {
		b.Run(fmt.Sprintf("rows=%dk", n/1000), func(b *testing.B) {
			ctx := b.Context()
			s := cb.Open(b)
			cb.seed(b, s, n)
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

// BenchmarkCustomerList measures one page of 50 at two table sizes: keyset
// paging should cost the same near the start and deep in the table, and the
// same at 10k and 100k rows.
func BenchmarkCustomerList(b *testing.B, cb CustomerBench) {
	for _, n := range []int{10_000, 100_000} {
		b.Run(fmt.Sprintf("rows=%dk", n/1000), func(b *testing.B) {
			ctx := b.Context()
			s := cb.Open(b)
			cb.seed(b, s, n)
			deep := storage.Cursor(fmt.Sprintf("cus_%012d", n*9/10))
			suspended := []customer.Status{customer.StatusSuspended}
			cases := []struct {
				name string
				f    storage.CustomerFilter
				p    storage.Page
				want int
			}{
				{"first", storage.CustomerFilter{}, storage.Page{Limit: 50}, 50},
				{"deep", storage.CustomerFilter{}, storage.Page{Limit: 50, Cursor: deep}, 50},
				{"status", storage.CustomerFilter{Statuses: suspended}, storage.Page{Limit: 50}, 50},
				{"status-deep", storage.CustomerFilter{Statuses: suspended}, storage.Page{Limit: 50, Cursor: deep}, 50},
				// Substring search: a common term fills the page early in ID
				// order; a term no row has costs a full scan unless the
				// backend has an index for it (PostgreSQL's trigram index).
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
