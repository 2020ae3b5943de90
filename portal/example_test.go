package portal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage/sqlite"
)

func Example() {
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
	// Every call names its caller: here a staff admin of the provider.
	ctx := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffAdmin))

	on := true
	c, err := p.CreateCustomer(ctx, portal.CreateCustomerParams{
		Name:     "Acme GmbH",
		Address:  customer.Address{City: "Berlin", Country: "DE"},
		Features: customer.FeaturesPatch{OrderAuthorization: &on, PreOrders: &on},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(c.ID, c.Name, c.Status)
	fmt.Printf("orders: %v, pre-orders: %v, warehouse: %v\n",
		c.Features.OrderAuthorization, c.Features.PreOrders, c.Features.SupplierWarehouse)

	hq, err := p.CreateSite(ctx, c.ID, portal.SiteParams{Name: "Headquarters"})
	if err != nil {
		panic(err)
	}
	ada, err := p.AddMember(ctx, c.ID, portal.AddMemberParams{Email: "Ada@acme.example", Name: "Ada", Role: customer.RoleViewer})
	if err != nil {
		panic(err)
	}
	bob, err := p.AddMember(ctx, c.ID, portal.AddMemberParams{
		Email: "bob@acme.example", Name: "Bob", Role: customer.RoleMaintainer, SiteIDs: []customer.SiteID{hq.ID},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(ada.User.Email, ada.Role, "(the first member is the admin)")
	fmt.Println(bob.User.Email, bob.Role, len(bob.SiteIDs), "site")

	// The last admin cannot step down.
	_, err = p.ChangeRole(ctx, c.ID, ada.ID, portal.ChangeRoleParams{Role: customer.RoleViewer})
	fmt.Println(portalerr.CodeOf(err))

	// Once Bob is an admin too, Ada can.
	if _, err := p.ChangeRole(ctx, c.ID, bob.ID, portal.ChangeRoleParams{Role: customer.RoleAdmin}); err != nil {
		panic(err)
	}
	ada, err = p.ChangeRole(ctx, c.ID, ada.ID, portal.ChangeRoleParams{Role: customer.RoleViewer})
	fmt.Println(ada.Role, err)
	// Output:
	// cus_000001 Acme GmbH active
	// orders: true, pre-orders: true, warehouse: true
	// ada@acme.example admin (the first member is the admin)
	// bob@acme.example maintainer 1 site
	// failed_precondition
	// viewer <nil>
}

func ExamplePortal_UpdateFeatures() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p, _ := portal.New(portal.Config{Store: store, IDs: portal.SequentialIDs()})
	ctx := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffOwner))
	c, _ := p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Globex"})

	on := true
	// hr_sync is paid: without the provider's entitlement it is refused.
	_, err = p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: &on}})
	fmt.Println(portalerr.CodeOf(err))
	// auto_confirm_orders needs order_authorization.
	_, err = p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{AutoConfirmOrders: &on}})
	fmt.Println(err)
	c, err = p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version,
		FeaturesPatch: customer.FeaturesPatch{AutoConfirmOrders: &on, OrderAuthorization: &on}})
	fmt.Println(c.Features.AutoConfirmOrders, c.Version, err)
	// Output:
	// license_required
	// auto_confirm_orders: auto_confirm_orders needs order_authorization
	// true 2 <nil>
}

func ExamplePortal_GetCustomer_tenantIsolation() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p, _ := portal.New(portal.Config{Store: store, IDs: portal.SequentialIDs()})
	staff := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffAdmin))
	acme, _ := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Acme"})
	globex, _ := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Globex"})
	ada, _ := p.AddMember(staff, acme.ID, portal.AddMemberParams{Email: "ada@acme.example", Name: "Ada", Role: customer.RoleAdmin})

	// Ada acts through her membership of Acme.
	ctx := identity.NewContext(context.Background(), identity.User(ada.Membership))
	own, err := p.GetCustomer(ctx, acme.ID)
	fmt.Println(own.Name, err)
	_, err = p.GetCustomer(ctx, globex.ID)
	fmt.Println(err)
	// Output:
	// Acme <nil>
	// customer cus_000003 not found
}
