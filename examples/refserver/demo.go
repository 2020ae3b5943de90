package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

// demoRef marks the demo data, so that a second start with --demo seeds nothing.
const demoRef = "demo:acme"

// seedDemo creates, through the portal's use cases, two customers, a site,
// customer users in every role, a portfolio with offers, orders in every
// state and staff API keys in every role, and prints how each one signs
// in. base is the server's public URL.
func seedDemo(ctx context.Context, p *portal.Portal, mail *tokenTap, base string, out io.Writer) error {
	staff := identity.NewContext(ctx, identity.Staff("demo", identity.StaffOwner))
	l, err := p.ListCustomers(staff, portal.ListCustomersParams{Search: demoRef, Limit: 1})
	if err != nil {
		return err
	}
	if len(l.Items) > 0 {
		fmt.Fprintln(out, "Demo data is already in this database; its sign-in links were printed when it was seeded.")
		return nil
	}

	on, off := true, false
	features := customer.FeaturesPatch{OrderAuthorization: &on, Tickets: &on, AccessLinks: &on}
	acmeFeatures := features
	acmeFeatures.PreOrders = &on // and so the supplier warehouse
	acme, err := p.CreateCustomer(staff, portal.CreateCustomerParams{
		Name: "Acme GmbH", ExternalRef: demoRef, ContactEmail: "it@acme.example",
		Address:  customer.Address{Line1: "Hafenstraße 12", PostalCode: "20457", City: "Hamburg", Country: "DE"},
		Features: acmeFeatures,
	})
	if err != nil {
		return err
	}
	// Globex has a catalogue of its own: its offers, not the global portfolio.
	globexFeatures := features
	globexFeatures.InheritGlobalPortfolio = &off
	globex, err := p.CreateCustomer(staff, portal.CreateCustomerParams{
		Name: "Globex AG", ExternalRef: "demo:globex", ContactEmail: "office@globex.example", Features: globexFeatures,
	})
	if err != nil {
		return err
	}
	hamburg, err := p.CreateSite(staff, acme.ID, portal.SiteParams{Name: "Hamburg"})
	if err != nil {
		return err
	}

	type person struct {
		c     customer.Customer
		email string
		name  string
		role  customer.Role
		sites []customer.SiteID
	}
	people := []person{
		{acme, "ada@acme.example", "Ada Admin", customer.RoleAdmin, nil},
		{acme, "max@acme.example", "Max Maintainer", customer.RoleMaintainer, nil},
		{acme, "vera@acme.example", "Vera Viewer", customer.RoleViewer, []customer.SiteID{hamburg.ID}},
		{globex, "gina@globex.example", "Gina Admin", customer.RoleAdmin, nil},
	}
	fmt.Fprintf(out, "\nDemo data: customers %s (%s) and %s (%s), site %s (%s).\n",
		acme.Name, acme.ID, globex.Name, globex.ID, hamburg.Name, hamburg.ID)
	fmt.Fprintln(out, "Sign-in links (access links, reusable for 6 months): open one in a browser, or trade its token for a session token with the curl below it:")
	members := make(map[string]portal.Member, len(people))
	for _, u := range people {
		m, err := p.AddMember(staff, u.c.ID, portal.AddMemberParams{Email: u.email, Name: u.name, Role: u.role, SiteIDs: u.sites})
		if err != nil {
			return err
		}
		members[u.email] = m
		link, err := p.CreateAccessLink(staff, u.c.ID, m.ID, portal.CreateAccessLinkParams{})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "\n  %s <%s>, %s of %s:\n    %s/access?%s\n", u.name, u.email, m.Role, u.c.Name, base, url.Values{"token": {link.Token}}.Encode())
		fmt.Fprintf(out, "    curl -s -X POST %s/v1/auth/access-links/redeem -H 'Content-Type: application/json' -d '{\"token\":\"%s\"}'\n", base, link.Token)
	}

	// An invitation still open, as a customer's admin would send it.
	const otto = "otto@globex.example"
	if _, err := p.Invite(staff, globex.ID, portal.InviteParams{Email: otto, Role: customer.RoleMaintainer}); err != nil {
		return err
	}
	// Send it now, before the worker starts, to learn its token: the one
	// token the server ever keeps, and only until it is printed.
	token, err := mail.tap(otto, func() error {
		_, err := p.DeliverOutbox(ctx, outboxOptions)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n  %s is invited to %s as maintainer (the link works once, for 7 days):\n    %s/accept?%s\n", otto, globex.Name, base, url.Values{"token": {token}}.Encode())
	fmt.Fprintf(out, "    curl -s -X POST %s/v1/auth/invitations/accept -H 'Content-Type: application/json' -d '{\"token\":\"%s\",\"name\":\"Otto\"}'\n", base, token)

	if err := seedDemoOrders(staff, p, acme, globex, hamburg, members, out); err != nil {
		return err
	}

	fmt.Fprintln(out, "\nStaff API keys (use as: Authorization: Bearer <key>):")
	for _, r := range []identity.StaffRole{identity.StaffAdmin, identity.StaffAgent} {
		k, err := p.CreateAPIKey(staff, portal.CreateAPIKeyParams{Name: "demo " + string(r), Role: r})
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "  %-5s %s\n", r, k.Token)
	}
	fmt.Fprintln(out)
	return nil
}

// seedDemoOrders creates the demo portfolio (global products, one of them
// deactivated, and a product only Acme sees), offers for both customers,
// and orders of Acme in every state, placed by its maintainer and decided
// by staff, then prints them.
func seedDemoOrders(staff context.Context, p *portal.Portal, acme, globex customer.Customer, hamburg customer.Site,
	members map[string]portal.Member, out io.Writer) error {
	eur := func(cents int64) orders.Money { return orders.Money{Amount: cents, Currency: "EUR"} }
	portfolio := []portal.CreateProductParams{
		{SKU: "LAP-14", Name: "Laptop 14", Category: "laptops", Price: eur(129_900), Attributes: map[string]string{"ram": "16 GB", "storage": "512 GB"}},
		{SKU: "LAP-16", Name: "Laptop 16 Pro", Category: "laptops", Price: eur(219_900), Attributes: map[string]string{"ram": "32 GB", "storage": "1 TB"}},
		{SKU: "MON-27", Name: "Monitor 27", Category: "monitors", Price: eur(34_900)},
		{SKU: "PHN-6", Name: "Smartphone 6", Category: "phones", Price: eur(69_900)},
		{SKU: "HDS-1", Name: "Headset", Category: "accessories", Price: eur(8_900)},
		{SKU: "LAP-12-OLD", Name: "Laptop 12 (discontinued)", Category: "laptops", Price: eur(79_900)},
		{SKU: "ACME-DOCK", Name: "Acme docking station", Category: "accessories", Price: eur(19_900), CustomerID: acme.ID},
	}
	products := make(map[string]orders.Product, len(portfolio))
	for _, params := range portfolio {
		pr, err := p.CreateProduct(staff, params)
		if err != nil {
			return err
		}
		products[params.SKU] = pr
	}
	if _, err := p.DeactivateProduct(staff, products["LAP-12-OLD"].ID); err != nil {
		return err
	}
	offers := []struct {
		c     customer.Customer
		sku   string
		price int64
	}{
		{acme, "LAP-14", 119_900}, // Acme's price beats the list price
		{globex, "LAP-16", 199_900},
		{globex, "PHN-6", 64_900},
	}
	for _, o := range offers {
		if _, err := p.CreateOffer(staff, o.c.ID, portal.CreateOfferParams{ProductID: products[o.sku].ID, Price: eur(o.price)}); err != nil {
			return err
		}
	}

	max := identity.NewContext(staff, identity.User(members["max@acme.example"].Membership))
	place := func(kind orders.Kind, lines ...portal.OrderLineParams) (orders.Order, error) {
		params := portal.PlaceOrderParams{Kind: kind, SiteID: hamburg.ID, Lines: lines}
		if kind == orders.KindStandard {
			params.Recipient = &orders.Employee{Name: "Nina Newhire", Email: "nina@acme.example", EmployeeNumber: "E-1042"}
		}
		return p.PlaceOrder(max, acme.ID, params)
	}
	line := func(sku string, n int) portal.OrderLineParams {
		return portal.OrderLineParams{ProductID: products[sku].ID, Quantity: n}
	}
	steps := []struct {
		kind  orders.Kind
		lines []portal.OrderLineParams
		then  func(orders.Order) (orders.Order, error)
	}{
		{orders.KindStandard, []portal.OrderLineParams{line("LAP-14", 1), line("HDS-1", 1)}, nil}, // waits in the inbox
		{orders.KindStandard, []portal.OrderLineParams{line("MON-27", 2)}, func(o orders.Order) (orders.Order, error) {
			return p.ConfirmOrder(staff, o.ID, portal.DecideOrderParams{Note: "Ships on Monday."})
		}},
		{orders.KindStandard, []portal.OrderLineParams{line("LAP-16", 1)}, func(o orders.Order) (orders.Order, error) {
			return p.RejectOrder(staff, o.ID, portal.RejectOrderParams{Reason: "Out of stock until next month; the Laptop 14 is available."})
		}},
		{orders.KindStandard, []portal.OrderLineParams{line("PHN-6", 1)}, func(o orders.Order) (orders.Order, error) {
			return p.CancelOrder(max, acme.ID, o.ID, portal.CancelOrderParams{Reason: "Ordered twice."})
		}},
		{orders.KindStandard, []portal.OrderLineParams{line("ACME-DOCK", 3)}, func(o orders.Order) (orders.Order, error) {
			if _, err := p.ConfirmOrder(staff, o.ID, portal.DecideOrderParams{}); err != nil {
				return o, err
			}
			return p.FulfilOrder(staff, o.ID, portal.DecideOrderParams{Note: "Delivered to Hamburg."})
		}},
		{orders.KindPreOrder, []portal.OrderLineParams{line("LAP-14", 5)}, func(o orders.Order) (orders.Order, error) {
			return p.ConfirmOrder(staff, o.ID, portal.DecideOrderParams{Note: "Arrives in the warehouse next week."})
		}},
	}
	fmt.Fprintf(out, "\nPortfolio: %d products (one deactivated, one only %s sees), %d offers. Orders of %s:\n",
		len(portfolio), acme.Name, len(offers), acme.Name)
	for _, st := range steps {
		o, err := place(st.kind, st.lines...)
		if err != nil {
			return err
		}
		if st.then != nil {
			if o, err = st.then(o); err != nil {
				return err
			}
		}
		total := o.Total()
		fmt.Fprintf(out, "  %s  %-9s %-9s %9.2f %s\n", o.Number, o.Kind, o.Status, float64(total.Amount)/100, total.Currency)
	}
	return nil
}

// Supplier warehouse.

// demoSKUs are the products seedDemoStock stocks in, found by SKU or
// created when the database has none of that SKU.
var demoSKUs = []orders.Product{
	{SKU: "DEMO-LAP-14", Name: "Laptop 14\" business", Category: "laptops", Price: orders.Money{Amount: 129_900, Currency: "EUR"}},
	{SKU: "DEMO-PHN-6", Name: "Smartphone 6\"", Category: "phones", Price: orders.Money{Amount: 59_900, Currency: "EUR"}},
}

// seedDemoStock turns Acme's supplier warehouse on and fills it, through
// the portal's use cases: laptops at its Hamburg site, one issued to an
// employee, and phones, one back from an employee. It does nothing when
// Acme holds stock already. Products are stored directly when missing:
// they are the portfolio's to manage.
func seedDemoStock(ctx context.Context, p *portal.Portal, store storage.Store, out io.Writer) error {
	staff := identity.NewContext(ctx, identity.Staff("demo", identity.StaffOwner))
	l, err := p.ListCustomers(staff, portal.ListCustomersParams{Search: demoRef, Limit: 1})
	if err != nil || len(l.Items) == 0 {
		return err
	}
	acme, on := l.Items[0], true
	if acme.Features.SupplierWarehouse {
		levels, err := p.ListStockLevels(staff, acme.ID, portal.ListStockLevelsParams{Limit: 1})
		if err != nil || len(levels.Items) > 0 {
			return err
		}
	} else if acme, err = p.UpdateFeatures(staff, acme.ID, portal.UpdateFeaturesParams{Version: acme.Version,
		FeaturesPatch: customer.FeaturesPatch{SupplierWarehouse: &on}}); err != nil {
		return err
	}
	var hamburg customer.SiteID
	sites, err := p.ListSites(staff, acme.ID, portal.ListSitesParams{Limit: 100})
	if err != nil {
		return err
	}
	for _, s := range sites.Items {
		if s.Name == "Hamburg" {
			hamburg = s.ID
		}
	}
	products := make([]orders.Product, len(demoSKUs))
	for i, want := range demoSKUs {
		if products[i], err = demoProduct(ctx, store, want, p.Now()); err != nil {
			return err
		}
	}
	laptop, phone := products[0].ID, products[1].ID
	items, err := p.StockIn(staff, acme.ID, portal.StockInParams{Note: "demo delivery", Items: []portal.StockInItemParams{
		{ProductID: laptop, SerialNumber: "DEMO-5CD0001", SiteID: hamburg},
		{ProductID: laptop, SerialNumber: "DEMO-5CD0002", SiteID: hamburg},
		{ProductID: laptop, SerialNumber: "DEMO-5CD0003", SiteID: hamburg, Condition: warehouse.ConditionRefurbished},
		{ProductID: phone, SerialNumber: "DEMO-IMEI-0001"},
		{ProductID: phone, SerialNumber: "DEMO-IMEI-0002"},
	}})
	if err != nil {
		return err
	}
	if _, err := p.IssueStockItem(staff, acme.ID, items[0].ID, portal.IssueStockItemParams{
		Holder: orders.Employee{Name: "Erika Mustermann", Email: "erika@acme.example", EmployeeNumber: "E-1001"}, Note: "new hire",
	}); err != nil {
		return err
	}
	if _, err := p.IssueStockItem(staff, acme.ID, items[3].ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Hans Beispiel"}}); err != nil {
		return err
	}
	if _, err := p.ReturnStockItem(staff, acme.ID, items[3].ID, portal.ReturnStockItemParams{Condition: warehouse.ConditionUsed, Note: "left the company"}); err != nil {
		return err
	}
	fmt.Fprintf(out, "Supplier warehouse of %s: %d items in stock, 1 issued to Erika Mustermann (GET /v1/customers/%s/stock/items).\n",
		acme.Name, len(items)-1, acme.ID)
	return nil
}

// demoProduct returns the product with want's SKU, creating it when there is none.
func demoProduct(ctx context.Context, store storage.Store, want orders.Product, now time.Time) (orders.Product, error) {
	var out orders.Product
	err := store.InTx(ctx, func(r storage.Repos) error {
		l, err := r.Products().List(ctx, storage.ProductFilter{Search: want.SKU}, storage.Page{Limit: storage.MaxLimit})
		if err != nil {
			return err
		}
		for _, prod := range l.Items {
			if strings.EqualFold(prod.SKU, want.SKU) {
				out = prod
				return nil
			}
		}
		out = want
		out.ID = orders.ProductID(portal.UUIDv7IDs().NewID("prd"))
		out.Active, out.Version, out.CreatedAt, out.UpdatedAt = true, 1, now, now
		return r.Products().Create(ctx, out)
	})
	return out, err
}
