package portal_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/warehouse"
)

// stockEnv is a portal with Acme, a customer that uses the supplier
// warehouse, with two sites, its people (two limited to the north site),
// two global products and one of its own; and Globex, another customer
// using the warehouse, with its admin and a product of its own.
type stockEnv struct {
	env
	acme, globex                  customer.Customer
	north, south                  customer.Site
	admin, maintainer, viewer     portal.Member
	northMaintainer, northViewer  portal.Member
	globexAdmin                   portal.Member
	laptop, phone, acmeOwn, gxOwn orders.Product
}

func newStockEnv(t *testing.T, e env) stockEnv {
	t.Helper()
	s := stockEnv{env: e}
	s.acme = e.createWarehouseCustomer(t, "Acme")
	s.globex = e.createWarehouseCustomer(t, "Globex")
	s.north = e.createSite(t, s.acme.ID, "North")
	s.south = e.createSite(t, s.acme.ID, "South")
	s.admin = e.addMember(t, s.acme.ID, "admin@acme.example", customer.RoleAdmin)
	s.maintainer = e.addMember(t, s.acme.ID, "max@acme.example", customer.RoleMaintainer)
	s.viewer = e.addMember(t, s.acme.ID, "vic@acme.example", customer.RoleViewer)
	s.northMaintainer = e.addMember(t, s.acme.ID, "nora@acme.example", customer.RoleMaintainer, s.north.ID)
	s.northViewer = e.addMember(t, s.acme.ID, "nick@acme.example", customer.RoleViewer, s.north.ID)
	s.globexAdmin = e.addMember(t, s.globex.ID, "gina@globex.example", customer.RoleAdmin)
	s.laptop = e.createProduct(t, "LAP-14", "Laptop 14", 99_900, "")
	s.phone = e.createProduct(t, "PHN-6", "Phone 6", 59_900, "")
	s.acmeOwn = e.createProduct(t, "ACME-DOCK", "Acme docking station", 19_900, s.acme.ID)
	s.gxOwn = e.createProduct(t, "GX-BADGE", "Globex badge reader", 9_900, s.globex.ID)
	return s
}

func (e env) createWarehouseCustomer(t *testing.T, name string) customer.Customer {
	t.Helper()
	c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: name, Features: customer.FeaturesPatch{SupplierWarehouse: ptr(true)}})
	require.NoError(t, err)
	return c
}

// stockIn stocks items in as the staff owner.
func (s stockEnv) stockIn(t *testing.T, cid customer.ID, items ...portal.StockInItemParams) []portal.StockItem {
	t.Helper()
	out, err := s.p.StockIn(s.owner, cid, portal.StockInParams{Items: items})
	require.NoError(t, err)
	require.Len(t, out, len(items))
	return out
}

// item is one device of product at site.
func item(prod orders.Product, serial string, site customer.SiteID) portal.StockInItemParams {
	return portal.StockInItemParams{ProductID: prod.ID, SerialNumber: serial, SiteID: site}
}

func kinds(h []warehouse.Movement) []warehouse.MovementKind {
	out := make([]warehouse.MovementKind, len(h))
	for i, m := range h {
		out[i] = m.Kind
	}
	return out
}

func TestStockIn(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		got, err := s.p.StockIn(s.owner, s.acme.ID, portal.StockInParams{Note: " delivered by DHL ", Items: []portal.StockInItemParams{
			{ProductID: s.laptop.ID, SerialNumber: " SN-1 ", SiteID: s.north.ID},
			{ProductID: s.laptop.ID, Condition: warehouse.ConditionRefurbished},
			{ProductID: s.acmeOwn.ID, SerialNumber: "DOCK-1", SiteID: s.south.ID},
		}})
		require.NoError(t, err)
		require.Len(t, got, 3)
		first := got[0]
		assert.Equal(t, warehouse.Item{
			ID: first.ID, CustomerID: s.acme.ID, ProductID: s.laptop.ID, SerialNumber: "SN-1", Condition: warehouse.ConditionNew,
			SiteID: s.north.ID, Status: warehouse.StatusInStock, Version: 1, CreatedAt: portaltest.Epoch, UpdatedAt: portaltest.Epoch,
		}, first.Item)
		assert.Equal(t, portal.StockProduct{ID: s.laptop.ID, SKU: "LAP-14", Name: "Laptop 14"}, first.Product)
		assert.Equal(t, warehouse.ConditionRefurbished, got[1].Condition)
		assert.Empty(t, got[1].SerialNumber)
		assert.Equal(t, "Acme docking station", got[2].Product.Name, "the customer's own product")

		h, err := s.p.GetStockItem(s.owner, s.acme.ID, first.ID)
		require.NoError(t, err)
		assert.Equal(t, first, h.StockItem)
		require.Len(t, h.History, 1)
		assert.Equal(t, warehouse.Movement{
			ID: h.History[0].ID, ItemID: first.ID, CustomerID: s.acme.ID, ProductID: s.laptop.ID, Kind: warehouse.MoveStockIn,
			To: warehouse.StatusInStock, Condition: warehouse.ConditionNew, At: portaltest.Epoch, By: "staff:stf_owner", Note: "delivered by DHL",
		}, h.History[0], "the stock-in says who and when")

		levels, err := s.p.ListStockLevels(s.owner, s.acme.ID, portal.ListStockLevelsParams{})
		require.NoError(t, err)
		assert.Equal(t, []portal.StockLevel{
			{Level: warehouse.Level{ProductID: s.laptop.ID, InStock: 2}, Product: portal.StockProduct{ID: s.laptop.ID, SKU: "LAP-14", Name: "Laptop 14"}},
			{Level: warehouse.Level{ProductID: s.acmeOwn.ID, InStock: 1}, Product: portal.StockProduct{ID: s.acmeOwn.ID, SKU: "ACME-DOCK", Name: "Acme docking station"}},
		}, levels.Items, "by product ID: the laptop was created first")

		// Globex may use the same serial number; Acme may not, twice.
		s.stockIn(t, s.globex.ID, item(s.laptop, "SN-1", ""))
		before := s.stockSnapshot(t, s.acme.ID)
		_, err = s.p.StockIn(s.owner, s.acme.ID, portal.StockInParams{Items: []portal.StockInItemParams{item(s.phone, "PH-1", ""), item(s.laptop, "SN-1", "")}})
		assertCode(t, portalerr.AlreadyExists, err)
		assert.Equal(t, []string{"items[1].serial_number"}, fieldsOf(err))
		_, err = s.p.StockIn(s.owner, s.acme.ID, portal.StockInParams{Items: []portal.StockInItemParams{item(s.phone, "PH-2", ""), item(s.phone, "PH-2", "")}})
		assertCode(t, portalerr.AlreadyExists, err, "a serial number twice in one request")
		assert.Equal(t, []string{"items[1].serial_number"}, fieldsOf(err))
		assert.Equal(t, before, s.stockSnapshot(t, s.acme.ID), "all or nothing: the phones before the clash are not stocked")
	})
}

func TestStockInInvalid(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		globexSite := e.createSite(t, s.globex.ID, "Plant")
		many := make([]portal.StockInItemParams, 101)
		for i := range many {
			many[i] = item(s.phone, "", "")
		}
		tests := []struct {
			name   string
			params portal.StockInParams
			fields []string
		}{
			{"no items", portal.StockInParams{}, []string{"items"}},
			{"too many items", portal.StockInParams{Items: many}, []string{"items"}},
			{"no product", portal.StockInParams{Items: []portal.StockInItemParams{{}}}, []string{"items[0].product_id"}},
			{"unknown product", portal.StockInParams{Items: []portal.StockInItemParams{item(s.phone, "", ""), {ProductID: "prd_ghost"}}}, []string{"items[1].product_id"}},
			{"another customer's product", portal.StockInParams{Items: []portal.StockInItemParams{item(s.gxOwn, "", "")}}, []string{"items[0].product_id"}},
			{"another customer's site", portal.StockInParams{Items: []portal.StockInItemParams{item(s.phone, "", globexSite.ID)}}, []string{"items[0].site_id"}},
			{"unknown condition", portal.StockInParams{Items: []portal.StockInItemParams{{ProductID: s.phone.ID, Condition: "mint"}}}, []string{"items[0].condition"}},
			{"long serial number", portal.StockInParams{Items: []portal.StockInItemParams{item(s.phone, strings.Repeat("9", 101), "")}}, []string{"items[0].serial_number"}},
			{"serial number on two lines", portal.StockInParams{Items: []portal.StockInItemParams{item(s.phone, "SN\n2", "")}}, []string{"items[0].serial_number"}},
			{"long note", portal.StockInParams{Items: []portal.StockInItemParams{item(s.phone, "", "")}, Note: strings.Repeat("n", 2001)}, []string{"note"}},
			{"every bad item at once", portal.StockInParams{Items: []portal.StockInItemParams{{ProductID: "prd_ghost", SiteID: "sit_ghost"}, item(s.phone, "", ""), item(s.gxOwn, "", "")}},
				[]string{"items[0].product_id", "items[0].site_id", "items[2].product_id"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := s.stockSnapshot(t, s.acme.ID)
				_, err := s.p.StockIn(s.owner, s.acme.ID, tt.params)
				assertCode(t, portalerr.Invalid, err)
				assert.Equal(t, tt.fields, fieldsOf(err))
				assert.Equal(t, before, s.stockSnapshot(t, s.acme.ID), "nothing is written")
			})
		}
	})
}

func TestIssueReturnRetire(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		it := s.stockIn(t, s.acme.ID, item(s.laptop, "SN-1", s.north.ID))[0]

		e.clock.Advance(time.Hour)
		issued, err := s.p.IssueStockItem(as(t, s.northMaintainer), s.acme.ID, it.ID, portal.IssueStockItemParams{
			Holder: orders.Employee{Name: " Bob Builder ", Email: "Bob@Acme.example", EmployeeNumber: "E-7"}, Note: "new hire",
		})
		require.NoError(t, err)
		bob := orders.Employee{Name: "Bob Builder", Email: "bob@acme.example", EmployeeNumber: "E-7"}
		assert.Equal(t, warehouse.StatusIssued, issued.Status)
		assert.Equal(t, bob, issued.Holder)
		assert.Equal(t, int64(2), issued.Version)
		assert.Equal(t, portaltest.Epoch.Add(time.Hour), issued.UpdatedAt)
		assert.Equal(t, "Laptop 14", issued.Product.Name)

		l, err := s.p.ListStockItems(as(t, s.viewer), s.acme.ID, portal.ListStockItemsParams{Status: warehouse.StatusIssued})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.Equal(t, bob, l.Items[0].Holder, "a viewer sees who holds the item")

		e.clock.Advance(time.Hour)
		back, err := s.p.ReturnStockItem(as(t, s.maintainer), s.acme.ID, it.ID, portal.ReturnStockItemParams{Condition: warehouse.ConditionUsed})
		require.NoError(t, err)
		assert.Equal(t, warehouse.StatusInStock, back.Status)
		assert.Zero(t, back.Holder)
		assert.Equal(t, warehouse.ConditionUsed, back.Condition)

		e.clock.Advance(time.Hour)
		again, err := s.p.IssueStockItem(s.owner, s.acme.ID, it.ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Carol"}})
		require.NoError(t, err, "a returned item is reused; staff may issue too")
		assert.Equal(t, "Carol", again.Holder.Name)

		e.clock.Advance(time.Hour)
		retired, err := s.p.RetireStockItem(as(t, s.admin), s.acme.ID, it.ID, portal.RetireStockItemParams{Reason: " lost on a train "})
		require.NoError(t, err)
		assert.Equal(t, warehouse.StatusRetired, retired.Status)
		assert.Zero(t, retired.Holder)

		h, err := s.p.GetStockItem(as(t, s.northViewer), s.acme.ID, it.ID)
		require.NoError(t, err)
		assert.Equal(t, retired.Item, h.Item)
		require.Equal(t, []warehouse.MovementKind{warehouse.MoveStockIn, warehouse.MoveIssue, warehouse.MoveReturn, warehouse.MoveIssue, warehouse.MoveRetire}, kinds(h.History))
		type entry struct {
			by     string
			at     time.Time
			holder string
			note   string
		}
		var got []entry
		for _, m := range h.History {
			got = append(got, entry{m.By, m.At, m.Holder.Name, m.Note})
		}
		user := func(m portal.Member) string { return "user:" + string(m.User.ID) }
		assert.Equal(t, []entry{
			{"staff:stf_owner", portaltest.Epoch, "", ""},
			{user(s.northMaintainer), portaltest.Epoch.Add(time.Hour), "Bob Builder", "new hire"},
			{user(s.maintainer), portaltest.Epoch.Add(2 * time.Hour), "Bob Builder", ""},
			{"staff:stf_owner", portaltest.Epoch.Add(3 * time.Hour), "Carol", ""},
			{user(s.admin), portaltest.Epoch.Add(4 * time.Hour), "Carol", "lost on a train"},
		}, got, "every movement records who made it, when, and the holder")
		assert.Equal(t, warehouse.ConditionUsed, h.History[2].Condition, "the return records the condition it came back in")

		levels, err := s.p.ListStockLevels(as(t, s.viewer), s.acme.ID, portal.ListStockLevelsParams{ProductID: s.laptop.ID})
		require.NoError(t, err)
		require.Len(t, levels.Items, 1)
		assert.Equal(t, warehouse.Level{ProductID: s.laptop.ID, Retired: 1}, levels.Items[0].Level)
	})
}

func TestStockMoveRefused(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		mctx := as(t, s.maintainer)
		issue := func(id warehouse.ItemID, name string) error {
			_, err := s.p.IssueStockItem(mctx, s.acme.ID, id, portal.IssueStockItemParams{Holder: orders.Employee{Name: name}})
			return err
		}
		ret := func(id warehouse.ItemID) error {
			_, err := s.p.ReturnStockItem(mctx, s.acme.ID, id, portal.ReturnStockItemParams{})
			return err
		}
		retire := func(id warehouse.ItemID) error {
			_, err := s.p.RetireStockItem(s.owner, s.acme.ID, id, portal.RetireStockItemParams{Reason: "broken"})
			return err
		}
		items := s.stockIn(t, s.acme.ID, item(s.laptop, "", ""), item(s.laptop, "", ""), item(s.laptop, "", ""))
		a, b, c := items[0].ID, items[1].ID, items[2].ID

		require.NoError(t, issue(a, "Bob"))
		err := issue(a, "Carol")
		assertCode(t, portalerr.Conflict, err, "the issue lost to Bob's")
		assert.Contains(t, portalerr.MessageOf(err), "issued to Bob by user:")

		assertCode(t, portalerr.FailedPrecondition, ret(b), "b was never issued")
		require.NoError(t, ret(a))
		err = ret(a)
		assertCode(t, portalerr.Conflict, err, "returned twice")
		assert.Contains(t, portalerr.MessageOf(err), "returned to stock by user:")

		require.NoError(t, retire(b))
		assertCode(t, portalerr.Conflict, retire(b), "retired twice")
		assertCode(t, portalerr.Conflict, issue(b, "Dan"), "the issue lost to the retirement of an item in stock")
		require.NoError(t, issue(c, "Eve"))
		require.NoError(t, retire(c))
		assertCode(t, portalerr.FailedPrecondition, issue(c, "Fay"), "c was retired from Eve's hands: no issue ever left from there")

		before := s.stockSnapshot(t, s.acme.ID)
		bad := []struct {
			name   string
			err    error
			fields []string
		}{
			{"no holder name", issue(a, " "), []string{"holder.name"}},
			{"bad holder e-mail", func() error {
				_, err := s.p.IssueStockItem(mctx, s.acme.ID, a, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Bob", Email: "bob at acme"}})
				return err
			}(), []string{"holder.email"}},
			{"long holder name and note", func() error {
				_, err := s.p.IssueStockItem(mctx, s.acme.ID, a, portal.IssueStockItemParams{Holder: orders.Employee{Name: strings.Repeat("b", 201)}, Note: strings.Repeat("n", 2001)})
				return err
			}(), []string{"holder.name", "note"}},
			{"unknown return condition", func() error {
				_, err := s.p.ReturnStockItem(mctx, s.acme.ID, a, portal.ReturnStockItemParams{Condition: "mint"})
				return err
			}(), []string{"condition"}},
			{"retire without reason", func() error {
				_, err := s.p.RetireStockItem(s.owner, s.acme.ID, a, portal.RetireStockItemParams{Reason: " "})
				return err
			}(), []string{"reason"}},
		}
		for _, tt := range bad {
			assertCode(t, portalerr.Invalid, tt.err, tt.name)
			assert.Equal(t, tt.fields, fieldsOf(tt.err), tt.name)
		}
		assert.Equal(t, before, s.stockSnapshot(t, s.acme.ID), "refused moves change nothing")
	})
}

// TestConcurrentIssue issues one item to many employees at once through
// the use case: exactly one wins, every other caller gets Conflict, and
// the ledger holds one issue.
func TestConcurrentIssue(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		const callers = 32
		s := newStockEnv(t, e)
		it := s.stockIn(t, s.acme.ID, item(s.laptop, "SN-1", ""))[0]
		ctx := as(t, s.maintainer)
		errs := make([]error, callers)
		var wg sync.WaitGroup
		for i := range callers {
			wg.Go(func() {
				_, errs[i] = s.p.IssueStockItem(ctx, s.acme.ID, it.ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: fmt.Sprintf("Employee %d", i)}})
			})
		}
		wg.Wait()
		assertOneWins(t, errs, "the item is issued exactly once")
		h, err := s.p.GetStockItem(s.owner, s.acme.ID, it.ID)
		require.NoError(t, err)
		assert.Equal(t, []warehouse.MovementKind{warehouse.MoveStockIn, warehouse.MoveIssue}, kinds(h.History))
		assert.Equal(t, h.History[1].Holder, h.Holder)
	})
}

// TestStockSites checks that a member limited to some sites sees and moves
// only the items of those sites; any other is NotFound.
func TestStockSites(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		items := s.stockIn(t, s.acme.ID, item(s.laptop, "N-1", s.north.ID), item(s.laptop, "S-1", s.south.ID),
			item(s.phone, "N-2", s.north.ID), item(s.phone, "X-1", ""))
		north, south, unsited := items[0], items[1], items[3]

		l, err := s.p.ListStockItems(as(t, s.northViewer), s.acme.ID, portal.ListStockItemsParams{})
		require.NoError(t, err)
		var serials []string
		for _, it := range l.Items {
			serials = append(serials, it.SerialNumber)
		}
		assert.Equal(t, []string{"N-1", "N-2"}, serials)
		l, err = s.p.ListStockItems(as(t, s.viewer), s.acme.ID, portal.ListStockItemsParams{})
		require.NoError(t, err)
		assert.Len(t, l.Items, 4, "an unlimited member sees every item")

		levels, err := s.p.ListStockLevels(as(t, s.northViewer), s.acme.ID, portal.ListStockLevelsParams{})
		require.NoError(t, err)
		var counted []warehouse.Level
		for _, lv := range levels.Items {
			counted = append(counted, lv.Level)
		}
		assert.Equal(t, []warehouse.Level{{ProductID: s.laptop.ID, InStock: 1}, {ProductID: s.phone.ID, InStock: 1}}, counted)

		_, err = s.p.GetStockItem(as(t, s.northViewer), s.acme.ID, north.ID)
		require.NoError(t, err)
		before := s.stockSnapshot(t, s.acme.ID)
		for _, other := range []portal.StockItem{south, unsited} {
			_, err = s.p.GetStockItem(as(t, s.northViewer), s.acme.ID, other.ID)
			assertCode(t, portalerr.NotFound, err, "get %s", other.SerialNumber)
			_, err = s.p.IssueStockItem(as(t, s.northMaintainer), s.acme.ID, other.ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Bob"}})
			assertCode(t, portalerr.NotFound, err, "issue %s", other.SerialNumber)
		}
		assert.Equal(t, before, s.stockSnapshot(t, s.acme.ID))
		_, err = s.p.IssueStockItem(as(t, s.northMaintainer), s.acme.ID, north.ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Bob"}})
		require.NoError(t, err)
	})
}

// TestStockTenantIsolation checks that another customer's item is NotFound,
// however it is asked for, and that nothing changes.
func TestStockTenantIsolation(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		acmeItem := s.stockIn(t, s.acme.ID, item(s.laptop, "SN-1", ""))[0]
		gx := as(t, s.globexAdmin)
		before := s.stockSnapshot(t, s.acme.ID)
		calls := map[string]func(ctx context.Context, cid customer.ID) error{
			"get": func(ctx context.Context, cid customer.ID) error {
				_, err := s.p.GetStockItem(ctx, cid, acmeItem.ID)
				return err
			},
			"issue": func(ctx context.Context, cid customer.ID) error {
				_, err := s.p.IssueStockItem(ctx, cid, acmeItem.ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Mallory"}})
				return err
			},
			"return": func(ctx context.Context, cid customer.ID) error {
				_, err := s.p.ReturnStockItem(ctx, cid, acmeItem.ID, portal.ReturnStockItemParams{})
				return err
			},
			"retire": func(ctx context.Context, cid customer.ID) error {
				_, err := s.p.RetireStockItem(ctx, cid, acmeItem.ID, portal.RetireStockItemParams{Reason: "mine now"})
				return err
			},
		}
		for name, call := range calls {
			assertCode(t, portalerr.NotFound, call(gx, s.globex.ID), "%s: Acme's item under Globex, as Globex's admin", name)
			assertCode(t, portalerr.NotFound, call(gx, s.acme.ID), "%s: Acme's item under Acme, as Globex's admin", name)
			assertCode(t, portalerr.NotFound, call(s.owner, s.globex.ID), "%s: Acme's item under Globex, as staff", name)
		}
		_, err := s.p.ListStockItems(gx, s.acme.ID, portal.ListStockItemsParams{})
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.ListStockLevels(gx, s.acme.ID, portal.ListStockLevelsParams{})
		assertCode(t, portalerr.NotFound, err)
		l, err := s.p.ListStockItems(gx, s.globex.ID, portal.ListStockItemsParams{})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "Globex's list holds nothing of Acme's")
		assert.Equal(t, before, s.stockSnapshot(t, s.acme.ID))
	})
}

func TestStockNeedsTheFeature(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		plain := e.createCustomer(t, "Initech")
		owner := e.addMember(t, plain.ID, "boss@initech.example", customer.RoleAdmin)
		for who, ctx := range map[string]context.Context{"staff": s.owner, "admin": as(t, owner)} {
			_, err := s.p.ListStockLevels(ctx, plain.ID, portal.ListStockLevelsParams{})
			assertCode(t, portalerr.FeatureDisabled, err, "%s: levels", who)
			_, err = s.p.ListStockItems(ctx, plain.ID, portal.ListStockItemsParams{})
			assertCode(t, portalerr.FeatureDisabled, err, "%s: items", who)
			_, err = s.p.GetStockItem(ctx, plain.ID, "itm_ghost")
			assertCode(t, portalerr.FeatureDisabled, err, "%s: item", who)
			_, err = s.p.IssueStockItem(ctx, plain.ID, "itm_ghost", portal.IssueStockItemParams{Holder: orders.Employee{Name: "Bob"}})
			assertCode(t, portalerr.FeatureDisabled, err, "%s: issue", who)
			_, err = s.p.ReturnStockItem(ctx, plain.ID, "itm_ghost", portal.ReturnStockItemParams{})
			assertCode(t, portalerr.FeatureDisabled, err, "%s: return", who)
			_, err = s.p.RetireStockItem(ctx, plain.ID, "itm_ghost", portal.RetireStockItemParams{Reason: "x"})
			assertCode(t, portalerr.FeatureDisabled, err, "%s: retire", who)
		}
		_, err := s.p.StockIn(s.owner, plain.ID, portal.StockInParams{Items: []portal.StockInItemParams{item(s.laptop, "", "")}})
		assertCode(t, portalerr.FeatureDisabled, err)

		archived, err := s.p.ArchiveCustomer(s.owner, s.globex.ID)
		require.NoError(t, err)
		require.Equal(t, customer.StatusArchived, archived.Status)
		_, err = s.p.StockIn(s.owner, s.globex.ID, portal.StockInParams{Items: []portal.StockInItemParams{item(s.laptop, "", "")}})
		assertCode(t, portalerr.FailedPrecondition, err, "an archived customer gets no new stock")
	})
}

// TestWarehouseOffWithStockHeld turns supplier_warehouse off: refused,
// naming how many items are held, while any item is in stock or issued.
func TestWarehouseOffWithStockHeld(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		items := s.stockIn(t, s.acme.ID, item(s.laptop, "", ""), item(s.phone, "", ""), item(s.phone, "", ""))
		_, err := s.p.IssueStockItem(s.owner, s.acme.ID, items[1].ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Bob"}})
		require.NoError(t, err)
		_, err = s.p.RetireStockItem(s.owner, s.acme.ID, items[2].ID, portal.RetireStockItemParams{Reason: "broken"})
		require.NoError(t, err)

		off := func() (customer.Customer, error) {
			c, err := s.p.GetCustomer(s.owner, s.acme.ID)
			require.NoError(t, err)
			return s.p.UpdateFeatures(s.owner, s.acme.ID, portal.UpdateFeaturesParams{Version: c.Version,
				FeaturesPatch: customer.FeaturesPatch{SupplierWarehouse: ptr(false), Tickets: ptr(true)}})
		}
		_, err = off()
		assertCode(t, portalerr.FailedPrecondition, err)
		assert.Contains(t, portalerr.MessageOf(err), "still holds 2 items", "one in stock and one issued; the retired one does not count")
		assert.Equal(t, []string{"supplier_warehouse"}, fieldsOf(err))
		f, err := s.p.GetFeatures(s.owner, s.acme.ID)
		require.NoError(t, err)
		assert.True(t, f.SupplierWarehouse)
		assert.False(t, f.Tickets, "nothing of the refused change is applied")

		for _, it := range items[:2] {
			_, err := s.p.RetireStockItem(s.owner, s.acme.ID, it.ID, portal.RetireStockItemParams{Reason: "end of lease"})
			require.NoError(t, err)
		}
		c, err := off()
		require.NoError(t, err, "only retired items are left")
		assert.False(t, c.Features.SupplierWarehouse)
	})
}

// TestStockInPreOrder fulfils confirmed pre-orders into the warehouse
// through stockInPreOrder, as FulfilOrder does.
func TestStockInPreOrder(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		s.allowPreOrders(t, s.acme.ID)
		s.allowPreOrders(t, s.globex.ID)
		preOrder := s.confirm(t, s.placeOrder(t, s.maintainer, orders.KindPreOrder, s.north.ID))
		e.clock.Advance(24 * time.Hour)
		fulfilled := e.clock.Now()
		require.NoError(t, portal.StockInPreOrder(t.Context(), e.p, preOrder, "staff:stf_1"))

		l, err := s.p.ListStockItems(as(t, s.northViewer), s.acme.ID, portal.ListStockItemsParams{})
		require.NoError(t, err)
		require.Len(t, l.Items, 3, "one item per unit: 2 laptops and a phone")
		for i, want := range []orders.ProductID{s.laptop.ID, s.laptop.ID, s.phone.ID} {
			it := l.Items[i]
			assert.Equal(t, want, it.ProductID)
			assert.Equal(t, preOrder.ID, it.OrderID)
			assert.Equal(t, s.north.ID, it.SiteID, "at the order's site")
			assert.Equal(t, warehouse.ConditionNew, it.Condition)
			assert.Equal(t, warehouse.StatusInStock, it.Status)
			h, err := s.p.GetStockItem(s.owner, s.acme.ID, it.ID)
			require.NoError(t, err)
			require.Len(t, h.History, 1)
			m := h.History[0]
			assert.Equal(t, warehouse.MoveStockIn, m.Kind)
			assert.Equal(t, preOrder.ID, m.OrderID)
			assert.Equal(t, "staff:stf_1", m.By)
			assert.Equal(t, fulfilled, m.At)
			assert.Equal(t, "pre-order "+preOrder.Number.String()+" fulfilled", m.Note)
		}
		issued, err := s.p.IssueStockItem(as(t, s.northMaintainer), s.acme.ID, l.Items[0].ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Bob"}})
		require.NoError(t, err, "a pre-ordered item is issued like any other")
		assert.Equal(t, "Bob", issued.Holder.Name)

		standard := s.confirm(t, s.placeOrder(t, s.maintainer, orders.KindStandard, ""))
		assertCode(t, portalerr.FailedPrecondition, portal.StockInPreOrder(t.Context(), e.p, standard, "staff:stf_1"), "a standard order is delivered, not stocked")
		submitted := s.placeOrder(t, s.maintainer, orders.KindPreOrder, "")
		assertCode(t, portalerr.FailedPrecondition, portal.StockInPreOrder(t.Context(), e.p, submitted, "staff:stf_1"), "an unconfirmed pre-order")

		// Globex turned the warehouse off after ordering (it held nothing).
		gxOrder := s.confirm(t, s.placeOrder(t, s.globexAdmin, orders.KindPreOrder, ""))
		c, err := s.p.GetCustomer(s.owner, s.globex.ID)
		require.NoError(t, err)
		_, err = s.p.UpdateFeatures(s.owner, s.globex.ID, portal.UpdateFeaturesParams{Version: c.Version,
			FeaturesPatch: customer.FeaturesPatch{PreOrders: ptr(false), SupplierWarehouse: ptr(false)}})
		require.NoError(t, err)
		err = portal.StockInPreOrder(t.Context(), e.p, gxOrder, "staff:stf_1")
		assertCode(t, portalerr.FeatureDisabled, err)
		assert.Contains(t, portalerr.MessageOf(err), "supplier_warehouse off")
	})
}

// allowPreOrders lets customer cid order and pre-order.
func (s stockEnv) allowPreOrders(t *testing.T, cid customer.ID) {
	t.Helper()
	c, err := s.p.GetCustomer(s.owner, cid)
	require.NoError(t, err)
	_, err = s.p.UpdateFeatures(s.owner, cid, portal.UpdateFeaturesParams{Version: c.Version,
		FeaturesPatch: customer.FeaturesPatch{OrderAuthorization: ptr(true), PreOrders: ptr(true)}})
	require.NoError(t, err)
}

// placeOrder places an order of 2 laptops and a phone for m's customer as
// m, at site: a pre-order, or a standard one handed to Bob.
func (s stockEnv) placeOrder(t *testing.T, m portal.Member, kind orders.Kind, site customer.SiteID) orders.Order {
	t.Helper()
	params := portal.PlaceOrderParams{Kind: kind, SiteID: site, Lines: []portal.OrderLineParams{line(s.laptop, 2), line(s.phone, 1)}}
	if kind == orders.KindStandard {
		params.Recipient = &orders.Employee{Name: "Bob"}
	}
	o, err := s.p.PlaceOrder(as(t, m), m.CustomerID, params)
	require.NoError(t, err)
	return o
}

// confirm confirms o as the staff owner.
func (s stockEnv) confirm(t *testing.T, o orders.Order) orders.Order {
	t.Helper()
	o, err := s.p.ConfirmOrder(s.owner, o.ID, portal.DecideOrderParams{})
	require.NoError(t, err)
	return o
}

func TestListStockItemsFilters(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		s := newStockEnv(t, e)
		var in []portal.StockInItemParams
		for i := range 5 {
			in = append(in, item(s.laptop, fmt.Sprintf("L-%d", i), ""), item(s.phone, fmt.Sprintf("P-%d", i), ""))
		}
		items := s.stockIn(t, s.acme.ID, in...)
		_, err := s.p.IssueStockItem(s.owner, s.acme.ID, items[0].ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Bob"}})
		require.NoError(t, err)

		serials := func(params portal.ListStockItemsParams) []string {
			t.Helper()
			var out []string
			params.Limit = 2
			for {
				l, err := s.p.ListStockItems(as(t, s.viewer), s.acme.ID, params)
				require.NoError(t, err)
				for _, it := range l.Items {
					out = append(out, it.SerialNumber)
				}
				if l.NextCursor == "" {
					return out
				}
				params.Cursor = l.NextCursor
			}
		}
		assert.Equal(t, []string{"L-0", "L-1", "L-2", "L-3", "L-4"}, serials(portal.ListStockItemsParams{ProductID: s.laptop.ID}))
		assert.Equal(t, []string{"L-1", "L-2", "L-3", "L-4"}, serials(portal.ListStockItemsParams{ProductID: s.laptop.ID, Status: warehouse.StatusInStock}))
		assert.Equal(t, []string{"L-0"}, serials(portal.ListStockItemsParams{Status: warehouse.StatusIssued}))
		assert.Equal(t, []string{"P-3"}, serials(portal.ListStockItemsParams{SerialNumber: "P-3"}))
		assert.Len(t, serials(portal.ListStockItemsParams{}), 10)

		_, err = s.p.ListStockItems(s.owner, s.acme.ID, portal.ListStockItemsParams{Status: "lost", Limit: 101})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"status", "limit"}, fieldsOf(err))
	})
}
