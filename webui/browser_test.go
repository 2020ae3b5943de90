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
	browser(t)
	s := newSite(t)
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
	ada, max := s.newVisitor(t, "ada"), s.newVisitor(t, "max")
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
		m := s.lastMail(t, "ada@acme.example", portal.NotifyInvitation)
		ada.in(t).open(m.Link)
		u := ada.in(t).location()
		assert.Equal(t, "/accept", u.Path)
		assert.Empty(t, u.RawQuery, "the token leaves the address bar")
		ada.in(t).typeInto(`input[name=name]`, "Ada Admin")
		ada.in(t).click(`main form button`)
		ada.in(t).requireStatus(200)
		assert.Equal(t, "/orders", ada.in(t).location().Path, "the portal's start page")
		who := ada.in(t).text(`.who`)
		assert.Contains(t, who, "Ada Admin")
		assert.Contains(t, who, "Acme GmbH")

		// layout.html offers the members page to those who may do
		// membership.add, which is staff's alone, so an admin has no link
		// to it in the navigation yet.
		if ada.in(t).has(`nav a[href="/members"]`) {
			ada.in(t).click(`nav a[href="/members"]`)
		} else {
			t.Log("no Members link in the navigation for a customer's admin; opening /members")
			ada.in(t).open("/members")
		}
		ada.in(t).typeInto(`input[name=email]`, "max@acme.example")
		ada.in(t).choose(`form[action="/members/invite"] select[name=role]`, string(customer.RoleMaintainer))
		ada.in(t).click(`form[action="/members/invite"] button`)
		ada.in(t).requireStatus(200)
		assert.Contains(t, ada.in(t).text(`.notice`), "The invitation is on its way.")
		assert.Contains(t, ada.in(t).text(`main`), "max@acme.example", "the open invitations list it")

		inv, err := s.p.ListInvitations(s.staff, acme.ID, portal.ListInvitationsParams{State: invite.StatePending})
		require.NoError(t, err)
		require.Len(t, inv.Items, 1)
		assert.Equal(t, "max@acme.example", inv.Items[0].Email)
		assert.Equal(t, customer.RoleMaintainer, inv.Items[0].Role)
	})

	step("maintainer accepts and places an order", func(t *testing.T) {
		m := s.lastMail(t, "max@acme.example", portal.NotifyInvitation)
		max.in(t).open(m.Link)
		max.in(t).typeInto(`input[name=name]`, "Max Maintainer")
		max.in(t).click(`main form button`)
		assert.Contains(t, max.in(t).text(`main`), "No orders yet.")

		max.in(t).click(`main a.button[href="/catalogue"]`)
		assert.Contains(t, max.in(t).text(`main table`), "Laptop 14")
		max.in(t).typeInto(`input[name="qty.`+string(laptop.ID)+`"]`, "2")
		max.in(t).click(`main form button`)
		assert.Equal(t, "/basket", max.in(t).location().Path)
		basket := max.in(t).text(`main table`)
		assert.Contains(t, basket, "Laptop 14")
		assert.Contains(t, basket, "€2,598.00", "the total of two laptops")
		max.in(t).typeInto(`input[name=recipient_name]`, "Nina Newhire")
		max.in(t).click(`form[action="/orders"] button`)
		max.in(t).requireStatus(200)

		orderPath = max.in(t).location().Path
		orderID = orders.ID(path.Base(orderPath))
		assert.Equal(t, "/orders/"+string(orderID), orderPath)
		assert.True(t, max.in(t).has(`h1 .status-submitted`), "the order page shows it submitted")
		assert.Contains(t, max.in(t).text(`.notice`), "Your order is placed.")

		o, err := s.p.GetOrder(s.staff, acme.ID, orderID)
		require.NoError(t, err)
		assert.Equal(t, orders.StatusSubmitted, o.Status)
		require.Len(t, o.Lines, 1)
		assert.Equal(t, laptop.ID, o.Lines[0].ProductID)
		assert.Equal(t, 2, o.Lines[0].Quantity)
		assert.Equal(t, "Nina Newhire", o.Recipient.Name)
	})

	step("staff confirm and the order mail's link opens the order", func(t *testing.T) {
		// Through the portal API, until the console has an order inbox.
		_, err := s.p.ConfirmOrder(s.agent, orderID, portal.DecideOrderParams{Note: "Ships on Monday."})
		require.NoError(t, err)
		max.in(t).open(orderPath)
		assert.True(t, max.in(t).has(`h1 .status-confirmed`), "the order page shows it confirmed")
		assert.Contains(t, max.in(t).text(`main ol`), "Ships on Monday.")

		m := s.lastMail(t, "max@acme.example", portal.NotifyOrderConfirmed)
		link, err := url.Parse(m.Link)
		require.NoError(t, err)
		assert.Equal(t, orderPath, link.Path)
		max.in(t).open(m.Link)
		max.in(t).requireStatus(200)
		o, err := s.p.GetOrder(s.staff, acme.ID, orderID)
		require.NoError(t, err)
		assert.Contains(t, max.in(t).text(`h1`), o.Number.String())

		stranger := s.newVisitor(t, "signed out")
		stranger.open(m.Link)
		assert.Equal(t, "/signin", stranger.location().Path, "a signed-out reader is sent to sign in")
	})

	step("a pre-order is stocked, issued and returned", func(t *testing.T) {
		max.in(t).open("/catalogue")
		max.in(t).typeInto(`input[name="qty.`+string(laptop.ID)+`"]`, "1")
		max.in(t).click(`main form button`)
		max.in(t).check(`input[name=kind][value=pre_order]`)
		max.in(t).click(`form[action="/orders"] button`)
		max.in(t).requireStatus(200)
		preOrder = orders.ID(path.Base(max.in(t).location().Path))
		o, err := s.p.GetOrder(s.staff, acme.ID, preOrder)
		require.NoError(t, err)
		require.Equal(t, orders.KindPreOrder, o.Kind)

		_, err = s.p.ConfirmOrder(s.agent, preOrder, portal.DecideOrderParams{})
		require.NoError(t, err)
		_, err = s.p.FulfilOrder(s.agent, preOrder, portal.DecideOrderParams{Note: "In the warehouse."})
		require.NoError(t, err)

		max.in(t).click(`nav a[href="/stock"]`)
		assert.Contains(t, max.in(t).text(`main table`), "Laptop 14")
		max.in(t).click(`main table a`)
		max.in(t).click(`main table a`)
		itemID = warehouse.ItemID(path.Base(max.in(t).location().Path))
		assert.Equal(t, "/stock/items/"+string(itemID), max.in(t).location().Path)
		assert.True(t, max.in(t).has(`h1 .status-in_stock`))

		max.in(t).typeInto(`input[name=holder_name]`, "Erika Mustermann")
		max.in(t).typeInto(`input[name=holder_email]`, "erika@acme.example")
		max.in(t).click(`form[action$="/issue"] button`)
		max.in(t).requireStatus(200)
		assert.Contains(t, max.in(t).text(`.notice`), "The item is issued.")
		assert.True(t, max.in(t).has(`h1 .status-issued`))
		assert.Contains(t, max.in(t).text(`dl`), "Erika Mustermann")
		it, err := s.p.GetStockItem(s.staff, acme.ID, itemID)
		require.NoError(t, err)
		assert.Equal(t, warehouse.StatusIssued, it.Status)
		assert.Equal(t, "Erika Mustermann", it.Holder.Name)
		assert.Equal(t, preOrder, it.OrderID)

		max.in(t).choose(`select[name=condition]`, string(warehouse.ConditionUsed))
		max.in(t).typeInto(`form[action$="/return"] input[name=note]`, "left the company")
		max.in(t).click(`form[action$="/return"] button`)
		max.in(t).requireStatus(200)
		assert.Contains(t, max.in(t).text(`.notice`), "The item is back in the warehouse.")
		assert.True(t, max.in(t).has(`h1 .status-in_stock`))
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
		main := de.text(`main`)
		assert.Contains(t, main, "2.598,00\u00a0€", "German money")
		assert.Regexp(t, `\d\d\.\d\d\.\d{4}, \d\d:\d\d UTC`, main, "German dates")
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
			{max, "orders", "/orders", `main table`},
			{max, "order", orderPath, `h1 .status`},
			{max, "catalogue", "/catalogue", `main table input`},
			{max, "basket", "/basket?qty." + string(laptop.ID) + "=2&qty." + string(headset.ID) + "=5", `form[action="/orders"]`},
			{max, "stock", "/stock", `main table`},
			{max, "stock-item", "/stock/items/" + string(itemID), `form[action$="/issue"]`},
			{ada, "members", "/members", `form[action="/members/invite"]`},
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
		for _, v := range []*visitor{out, max, ada} {
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
	browser(t)
	s := newSite(t)
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
	browser(t)
	if chrome.axe == "" && !inCI() {
		t.Skipf("%s names no axe.min.js", envAxe)
	}
	s := newSite(t)
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
