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
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/memory"
	"github.com/portalkit/portalkit/warehouse"
)

// The supplier warehouse: staff stock devices in for a customer, the
// customer's maintainer issues one to an employee, and takes it back when
// the employee leaves.
func ExamplePortal_IssueStockItem() {
	ctx := context.Background()
	now := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	store := memory.New()
	p, err := portal.New(portal.Config{Store: store, Now: func() time.Time { return now }, IDs: portal.SequentialIDs()})
	if err != nil {
		panic(err)
	}
	staff := identity.NewContext(ctx, identity.Staff("stf_1", identity.StaffAdmin))

	on := true
	acme, err := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Acme GmbH", Features: customer.FeaturesPatch{SupplierWarehouse: &on}})
	if err != nil {
		panic(err)
	}
	if _, err := p.AddMember(staff, acme.ID, portal.AddMemberParams{Email: "ada@acme.example", Name: "Ada", Role: customer.RoleAdmin}); err != nil {
		panic(err)
	}
	max, err := p.AddMember(staff, acme.ID, portal.AddMemberParams{Email: "max@acme.example", Name: "Max", Role: customer.RoleMaintainer})
	if err != nil {
		panic(err)
	}
	// A product of the provider's portfolio, stored directly here.
	laptop := orders.Product{ID: "prd_laptop", SKU: "LAP-14", Name: "Laptop 14", Price: orders.Money{Amount: 129_900, Currency: "EUR"},
		Active: true, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := store.InTx(ctx, func(r storage.Repos) error { return r.Products().Create(ctx, laptop) }); err != nil {
		panic(err)
	}

	// Staff stock two laptops in for Acme.
	items, err := p.StockIn(staff, acme.ID, portal.StockInParams{Note: "rollout reserve", Items: []portal.StockInItemParams{
		{ProductID: laptop.ID, SerialNumber: "SN-1001"}, {ProductID: laptop.ID, SerialNumber: "SN-1002"},
	}})
	if err != nil {
		panic(err)
	}

	// Max, a maintainer of Acme, hands one to a new employee.
	now = now.Add(time.Hour)
	asMax := identity.NewContext(ctx, identity.User(max.Membership))
	it, err := p.IssueStockItem(asMax, acme.ID, items[0].ID, portal.IssueStockItemParams{
		Holder: orders.Employee{Name: "Bob Builder", EmployeeNumber: "E-7"},
	})
	fmt.Println(it.SerialNumber, it.Status, "to", it.Holder.Name, err)

	// It is Bob's now: nobody else gets it.
	_, err = p.IssueStockItem(asMax, acme.ID, items[0].ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Carol"}})
	fmt.Println(portalerr.CodeOf(err))

	// Bob leaves; the laptop comes back used, to be issued again.
	now = now.Add(30 * 24 * time.Hour)
	it, err = p.ReturnStockItem(asMax, acme.ID, it.ID, portal.ReturnStockItemParams{Condition: warehouse.ConditionUsed})
	fmt.Println(it.SerialNumber, it.Status, it.Condition, err)

	levels, _ := p.ListStockLevels(asMax, acme.ID, portal.ListStockLevelsParams{})
	for _, l := range levels.Items {
		fmt.Printf("%s: %d in stock, %d issued\n", l.Product.Name, l.InStock, l.Issued)
	}
	h, _ := p.GetStockItem(asMax, acme.ID, it.ID)
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
	// SN-1001 issued to Bob Builder <nil>
	// conflict
	// SN-1001 in_stock used <nil>
	// Laptop 14: 2 in stock, 0 issued
	// 2026-01-05 09:00:00 stock_in by staff:stf_1: rollout reserve
	// 2026-01-05 10:00:00 issue by user:usr_000004, holder Bob Builder
	// 2026-02-04 10:00:00 return by user:usr_000004, holder Bob Builder
}
