package webui_test

import (
	"context"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/warehouse"
	"github.com/portalkit/portalkit/webui"
)

// TestBrowserStories walks the customer portal in Chromium, story after
// story on one portal, as its people would: each story starts where the
// one before left off, so the first failure ends the walk. Every page
// loaded is checked with axe-core (checkAccessible); the last step looks at
// the main pages at desktop and phone width and takes their screenshots.
func TestBrowserStories(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	on := true
	// Globex and its order are the background of the last stories: set
	// up in Go, as the other customer on the same portal.
	globex, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{
		Name: "Globex AG", Features: customer.FeaturesPatch{OrderAuthorization: &on, PreOrders: &on},
	})
	require.NoError(t, err)
	eur := func(cents int64) orders.Money { return orders.Money{Amount: cents, Currency: "EUR"} }
	headset, err := s.p.CreateProduct(s.staff, portal.CreateProductParams{SKU: "HDS-1", Name: "Headset", Category: "accessories", Price: eur(8_900)})
	require.NoError(t, err)
	gina, err := s.p.AddMember(s.staff, globex.ID, portal.AddMemberParams{Email: "gina@globex.example", Name: "Gina Globex", Role: customer.RoleAdmin})
	require.NoError(t, err)
	globexOrder, err := s.p.PlaceOrder(identity.NewContext(context.Background(), identity.User(gina.Membership)), globex.ID, portal.PlaceOrderParams{
		Lines: []portal.OrderLineParams{{ProductID: headset.ID, Quantity: 3}}, Recipient: &orders.Employee{Name: "Otto Globex"},
	})
	require.NoError(t, err)
	// The deployment's first owner, with the one-time link the reference
	// server prints.
	boot, err := s.p.Bootstrap(context.Background(), portal.BootstrapParams{OwnerEmail: "olga@provider.example", OwnerName: "Olga Owner"})
	require.NoError(t, err)
	require.NotEmpty(t, boot.OwnerLoginToken)

	// Tabs live as long as the test that opens them: these three go
	// through every story.
	staffTab := s.newVisitor(t, "olga (staff owner)")
	adminTab, maintTab := s.newVisitor(t, "ada (admin)"), s.newVisitor(t, "max (maintainer)")
	var (
		acmeID    customer.ID
		laptopID  orders.ProductID
		orderID   orders.ID
		preOrder  orders.ID
		itemID    warehouse.ItemID
		orderPath string
		// ticketPath is the damage case's page in the portal, and
		// deskPath in the console.
		ticketPath, deskPath string
		// hookPath is the console's page of a webhook endpoint.
		hookPath string
	)
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

	step("the owner signs in to the console and sets up a customer", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.open("/console/login?token=" + url.QueryEscape(boot.OwnerLoginToken))
		assert.Equal(t, "/console/login", staff.location().Path)
		assert.Empty(t, staff.location().RawQuery, "the token leaves the address bar")
		staff.click(`main form button`)
		staff.requireStatus(200)
		assert.Equal(t, "/console/customers", staff.location().Path, "the console's start page")
		assert.Contains(t, staff.text(`.top .tag`), "Console")

		staff.click(`main a.button[href="/console/customers/new"]`)
		staff.typeInto(`input[name=name]`, "Acme GmbH")
		staff.typeInto(`input[name=contact_email]`, "it@acme.example")
		staff.typeInto(`input[name=city]`, "Berlin")
		staff.typeInto(`input[name=country]`, "DE")
		staff.click(`form[action="/console/customers"] button`)
		staff.requireStatus(200)
		overview := staff.location().Path
		require.Regexp(t, `^/console/customers/[^/]+$`, overview)
		acmeID = customer.ID(path.Base(overview))
		assert.Contains(t, staff.text(`h1`), "Acme GmbH")
		c, err := s.p.GetCustomer(s.staff, acmeID)
		require.NoError(t, err)
		assert.Equal(t, "it@acme.example", c.ContactEmail)

		staff.click(`main nav a[href="` + overview + `/features"]`)
		for _, f := range []string{"order_authorization", "supplier_warehouse", "pre_orders", "inherit_global_portfolio", "tickets"} {
			staff.tick(`input[type=checkbox][name=` + f + `]`)
		}
		staff.click(`form[action$="/features"] button`)
		staff.requireStatus(200)
		assert.Equal(t, overview+"/features", staff.location().Path)
		f, err := s.p.GetFeatures(s.staff, acmeID)
		require.NoError(t, err)
		assert.True(t, f.OrderAuthorization, "ordering")
		assert.True(t, f.SupplierWarehouse, "supplier warehouse")
		assert.True(t, f.PreOrders, "pre-orders")
		assert.True(t, f.InheritGlobalPortfolio, "global portfolio")
		assert.True(t, f.Tickets, "tickets")

		staff.click(`.top nav a[href="/console/products"]`)
		assert.Contains(t, staff.text(`main table`), "HDS-1")
		staff.click(`main a.button[href="/console/products/new"]`)
		staff.typeInto(`input[name=sku]`, "LAP-14")
		staff.typeInto(`input[name=name]`, "Laptop 14")
		staff.typeInto(`textarea[name=description]`, "14-inch, 16 GB memory, 512 GB SSD")
		staff.typeInto(`input[name=category]`, "laptops")
		staff.typeInto(`input[name=price]`, "1299.00")
		staff.typeInto(`input[name=currency]`, "EUR")
		staff.click(`form[action="/console/products"] button`)
		staff.requireStatus(200)
		require.Regexp(t, `^/console/products/[^/]+$`, staff.location().Path)
		laptopID = orders.ProductID(path.Base(staff.location().Path))
		pr, err := s.p.GetProduct(s.staff, laptopID)
		require.NoError(t, err)
		assert.Equal(t, "LAP-14", pr.SKU)
		assert.Equal(t, eur(129_900), pr.Price)
		assert.Empty(t, pr.CustomerID, "in the global portfolio")

		staff.open(overview)
		staff.click(`main nav a[href="` + overview + `/members"]`)
		staff.typeInto(`form[action$="/invitations"] input[name=email]`, "ada@acme.example")
		staff.choose(`form[action$="/invitations"] select[name=role]`, string(customer.RoleAdmin))
		staff.typeInto(`form[action$="/invitations"] textarea[name=message]`, "Welcome to the Acme portal.")
		staff.click(`form[action$="/invitations"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main`), "ada@acme.example", "the open invitations list it")
		s.lastMail(t, "ada@acme.example", portal.NotifyInvitation)
	})

	step("admin accepts the invitation and invites a maintainer", func(t *testing.T) {
		admin := adminTab.in(t)
		m := s.lastMail(t, "ada@acme.example", portal.NotifyInvitation)
		admin.open(m.Link)
		u := admin.location()
		assert.Equal(t, "/accept", u.Path)
		assert.Empty(t, u.RawQuery, "the token leaves the address bar")
		admin.typeInto(`input[name=name]`, "Ada Admin")
		admin.click(`main form button`)
		admin.requireStatus(200)
		assert.Equal(t, "/", admin.location().Path, "the portal's start page")
		who := admin.text(`.who`)
		assert.Contains(t, who, "Ada Admin")
		assert.Contains(t, who, "Acme GmbH")

		// layout.html offers the members page to those who may do
		// membership.add, which is staff's alone, so an admin has no link
		// to it in the navigation yet.
		if admin.has(`nav a[href="/members"]`) {
			admin.click(`nav a[href="/members"]`)
		} else {
			t.Log("no Members link in the navigation for a customer's admin; opening /members")
			admin.open("/members")
		}
		admin.typeInto(`input[name=email]`, "max@acme.example")
		admin.choose(`form[action="/members/invite"] select[name=role]`, string(customer.RoleMaintainer))
		admin.click(`form[action="/members/invite"] button`)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`.notice`), "The invitation is on its way.")
		assert.Contains(t, admin.text(`main`), "max@acme.example", "the open invitations list it")

		inv, err := s.p.ListInvitations(s.staff, acmeID, portal.ListInvitationsParams{State: invite.StatePending})
		require.NoError(t, err)
		require.Len(t, inv.Items, 1)
		assert.Equal(t, "max@acme.example", inv.Items[0].Email)
		assert.Equal(t, customer.RoleMaintainer, inv.Items[0].Role)
	})

	step("staff and the admin write news", func(t *testing.T) {
		// Globex's own article is the one Acme's people must never see.
		_, err := s.p.CreateCustomerArticle(identity.NewContext(context.Background(), identity.User(gina.Membership)), globex.ID,
			portal.CreateCustomerArticleParams{Title: "Globex canteen", Body: "Soup."})
		require.NoError(t, err)

		staff := staffTab.in(t)
		staff.open("/console/news")
		staff.typeInto(`input[name=title]`, "Holiday hours")
		staff.typeInto(`textarea[name=body]`, `Closed on **24 December**.<span onmouseover="alert(1)"></span>`)
		staff.click(`main form.card button`)
		staff.requireStatus(200)
		assert.Equal(t, "/console/news", staff.location().Path)
		assert.Contains(t, staff.text(`main table`), "Holiday hours")

		admin := adminTab.in(t)
		admin.open("/")
		admin.click(`main a[href="/news"]`)
		admin.typeInto(`input[name=title]`, "New printer")
		admin.typeInto(`textarea[name=body]`, "On the *second* floor.")
		admin.click(`main form.card button`)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`main table`), "New printer")
	})

	step("staff register a webhook endpoint for orders", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.open("/console")
		staff.click(`.top nav a[href="/console/webhooks"]`)
		staff.typeInto(`input[name=url]`, "https://93.184.215.14/portalkit/events")
		staff.typeInto(`input[name=description]`, "ERP order import")
		staff.tick(`input[name=event_type][value="order.submitted"]`)
		assert.Equal(t, int64(201), staff.click(`main form.card button`))
		assert.True(t, staff.has(`#new-secret`), "the secret is shown once")
		assert.Contains(t, staff.text(`main table`), "ERP order import")
		staff.click(`main .card a`)
		staff.requireStatus(200)
		hookPath = staff.location().Path
		assert.Contains(t, hookPath, "/console/webhooks/wep_")
	})

	step("maintainer accepts and places an order", func(t *testing.T) {
		maint := maintTab.in(t)
		m := s.lastMail(t, "max@acme.example", portal.NotifyInvitation)
		maint.open(m.Link)
		maint.typeInto(`input[name=name]`, "Max Maintainer")
		maint.click(`main form button`)
		assert.Equal(t, "/", maint.location().Path, "the start page")
		start := maint.text(`main`)
		assert.Contains(t, start, "Holiday hours")
		assert.Contains(t, start, "Closed on 24 December.")
		assert.Contains(t, start, "New printer")
		assert.NotContains(t, start, "Globex canteen")
		// The raw HTML with its handler is gone.
		assert.False(t, maint.has(`main [onmouseover]`), "no event handler in the news")
		assert.False(t, maint.has(`main a[href="/news"]`), "a maintainer writes no news")

		maint.click(`main a[href="/orders"]`)
		assert.Contains(t, maint.text(`main`), "No orders yet.")

		maint.click(`main a.button[href="/catalogue"]`)
		assert.Contains(t, maint.text(`main table`), "Laptop 14")
		maint.typeInto(`input[name="qty.`+string(laptopID)+`"]`, "2")
		maint.click(`main form button`)
		assert.Equal(t, "/basket", maint.location().Path)
		basket := maint.text(`main table`)
		assert.Contains(t, basket, "Laptop 14")
		assert.Contains(t, basket, "€2,598.00", "the total of two laptops")
		maint.typeInto(`input[name=recipient_name]`, "Nina Newhire")
		maint.click(`form[action="/orders"] button`)
		maint.requireStatus(200)

		orderPath = maint.location().Path
		orderID = orders.ID(path.Base(orderPath))
		assert.Equal(t, "/orders/"+string(orderID), orderPath)
		assert.True(t, maint.has(`h1 .status-submitted`), "the order page shows it submitted")
		assert.Contains(t, maint.text(`.notice`), "Your order is placed.")

		o, err := s.p.GetOrder(s.staff, acmeID, orderID)
		require.NoError(t, err)
		assert.Equal(t, orders.StatusSubmitted, o.Status)
		require.Len(t, o.Lines, 1)
		assert.Equal(t, laptopID, o.Lines[0].ProductID)
		assert.Equal(t, 2, o.Lines[0].Quantity)
		assert.Equal(t, "Nina Newhire", o.Recipient.Name)
	})

	step("staff confirm and the order mail's link opens the order", func(t *testing.T) {
		staff, maint := staffTab.in(t), maintTab.in(t)
		staff.open("/console/customers")
		assert.Equal(t, "2", staff.text(`.top nav .badge`), "Acme's and Globex's orders wait for a decision")
		staff.confirmFromInbox(orderID, "Ships on Monday.")
		assert.True(t, staff.has(`h1 .status-confirmed`), "the console's order page shows it confirmed")
		o, err := s.p.GetOrder(s.staff, acmeID, orderID)
		require.NoError(t, err)
		assert.Equal(t, orders.StatusConfirmed, o.Status)

		maint.open(orderPath)
		assert.True(t, maint.has(`h1 .status-confirmed`), "the order page shows it confirmed")
		assert.Contains(t, maint.text(`main ol`), "Ships on Monday.")

		m := s.lastMail(t, "max@acme.example", portal.NotifyOrderConfirmed)
		link, err := url.Parse(m.Link)
		require.NoError(t, err)
		assert.Equal(t, orderPath, link.Path)
		maint.open(m.Link)
		maint.requireStatus(200)
		assert.Contains(t, maint.text(`h1`), o.Number.String())

		stranger := s.newVisitor(t, "signed out")
		stranger.open(m.Link)
		assert.Equal(t, "/signin", stranger.location().Path, "a signed-out reader is sent to sign in")
	})

	step("a pre-order is stocked, issued and returned", func(t *testing.T) {
		maint := maintTab.in(t)
		maint.open("/catalogue")
		maint.typeInto(`input[name="qty.`+string(laptopID)+`"]`, "1")
		maint.click(`main form button`)
		maint.check(`input[name=kind][value=pre_order]`)
		maint.click(`form[action="/orders"] button`)
		maint.requireStatus(200)
		preOrder = orders.ID(path.Base(maint.location().Path))
		o, err := s.p.GetOrder(s.staff, acmeID, preOrder)
		require.NoError(t, err)
		require.Equal(t, orders.KindPreOrder, o.Kind)

		staff := staffTab.in(t)
		staff.confirmFromInbox(preOrder, "")
		assert.True(t, staff.has(`h1 .status-confirmed`))
		staff.typeInto(`form[action$="/fulfil"] textarea[name=note]`, "In the warehouse.")
		staff.click(`form[action$="/fulfil"] button`)
		staff.requireStatus(200)
		assert.True(t, staff.has(`h1 .status-fulfilled`), "the console's order page shows it fulfilled")
		assert.Contains(t, staff.text(`main ol`), "In the warehouse.")
		o, err = s.p.GetOrder(s.staff, acmeID, preOrder)
		require.NoError(t, err)
		require.Equal(t, orders.StatusFulfilled, o.Status)

		maint.click(`nav a[href="/stock"]`)
		assert.Contains(t, maint.text(`main table`), "Laptop 14")
		maint.click(`main table a`)
		maint.click(`main table a`)
		itemID = warehouse.ItemID(path.Base(maint.location().Path))
		assert.Equal(t, "/stock/items/"+string(itemID), maint.location().Path)
		assert.True(t, maint.has(`h1 .status-in_stock`))

		maint.typeInto(`input[name=holder_name]`, "Erika Mustermann")
		maint.typeInto(`input[name=holder_email]`, "erika@acme.example")
		maint.click(`form[action$="/issue"] button`)
		maint.requireStatus(200)
		assert.Contains(t, maint.text(`.notice`), "The item is issued.")
		assert.True(t, maint.has(`h1 .status-issued`))
		assert.Contains(t, maint.text(`dl`), "Erika Mustermann")
		it, err := s.p.GetStockItem(s.staff, acmeID, itemID)
		require.NoError(t, err)
		assert.Equal(t, warehouse.StatusIssued, it.Status)
		assert.Equal(t, "Erika Mustermann", it.Holder.Name)
		assert.Equal(t, preOrder, it.OrderID)

		maint.choose(`select[name=condition]`, string(warehouse.ConditionUsed))
		maint.typeInto(`form[action$="/return"] input[name=note]`, "left the company")
		maint.click(`form[action$="/return"] button`)
		maint.requireStatus(200)
		assert.Contains(t, maint.text(`.notice`), "The item is back in the warehouse.")
		assert.True(t, maint.has(`h1 .status-in_stock`))
		it, err = s.p.GetStockItem(s.staff, acmeID, itemID)
		require.NoError(t, err)
		assert.Equal(t, warehouse.StatusInStock, it.Status)
		assert.Equal(t, warehouse.ConditionUsed, it.Condition)
		assert.Empty(t, it.Holder.Name)
	})

	step("staff look through the customer's pages in the console", func(t *testing.T) {
		staff := staffTab.in(t)
		overview := "/console/customers/" + string(acmeID)
		staff.open(overview)
		assert.Contains(t, staff.text(`h1`), "Acme GmbH")

		staff.click(`main nav a[href="` + overview + `/sites"]`)
		staff.typeInto(`form[method=post][action$="/sites"] input[name=name]`, "Head office")
		staff.click(`form[method=post][action$="/sites"] button`)
		staff.requireStatus(200)
		assert.Equal(t, "Head office", eval[string](staff, `document.querySelector("main table input[name=name]").value`))
		staff.click(`main table a[aria-label="Edit site Head office"]`)
		staff.requireStatus(200)
		staff.typeInto(`form.card input[name=city]`, "Berlin")
		staff.typeInto(`form.card textarea[name=notes]`, "Reception on the 2nd floor.")
		staff.click(`form.card button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main table`), "Berlin", "the edit page saved the address")

		staff.click(`main nav a[href="` + overview + `/offers"]`)
		staff.choose(`form[action$="/offers"] select[name=product_id]`, string(headset.ID))
		staff.typeInto(`form[action$="/offers"] input[name=price]`, "79.00")
		staff.click(`form[action$="/offers"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main table`), "Headset")

		staff.click(`main nav a[href="` + overview + `/stock"]`)
		assert.Contains(t, staff.text(`main table`), "Laptop 14", "the returned pre-order's item")

		staff.click(`main nav a[href="` + overview + `/orders"]`)
		assert.Contains(t, staff.hrefs(), overview+"/orders/"+string(preOrder))

		staff.click(`main nav a[href="` + overview + `/members"]`)
		assert.Contains(t, staff.text(`main table`), "Max Maintainer")

		staff.click(`main nav a[href="` + overview + `/mail-templates"]`)
		staff.click(`main table a[href$="/invitation/en"]`)
		staff.typeInto(`input[name=subject]`, "Welcome to {{.CustomerName}}")
		staff.click(`main form button[formaction$="/preview"]`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`section[aria-labelledby=preview]`), "Welcome to")

		staff.click(`.top nav a[href="/console/mail"]`)
		assert.Contains(t, staff.text(`main table`), "max@acme.example")

		staff.click(`.top nav a[href="/console/api-keys"]`)
		staff.typeInto(`form[action="/console/api-keys"] input[name=name]`, "ERP sync")
		staff.choose(`form[action="/console/api-keys"] select[name=role]`, string(identity.StaffAgent))
		staff.click(`form[action="/console/api-keys"] button`)
		staff.requireStatus(201)
		assert.NotEmpty(t, eval[string](staff, `document.querySelector("#new-key").value`), "the new key is shown once")

		staff.click(`.top nav a[href="/console/account"]`)
		assert.Contains(t, staff.text(`main`), "olga@provider.example")
	})

	step("a damage case goes from the maintainer to resolved, its internal note unseen", func(t *testing.T) {
		maint := maintTab.in(t)
		maint.click(`.top nav a[href="/tickets"]`)
		maint.click(`main a.button[href="/tickets/new"]`)
		maint.choose(`select[name=type]`, "equipment_damage")
		maint.click(`form[action="/tickets/new"] button`)
		maint.typeInto(`input[name=subject]`, "Cracked screen on the new laptop")
		maint.choose(`select[name="field.damage"]`, "functional")
		maint.typeInto(`textarea[name=description]`, "Dropped in transit, it seems; the screen flickers.")
		maint.click(`form[action="/tickets"] button`)
		maint.requireStatus(200)
		require.Regexp(t, `^/tickets/[^/]+$`, maint.location().Path)
		ticketPath = maint.location().Path
		assert.Contains(t, maint.text(`h1`), "Cracked screen")
		assert.Contains(t, maint.text(`main`), "Open")

		// A photo of the damage goes with it.
		photo := filepath.Join(t.TempDir(), "cracked-screen.png")
		require.NoError(t, os.WriteFile(photo, pngBytes, 0o600))
		maint.attach(`input[type=file][name=file]`, photo)
		maint.click(`form[action$="/attachments"] button`)
		maint.requireStatus(200)
		assert.Contains(t, maint.text(`main`), "The file is attached.")
		assert.Contains(t, maint.text(`main table`), "cracked-screen.png")
		assert.Contains(t, maint.text(`main table`), "image/png")

		// The owner joins the service desk on the staff page, then works
		// the ticket from the queue.
		staff := staffTab.in(t)
		staff.click(`.top nav a[href="/console/staff"]`)
		staff.click(`form[action$="/` + string(boot.Owner.ID) + `/service-desk"] button`)
		staff.requireStatus(200)
		staff.click(`.top nav a[href="/console/tickets"]`)
		staff.click(`main table a[href$="` + path.Base(ticketPath) + `"]`)
		staff.requireStatus(200)
		deskPath = staff.location().Path
		assert.Contains(t, staff.text(`main table`), "cracked-screen.png", "the desk sees the customer's photo")
		href := eval[string](staff, `document.querySelector("main table a[download]").getAttribute("href")`)
		assert.True(t, strings.HasPrefix(href, deskPath+"/attachments/att_"), href)
		staff.typeInto(`textarea[name=body]`, "Courier damage: claim it with the carrier.")
		staff.check(`input[name=visibility][value=internal]`)
		staff.click(`form[action$="/comments"] button`)
		staff.requireStatus(200)
		staff.choose(`select[name=status]`, "in_progress")
		staff.click(`form[action$="/status"] button`)
		staff.requireStatus(200)
		staff.typeInto(`textarea[name=body]`, "A replacement screen is on its way.")
		staff.click(`form[action$="/comments"] button`)
		staff.requireStatus(200)
		staff.choose(`select[name=status]`, "resolved")
		staff.click(`form[action$="/status"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main`), "Courier damage", "the desk sees its note")

		maint.open(ticketPath)
		maint.requireStatus(200)
		body := maint.text(`main`)
		assert.Contains(t, body, "A replacement screen is on its way.")
		assert.Contains(t, body, "Resolved")
		assert.NotContains(t, body, "Courier damage", "the internal note stays internal")
	})

	step("an admin claims a contract, edits it, and a change waits for staff's approval", func(t *testing.T) {
		// The provider's system sent the contract without a customer.
		_, err := s.p.UpsertRecords(s.staff, []portal.UpsertRecordParams{{Type: record.TypeContract, ExternalRef: "erp-4711",
			Values: map[string]string{"contract_number": "V-4711", "customer_number": "K-0815", "status": "active",
				"end_date": "2030-12-31", "monthly_instalment": "10000", "billing_email": "billing@acme.example"}}})
		require.NoError(t, err)
		admin := adminTab.in(t)
		admin.click(`.top nav a[href="/records"]`)
		admin.click(`main a.button[href="/records/claim"]`)
		admin.choose(`select[name=type]`, "contract")
		admin.click(`form[action="/records/claim"][method=get] button`)
		admin.typeInto(`input[name="id.contract_number"]`, "V-4711")
		admin.typeInto(`input[name="id.customer_number"]`, "K-0816")
		admin.click(`form[action="/records/claim"][method=post] button`)
		assert.Equal(t, int64(404), *admin.lastStatus, "one wrong number: no such contract")
		admin.typeInto(`input[name="id.customer_number"]`, "K-0815")
		admin.click(`form[action="/records/claim"][method=post] button`)
		admin.requireStatus(200)
		require.Regexp(t, `^/records/rec_[^/]+$`, admin.location().Path)
		recordPath := admin.location().Path
		assert.Contains(t, admin.text(`h1`), "V-4711")

		admin.typeInto(`input[name="value.monthly_instalment"]`, "10500")
		admin.click(`main form[method=post] button`)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`main`), "The record is saved.")
		assert.Contains(t, admin.text(`main dl`), "10500")

		admin.typeInto(`input[name="value.billing_email"]`, "invoices@acme.example")
		admin.click(`main form[method=post] button`)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`main`), "waits for the provider's approval")
		assert.NotContains(t, admin.text(`main dl`), "invoices@acme.example", "not before staff approve it")

		staff := staffTab.in(t)
		staff.click(`.top nav a[href="/console/records"]`)
		staff.click(`main a[href="/console/record-changes"]`)
		assert.Contains(t, staff.text(`main table`), "invoices@acme.example")
		staff.click(`main form[action$="/approve"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main`), "approved")

		admin.open(recordPath)
		admin.requireStatus(200)
		assert.Contains(t, admin.text(`main dl`), "invoices@acme.example")
		assert.Contains(t, admin.text(`main`), "Change approved", "the history says so")
	})

	step("a colleague invited on the staff page accepts", func(t *testing.T) {
		staff := staffTab.in(t)
		staff.click(`.top nav a[href="/console/staff"]`)
		staff.typeInto(`form[action="/console/staff"] input[name=name]`, "Sam Service")
		staff.typeInto(`form[action="/console/staff"] input[name=email]`, "sam@provider.example")
		staff.choose(`form[action="/console/staff"] select[name=role]`, string(identity.StaffAgent))
		staff.click(`form[action="/console/staff"] button`)
		staff.requireStatus(200)
		assert.Contains(t, staff.text(`main table`), "sam@provider.example")

		sam := s.newVisitor(t, "sam (staff agent)")
		m := s.lastMail(t, "sam@provider.example", portal.NotifyStaffInvitation)
		sam.open(m.Link)
		assert.Equal(t, "/console/accept", sam.location().Path)
		assert.Empty(t, sam.location().RawQuery, "the token leaves the address bar")
		sam.typeInto(`input[name=password]`, "a phrase of Sam's own")
		sam.click(`main form button`)
		sam.requireStatus(200)
		assert.Equal(t, "/console/customers", sam.location().Path, "the console's start page")
		assert.False(t, sam.has(`.top nav a[href="/console/api-keys"]`), "an agent manages no API keys")
		sam.click(`.top nav a[href="/console/orders"]`)
		assert.Contains(t, sam.text(`main table`), "Globex AG", "Globex's order still waits")

		staff.open("/console/staff")
		assert.Regexp(t, `Sam Service\s+sam@provider\.example`, staff.text(`main table`))
		assert.True(t, staff.has(`main table .status-active`))
	})

	step("another customer's user sees none of it", func(t *testing.T) {
		g := s.newVisitor(t, "gina")
		signInByLink(t, g, "gina@globex.example")
		assert.Contains(t, g.text(`.who`), "Globex AG")
		start := g.text(`main`)
		assert.Contains(t, start, "Globex canteen", "its own news")
		assert.Contains(t, start, "Holiday hours", "the provider's news for all")
		assert.NotContains(t, start, "New printer", "Acme's news is Acme's")
		g.open("/orders")
		links := g.hrefs()
		assert.Contains(t, links, "/orders/"+string(globexOrder.ID), "its own order is listed")
		for _, id := range []orders.ID{orderID, preOrder} {
			assert.NotContains(t, links, "/orders/"+string(id))
		}
		for _, p := range []string{"/orders/" + string(orderID), "/orders/" + string(preOrder), "/stock/items/" + string(itemID)} {
			assert.Equal(t, int64(404), g.open(p), p)
			assert.Contains(t, g.text(`main`), "Not found", p)
			assert.NotContains(t, g.body(), "Laptop 14", p)
		}
		g.open("/stock")
		assert.NotContains(t, g.text(`main`), "Laptop 14")
		g.open("/stock/items")
		assert.NotContains(t, g.hrefs(), "/stock/items/"+string(itemID))
	})

	step("German", func(t *testing.T) {
		de := s.newVisitor(t, "max in German", speaking("de-DE,de"))
		de.open("/signin")
		assert.Equal(t, "de", eval[string](de, `document.documentElement.lang`))
		assertGerman(t, de, "Sign in", "Get a sign-in link by e-mail", "Send me a link")
		signInByLink(t, de, "max@acme.example")
		assert.Equal(t, "de", eval[string](de, `document.documentElement.lang`))
		assert.Contains(t, de.text(`main`), "Neuigkeiten", "the start page in German")
		de.open("/orders")
		listing := de.text(`main`)
		assert.Contains(t, listing, "2.598,00\u00a0€", "German money")
		assert.Regexp(t, `\d\d\.\d\d\.\d{4}, \d\d:\d\d UTC`, listing, "German dates")
		assertGerman(t, de, "Orders", "Catalogue", "Warehouse", "Account", "Sign out", "Number", "Placed", "Total")
	})

	step("main pages at desktop and phone width", func(t *testing.T) {
		out := s.newVisitor(t, "signed out")
		tour := []struct {
			who   *visitor
			name  string
			path  string
			ready string // an element the page must show
		}{
			{out, "signin", "/signin", `form[action="/signin/link"]`},
			{maintTab, "start", "/", `main article`},
			{maintTab, "orders", "/orders", `main table`},
			{maintTab, "order", orderPath, `h1 .status`},
			{maintTab, "catalogue", "/catalogue", `main table input`},
			{maintTab, "basket", "/basket?qty." + string(laptopID) + "=2&qty." + string(headset.ID) + "=5", `form[action="/orders"]`},
			{maintTab, "stock", "/stock", `main table`},
			{maintTab, "stock-item", "/stock/items/" + string(itemID), `form[action$="/issue"]`},
			{adminTab, "members", "/members", `form[action="/members/invite"]`},
			{maintTab, "tickets", "/tickets", `main table`},
			{maintTab, "ticket", ticketPath, `ol.thread`},
			{adminTab, "news", "/news", `form[action="/news"]`},
			{maintTab, "account", "/account", `form[action="/account"]`},
			{out, "access", "/access", `main .card`},
			{out, "console-signin", "/console/signin", `form[action="/console/signin/link"]`},
			{staffTab, "console-customers", "/console/customers", `main table`},
			{staffTab, "console-customer", "/console/customers/" + string(acmeID), `form[action$="/status"]`},
			{staffTab, "console-features", "/console/customers/" + string(acmeID) + "/features", `form[action$="/features"]`},
			{staffTab, "console-orders", "/console/orders", `main table`},
			{staffTab, "console-products", "/console/products", `main table`},
			{staffTab, "console-staff", "/console/staff", `form[action="/console/staff"]`},
			{staffTab, "console-tickets", "/console/tickets?status=resolved", `main table`},
			{staffTab, "console-ticket", deskPath, `form[action$="/comments"]`},
			{staffTab, "console-news", "/console/news", `form[action="/console/news"]`},
			{staffTab, "console-webhook", hookPath, `main table`},
			{out, "request-access", "/request-access", `main form`},
			{adminTab, "records", "/records", `main h1`},
			{adminTab, "audit", "/audit", `main table`},
			{staffTab, "console-access-requests", "/console/access-requests", `main h1`},
			{staffTab, "console-records", "/console/records", `main h1`},
			{staffTab, "console-audit", "/console/audit", `main table`},
		}
		// Each tab tours its own pages, the four tabs at once: a tab's
		// pages one after another, since it shows one at a time.
		for _, who := range []*visitor{out, maintTab, adminTab, staffTab} {
			t.Run(who.name, func(t *testing.T) {
				t.Parallel()
				v := who.in(t)
				for _, vp := range []viewport{desktop, phone} {
					for _, p := range tour {
						if p.who != who {
							continue
						}
						v.resize(vp)
						v.open(p.path)
						v.requireStatus(200)
						assert.True(t, v.has(p.ready), "%s at %s: %s", p.path, vp.name, p.ready)
						if vp.phone {
							v.checkFits()
						}
						v.screenshot(p.name + "-" + vp.name)
					}
				}
				v.resize(desktop)
			})
		}
	})
}

// signInByLink signs v in as the person at email with a sign-in link
// asked for on the sign-in page, as someone without a password does.
func signInByLink(t *testing.T, v *visitor, email string) {
	t.Helper()
	v = v.in(t)
	v.open("/signin")
	v.typeInto(`form[action="/signin/link"] input[name=email]`, email)
	v.click(`form[action="/signin/link"] button`)
	v.requireStatus(200)
	m := v.s.lastMail(t, email, portal.NotifyLoginLink)
	v.open(m.Link)
	assert.Equal(t, "/login", v.location().Path)
	v.click(`main form button`)
	v.requireStatus(200)
	require.Equal(t, "/", v.location().Path, "signed in")
}

// assertGerman checks that the page shows the German text of each English
// one that has a translation; it logs those without one.
func assertGerman(t *testing.T, v *visitor, english ...string) {
	t.Helper()
	body := v.body()
	var missing []string
	for _, en := range english {
		de, ok := webui.German(en)
		if !ok {
			missing = append(missing, en)
			continue
		}
		assert.Contains(t, body, de, "German for %q", en)
	}
	if len(missing) > 0 {
		t.Logf("not translated into German yet: %s", strings.Join(missing, "; "))
	}
}

// TestContentSecurityPolicy shows that the pages' policy blocks inline
// script in the browser, while the DevTools protocol, which the
// accessibility checks load axe-core through, still reaches the page.
func TestContentSecurityPolicy(t *testing.T) {
	t.Parallel()
	chromium(t)
	s := newLiveSite(t)
	v := s.newVisitor(t, "visitor")
	v.open("/signin")
	ran := eval[bool](v, `(() => {
		window.inlineRan = false;
		const el = document.createElement("script");
		el.textContent = "window.inlineRan = true";
		document.head.appendChild(el);
		return window.inlineRan;
	})()`)
	assert.False(t, ran, "an inline script ran despite the Content Security Policy")
	assert.True(t, eval[bool](v, `window.inlineRan === false`), "Runtime.evaluate reaches the page")

	// The browser reports the refusal, as the pages' other errors, which
	// every check of a page fails on (checkConsole).
	select {
	case <-v.console.notify:
	case <-time.After(actionTimeout):
	}
	errs := v.console.take()
	require.Len(t, errs, 1)
	assert.Contains(t, errs[0], "Content Security Policy")
}

// TestAccessibilityCheck shows that the accessibility check finds what it
// is there for: axe-core reports an image without a text and a field
// without a label put into a page.
func TestAccessibilityCheck(t *testing.T) {
	t.Parallel()
	chromium(t)
	if chrome.axe == "" && !inCI() {
		t.Skipf("%s names no axe.min.js", envAxe)
	}
	s := newLiveSite(t)
	v := s.newVisitor(t, "visitor")
	v.open("/signin")
	eval[bool](v, `(() => {
		const main = document.querySelector("main");
		main.insertAdjacentHTML("beforeend", '<img src="/static/none.png"><input name="unlabelled">');
		return true;
	})()`)
	var ids []string
	for _, f := range v.axeViolations() {
		ids = append(ids, f.ID)
	}
	assert.Contains(t, ids, "image-alt")
	assert.Contains(t, ids, "label")
	// axeRun leaves out the rules that cannot find a serious or critical
	// problem: with this axe-core their list is there and most rules are
	// kept, and a moderate problem (text outside any landmark, "region")
	// is not looked for.
	kept := eval[int](v, `(`+axeReportable+`).length`)
	all := eval[int](v, `axe._audit.rules.filter(r => r.enabled).length`)
	assert.Greater(t, kept, all/2, "axe rules run of %d", all)
	assert.Less(t, kept, all, "axe rules run of %d", all)
	eval[bool](v, `(() => { document.body.insertAdjacentHTML("beforeend", "<div>Outside every landmark</div>"); return true })()`)
	regionFound, err := run(v, chromedp.Evaluate[bool](
		`axe.run(document, {runOnly: {type: "rule", values: ["region"]}}).then(r => r.violations.length > 0)`, chromedp.EvalAwaitPromise))
	require.NoError(t, err)
	require.True(t, regionFound, "axe itself finds the moderate problem")
	for _, f := range v.axeViolations() {
		assert.NotEqual(t, "region", f.ID, "a moderate rule ran")
	}
}

// confirmFromInbox takes an order from the console's inbox to its page
// and confirms it there, with a note to the customer when not empty.
func (v *visitor) confirmFromInbox(id orders.ID, note string) {
	v.t.Helper()
	v.click(`.top nav a[href="/console/orders"]`)
	v.click(`main table a[href$="/orders/` + string(id) + `"]`)
	if note != "" {
		v.typeInto(`form[action$="/confirm"] textarea[name=note]`, note)
	}
	v.click(`form[action$="/confirm"] button`)
	v.requireStatus(200)
	assert.Contains(v.t, v.text(`.notice`), "The order is confirmed.")
}
