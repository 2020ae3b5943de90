package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/warehouse"
)

// demoRef marks the demo data, so that a second start with --demo seeds nothing.
const demoRef = "demo:acme"

// seedDemo creates, through the portal's use cases, two customers, a site,
// customer users in every role, a portfolio with offers, orders in every
// state, a stocked supplier warehouse and staff API keys in every role,
// and prints how each one signs in. base is the server's public URL.
// errDemoNotEmpty refuses to seed demo data beside customers of its own.
var errDemoNotEmpty = errors.New("--demo seeds a database without customers, and this one has some; " +
	"start it without --demo, or give --demo a new database (--db sqlite:demo.db)")

func seedDemo(ctx context.Context, p *portal.Portal, mail *tokenTap, opts portal.OutboxOptions, base string, out io.Writer) error {
	// The block is printed whole once seeding is done, so that the log
	// lines seeding writes (a mail sent) stay apart from it.
	var block bytes.Buffer
	if err := seedDemoInto(ctx, p, mail, opts, base, &block); err != nil {
		return err
	}
	_, err := io.Copy(out, &block)
	return err
}

// seedDemoInto is seedDemo, writing what it prints to out as it goes.
func seedDemoInto(ctx context.Context, p *portal.Portal, mail *tokenTap, opts portal.OutboxOptions, base string, out io.Writer) error {
	staff := identity.NewContext(ctx, identity.Staff("demo", identity.StaffOwner))
	l, err := p.ListCustomers(staff, portal.ListCustomersParams{Search: demoRef, Limit: 1})
	if err != nil {
		return err
	}
	if len(l.Items) > 0 {
		fmt.Fprintln(out, "Demo data is already in this database; its sign-in links were printed when it was seeded.")
		return nil
	}
	// Demo customers beside real ones would be a mess to clean up.
	if l, err = p.ListCustomers(staff, portal.ListCustomersParams{Limit: 1}); err != nil {
		return err
	}
	if len(l.Items) > 0 {
		return errDemoNotEmpty
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
	fmt.Fprintf(out, "The web UI: %s/ for customers' people, %s/console for the provider's staff.\n", base, base)
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
		_, err := p.DeliverOutbox(ctx, opts)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n  %s is invited to %s as maintainer (the link works once, for 7 days):\n    %s/accept?%s\n", otto, globex.Name, base, url.Values{"token": {token}}.Encode())
	fmt.Fprintf(out, "    curl -s -X POST %s/v1/auth/invitations/accept -H 'Content-Type: application/json' -d '{\"token\":\"%s\",\"name\":\"Otto\"}'\n", base, token)

	// A staff member of the provider, for the console.
	const sam = "sam@provider.example"
	if _, err := p.InviteStaff(staff, portal.InviteStaffParams{Email: sam, Name: "Sam Support", Role: identity.StaffAdmin}); err != nil {
		return err
	}
	token, err = mail.tap(sam, func() error {
		_, err := p.DeliverOutbox(ctx, opts)
		return err
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\n  Sam Support <%s>, staff admin, signs in to the console (the link works once, for 7 days):\n    %s/console/accept?%s\n", sam, base, url.Values{"token": {token}}.Encode())

	products, err := seedDemoOrders(staff, p, acme, globex, hamburg, members, out)
	if err != nil {
		return err
	}
	if err := seedDemoStock(staff, p, acme, hamburg, products, members, out); err != nil {
		return err
	}
	if err := seedDemoNews(staff, p, acme, members["ada@acme.example"]); err != nil {
		return err
	}
	if err := seedDemoHR(staff, p, acme, out); err != nil {
		return err
	}
	if err := seedDemoField(staff, p, base, out); err != nil {
		return err
	}
	if err := seedDemoRecords(staff, p, acme, hamburg, out); err != nil {
		return err
	}
	if err := seedDemoContactsAndRequests(ctx, staff, p, mail, opts, acme, out); err != nil {
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
// by staff, then prints them. One pre-order is fulfilled, which stocks its
// laptops into Acme's supplier warehouse at Hamburg; another waits for
// staff to fulfil it. It returns the products by SKU.
func seedDemoOrders(staff context.Context, p *portal.Portal, acme, globex customer.Customer, hamburg customer.Site,
	members map[string]portal.Member, out io.Writer) (map[string]orders.Product, error) {
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
			return nil, err
		}
		products[params.SKU] = pr
	}
	if _, err := p.DeactivateProduct(staff, products["LAP-12-OLD"].ID); err != nil {
		return nil, err
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
			return nil, err
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
	confirm := func(note string) func(orders.Order) (orders.Order, error) {
		return func(o orders.Order) (orders.Order, error) {
			return p.ConfirmOrder(staff, o.ID, portal.DecideOrderParams{Note: note})
		}
	}
	fulfil := func(note string) func(orders.Order) (orders.Order, error) {
		return func(o orders.Order) (orders.Order, error) {
			if _, err := p.ConfirmOrder(staff, o.ID, portal.DecideOrderParams{}); err != nil {
				return o, err
			}
			return p.FulfilOrder(staff, o.ID, portal.DecideOrderParams{Note: note})
		}
	}
	steps := []struct {
		kind  orders.Kind
		lines []portal.OrderLineParams
		then  func(orders.Order) (orders.Order, error)
	}{
		{orders.KindStandard, []portal.OrderLineParams{line("LAP-14", 1), line("HDS-1", 1)}, nil}, // waits in the inbox
		{orders.KindStandard, []portal.OrderLineParams{line("MON-27", 2)}, confirm("Ships on Monday.")},
		{orders.KindStandard, []portal.OrderLineParams{line("LAP-16", 1)}, func(o orders.Order) (orders.Order, error) {
			return p.RejectOrder(staff, o.ID, portal.RejectOrderParams{Reason: "Out of stock until next month; the Laptop 14 is available."})
		}},
		{orders.KindStandard, []portal.OrderLineParams{line("PHN-6", 1)}, func(o orders.Order) (orders.Order, error) {
			return p.CancelOrder(max, acme.ID, o.ID, portal.CancelOrderParams{Reason: "Ordered twice."})
		}},
		{orders.KindStandard, []portal.OrderLineParams{line("ACME-DOCK", 3)}, fulfil("Delivered to Hamburg.")},
		// Fulfilling a pre-order stocks its units into Acme's warehouse.
		{orders.KindPreOrder, []portal.OrderLineParams{line("LAP-14", 5)}, fulfil("In the warehouse at Hamburg.")},
		{orders.KindPreOrder, []portal.OrderLineParams{line("MON-27", 4)}, confirm("Arrives in the warehouse next week.")},
	}
	fmt.Fprintf(out, "\nPortfolio: %d products (one deactivated, one only %s sees), %d offers. Orders of %s:\n",
		len(portfolio), acme.Name, len(offers), acme.Name)
	for _, st := range steps {
		o, err := place(st.kind, st.lines...)
		if err != nil {
			return nil, err
		}
		if st.then != nil {
			if o, err = st.then(o); err != nil {
				return nil, err
			}
		}
		total := o.Total()
		fmt.Fprintf(out, "  %s  %-9s %-9s %9.2f %s\n", o.Number, o.Kind, o.Status, float64(total.Amount)/100, total.Currency)
	}
	return products, nil
}

// seedDemoStock fills Acme's supplier warehouse beside the laptops its
// fulfilled pre-order stocked in at Hamburg: staff stock in a refurbished
// laptop and two phones by hand, and Acme's maintainer issues a laptop to
// an employee and takes a phone back from one who left. It prints what
// the warehouse holds.
func seedDemoStock(staff context.Context, p *portal.Portal, acme customer.Customer, hamburg customer.Site,
	products map[string]orders.Product, members map[string]portal.Member, out io.Writer) error {
	laptop, phone := products["LAP-14"].ID, products["PHN-6"].ID
	max := identity.NewContext(staff, identity.User(members["max@acme.example"].Membership))
	preOrdered, err := p.ListStockItems(max, acme.ID, portal.ListStockItemsParams{ProductID: laptop, Limit: 1})
	if err != nil {
		return err
	}
	if len(preOrdered.Items) == 0 {
		return errors.New("the fulfilled pre-order stocked no laptops")
	}
	byHand, err := p.StockIn(staff, acme.ID, portal.StockInParams{Note: "handed over by Acme's IT", Items: []portal.StockInItemParams{
		{ProductID: laptop, SerialNumber: "DEMO-5CD0003", SiteID: hamburg.ID, Condition: warehouse.ConditionRefurbished},
		{ProductID: phone, SerialNumber: "DEMO-IMEI-0001"},
		{ProductID: phone, SerialNumber: "DEMO-IMEI-0002"},
	}})
	if err != nil {
		return err
	}
	if _, err := p.IssueStockItem(max, acme.ID, preOrdered.Items[0].ID, portal.IssueStockItemParams{
		Holder: orders.Employee{Name: "Erika Mustermann", Email: "erika@acme.example", EmployeeNumber: "E-1001"}, Note: "new hire",
	}); err != nil {
		return err
	}
	if _, err := p.IssueStockItem(max, acme.ID, byHand[1].ID, portal.IssueStockItemParams{Holder: orders.Employee{Name: "Hans Beispiel"}}); err != nil {
		return err
	}
	if _, err := p.ReturnStockItem(max, acme.ID, byHand[1].ID, portal.ReturnStockItemParams{Condition: warehouse.ConditionUsed, Note: "left the company"}); err != nil {
		return err
	}
	levels, err := p.ListStockLevels(staff, acme.ID, portal.ListStockLevelsParams{Limit: 100})
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "\nSupplier warehouse of %s (GET /v1/customers/%s/stock/items):\n", acme.Name, acme.ID)
	for _, l := range levels.Items {
		fmt.Fprintf(out, "  %-14s %d in stock, %d issued\n", l.Product.Name, l.InStock, l.Issued)
	}
	return nil
}

// seedDemoNews puts news on the start pages: the provider's for every
// customer and for Acme alone, and an article Acme's admin wrote for
// Acme's people.
func seedDemoNews(staff context.Context, p *portal.Portal, acme customer.Customer, ada portal.Member) error {
	for _, a := range []portal.CreateArticleParams{
		{Title: "Service hours over the holidays", Audience: news.Everyone,
			Body: "Our service desk is open **23 to 30 December** from 9:00 to 13:00.\n\nOrders placed in that time ship from 2 January."},
		{Title: "Your new laptop line", Audience: news.Only(acme.ID),
			Body: "The *14-inch* models are in your catalogue now, at your own prices.\n\n- 3 years of warranty\n- delivered set up"},
	} {
		if _, err := p.CreateArticle(staff, a); err != nil {
			return err
		}
	}
	admin := identity.NewContext(staff, identity.User(ada.Membership))
	_, err := p.CreateCustomerArticle(admin, acme.ID, portal.CreateCustomerArticleParams{
		Title: "Returning devices", Body: "Bring devices you no longer need to the **front desk** in Hamburg.",
	})
	return err
}

// seedDemoRecords shares records with Acme (two contracts and a meter at
// Hamburg, a domain, a task) and leaves a contract unassigned for Acme's
// admin to claim by its numbers, then prints those.
func seedDemoRecords(staff context.Context, p *portal.Portal, acme customer.Customer, hamburg customer.Site, out io.Writer) error {
	items := []portal.UpsertRecordParams{
		{CustomerID: acme.ID, Type: record.TypeContract, ExternalRef: "demo:contract:1", SiteID: hamburg.ID, Values: map[string]string{
			"contract_number": "V-1001", "customer_number": "K-0815", "product": "Strom Gewerbe 24", "status": "active",
			"start_date": "2025-01-01", "end_date": "2027-12-31", "monthly_instalment": "18900", "billing_email": "billing@acme.example",
			"margin_note": "12% margin, renewal discount allowed"}},
		{CustomerID: acme.ID, Type: record.TypeMeter, ExternalRef: "demo:meter:1", SiteID: hamburg.ID, Values: map[string]string{
			"meter_number": "1ESY1160667", "contract_number": "V-1001", "medium": "electricity", "yearly_consumption": "24000", "last_reading": "18342.5"}},
		{CustomerID: acme.ID, Type: record.TypeDomain, ExternalRef: "demo:domain:1", Values: map[string]string{
			"domain_name": "acme.example", "registered_on": "2019-04-01", "expires_on": "2027-04-01", "auto_renew": "true", "yearly_fee": "1200"}},
		{CustomerID: acme.ID, Type: record.TypeTask, ExternalRef: "demo:task:1", Values: map[string]string{
			"title": "Give us access to the meter room", "status": "open", "due_on": "2026-12-18"}},
		{Type: record.TypeContract, ExternalRef: "demo:contract:2", Values: map[string]string{
			"contract_number": "V-2002", "customer_number": "K-0815", "product": "Gas Gewerbe", "status": "active",
			"end_date": "2028-06-30", "monthly_instalment": "9900", "billing_email": "billing@acme.example"}},
	}
	if _, err := p.UpsertRecords(staff, items); err != nil {
		return err
	}
	fmt.Fprintln(out, "\nRecords: Acme has contract V-1001 with its meter, a domain and a task; its admin adds contract V-2002 on Records with contract number V-2002 and customer number K-0815.")
	return nil
}

// seedDemoContactsAndRequests gives Acme two contact persons and leaves two
// confirmed access requests in the console's inbox: one from an Acme
// address, which matches Acme by its domain, and one from a new company.
func seedDemoContactsAndRequests(ctx, staff context.Context, p *portal.Portal, mail *tokenTap, opts portal.OutboxOptions,
	acme customer.Customer, out io.Writer) error {
	for _, c := range []portal.ContactParams{
		{Name: "Hanna Buyer", Email: "hanna@acme.example", JobTitle: "Head of purchasing", Phone: "+49 40 1234567",
			Addresses: []customer.ContactAddress{{Label: "Office", Address: customer.Address{Line1: "Hafenstraße 12", PostalCode: "20457", City: "Hamburg", Country: "DE"}}}},
		{Name: "Karl Accounts", Email: "karl@acme.example", JobTitle: "Accounts payable",
			Addresses: []customer.ContactAddress{
				{Label: "Invoices", Address: customer.Address{Line1: "Postfach 100", PostalCode: "20001", City: "Hamburg", Country: "DE"}, Primary: true},
				{Label: "Office", Address: customer.Address{Line1: "Hafenstraße 12", PostalCode: "20457", City: "Hamburg", Country: "DE"}},
			}},
	} {
		if _, err := p.CreateContact(staff, acme.ID, c); err != nil {
			return err
		}
	}
	for _, r := range []portal.RequestAccessParams{
		{CompanyName: "Acme GmbH", Name: "Lena Lager", Email: "lena@acme.example", Message: "I run the Bremen depot.", Language: "de"},
		{CompanyName: "Initech AG", VATID: "DE 987 654 321", Website: "initech.example", Name: "Peter Gibbons", Email: "peter@initech.example",
			Message: "We would like to rent 40 laptops.", Language: "en"},
	} {
		if err := p.RequestAccess(ctx, r); err != nil {
			return err
		}
		token, err := mail.tap(r.Email, func() error {
			_, err := p.DeliverOutbox(ctx, opts)
			return err
		})
		if err != nil {
			return err
		}
		if err := p.ConfirmAccessRequest(ctx, token); err != nil {
			return err
		}
	}
	fmt.Fprintln(out, "\n  Two access requests wait in the console's Access requests; Acme has two contacts.")
	return nil
}
