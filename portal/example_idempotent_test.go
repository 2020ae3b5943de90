package portal_test

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// An HTTP layer of your own makes a request idempotent with
// Portal.Idempotent: run performs it and returns the answer to keep;
// rebuild answers a repeat whose first answer was never kept (the process
// died after the change committed) from the objects the change made.
func ExamplePortal_Idempotent() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p, err := portal.New(portal.Config{
		Store: store,
		Now:   func() time.Time { return time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) },
		IDs:   portal.SequentialIDs(),
	})
	if err != nil {
		panic(err)
	}
	staff := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffAdmin))

	// POST /customers {"name":"Acme GmbH"} with Idempotency-Key: k-1.
	create := func(ctx context.Context) idempotency.Response {
		c, err := p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Acme GmbH"})
		if err != nil {
			return idempotency.Response{Status: http.StatusBadRequest, Body: []byte(err.Error())}
		}
		return idempotency.Response{Status: http.StatusCreated, Body: []byte(c.ID)}
	}
	// What a GET of the customer the change made would answer.
	rebuild := func(ctx context.Context, ids []string) (idempotency.Response, error) {
		c, err := p.GetCustomer(ctx, customer.ID(ids[0]))
		return idempotency.Response{Status: http.StatusCreated, Body: []byte(c.ID)}, err
	}
	const fingerprint = "POST /customers sha256-of-the-body"

	for range 2 {
		answer, replayed, err := p.Idempotent(staff, "k-1", fingerprint, create, rebuild)
		if err != nil {
			panic(err)
		}
		if replayed {
			fmt.Printf("replayed: %d %s\n", answer.Status, answer.Body)
		} else {
			fmt.Println("ran: the caller sends run's own answer")
		}
	}
	l, err := p.ListCustomers(staff, portal.ListCustomersParams{})
	if err != nil {
		panic(err)
	}
	fmt.Println("customers:", len(l.Items))
	// Output:
	// ran: the caller sends run's own answer
	// replayed: 201 cus_000001
	// customers: 1
}
