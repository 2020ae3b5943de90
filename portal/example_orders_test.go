package portal_test

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// An order placed by a customer's maintainer, confirmed by staff from the
// order inbox and fulfilled; the person who ordered is e-mailed on the way.
func ExamplePortal_PlaceOrder() {
	store, err := sqlite.OpenTemp(context.Background())
	if err != nil {
		panic(err)
	}
	defer store.Close()
	p, err := portal.New(portal.Config{
		Store:    store,
		Now:      func() time.Time { return time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC) },
		IDs:      portal.SequentialIDs(),
		Branding: mailer.Branding{ProductName: "Acme Portal", PublicBaseURL: "https://portal.example.com"},
		// Mail would go out here; the example prints what would be sent.
		Mailer: mailer.Func(func(_ context.Context, msg mailer.Message) error {
			fmt.Printf("  mail to %s: %s\n", msg.To[0], msg.Subject)
			return nil
		}),
	})
	if err != nil {
		panic(err)
	}
	staff := identity.NewContext(context.Background(), identity.Staff("stf_1", identity.StaffAdmin))
	// The outbox worker sends what the use cases enqueued; a server runs
	// p.RunOutbox in the background instead.
	deliver := func() {
		if _, err := p.DeliverOutbox(context.Background(), portal.OutboxOptions{}); err != nil {
			panic(err)
		}
	}

	// The provider's portfolio, a customer that may order, and its buyer.
	laptop, err := p.CreateProduct(staff, portal.CreateProductParams{
		SKU: "LAP-14", Name: "Laptop 14", Price: orders.Money{Amount: 129_900, Currency: "EUR"},
	})
	if err != nil {
		panic(err)
	}
	on := true
	acme, err := p.CreateCustomer(staff, portal.CreateCustomerParams{Name: "Acme GmbH", Features: customer.FeaturesPatch{OrderAuthorization: &on}})
	if err != nil {
		panic(err)
	}
	// Acme pays its own price for the laptop.
	if _, err := p.CreateOffer(staff, acme.ID, portal.CreateOfferParams{ProductID: laptop.ID, Price: orders.Money{Amount: 119_900, Currency: "EUR"}}); err != nil {
		panic(err)
	}
	max, err := p.AddMember(staff, acme.ID, portal.AddMemberParams{Email: "max@acme.example", Name: "Max", Role: customer.RoleMaintainer})
	if err != nil {
		panic(err)
	}

	// Max orders two laptops for a new colleague.
	buyer := identity.NewContext(context.Background(), identity.User(max.Membership))
	o, err := p.PlaceOrder(buyer, acme.ID, portal.PlaceOrderParams{
		Lines:     []portal.OrderLineParams{{ProductID: laptop.ID, Quantity: 2}},
		Recipient: &orders.Employee{Name: "Nina Newhire", EmployeeNumber: "E-1042"},
	})
	if err != nil {
		panic(err)
	}
	deliver()
	fmt.Println(o.Number, o.Status, o.Lines[0].Name, o.Lines[0].UnitPrice, "total", o.Total())

	// Staff work through the order inbox, oldest first.
	inbox, err := p.OrderInbox(staff, portal.OrderInboxParams{})
	if err != nil {
		panic(err)
	}
	for _, waiting := range inbox.Items {
		confirmed, err := p.ConfirmOrder(staff, waiting.ID, portal.DecideOrderParams{Note: "Ships on Monday."})
		if err != nil {
			panic(err)
		}
		deliver()
		fmt.Println(confirmed.Number, confirmed.Status)
	}
	o, err = p.FulfilOrder(staff, o.ID, portal.DecideOrderParams{})
	if err != nil {
		panic(err)
	}
	fmt.Println(o.Number, o.Status)
	for _, ev := range o.History {
		fmt.Printf("  %-9s by %s\n", ev.To, ev.By)
	}
	// Output:
	//   mail to max@acme.example: Order PO-000001 for Acme GmbH received
	// PO-000001 submitted Laptop 14 119900 EUR total 239800 EUR
	//   mail to max@acme.example: Order PO-000001 for Acme GmbH confirmed
	// PO-000001 confirmed
	// PO-000001 fulfilled
	//   submitted by user:usr_000007
	//   confirmed by staff:stf_1
	//   fulfilled by staff:stf_1
}
