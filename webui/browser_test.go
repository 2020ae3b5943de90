package webui_test

import (
	"context"
	"net/url"
	"path"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/warehouse"
	"github.com/portalkit/portalkit/webui"
)

// TestBrowserStories walks the customer portal in Chromium, story after
// story on one portal, as its people would: each story starts where the
// one before left off, so the first failure ends the walk. Every page
// loaded is checked with axe-core (checkAccessible); the last step looks at
// the main pages at desktop and phone width and takes their screenshots.
func TestBrowserStories(t *testing.T) {
	chromium(t)
	s := newLiveSite(t)
	on := true
	acme, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{
		Name: "Acme GmbH", Features: customer.FeaturesPatch{OrderAuthorization: &on, PreOrders: &on},
	})
	require.NoError(t, err)
	globex, err := s.p.CreateCustomer(s.staff, portal.CreateCustomerParams{
		Name: "Globex AG", Features: customer.FeaturesPatch{OrderAuthorization: &on, PreOrders: &on},
	})
	require.NoError(t, err)
	eur := func(cents int64) orders.Money { return orders.Money{Amount: cents, Currency: "EUR"} }
	laptop, err := s.p.CreateProduct(s.staff, portal.CreateProductParams{
		SKU: "LAP-14", Name: "Laptop 14", Description: "14-inch, 16 GB memory, 512 GB SSD", Category: "laptops", Price: eur(129_900),
	})
	require.NoError(t, err)
	headset, err := s.p.CreateProduct(s.staff, portal.CreateProductParams{SKU: "HDS-1", Name: "Headset", Category: "accessories", Price: eur(8_900)})
	require.NoError(t, err)
	_, err = s.p.Invite(s.staff, acme.ID, portal.InviteParams{Email: "ada@acme.example", Role: customer.RoleAdmin})
	require.NoError(t, err)
	// Globex's admin, with an order of its own.
	gina, err := s.p.AddMember(s.staff, globex.ID, portal.AddMemberParams{Email: "gina@globex.example", Name: "Gina Globex", Role: customer.RoleAdmin})
	require.NoError(t, err)
	globexOrder, err := s.p.PlaceOrder(identity.NewContext(context.Background(), identity.User(gina.Membership)), globex.ID, portal.PlaceOrderParams{
		Lines: []portal.OrderLineParams{{ProductID: headset.ID, Quantity: 3}}, Recipient: &orders.Employee{Name: "Otto Globex"},
	})
	require.NoError(t, err)

	// Tabs live as long as the test that opens them: these two go through
	// every story.
	adminTab, maintTab := s.newVisitor(t, "ada (admin)"), s.newVisitor(t, "max (maintainer)")
	var (
		orderID   orders.ID
		preOrder  orders.ID
		itemID    warehouse.ItemID
		orderPath string
	)
	step := func(name string, f func(t *testing.T)) {
		if !t.Run(name, f) {
			t.FailNow()
		}
	}

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
		assert.Equal(t, "/orders", admin.location().Path, "the portal's start page")
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

		inv, err := s.p.ListInvitations(s.staff, acme.ID, portal.ListInvitationsParams{State: invite.StatePending})
		require.NoError(t, err)
		require.Len(t, inv.Items, 1)
		assert.Equal(t, "max@acme.example", inv.Items[0].Email)
		assert.Equal(t, customer.RoleMaintainer, inv.Items[0].Role)
	})

	step("maintainer accepts and places an order", func(t *testing.T) {
		maint := maintTab.in(t)
		m := s.lastMail(t, "max@acme.example", portal.NotifyInvitation)
		maint.open(m.Link)
		maint.typeInto(`input[name=name]`, "Max Maintainer")
		maint.click(`main form button`)
		assert.Contains(t, maint.text(`main`), "No orders yet.")

		maint.click(`main a.button[href="/catalogue"]`)
		assert.Contains(t, maint.text(`main table`), "Laptop 14")
		maint.typeInto(`input[name="qty.`+string(laptop.ID)+`"]`, "2")
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

		o, err := s.p.GetOrder(s.staff, acme.ID, orderID)
		require.NoError(t, err)
		assert.Equal(t, orders.StatusSubmitted, o.Status)
		require.Len(t, o.Lines, 1)
		assert.Equal(t, laptop.ID, o.Lines[0].ProductID)
		assert.Equal(t, 2, o.Lines[0].Quantity)
		assert.Equal(t, "Nina Newhire", o.Recipient.Name)
	})

	step("staff confirm and the order mail's link opens the order", func(t *testing.T) {
		maint := maintTab.in(t)
		// Through the portal API, until the console has an order inbox.
		_, err := s.p.ConfirmOrder(s.agent, orderID, portal.DecideOrderParams{Note: "Ships on Monday."})
		require.NoError(t, err)
		maint.open(orderPath)
		assert.True(t, maint.has(`h1 .status-confirmed`), "the order page shows it confirmed")
		assert.Contains(t, maint.text(`main ol`), "Ships on Monday.")

		m := s.lastMail(t, "max@acme.example", portal.NotifyOrderConfirmed)
		link, err := url.Parse(m.Link)
		require.NoError(t, err)
		assert.Equal(t, orderPath, link.Path)
		maint.open(m.Link)
		maint.requireStatus(200)
		o, err := s.p.GetOrder(s.staff, acme.ID, orderID)
		require.NoError(t, err)
		assert.Contains(t, maint.text(`h1`), o.Number.String())

		stranger := s.newVisitor(t, "signed out")
		stranger.open(m.Link)
		assert.Equal(t, "/signin", stranger.location().Path, "a signed-out reader is sent to sign in")
	})

	step("a pre-order is stocked, issued and returned", func(t *testing.T) {
		maint := maintTab.in(t)
		maint.open("/catalogue")
		maint.typeInto(`input[name="qty.`+string(laptop.ID)+`"]`, "1")
		maint.click(`main form button`)
		maint.check(`input[name=kind][value=pre_order]`)
		maint.click(`form[action="/orders"] button`)
		maint.requireStatus(200)
		preOrder = orders.ID(path.Base(maint.location().Path))
		o, err := s.p.GetOrder(s.staff, acme.ID, preOrder)
		require.NoError(t, err)
		require.Equal(t, orders.KindPreOrder, o.Kind)

		_, err = s.p.ConfirmOrder(s.agent, preOrder, portal.DecideOrderParams{})
		require.NoError(t, err)
		_, err = s.p.FulfilOrder(s.agent, preOrder, portal.DecideOrderParams{Note: "In the warehouse."})
		require.NoError(t, err)

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
		it, err := s.p.GetStockItem(s.staff, acme.ID, itemID)
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
		it, err = s.p.GetStockItem(s.staff, acme.ID, itemID)
		require.NoError(t, err)
		assert.Equal(t, warehouse.StatusInStock, it.Status)
		assert.Equal(t, warehouse.ConditionUsed, it.Condition)
		assert.Empty(t, it.Holder.Name)
	})

	step("another customer's user sees none of it", func(t *testing.T) {
		g := s.newVisitor(t, "gina")
		signInByLink(t, g, "gina@globex.example")
		assert.Contains(t, g.text(`.who`), "Globex AG")
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
			{maintTab, "orders", "/orders", `main table`},
			{maintTab, "order", orderPath, `h1 .status`},
			{maintTab, "catalogue", "/catalogue", `main table input`},
			{maintTab, "basket", "/basket?qty." + string(laptop.ID) + "=2&qty." + string(headset.ID) + "=5", `form[action="/orders"]`},
			{maintTab, "stock", "/stock", `main table`},
			{maintTab, "stock-item", "/stock/items/" + string(itemID), `form[action$="/issue"]`},
			{adminTab, "members", "/members", `form[action="/members/invite"]`},
		}
		for _, vp := range []viewport{desktop, phone} {
			for _, p := range tour {
				v := p.who.in(t)
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
		for _, v := range []*visitor{out, maintTab, adminTab} {
			v.in(t).resize(desktop)
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
	require.Equal(t, "/orders", v.location().Path, "signed in")
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
}
