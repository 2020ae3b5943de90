package warehouse_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/warehouse"
)

var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

func act(id string, d time.Duration) warehouse.Act {
	return warehouse.Act{MovementID: warehouse.MovementID(id), By: "user:usr_ann", At: t0.Add(d)}
}

func stocked(t *testing.T) warehouse.Item {
	t.Helper()
	it, _, err := warehouse.StockIn(warehouse.Draft{ID: "itm_1", CustomerID: "cus_acme", ProductID: "prd_laptop", SerialNumber: " SN-1 "}, act("mov_1", 0))
	require.NoError(t, err)
	return it
}

func TestStockIn(t *testing.T) {
	it, m, err := warehouse.StockIn(warehouse.Draft{
		ID: "itm_1", CustomerID: "cus_acme", ProductID: "prd_laptop", SerialNumber: " SN-1 ", SiteID: "sit_hq",
	}, warehouse.Act{MovementID: "mov_1", By: "staff:stf_1", At: t0, Note: " delivered by DHL "})
	require.NoError(t, err)
	assert.Equal(t, warehouse.Item{
		ID: "itm_1", CustomerID: "cus_acme", ProductID: "prd_laptop", SerialNumber: "SN-1",
		Condition: warehouse.ConditionNew, SiteID: "sit_hq", Status: warehouse.StatusInStock,
		Version: 1, CreatedAt: t0, UpdatedAt: t0,
	}, it)
	assert.Equal(t, warehouse.Movement{
		ID: "mov_1", ItemID: "itm_1", CustomerID: "cus_acme", ProductID: "prd_laptop",
		Kind: warehouse.MoveStockIn, To: warehouse.StatusInStock, Condition: warehouse.ConditionNew,
		At: t0, By: "staff:stf_1", Note: "delivered by DHL",
	}, m)
}

func TestStockInInvalid(t *testing.T) {
	tests := []struct {
		name   string
		d      warehouse.Draft
		note   string
		fields []string
	}{
		{"unknown condition", warehouse.Draft{Condition: "mint"}, "", []string{"condition"}},
		{"long serial number", warehouse.Draft{SerialNumber: strings.Repeat("9", warehouse.MaxSerialNumber+1)}, "", []string{"serial_number"}},
		{"serial number on two lines", warehouse.Draft{SerialNumber: "SN\n2"}, "", []string{"serial_number"}},
		{"long note", warehouse.Draft{}, strings.Repeat("n", warehouse.MaxNote+1), []string{"note"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := act("mov_1", 0)
			a.Note = tt.note
			_, _, err := warehouse.StockIn(tt.d, a)
			assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
			var fields []string
			for _, f := range portalerr.FieldsOf(err) {
				fields = append(fields, f.Field)
			}
			assert.Equal(t, tt.fields, fields)
		})
	}
}

func TestIssueReturnRetire(t *testing.T) {
	it := stocked(t)
	bob := orders.Employee{Name: " Bob ", Email: "Bob@Example.com", EmployeeNumber: "E-7"}
	issued, m, err := it.Issue(act("mov_2", time.Hour), bob)
	require.NoError(t, err)
	want := orders.Employee{Name: "Bob", Email: "bob@example.com", EmployeeNumber: "E-7"}
	assert.Equal(t, warehouse.StatusIssued, issued.Status)
	assert.Equal(t, want, issued.Holder)
	assert.Equal(t, t0.Add(time.Hour), issued.UpdatedAt)
	assert.Equal(t, warehouse.Movement{
		ID: "mov_2", ItemID: it.ID, CustomerID: it.CustomerID, ProductID: it.ProductID, Kind: warehouse.MoveIssue,
		From: warehouse.StatusInStock, To: warehouse.StatusIssued, Holder: want, Condition: warehouse.ConditionNew,
		At: t0.Add(time.Hour), By: "user:usr_ann",
	}, m)

	back, m, err := issued.Return(act("mov_3", 2*time.Hour), warehouse.ConditionUsed)
	require.NoError(t, err)
	assert.Equal(t, warehouse.StatusInStock, back.Status)
	assert.Zero(t, back.Holder, "a returned item has no holder")
	assert.Equal(t, warehouse.ConditionUsed, back.Condition)
	assert.Equal(t, want, m.Holder, "the ledger says who returned it")
	assert.Equal(t, warehouse.ConditionUsed, m.Condition)

	again, _, err := back.Issue(act("mov_4", 3*time.Hour), orders.Employee{Name: "Carol"})
	require.NoError(t, err, "a returned item is reused")
	retired, m, err := again.Retire(act("mov_5", 4*time.Hour))
	require.NoError(t, err, "an issued item can be retired (lost, broken)")
	assert.Equal(t, warehouse.StatusRetired, retired.Status)
	assert.Zero(t, retired.Holder)
	assert.Equal(t, "Carol", m.Holder.Name)
	assert.Equal(t, warehouse.StatusIssued, m.From)
}

// TestTransitions tries every move from every status.
func TestTransitions(t *testing.T) {
	moves := map[string]func(it warehouse.Item) (warehouse.Item, warehouse.Movement, error){
		"issue": func(it warehouse.Item) (warehouse.Item, warehouse.Movement, error) {
			return it.Issue(act("m", 0), orders.Employee{Name: "Bob"})
		},
		"return": func(it warehouse.Item) (warehouse.Item, warehouse.Movement, error) { return it.Return(act("m", 0), "") },
		"retire": func(it warehouse.Item) (warehouse.Item, warehouse.Movement, error) { return it.Retire(act("m", 0)) },
	}
	allowed := map[warehouse.Status]map[string]warehouse.Status{
		warehouse.StatusInStock: {"issue": warehouse.StatusIssued, "retire": warehouse.StatusRetired},
		warehouse.StatusIssued:  {"return": warehouse.StatusInStock, "retire": warehouse.StatusRetired},
	}
	for _, from := range warehouse.Statuses {
		for name, move := range moves {
			t.Run(string(from)+"/"+name, func(t *testing.T) {
				it := stocked(t)
				it.Status = from
				if from == warehouse.StatusIssued {
					it.Holder = orders.Employee{Name: "Ann"}
				}
				next, m, err := move(it)
				to, ok := allowed[from][name]
				if !ok {
					assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err), "error: %v", err)
					assert.Equal(t, it, next, "unchanged")
					return
				}
				require.NoError(t, err)
				assert.Equal(t, to, next.Status)
				assert.Equal(t, from, m.From)
				assert.Equal(t, to, m.To)
			})
		}
	}
}

func TestIssueNeedsAName(t *testing.T) {
	it := stocked(t)
	_, _, err := it.Issue(act("m", 0), orders.Employee{EmployeeNumber: "E-7"})
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
	_, _, err = it.Issue(act("m", 0), orders.Employee{Name: "Bob", Email: "not an address"})
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
	_, _, err = stocked(t).Return(act("m", 0), "mint")
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "an unknown condition is checked first")
}

func TestFromPreOrder(t *testing.T) {
	o := orders.Order{
		ID: "ord_1", Number: 7, CustomerID: "cus_acme", SiteID: "sit_hq", Kind: orders.KindPreOrder, Status: orders.StatusFulfilled,
		Lines: []orders.Line{{ProductID: "prd_laptop", Quantity: 2}, {ProductID: "prd_phone", Quantity: 1}},
	}
	drafts, err := warehouse.FromPreOrder(o)
	require.NoError(t, err)
	one := func(p orders.ProductID) warehouse.Draft {
		return warehouse.Draft{CustomerID: "cus_acme", ProductID: p, Condition: warehouse.ConditionNew, SiteID: "sit_hq", OrderID: "ord_1"}
	}
	assert.Equal(t, []warehouse.Draft{one("prd_laptop"), one("prd_laptop"), one("prd_phone")}, drafts, "one item per unit")

	o.Kind = orders.KindStandard
	_, err = warehouse.FromPreOrder(o)
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))
}

func TestLevelAdd(t *testing.T) {
	var ledger []warehouse.Movement
	for i, id := range []warehouse.ItemID{"itm_1", "itm_2", "itm_3"} {
		it, m, err := warehouse.StockIn(warehouse.Draft{ID: id, CustomerID: customer.ID("cus_acme"), ProductID: "prd_laptop"}, act("s", time.Duration(i)))
		require.NoError(t, err)
		ledger = append(ledger, m)
		if i == 0 {
			continue
		}
		it, m, err = it.Issue(act("i", time.Hour), orders.Employee{Name: "Bob"})
		require.NoError(t, err)
		ledger = append(ledger, m)
		if i == 2 {
			_, m, err = it.Retire(act("r", 2*time.Hour))
			require.NoError(t, err)
			ledger = append(ledger, m)
		}
	}
	l := warehouse.Level{ProductID: "prd_laptop"}
	for _, m := range ledger {
		l.Add(m)
	}
	assert.Equal(t, warehouse.Level{ProductID: "prd_laptop", InStock: 1, Issued: 1, Retired: 1}, l)
	assert.Equal(t, 2, l.Held())
}
