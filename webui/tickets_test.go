package webui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/ticket"
)

// TestNewTicketOffersTheUsersStockItems: the new ticket's form offers a
// stock item only while the customer's warehouse is on, and then the
// items the user may see: a member limited to a site, that site's alone.
func TestNewTicketOffersTheUsersStockItems(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	cu := c.customer(t, "Acme", customer.FeaturesPatch{Tickets: on()})
	_, token := c.member(t, cu.ID, "mo@acme.example", customer.RoleMaintainer)
	mo := newFollower(t, c.srv, token)
	pg := mo.get("/tickets/new?type=generic")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.NotContains(t, pg.Body, `name="stock_item_id"`, "no warehouse, no stock items")

	cu, err := c.p.GetCustomer(c.owner, cu.ID)
	require.NoError(t, err)
	_, err = c.p.UpdateFeatures(c.owner, cu.ID, portal.UpdateFeaturesParams{Version: cu.Version, FeaturesPatch: customer.FeaturesPatch{SupplierWarehouse: on()}})
	require.NoError(t, err)
	berlin, err := c.p.CreateSite(c.owner, cu.ID, portal.SiteParams{Name: "Berlin"})
	require.NoError(t, err)
	hamburg, err := c.p.CreateSite(c.owner, cu.ID, portal.SiteParams{Name: "Hamburg"})
	require.NoError(t, err)
	prod, err := c.p.CreateProduct(c.owner, portal.CreateProductParams{SKU: "PHONE", Name: "Phone", Price: orders.Money{Amount: 100, Currency: "EUR"}})
	require.NoError(t, err)
	items, err := c.p.StockIn(c.owner, cu.ID, portal.StockInParams{Items: []portal.StockInItemParams{
		{ProductID: prod.ID, SerialNumber: "SN-BER", SiteID: berlin.ID},
		{ProductID: prod.ID, SerialNumber: "SN-HAM", SiteID: hamburg.ID},
		{ProductID: prod.ID, SerialNumber: "SN-ALL"},
	}})
	require.NoError(t, err)

	pg = mo.get("/tickets/new?type=generic")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, `name="stock_item_id"`)
	for _, it := range items {
		assert.Contains(t, pg.Body, `value="`+string(it.ID)+`"`, "the whole customer's member sees %s", it.SerialNumber)
	}

	_, err = c.p.AddMember(c.owner, cu.ID, portal.AddMemberParams{Email: "bea@acme.example", Name: "Bea", Role: customer.RoleMaintainer, SiteIDs: []customer.SiteID{berlin.ID}})
	require.NoError(t, err)
	require.NoError(t, c.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "bea@acme.example"}))
	m, ok := c.mail.Last("bea@acme.example")
	require.True(t, ok)
	in, err := c.p.SignInWithLoginLink(t.Context(), m.Token, portal.SignInParams{CustomerID: cu.ID})
	require.NoError(t, err)
	pg = newFollower(t, c.srv, in.Token).get("/tickets/new?type=generic")
	require.Equal(t, http.StatusOK, pg.Status, pg.Body)
	assert.Contains(t, pg.Body, `value="`+string(items[0].ID)+`"`, "Berlin's item")
	assert.NotContains(t, pg.Body, string(items[1].ID), "Hamburg's item")
	assert.NotContains(t, pg.Body, "SN-HAM")
	assert.NotContains(t, pg.Body, "SN-ALL", "an item of no site is not a site-limited member's")
}

// TestTicketPageShowsItsSiteAndStockItem opens a ticket about a site and
// a stock item from the form: the portal's and the console's ticket pages
// name both and link to them.
func TestTicketPageShowsItsSiteAndStockItem(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	maint := s.browser(t, s.a.users[customer.RoleMaintainer].token)
	pg := maint.get("/tickets/new?type=equipment_damage")
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `<option value="`+string(s.a.item)+`" >Laptop 14 (SN-acme)</option>`)
	assert.NotContains(t, pg.body, string(s.b.item))

	pg = maint.post("/tickets", url.Values{"type": {"equipment_damage"}, "subject": {"Cracked hinge"}, "field.damage": {"cosmetic"},
		"site_id": {string(s.a.site.ID)}, "stock_item_id": {string(s.a.item)}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	path, _, _ := strings.Cut(pg.location, "?")
	tid := strings.TrimPrefix(path, "/tickets/")
	got, err := s.p.GetTicket(portaltest.Owner(t.Context()), s.a.c.ID, ticket.ID(tid))
	require.NoError(t, err)
	assert.Equal(t, s.a.item, got.Links.StockItemID, "the stock item is linked")
	assert.Equal(t, s.a.site.ID, got.Links.SiteID)

	for _, role := range []customer.Role{customer.RoleMaintainer, customer.RoleViewer} {
		pg = s.browser(t, s.a.users[role].token).get(path)
		require.Equal(t, http.StatusOK, pg.status, pg.body)
		assert.Contains(t, pg.body, `<a href="/sites/`+string(s.a.site.ID)+`">`+s.a.site.Name+`</a>`, role)
		assert.Contains(t, pg.body, `<a href="/stock/items/`+string(s.a.item)+`">Laptop 14 (SN-acme)</a>`, role)
	}

	key, err := s.p.CreateAPIKey(portaltest.Owner(t.Context()), portal.CreateAPIKeyParams{Name: "desk", Role: identity.StaffAgent})
	require.NoError(t, err)
	pg = s.browser(t, key.Token).get("/console/customers/" + string(s.a.c.ID) + "/tickets/" + tid)
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `<a href="/console/customers/`+string(s.a.c.ID)+`/sites">`+s.a.site.Name+`</a>`)
	assert.Contains(t, pg.body, `<a href="/console/customers/`+string(s.a.c.ID)+`/stock?serial=SN-acme">Laptop 14 (SN-acme)</a>`)
}
