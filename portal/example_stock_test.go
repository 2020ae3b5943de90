package portal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/warehouse"
)

// The supplier warehouse: a customer's maintainer pre-orders laptops,
// staff confirm the pre-order and fulfil it into the customer's warehouse,
// and the maintainer issues one to an employee and takes it back when the
// employee leaves.
func ExamplePortal_IssueStockItem() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	p, err := portal.New(portal.Config{Store: store, Now: func() time.Time { return now }, IDs: portal.SequentialIDs()})
	if err != nil {
		panic(err)
	}
	staff := identity.NewContext(ctx, identity.Staff("stf_1", identity.StaffAdmin))

	// A product of the provider's portfolio, and a customer that may
	// pre-order (which turns its supplier warehouse on).
	laptop, err := p.CreateProduct(staff, portal.CreateProductParams{
		SKU: "LAP-14", Name: "Laptop 14", Price: orders.Money{Amount: 129_900, Currency: "EUR"},
	})
	if err != nil {
		panic(err)
	}
	on := true
	acme, err := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Acme GmbH",
		Features: customer.FeaturesPatch{OrderAuthorization: &on, PreOrders: &on}})
	if err != nil {
		panic(err)
	}
	max, err := p.AddMember(staff, acme.ID, portal.AddMemberParams{Email: "max@acme.example", Name: "Max", Role: customer.RoleMaintainer})
	if err != nil {
		panic(err)
	}

	// Max pre-orders two laptops as a reserve for new hires.
	asMax := identity.NewContext(ctx, identity.User(max.Membership))
	o, err := p.PlaceOrder(asMax, acme.ID, portal.PlaceOrderParams{
		Kind: orders.KindPreOrder, Lines: []portal.OrderLineParams{{ProductID: laptop.ID, Quantity: 2}},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(o.Number, o.Kind, o.Status)

	// Staff confirm it; when the laptops arrive, fulfilling the pre-order
	// stocks them into Acme's warehouse, one item per unit.
	now = now.Add(time.Hour)
	if o, err = p.ConfirmOrder(staff, o.ID, portal.DecideOrderParams{Note: "Arrives next week."}); err != nil {
		panic(err)
	}
	fmt.Println(o.Number, o.Status)
	now = now.Add(24 * time.Hour)
	if o, err = p.FulfilOrder(staff, o.ID, portal.DecideOrderParams{}); err != nil {
		panic(err)
	}
	fmt.Println(o.Number, o.Status)
	items, err := p.ListStockItems(asMax, acme.ID, portal.ListStockItemsParams{})
	if err != nil {
		panic(err)
	}
	for _, it := range items.Items {
		fmt.Println(it.ID, it.Product.Name, it.Status, it.Condition)
	}

	// Max hands one to a new employee.
	now = now.Add(time.Hour)
	it, err := p.IssueStockItem(asMax, acme.ID, items.Items[0].ID, portal.IssueStockItemParams{
		Holder: orders.Employee{Name: "Bob Builder", EmployeeNumber: "E-7"},
	})
	fmt.Println(it.ID, it.Status, "to", it.Holder.Name, err)

	// It is Bob's now: nobody else gets it.
	_, err = p.IssueStockItem(asMax, acme.ID, it.ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Carol"}})
	fmt.Println(portalerr.CodeOf(err))

	// Bob leaves; the laptop comes back used, to be issued again.
	now = now.Add(30 * 24 * time.Hour)
	it, err = p.ReturnStockItem(asMax, acme.ID, it.ID, portal.ReturnStockItemParams{Condition: warehouse.ConditionUsed})
	fmt.Println(it.ID, it.Status, it.Condition, err)

	levels, err := p.ListStockLevels(asMax, acme.ID, portal.ListStockLevelsParams{})
	if err != nil {
		panic(err)
	}
	for _, l := range levels.Items {
		fmt.Printf("%s: %d in stock, %d issued\n", l.Product.Name, l.InStock, l.Issued)
	}
	h, err := p.GetStockItem(asMax, acme.ID, it.ID)
	if err != nil {
		panic(err)
	}
	for _, m := range h.History {
		line := fmt.Sprintf("%s %s by %s", m.At.Format(time.DateTime), m.Kind, m.By)
		if m.Holder.Name != "" {
			line += ", holder " + m.Holder.Name
		}
		if m.Note != "" {
			line += ": " + m.Note
		}
		fmt.Println(line)
	}
	// Output:
	// PO-000001 pre_order submitted
	// PO-000001 confirmed
	// PO-000001 fulfilled
	// itm_000014 Laptop 14 in_stock new
	// itm_000016 Laptop 14 in_stock new
	// itm_000014 issued to Bob Builder <nil>
	// conflict
	// itm_000014 in_stock used <nil>
	// Laptop 14: 2 in stock, 0 issued
	// 2026-01-06 10:00:00 stock_in by staff:stf_1: pre-order PO-000001 fulfilled
	// 2026-01-06 11:00:00 issue by user:usr_000005, holder Bob Builder
	// 2026-02-05 11:00:00 return by user:usr_000005, holder Bob Builder
}
