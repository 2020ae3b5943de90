package storagetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

var stockTests = []test{
	{"CreateGet", testStockCreateGet},
	{"GetMissing", testStockGetMissing},
	{"CreateDuplicates", testStockCreateDuplicates},
	{"CreateMissingReferences", testStockCreateMissingReferences},
	{"Move", testStockMove},
	{"MoveFromAnotherStatus", testStockMoveConflict},
	{"MoveMissing", testStockMoveMissing},
	{"MoveDuplicateMovementID", testStockMoveDuplicateMovement},
	{"TimesUTC", testStockTimesUTC},
	{"List", testStockList},
	{"Movements", testStockMovements},
	{"Levels", testStockLevels},
	{"CustomerRequired", testStockCustomerRequired},
	{"RollbackUndoesEverything", testStockRollback},
	{"ReadTxRefusesWrites", testStockReadOnly},
}

var stockConcurrencyTests = []test{
	{"ItemIssuedOnce", testItemIssuedOnce},
}

func newItemID() warehouse.ItemID         { return warehouse.ItemID(newID("itm_")) }
func newMovementID() warehouse.MovementID { return warehouse.MovementID(newID("mov_")) }

// stockFixture is a customer with sites and products, and a fulfilled
// pre-order items can come from.
type stockFixture struct {
	orderFixture
	order orders.Order
}

func newStockFixture(t *testing.T, s storage.Store) stockFixture {
	t.Helper()
	fx := newOrderFixture(t, s)
	o := fx.newOrder(fx.customer.ID)
	o.Kind, o.DeliveryAddress, o.Recipient = orders.KindPreOrder, customer.Address{}, orders.Employee{}
	return stockFixture{orderFixture: fx, order: createOrder(t, s, o)}
}

// newItem returns an in-stock item of product pid and its stock-in, built
// by warehouse.StockIn, with every field set.
func (fx stockFixture) newItem(t *testing.T, pid orders.ProductID, serial string) (warehouse.Item, warehouse.Movement) {
	t.Helper()
	it, m, err := warehouse.StockIn(warehouse.Draft{
		ID: newItemID(), CustomerID: fx.customer.ID, ProductID: pid, SerialNumber: serial,
		Condition: warehouse.ConditionRefurbished, SiteID: fx.berlin.ID, OrderID: fx.order.ID,
	}, warehouse.Act{MovementID: newMovementID(), By: "staff:stf_1", At: base, Note: "from the pre-order"})
	require.NoError(t, err)
	return it, m
}

func createItem(t *testing.T, s storage.Store, it warehouse.Item, m warehouse.Movement) warehouse.Item {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Stock().Create(ctx, it, m)
	}), "stocking in item")
	return it
}

func getItem(t *testing.T, s storage.Store, id warehouse.ItemID) (warehouse.Item, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (warehouse.Item, error) { return r.Stock().Get(ctx, id) })
}

func moveItem(t *testing.T, s storage.Store, it warehouse.Item, m warehouse.Movement) (warehouse.Item, error) {
	t.Helper()
	var out warehouse.Item
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.Stock().Move(ctx, it, m)
		return err
	})
	return out, err
}

// issue issues it to Bob at d after base.
func issue(t *testing.T, it warehouse.Item, d time.Duration) (warehouse.Item, warehouse.Movement) {
	t.Helper()
	next, m, err := it.Issue(warehouse.Act{MovementID: newMovementID(), By: "user:usr_ann", At: at(d)},
		orders.Employee{Name: "Bob Builder", Email: "bob@example.com", EmployeeNumber: "E-7"})
	require.NoError(t, err)
	return next, m
}

func itemIDs(t *testing.T, s storage.Store, f storage.ItemFilter) []string {
	t.Helper()
	return collect(t, 2, 50, func(p storage.Page) ([]string, string, error) {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[warehouse.Item], error) {
			return r.Stock().List(ctx, f, p)
		})
		return idsOf(l.Items, func(it warehouse.Item) warehouse.ItemID { return it.ID }), l.NextCursor, err
	})
}

func movements(t *testing.T, s storage.Store, f storage.MovementFilter) []warehouse.Movement {
	t.Helper()
	var out []warehouse.Movement
	p := storage.Page{Limit: 3}
	for range 100 {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[warehouse.Movement], error) {
			return r.Stock().Movements(ctx, f, p)
		})
		require.NoError(t, err)
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			return out
		}
		p.Cursor = l.NextCursor
	}
	require.FailNow(t, "the ledger does not end")
	return nil
}

func levels(t *testing.T, s storage.Store, f storage.LevelFilter) []warehouse.Level {
	t.Helper()
	var out []warehouse.Level
	p := storage.Page{Limit: 2}
	for range 100 {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[warehouse.Level], error) {
			return r.Stock().Levels(ctx, f, p)
		})
		require.NoError(t, err)
		out = append(out, l.Items...)
		if l.NextCursor == "" {
			return out
		}
		p.Cursor = l.NextCursor
	}
	require.FailNow(t, "the levels do not end")
	return nil
}

func testStockCreateGet(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	it, m := fx.newItem(t, fx.laptop.ID, "SN-1")
	createItem(t, s, it, m)
	got, err := getItem(t, s, it.ID)
	require.NoError(t, err)
	assert.Equal(t, it, got)
	assert.Equal(t, []warehouse.Movement{m}, movements(t, s, storage.MovementFilter{CustomerID: fx.customer.ID, ItemID: it.ID}))

	bare, bm, err := warehouse.StockIn(warehouse.Draft{ID: newItemID(), CustomerID: fx.customer.ID, ProductID: fx.phone.ID},
		warehouse.Act{MovementID: newMovementID(), By: "staff:stf_1", At: base})
	require.NoError(t, err)
	createItem(t, s, bare, bm)
	got, err = getItem(t, s, bare.ID)
	require.NoError(t, err)
	assert.Equal(t, bare, got, "no serial number, site or order")
}

func testStockGetMissing(t *testing.T, s storage.Store) {
	_, err := getItem(t, s, newItemID())
	assertNotFound(t, err)
}

func testStockCreateDuplicates(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	other := createCustomer(t, s, newCustomer("Globex"))
	it, m := fx.newItem(t, fx.laptop.ID, "SN-1")
	createItem(t, s, it, m)
	create := func(it warehouse.Item, m warehouse.Movement) error {
		return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Stock().Create(ctx, it, m) })
	}

	dupID, dm := fx.newItem(t, fx.laptop.ID, "SN-2")
	dupID.ID, dm.ItemID = it.ID, it.ID
	assertAlreadyExists(t, create(dupID, dm), "item ID")
	dupMove, dm := fx.newItem(t, fx.laptop.ID, "SN-3")
	dm.ID = m.ID
	assertAlreadyExists(t, create(dupMove, dm), "movement ID")
	_, err := getItem(t, s, dupMove.ID)
	assertNotFound(t, err, "nothing stored for a refused stock-in")
	dupSerial, dm := fx.newItem(t, fx.phone.ID, "SN-1")
	assertAlreadyExists(t, create(dupSerial, dm), "serial number within the customer")

	elsewhere, em := fx.newItem(t, fx.laptop.ID, "SN-1")
	elsewhere.CustomerID, em.CustomerID, elsewhere.OrderID, em.OrderID = other.ID, other.ID, "", ""
	createItem(t, s, elsewhere, em)
	for range 2 {
		noSerial, nm := fx.newItem(t, fx.laptop.ID, "")
		createItem(t, s, noSerial, nm)
	}
	lower, lm := fx.newItem(t, fx.laptop.ID, "sn-1")
	createItem(t, s, lower, lm) // serial numbers are compared exactly
}

func testStockCreateMissingReferences(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	for name, change := range map[string]func(it *warehouse.Item, m *warehouse.Movement){
		"customer": func(it *warehouse.Item, m *warehouse.Movement) { it.CustomerID, m.CustomerID = newCustomerID(), "" },
		"product": func(it *warehouse.Item, m *warehouse.Movement) {
			it.ProductID, m.ProductID = newProductID(), newProductID()
		},
		"order": func(it *warehouse.Item, m *warehouse.Movement) { it.OrderID, m.OrderID = newOrderID(), newOrderID() },
	} {
		it, m := fx.newItem(t, fx.laptop.ID, "")
		change(&it, &m)
		if m.CustomerID == "" {
			m.CustomerID = it.CustomerID
		}
		assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Stock().Create(ctx, it, m) }), name)
		_, err := getItem(t, s, it.ID)
		assertNotFound(t, err, "%s: nothing stored", name)
	}
	gone, m := fx.newItem(t, fx.laptop.ID, "")
	gone.SiteID = newSiteID()
	createItem(t, s, gone, m) // the site is a record, not a reference
}

func testStockMove(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	it, m0 := fx.newItem(t, fx.laptop.ID, "SN-1")
	createItem(t, s, it, m0)

	issued, m1 := issue(t, it, time.Hour)
	got, err := moveItem(t, s, issued, m1)
	require.NoError(t, err)
	want := issued
	want.Version = 2
	assert.Equal(t, want, got)
	stored, err := getItem(t, s, it.ID)
	require.NoError(t, err)
	assert.Equal(t, want, stored)

	back, m2, err := stored.Return(warehouse.Act{MovementID: newMovementID(), By: "staff:stf_1", At: at(2 * time.Hour), Note: "scratched"}, warehouse.ConditionUsed)
	require.NoError(t, err)
	back.SiteID = fx.paris.ID // a move may take the item to another site
	got, err = moveItem(t, s, back, m2)
	require.NoError(t, err)
	want = back
	want.Version = 3
	assert.Equal(t, want, got)
	assert.Zero(t, got.Holder)
	assert.Equal(t, "SN-1", got.SerialNumber, "a move keeps the serial number")
	assert.Equal(t, []warehouse.Movement{m0, m1, m2}, movements(t, s, storage.MovementFilter{CustomerID: fx.customer.ID, ItemID: it.ID}))
}

func testStockMoveConflict(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	it, m0 := fx.newItem(t, fx.laptop.ID, "")
	createItem(t, s, it, m0)
	issued, m1 := issue(t, it, time.Hour)
	_, err := moveItem(t, s, issued, m1)
	require.NoError(t, err)

	again, m2 := issue(t, it, 2*time.Hour) // built from the item as it was before the first issue
	_, err = moveItem(t, s, again, m2)
	assertConflict(t, err, "an issued item is not issued again")
	got, err := getItem(t, s, it.ID)
	require.NoError(t, err)
	assert.Equal(t, int64(2), got.Version, "nothing written")
	assert.Len(t, movements(t, s, storage.MovementFilter{CustomerID: fx.customer.ID, ItemID: it.ID}), 2, "no movement appended")
}

func testStockMoveMissing(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	it, _ := fx.newItem(t, fx.laptop.ID, "")
	issued, m := issue(t, it, time.Hour)
	_, err := moveItem(t, s, issued, m)
	assertNotFound(t, err)
}

func testStockMoveDuplicateMovement(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	it, m0 := fx.newItem(t, fx.laptop.ID, "")
	createItem(t, s, it, m0)
	issued, m1 := issue(t, it, time.Hour)
	m1.ID = m0.ID
	_, err := moveItem(t, s, issued, m1)
	assertAlreadyExists(t, err)
	got, err := getItem(t, s, it.ID)
	require.NoError(t, err)
	assert.Equal(t, it, got, "the failed transaction wrote nothing")
}

func testStockTimesUTC(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	zone := time.FixedZone("CET", 3600)
	it, m := fx.newItem(t, fx.laptop.ID, "")
	it.CreatedAt, it.UpdatedAt, m.At = base.In(zone), base.In(zone), base.In(zone)
	createItem(t, s, it, m)
	issued, m1 := issue(t, it, time.Hour)
	issued.UpdatedAt, m1.At = at(time.Hour).In(zone), at(time.Hour).In(zone)
	_, err := moveItem(t, s, issued, m1)
	require.NoError(t, err)
	got, err := getItem(t, s, it.ID)
	require.NoError(t, err)
	assertUTC(t, base, got.CreatedAt, "CreatedAt")
	assertUTC(t, at(time.Hour), got.UpdatedAt, "UpdatedAt")
	ms := movements(t, s, storage.MovementFilter{CustomerID: fx.customer.ID})
	require.Len(t, ms, 2)
	assertUTC(t, base, ms[0].At, "stock-in At")
	assertUTC(t, at(time.Hour), ms[1].At, "issue At")
}

func testStockList(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	other := createCustomer(t, s, newCustomer("Globex"))
	stock := func(pid orders.ProductID, serial string, site customer.SiteID, fromOrder bool) warehouse.Item {
		it, m := fx.newItem(t, pid, serial)
		it.SiteID = site
		if !fromOrder {
			it.OrderID, m.OrderID = "", ""
		}
		return createItem(t, s, it, m)
	}
	l1 := stock(fx.laptop.ID, "SN-1", fx.berlin.ID, true)
	l2 := stock(fx.laptop.ID, "SN-2", fx.paris.ID, false)
	p1 := stock(fx.phone.ID, "", "", false)
	l3 := stock(fx.laptop.ID, "", fx.berlin.ID, false)
	elsewhere, em := fx.newItem(t, fx.laptop.ID, "SN-1")
	elsewhere.CustomerID, em.CustomerID, elsewhere.OrderID, em.OrderID = other.ID, other.ID, "", ""
	createItem(t, s, elsewhere, em)

	issued, m := issue(t, l2, time.Hour)
	_, err := moveItem(t, s, issued, m)
	require.NoError(t, err)
	retired, m, err := l3.Retire(warehouse.Act{MovementID: newMovementID(), By: "staff:stf_1", At: at(time.Hour)})
	require.NoError(t, err)
	_, err = moveItem(t, s, retired, m)
	require.NoError(t, err)

	c := fx.customer.ID
	tests := []struct {
		name string
		f    storage.ItemFilter
		want []string
	}{
		{"a customer's", storage.ItemFilter{CustomerID: c}, sorted(l1.ID, l2.ID, p1.ID, l3.ID)},
		{"by product", storage.ItemFilter{CustomerID: c, ProductID: fx.laptop.ID}, sorted(l1.ID, l2.ID, l3.ID)},
		{"in stock", storage.ItemFilter{CustomerID: c, Status: warehouse.StatusInStock}, sorted(l1.ID, p1.ID)},
		{"issued", storage.ItemFilter{CustomerID: c, Status: warehouse.StatusIssued}, sorted(l2.ID)},
		{"held", storage.ItemFilter{CustomerID: c, Held: true}, sorted(l1.ID, l2.ID, p1.ID)},
		{"by serial number", storage.ItemFilter{CustomerID: c, SerialNumber: "SN-1"}, sorted(l1.ID)},
		{"from a pre-order", storage.ItemFilter{CustomerID: c, OrderID: fx.order.ID}, sorted(l1.ID)},
		{"one site", storage.ItemFilter{CustomerID: c, SiteIDs: []customer.SiteID{fx.berlin.ID}}, sorted(l1.ID, l3.ID)},
		{"two sites, held", storage.ItemFilter{CustomerID: c, SiteIDs: []customer.SiteID{fx.paris.ID, fx.berlin.ID}, Held: true}, sorted(l1.ID, l2.ID)},
		{"no sites", storage.ItemFilter{CustomerID: c, SiteIDs: []customer.SiteID{}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, itemIDs(t, s, tt.f))
		})
	}
}

func testStockMovements(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	l1, m1 := fx.newItem(t, fx.laptop.ID, "")
	createItem(t, s, l1, m1)
	p1, m2 := fx.newItem(t, fx.phone.ID, "")
	createItem(t, s, p1, m2)
	issued, m3 := issue(t, l1, time.Hour)
	_, err := moveItem(t, s, issued, m3)
	require.NoError(t, err)

	c := fx.customer.ID
	assert.Equal(t, []warehouse.Movement{m1, m2, m3}, movements(t, s, storage.MovementFilter{CustomerID: c}))
	assert.Equal(t, []warehouse.Movement{m1, m3}, movements(t, s, storage.MovementFilter{CustomerID: c, ItemID: l1.ID}))
	assert.Equal(t, []warehouse.Movement{m2}, movements(t, s, storage.MovementFilter{CustomerID: c, ProductID: fx.phone.ID}))
	other := createCustomer(t, s, newCustomer("Globex"))
	assert.Empty(t, movements(t, s, storage.MovementFilter{CustomerID: other.ID}))
}

func testStockLevels(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	third := createProduct(t, s, newProduct("TAB-"+newID("")))
	var items []warehouse.Item
	for i, pid := range []orders.ProductID{fx.laptop.ID, fx.laptop.ID, fx.laptop.ID, fx.phone.ID, third.ID} {
		it, m := fx.newItem(t, pid, "")
		if i == 2 {
			it.SiteID = fx.paris.ID
		}
		items = append(items, createItem(t, s, it, m))
	}
	issued, m := issue(t, items[1], time.Hour)
	_, err := moveItem(t, s, issued, m)
	require.NoError(t, err)
	retired, m, err := items[2].Retire(warehouse.Act{MovementID: newMovementID(), By: "staff:stf_1", At: at(time.Hour)})
	require.NoError(t, err)
	_, err = moveItem(t, s, retired, m)
	require.NoError(t, err)

	want := []warehouse.Level{
		{ProductID: fx.laptop.ID, InStock: 1, Issued: 1, Retired: 1},
		{ProductID: fx.phone.ID, InStock: 1},
		{ProductID: third.ID, InStock: 1},
	}
	sortLevels(want)
	c := fx.customer.ID
	assert.Equal(t, want, levels(t, s, storage.LevelFilter{CustomerID: c}))
	assert.Equal(t, []warehouse.Level{{ProductID: fx.laptop.ID, InStock: 1, Issued: 1, Retired: 1}},
		levels(t, s, storage.LevelFilter{CustomerID: c, ProductID: fx.laptop.ID}))
	assert.Equal(t, []warehouse.Level{{ProductID: fx.laptop.ID, Retired: 1}},
		levels(t, s, storage.LevelFilter{CustomerID: c, SiteIDs: []customer.SiteID{fx.paris.ID}}))
	assert.Empty(t, levels(t, s, storage.LevelFilter{CustomerID: c, SiteIDs: []customer.SiteID{}}))
}

func sortLevels(ls []warehouse.Level) {
	slices.SortFunc(ls, func(a, b warehouse.Level) int { return strings.Compare(string(a.ProductID), string(b.ProductID)) })
}

func testStockCustomerRequired(t *testing.T, s storage.Store) {
	err := read(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Stock().List(ctx, storage.ItemFilter{}, storage.Page{})
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "List")
		_, err = r.Stock().Movements(ctx, storage.MovementFilter{}, storage.Page{})
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "Movements")
		_, err = r.Stock().Levels(ctx, storage.LevelFilter{}, storage.Page{})
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "Levels")
		return nil
	})
	require.NoError(t, err)
}

func testStockRollback(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	it, m0 := fx.newItem(t, fx.laptop.ID, "SN-1")
	createItem(t, s, it, m0)
	fresh, fm := fx.newItem(t, fx.phone.ID, "SN-2")
	issued, m1 := issue(t, it, time.Hour)
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		if err := r.Stock().Create(ctx, fresh, fm); err != nil {
			return err
		}
		if _, err := r.Stock().Move(ctx, issued, m1); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	got, err := getItem(t, s, it.ID)
	require.NoError(t, err)
	assert.Equal(t, it, got)
	_, err = getItem(t, s, fresh.ID)
	assertNotFound(t, err)
	assert.Equal(t, []warehouse.Movement{m0}, movements(t, s, storage.MovementFilter{CustomerID: fx.customer.ID}))
	assert.Equal(t, []warehouse.Level{{ProductID: fx.laptop.ID, InStock: 1}}, levels(t, s, storage.LevelFilter{CustomerID: fx.customer.ID}))
	createItem(t, s, fresh, fm) // its ID, its movement's ID and its serial number are free again
	_, err = moveItem(t, s, issued, m1)
	assert.NoError(t, err, "the rolled-back move's movement ID is free again")
}

func testStockReadOnly(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	it, m0 := fx.newItem(t, fx.laptop.ID, "")
	createItem(t, s, it, m0)
	fresh, fm := fx.newItem(t, fx.phone.ID, "")
	issued, m1 := issue(t, it, time.Hour)
	writes := map[string]func(ctx context.Context, r storage.Repos) error{
		"Stock.Create": func(ctx context.Context, r storage.Repos) error { return r.Stock().Create(ctx, fresh, fm) },
		"Stock.Move": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Stock().Move(ctx, issued, m1)
			return err
		},
	}
	for name, w := range writes {
		var inner error
		err := read(t, s, func(ctx context.Context, r storage.Repos) error {
			inner = w(ctx, r)
			return inner
		})
		assertReadOnly(t, inner, name)
		assert.ErrorIs(t, err, storage.ErrReadOnly, "%s: ReadTx returns fn's error", name)
	}
	got, err := getItem(t, s, it.ID)
	require.NoError(t, err)
	assert.Equal(t, it, got)
	_, err = getItem(t, s, fresh.ID)
	assertNotFound(t, err)
}

// testItemIssuedOnce has 64 goroutines issue 10 items at once, each in its
// own transaction from the items as they were read before: exactly 10
// issues succeed, every other one is ErrConflict, and the ledger sums to
// the stock levels.
func testItemIssuedOnce(t *testing.T, s storage.Store) {
	const goroutines, items = 64, 10
	fx := newStockFixture(t, s)
	stocked := make([]warehouse.Item, items)
	for i := range stocked {
		it, m := fx.newItem(t, fx.laptop.ID, fmt.Sprintf("SN-%d", i))
		stocked[i] = createItem(t, s, it, m)
	}

	errs := make(chan error, goroutines)
	var wg sync.WaitGroup
	ctx := t.Context()
	for g := range goroutines {
		next, m, err := stocked[g%items].Issue(
			warehouse.Act{MovementID: newMovementID(), By: fmt.Sprintf("user:usr_%d", g), At: at(time.Duration(g+1) * time.Second)},
			orders.Employee{Name: fmt.Sprintf("Employee %d", g)})
		require.NoError(t, err)
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				_, err := r.Stock().Move(ctx, next, m)
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		if err == nil {
			won++
			continue
		}
		assertConflict(t, err)
	}
	assert.Equal(t, items, won, "each item is issued exactly once")

	ledger := movements(t, s, storage.MovementFilter{CustomerID: fx.customer.ID})
	assert.Len(t, ledger, 2*items, "one stock-in and one issue per item")
	sum := warehouse.Level{ProductID: fx.laptop.ID}
	perItem := map[warehouse.ItemID]int{}
	for _, m := range ledger {
		sum.Add(m)
		perItem[m.ItemID]++
	}
	assert.Equal(t, []warehouse.Level{sum}, levels(t, s, storage.LevelFilter{CustomerID: fx.customer.ID}), "the ledger sums to the stock levels")
	assert.Equal(t, warehouse.Level{ProductID: fx.laptop.ID, Issued: items}, sum)
	for _, it := range stocked {
		assert.Equal(t, 2, perItem[it.ID], "item %s", it.ID)
		got, err := getItem(t, s, it.ID)
		require.NoError(t, err)
		assert.Equal(t, warehouse.StatusIssued, got.Status)
		assert.Equal(t, int64(2), got.Version, "written once")
	}
}

// stockPlain stocks in an item of pid without serial number or pre-order.
func (fx stockFixture) stockPlain(t *testing.T, s storage.Store, pid orders.ProductID) warehouse.Item {
	t.Helper()
	it, m := fx.newItem(t, pid, "")
	it.OrderID, m.OrderID = "", ""
	return createItem(t, s, it, m)
}
