package main

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"

	"github.com/google/uuid"
)

// The scenarios, in the order they run.
var scenarioNames = []string{"view", "list", "place", hookScenario, "confirm", "stock", "foreign"}

// serves reports whether server kind runs scenario name: the floor does the
// view, list and place work; the ceiling answers anything with a constant
// and is measured once, with view's requests.
func serves(kind, name string) bool {
	switch kind {
	case "floor":
		return slices.Contains([]string{"view", "list", "place"}, name)
	case "ceiling":
		return name == "view"
	}
	return true
}

// user picks a random customer and one of its users' session tokens.
func (fx *fixture) user(rnd *rand.Rand) (*benchCustomer, string) {
	c := &fx.customers[rnd.IntN(len(fx.customers))]
	return c, c.tokens[rnd.IntN(len(c.tokens))]
}

func statusIs(want ...int) func(int) bool {
	return func(s int) bool { return slices.Contains(want, s) }
}

// scenario returns the named scenario as sent to server kind.
func (fx *fixture) scenario(name, kind string) scenario {
	switch name {
	case "view":
		// One of the caller's own orders.
		return scenario{name: name, ok: statusIs(http.StatusOK), conn: func(rnd *rand.Rand) func(int) request {
			return func(int) request {
				c, tok := fx.user(rnd)
				o := c.orders[rnd.IntN(len(c.orders))]
				return request{method: http.MethodGet, path: fmt.Sprintf("/v1/customers/%s/orders/%s", c.id, o), token: tok}
			}
		}}
	case "list":
		// The first page of 50 of the caller's orders, newest first.
		return scenario{name: name, ok: statusIs(http.StatusOK), conn: func(rnd *rand.Rand) func(int) request {
			return func(int) request {
				c, tok := fx.user(rnd)
				return request{method: http.MethodGet, path: fmt.Sprintf("/v1/customers/%s/orders?limit=50", c.id), token: tok}
			}
		}}
	case "place", hookScenario:
		// An order of 1–3 catalogue lines with a fresh Idempotency-Key;
		// with a webhook endpoint subscribed to them for hookScenario.
		return scenario{name: name, ok: statusIs(http.StatusCreated), conn: func(rnd *rand.Rand) func(int) request {
			return func(int) request {
				c, tok := fx.user(rnd)
				return request{
					method: http.MethodPost, path: fmt.Sprintf("/v1/customers/%s/orders", c.id), token: tok,
					body: fx.orderBody(rnd), idempotencyKey: uuid.NewString(),
				}
			}
		}}
	case "confirm":
		// Staff confirm an order waiting in the inbox, each order once.
		// Should the seeded inbox run dry (a small -orders), they list the
		// inbox instead, so the run goes on doing staff inbox work.
		return scenario{name: name, ok: statusIs(http.StatusOK), conn: func(*rand.Rand) func(int) request {
			return func(int) request {
				select {
				case o := <-fx.submitted:
					return request{method: http.MethodPost, path: fmt.Sprintf("/v1/orders/%s/confirm", o.id), token: fx.staffToken, body: []byte(`{"note":"portalbench"}`)}
				default:
					return request{method: http.MethodGet, path: "/v1/orders?status=submitted&limit=50", token: fx.staffToken}
				}
			}
		}}
	case "stock":
		// A customer user issues one of its customer's items to an
		// employee, then takes it back, over and over. Each connection
		// keeps to items of its own so no two fight over one.
		return scenario{name: name, ok: statusIs(http.StatusOK), conn: func(rnd *rand.Rand) func(int) request {
			c, tok := fx.itemOwner()
			item := c.items[0]
			issued := false
			return func(int) request {
				issued = !issued
				if issued {
					return request{method: http.MethodPost, path: fmt.Sprintf("/v1/customers/%s/stock/items/%s/issue", c.id, item), token: tok,
						body: []byte(`{"holder":{"name":"Max Mustermann","employee_number":"E1"}}`)}
				}
				return request{method: http.MethodPost, path: fmt.Sprintf("/v1/customers/%s/stock/items/%s/return", c.id, item), token: tok,
					body: []byte(`{"condition":"used"}`)}
			}
		}}
	case "foreign":
		// A customer user reads another customer's order, half the time
		// under its own customer's path and half under the other's: both
		// must answer 404, and any 2xx fails the run.
		return scenario{name: name, mustRefuse: true, ok: statusIs(http.StatusNotFound), conn: func(rnd *rand.Rand) func(int) request {
			return func(int) request {
				c, tok := fx.user(rnd)
				other := &fx.customers[rnd.IntN(len(fx.customers))]
				for other.id == c.id {
					other = &fx.customers[rnd.IntN(len(fx.customers))]
				}
				o := other.orders[rnd.IntN(len(other.orders))]
				owner := c.id
				if rnd.IntN(2) == 0 {
					owner = other.id
				}
				return request{method: http.MethodGet, path: fmt.Sprintf("/v1/customers/%s/orders/%s", owner, o), token: tok}
			}
		}}
	}
	panic("portalbench: no scenario " + name)
}

// itemOwner hands each stock connection a customer of its own and that
// customer's first item (every customer has at least one); with more
// connections than customers they wrap and may meet.
func (fx *fixture) itemOwner() (*benchCustomer, string) {
	fx.mu.Lock()
	defer fx.mu.Unlock()
	c := &fx.customers[fx.nextItemOwner%len(fx.customers)]
	fx.nextItemOwner++
	return c, c.tokens[0]
}

// orderBody is a request to place an order of 1–3 lines of the global portfolio.
func (fx *fixture) orderBody(rnd *rand.Rand) []byte {
	type line struct {
		ProductID string `json:"product_id"`
		Quantity  int    `json:"quantity"`
	}
	var body struct {
		Kind      string `json:"kind"`
		Lines     []line `json:"lines"`
		Recipient struct {
			Name           string `json:"name"`
			EmployeeNumber string `json:"employee_number"`
		} `json:"recipient"`
	}
	body.Kind = "standard"
	for _, k := range rnd.Perm(len(fx.products))[:1+rnd.IntN(3)] {
		body.Lines = append(body.Lines, line{ProductID: string(fx.products[k]), Quantity: 1 + rnd.IntN(5)})
	}
	body.Recipient.Name = "Erika Mustermann"
	body.Recipient.EmployeeNumber = fmt.Sprintf("E%06d", rnd.IntN(1_000_000))
	b, err := json.Marshal(body)
	if err != nil {
		panic(err)
	}
	return b
}
