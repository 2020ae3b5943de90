package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// TestConcurrentPlacementsDoNotConflict places orders from 16 clients at
// once, each request with an idempotency key of its own, as the load test
// of the reference server does. On PostgreSQL, whose writers run
// concurrently under SERIALIZABLE, none may fail to serialize after its
// retries: a shared hot row (the order-number counter was one) makes
// placements take turns and, under enough load, run out of retries.
// (With the counter row this run retried 1.5 times per placement, and the
// reference server's load test met placements that ran out; with the
// sequence, 0.17 times. storage/postgres's TestNextNumberDoesNotWait
// pins the cause.)
func TestConcurrentPlacementsDoNotConflict(t *testing.T) {
	t.Parallel()
	const clients, each = 16, 30
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, newStore(t))
			// Customers of their own, as in the load test, each shared by
			// two clients.
			laptop := e.createProduct(t, "LAP-1", "Laptop 14", 129_900, "")
			admins := make([]portal.Member, clients/2)
			for i := range admins {
				c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
					Name: fmt.Sprintf("Shop %d", i), Features: customer.FeaturesPatch{OrderAuthorization: ptr(true)},
				})
				require.NoError(t, err)
				admins[i] = e.addMember(t, c.ID, fmt.Sprintf("admin@shop%d.example", i), customer.RoleAdmin)
			}
			params := portal.PlaceOrderParams{
				Lines:           []portal.OrderLineParams{line(laptop, 1)},
				DeliveryAddress: &customer.Address{Line1: "Main St 1", PostalCode: "10115", City: "Berlin", Country: "DE"},
			}
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				failures []error
				numbers  = map[int64]bool{}
			)
			for c := range clients {
				admin := admins[c%len(admins)]
				ctx := as(t, admin)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range each {
						var placed int64
						_, _, err := e.p.Idempotent(ctx, fmt.Sprintf("client-%d-%d", c, i), "place",
							func(ctx context.Context) idempotency.Response {
								o, err := e.p.PlaceOrder(ctx, admin.CustomerID, params)
								if err != nil {
									mu.Lock()
									failures = append(failures, err)
									mu.Unlock()
									return idempotency.Response{Status: http.StatusConflict}
								}
								placed = int64(o.Number)
								return idempotency.Response{Status: http.StatusCreated, Body: []byte(o.ID)}
							}, nil)
						mu.Lock()
						if err != nil {
							failures = append(failures, err)
						}
						if placed != 0 {
							assert.False(t, numbers[placed], "order number %d given twice", placed)
							numbers[placed] = true
						}
						mu.Unlock()
					}
				}()
			}
			wg.Wait()
			for _, err := range failures {
				t.Errorf("a placement failed (%s): %v", portalerr.CodeOf(err), err)
			}
			require.Len(t, numbers, clients*each, "every placement made an order")
		})
	}
}
