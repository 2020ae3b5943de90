package orders_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
)

var placedAt = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func entry(id orders.ProductID, price orders.Money) orders.Entry {
	return orders.Entry{Product: orders.Product{ID: id, SKU: "SKU-" + string(id), Name: "Name " + string(id), Active: true, Price: price}, Price: price}
}

var berlin = customer.Address{Line1: "Main St 1", PostalCode: "10115", City: "Berlin", Country: "DE"}

func draft() orders.Draft {
	return orders.Draft{
		ID: "ord_1", Number: 42, CustomerID: "cus_acme", Kind: orders.KindStandard,
		Lines: []orders.LineDraft{
			{Entry: entry("prd_laptop", eur(100_000)), Quantity: 2},
			{Entry: entry("prd_mouse", eur(1_999)), Quantity: 3},
		},
		DeliveryAddress: berlin,
		OrderedBy:       "usr_ann", By: "user:usr_ann", At: placedAt,
	}
}

func TestNew(t *testing.T) {
	o, err := orders.New(draft())
	require.NoError(t, err)
	assert.Equal(t, orders.StatusSubmitted, o.Status)
	assert.Equal(t, "EUR", o.Currency)
	assert.Equal(t, eur(2*100_000+3*1_999), o.Total())
	assert.Equal(t, 5, o.Units())
	assert.Equal(t, int64(1), o.Version)
	assert.Equal(t, []orders.Event{{To: orders.StatusSubmitted, At: placedAt, By: "user:usr_ann"}}, o.History)
	assert.Equal(t, orders.Line{ProductID: "prd_laptop", SKU: "SKU-prd_laptop", Name: "Name prd_laptop", UnitPrice: eur(100_000), Quantity: 2}, o.Lines[0],
		"a line snapshots the product's name and the price paid")
	assert.Equal(t, "PO-000042", o.Number.String())
}

func TestNewSnapshotsOfferPrice(t *testing.T) {
	d := draft()
	e := entry("prd_laptop", eur(100_000))
	e.Offer = orders.Offer{ID: "ofr_1", CustomerID: "cus_acme", ProductID: "prd_laptop", Price: eur(90_000)}
	e.Price = e.Offer.Price
	d.Lines = []orders.LineDraft{{Entry: e, Quantity: 1}}
	o, err := orders.New(d)
	require.NoError(t, err)
	assert.Equal(t, eur(90_000), o.Lines[0].UnitPrice)
}

func TestNewInvalid(t *testing.T) {
	tooMany := make([]orders.LineDraft, orders.MaxLines+1)
	for i := range tooMany {
		tooMany[i] = orders.LineDraft{Entry: entry(orders.ProductID("prd_"+strings.Repeat("x", i+1)), eur(1)), Quantity: 1}
	}
	tests := []struct {
		name   string
		change func(d *orders.Draft)
		fields []string
	}{
		{"unknown kind", func(d *orders.Draft) { d.Kind = "rush" }, []string{"kind"}},
		{"no lines", func(d *orders.Draft) { d.Lines = nil }, []string{"lines"}},
		{"too many lines", func(d *orders.Draft) { d.Lines = tooMany }, []string{"lines"}},
		{"zero quantity", func(d *orders.Draft) { d.Lines[1].Quantity = 0 }, []string{"lines[1].quantity"}},
		{"quantity too large", func(d *orders.Draft) { d.Lines[0].Quantity = orders.MaxQuantity + 1 }, []string{"lines[0].quantity"}},
		{"largest quantity", func(d *orders.Draft) { d.Lines[0].Quantity = orders.MaxQuantity }, nil},
		{"product twice", func(d *orders.Draft) { d.Lines[1].Entry = d.Lines[0].Entry }, []string{"lines[1].product_id"}},
		{"two currencies", func(d *orders.Draft) { d.Lines[1].Entry.Price.Currency = "USD" }, []string{"lines[1].product_id"}},
		{"neither address nor recipient", func(d *orders.Draft) { d.DeliveryAddress = customer.Address{} }, []string{"delivery_address"}},
		{"both address and recipient", func(d *orders.Draft) { d.Recipient = orders.Employee{Name: "Bob"} }, []string{"recipient"}},
		{"recipient only", func(d *orders.Draft) {
			d.DeliveryAddress = customer.Address{}
			d.Recipient = orders.Employee{Name: "Bob", Email: "Bob@Example.com", EmployeeNumber: "E-7"}
		}, nil},
		{"recipient without a name", func(d *orders.Draft) {
			d.DeliveryAddress = customer.Address{}
			d.Recipient = orders.Employee{Email: "bob@example.com"}
		}, []string{"recipient.name"}},
		{"recipient with a bad e-mail", func(d *orders.Draft) {
			d.DeliveryAddress = customer.Address{}
			d.Recipient = orders.Employee{Name: "Bob", Email: "bob"}
		}, []string{"recipient.email"}},
		{"address without city and country", func(d *orders.Draft) { d.DeliveryAddress = customer.Address{Line1: "Main St 1"} },
			[]string{"delivery_address.city", "delivery_address.country"}},
		{"pre-order with an address", func(d *orders.Draft) { d.Kind = orders.KindPreOrder }, []string{"delivery_address"}},
		{"pre-order with a recipient", func(d *orders.Draft) {
			d.Kind, d.DeliveryAddress, d.Recipient = orders.KindPreOrder, customer.Address{}, orders.Employee{Name: "Bob"}
		}, []string{"recipient"}},
		{"pre-order", func(d *orders.Draft) { d.Kind, d.DeliveryAddress = orders.KindPreOrder, customer.Address{} }, nil},
		{"pre-order of the most units", func(d *orders.Draft) {
			d.Kind, d.DeliveryAddress = orders.KindPreOrder, customer.Address{}
			d.Lines[0].Quantity = orders.MaxPreOrderUnits - d.Lines[1].Quantity
		}, nil},
		{"pre-order of too many units", func(d *orders.Draft) {
			d.Kind, d.DeliveryAddress = orders.KindPreOrder, customer.Address{}
			d.Lines[0].Quantity = orders.MaxPreOrderUnits - d.Lines[1].Quantity + 1
		}, []string{"lines"}},
		{"standard order of more units than a pre-order may hold", func(d *orders.Draft) { d.Lines[0].Quantity = orders.MaxQuantity }, nil},
		{"requested yesterday", func(d *orders.Draft) { d.RequestedDate = placedAt.Add(-24 * time.Hour) }, []string{"requested_date"}},
		{"requested today", func(d *orders.Draft) { d.RequestedDate = placedAt.Add(-time.Hour) }, nil},
		{"note too long", func(d *orders.Draft) { d.Note = strings.Repeat("n", orders.MaxNote+1) }, []string{"note"}},
		{"every problem at once", func(d *orders.Draft) {
			d.Kind = "rush"
			d.Lines[0].Quantity = -1
			d.Note = strings.Repeat("n", orders.MaxNote+1)
		}, []string{"kind", "lines[0].quantity", "note"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := draft()
			d.Lines = append([]orders.LineDraft(nil), d.Lines...)
			tt.change(&d)
			o, err := orders.New(d)
			if tt.fields == nil {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "error: %v", err)
			assert.Equal(t, tt.fields, fieldNames(err))
			assert.Zero(t, o)
		})
	}
}

func TestNewNormalizes(t *testing.T) {
	d := draft()
	d.DeliveryAddress = customer.Address{}
	d.Recipient = orders.Employee{Name: "  Bob  ", Email: " Bob@Example.COM "}
	d.RequestedDate = time.Date(2026, 2, 1, 17, 30, 0, 0, time.FixedZone("CET", 3600))
	d.Note = "  leave at the gate  "
	o, err := orders.New(d)
	require.NoError(t, err)
	assert.Equal(t, orders.Employee{Name: "Bob", Email: "bob@example.com"}, o.Recipient)
	assert.Equal(t, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), o.RequestedDate)
	assert.Equal(t, "leave at the gate", o.Note)
}

// A requested date is the calendar day the caller named, in the caller's
// location, whatever that day is in UTC.
func TestNewKeepsTheRequestedDay(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	require.NoError(t, err)
	honolulu := time.FixedZone("HST", -10*3600)
	tests := []struct {
		name      string
		requested time.Time
		want      time.Time
	}{
		{"midnight in Berlin", time.Date(2026, 3, 5, 0, 0, 0, 0, berlin), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"late evening in Honolulu", time.Date(2026, 3, 5, 22, 0, 0, 0, honolulu), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"a date in UTC", time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 5, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := draft()
			d.RequestedDate = tt.requested
			o, err := orders.New(d)
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.RequestedDate)
			assert.Equal(t, tt.want, orders.Day(tt.requested))
		})
	}

	// "Today" is today where the caller is: in Honolulu it is still the
	// day before the one UTC has reached.
	d := draft()
	d.At = time.Date(2026, 3, 6, 5, 0, 0, 0, time.UTC)
	d.RequestedDate = time.Date(2026, 3, 5, 0, 0, 0, 0, honolulu)
	_, err = orders.New(d)
	assert.NoError(t, err, "today in Honolulu")
	d.RequestedDate = time.Date(2026, 3, 4, 0, 0, 0, 0, honolulu)
	_, err = orders.New(d)
	assert.Equal(t, []string{"requested_date"}, fieldNames(err), "yesterday in Honolulu")
}

func TestCheckPlacement(t *testing.T) {
	tests := []struct {
		name string
		f    customer.Features
		kind orders.Kind
		code portalerr.Code
	}{
		{"no order_authorization", customer.Features{}, orders.KindStandard, portalerr.FeatureDisabled},
		{"standard", customer.Features{OrderAuthorization: true}, orders.KindStandard, ""},
		{"pre-order without pre_orders", customer.Features{OrderAuthorization: true}, orders.KindPreOrder, portalerr.FeatureDisabled},
		{"pre-order", customer.Features{OrderAuthorization: true, PreOrders: true, SupplierWarehouse: true}, orders.KindPreOrder, ""},
		{"pre_orders without order_authorization", customer.Features{PreOrders: true, SupplierWarehouse: true}, orders.KindPreOrder, portalerr.FeatureDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, portalerr.CodeOf(orders.CheckPlacement(tt.f, tt.kind)))
		})
	}
}

// transitions are the moves of the state machine, by name.
var transitions = map[string]func(o orders.Order, a orders.Act) (orders.Order, orders.Event, error){
	"confirm":            orders.Order.Confirm,
	"reject":             orders.Order.Reject,
	"fulfil":             orders.Order.Fulfil,
	"cancel by customer": orders.Order.CancelByCustomer,
	"cancel by provider": orders.Order.CancelByProvider,
}

// paths reach each status the way orders do, so that histories are real.
var paths = map[orders.Status][]string{
	orders.StatusSubmitted: nil,
	orders.StatusConfirmed: {"confirm"},
	orders.StatusRejected:  {"reject"},
	orders.StatusFulfilled: {"confirm", "fulfil"},
	orders.StatusCancelled: {"cancel by customer"},
}

// TestStateMachine tries every transition from every status: the allowed
// ones move the order and record who and when; one from a status the order
// has left is Conflict (it lost to the transition that took the order on);
// any other is FailedPrecondition. Refused moves change nothing.
func TestStateMachine(t *testing.T) {
	allowed := map[orders.Status]map[string]orders.Status{
		orders.StatusSubmitted: {"confirm": orders.StatusConfirmed, "reject": orders.StatusRejected, "cancel by customer": orders.StatusCancelled},
		orders.StatusConfirmed: {"fulfil": orders.StatusFulfilled, "cancel by provider": orders.StatusCancelled},
	}
	// from is the status each transition starts from.
	from := map[string]orders.Status{
		"confirm": orders.StatusSubmitted, "reject": orders.StatusSubmitted, "cancel by customer": orders.StatusSubmitted,
		"fulfil": orders.StatusConfirmed, "cancel by provider": orders.StatusConfirmed,
	}
	later := placedAt.Add(time.Hour)
	for _, status := range orders.Statuses {
		o, err := orders.New(draft())
		require.NoError(t, err)
		for i, step := range paths[status] {
			o, _, err = transitions[step](o, orders.Act{By: "staff:stf_0", At: placedAt.Add(time.Duration(i+1) * time.Minute), Note: "path"})
			require.NoError(t, err)
		}
		require.Equal(t, status, o.Status)
		visited := map[orders.Status]bool{}
		for _, ev := range o.History {
			visited[ev.To] = true
		}
		for name, move := range transitions {
			t.Run(string(status)+"/"+name, func(t *testing.T) {
				a := orders.Act{By: "staff:stf_1", At: later, Note: "a reason"}
				next, ev, err := move(o, a)
				to, ok := allowed[status][name]
				if !ok {
					want := portalerr.FailedPrecondition
					if visited[from[name]] {
						want = portalerr.Conflict
					}
					assert.Equal(t, want, portalerr.CodeOf(err), "error: %v", err)
					assert.Equal(t, o, next, "unchanged")
					assert.Zero(t, ev)
					return
				}
				require.NoError(t, err)
				want := orders.Event{From: status, To: to, At: later, By: "staff:stf_1", Note: "a reason"}
				assert.Equal(t, want, ev)
				assert.Equal(t, to, next.Status)
				assert.Equal(t, later, next.UpdatedAt)
				assert.Equal(t, append(append([]orders.Event(nil), o.History...), want), next.History)
				assert.Len(t, o.History, len(paths[status])+1, "the order moved from is not changed")
				assert.Equal(t, o.Version, next.Version, "storage sets the version")
			})
		}
	}
}

// TestDecisionRace is two staff members deciding on one submitted order
// from the same read: the second decision conflicts with the first, and
// says who made it.
func TestDecisionRace(t *testing.T) {
	o, err := orders.New(draft())
	require.NoError(t, err)
	confirmed, _, err := o.Confirm(orders.Act{By: "staff:alice", At: placedAt.Add(time.Minute)})
	require.NoError(t, err)
	_, _, err = confirmed.Reject(orders.Act{By: "staff:bob", At: placedAt.Add(2 * time.Minute), Note: "out of stock"})
	assert.Equal(t, portalerr.Conflict, portalerr.CodeOf(err))
	assert.Contains(t, portalerr.MessageOf(err), "PO-000042 was confirmed by staff:alice")
	_, _, err = o.Fulfil(orders.Act{By: "staff:bob", At: placedAt})
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err), "a submitted order was never confirmed")
}

func TestFinal(t *testing.T) {
	for _, s := range orders.Statuses {
		assert.True(t, s.Valid())
		assert.Equal(t, s != orders.StatusSubmitted && s != orders.StatusConfirmed, s.Final(), s)
	}
	assert.False(t, orders.Status("lost").Valid())
}

func TestTransitionNotes(t *testing.T) {
	o, err := orders.New(draft())
	require.NoError(t, err)
	_, _, err = o.Reject(orders.Act{By: "staff:stf_1", At: placedAt, Note: "   "})
	assert.Equal(t, []string{"reason"}, fieldNames(err), "a rejection needs a reason")
	_, _, err = o.Confirm(orders.Act{By: "staff:stf_1", At: placedAt, Note: strings.Repeat("n", orders.MaxNote+1)})
	assert.Equal(t, []string{"note"}, fieldNames(err))
	next, ev, err := o.Confirm(orders.Act{By: "staff:stf_1", At: placedAt})
	require.NoError(t, err)
	assert.Empty(t, ev.Note, "a confirmation's note is optional")
	_, _, err = next.Fulfil(orders.Act{By: "staff:stf_2", At: placedAt, Note: strings.Repeat("n", orders.MaxNote+1)})
	assert.Equal(t, []string{"note"}, fieldNames(err))
}
