package portal_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/warehouse"
)

// shop is a portal with a global portfolio, one customer that may order
// and its people, and the notifications the portal sent.
type shop struct {
	env
	rec                     *portaltest.Recorder
	c                       customer.Customer
	hq, plant               customer.Site
	admin, maintainer       portal.Member
	viewer, plantMaintainer portal.Member
	laptop, phone, old      orders.Product
}

func newShop(t *testing.T, e env, rec *portaltest.Recorder, features customer.FeaturesPatch) shop {
	t.Helper()
	s := shop{env: e, rec: rec}
	var err error
	features.OrderAuthorization = ptr(true)
	s.c, err = s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Acme", Features: features})
	require.NoError(t, err)
	s.hq = s.createSite(t, s.c.ID, "HQ")
	s.plant = s.createSite(t, s.c.ID, "Plant")
	s.admin = s.addMember(t, s.c.ID, "admin@acme.example", customer.RoleAdmin)
	s.maintainer = s.addMember(t, s.c.ID, "maintainer@acme.example", customer.RoleMaintainer)
	s.viewer = s.addMember(t, s.c.ID, "viewer@acme.example", customer.RoleViewer)
	s.plantMaintainer = s.addMember(t, s.c.ID, "plant@acme.example", customer.RoleMaintainer, s.plant.ID)
	s.laptop = s.createProduct(t, "LAP-1", "Laptop 14", 129_900, "")
	s.phone = s.createProduct(t, "PHN-1", "Smartphone", 59_900, "")
	s.old = s.createProduct(t, "OLD-1", "Old laptop", 9_900, "")
	_, err = s.p.DeactivateProduct(s.owner, s.old.ID)
	require.NoError(t, err)
	return s
}

// eachShop runs f once per backend with a fresh shop whose customer has
// order_authorization and the given features.
func eachShop(t *testing.T, features customer.FeaturesPatch, f func(t *testing.T, s shop)) {
	t.Helper()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			rec := &portaltest.Recorder{}
			e := newEnv(t, newStore(t), func(c *portal.Config) { c.Mailer = rec })
			f(t, newShop(t, e, rec, features))
		})
	}
}

// order places a standard order of the lines for the member.
func (s shop) order(t *testing.T, m portal.Member, lines ...portal.OrderLineParams) orders.Order {
	t.Helper()
	params := portal.PlaceOrderParams{Lines: lines, DeliveryAddress: &customer.Address{Line1: "Main St 1", PostalCode: "10115", City: "Berlin", Country: "DE"}}
	if len(m.SiteIDs) > 0 {
		params.SiteID = m.SiteIDs[0]
	}
	o, err := s.p.PlaceOrder(as(t, m), s.c.ID, params)
	require.NoError(t, err)
	return o
}

func line(p orders.Product, n int) portal.OrderLineParams {
	return portal.OrderLineParams{ProductID: p.ID, Quantity: n}
}

func orderIDs(os []orders.Order) []orders.ID {
	var ids []orders.ID
	for _, o := range os {
		ids = append(ids, o.ID)
	}
	return ids
}

func TestCatalogue(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		own := s.createProduct(t, "ACME-1", "Acme special", 5_000, s.c.ID)
		globex, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Globex"})
		require.NoError(t, err)
		s.createProduct(t, "GLX-1", "Globex special", 7_000, globex.ID)
		offer, err := s.p.CreateOffer(s.owner, s.c.ID, portal.CreateOfferParams{ProductID: s.laptop.ID, Price: eur(99_000)})
		require.NoError(t, err)

		catalogue := func(ctx context.Context) map[orders.ProductID]orders.Money {
			t.Helper()
			l, err := s.p.GetCatalogue(ctx, s.c.ID, portal.GetCatalogueParams{})
			require.NoError(t, err)
			out := map[orders.ProductID]orders.Money{}
			for _, e := range l.Items {
				out[e.Product.ID] = e.Price
			}
			return out
		}
		assert.Equal(t, map[orders.ProductID]orders.Money{s.laptop.ID: eur(99_000), s.phone.ID: s.phone.Price, own.ID: own.Price},
			catalogue(as(t, s.viewer)), "the global portfolio, the offer's price winning, and the customer's own product; no inactive product")

		c, err := s.p.GetCustomer(s.owner, s.c.ID)
		require.NoError(t, err)
		_, err = s.p.UpdateFeatures(s.owner, s.c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{InheritGlobalPortfolio: ptr(false)}})
		require.NoError(t, err)
		assert.Equal(t, map[orders.ProductID]orders.Money{s.laptop.ID: eur(99_000), own.ID: own.Price}, catalogue(s.owner),
			"without the global portfolio: the offers and the customer's own products")

		_, err = s.p.DeactivateProduct(s.owner, s.laptop.ID)
		require.NoError(t, err)
		assert.Equal(t, map[orders.ProductID]orders.Money{own.ID: own.Price}, catalogue(s.owner), "a deactivated product leaves the catalogue, offer or not")

		require.NoError(t, s.p.DeleteOffer(s.owner, s.c.ID, offer.ID))
		_, err = s.p.GetOffer(s.owner, s.c.ID, offer.ID)
		assertCode(t, portalerr.NotFound, err)
	})
}

func TestProducts(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		_, err := s.p.CreateProduct(s.owner, portal.CreateProductParams{SKU: "lap-1", Name: "Dup", Price: eur(1)})
		assertCode(t, portalerr.AlreadyExists, err, "SKUs are unique ignoring case")
		assert.Equal(t, []string{"sku"}, fieldsOf(err))

		_, err = s.p.CreateProduct(s.owner, portal.CreateProductParams{SKU: "X", Name: "X", Price: orders.Money{Amount: -1, Currency: "XXY"},
			CustomerID: "cus_nobody"})
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"price.currency", "price.amount"}, fieldsOf(err))
		_, err = s.p.CreateProduct(s.owner, portal.CreateProductParams{SKU: "X", Name: "X", Price: eur(1), CustomerID: "cus_nobody"})
		assert.Equal(t, []string{"customer_id"}, fieldsOf(err))

		s.clock.Advance(time.Minute)
		p, err := s.p.UpdateProduct(s.owner, s.phone.ID, portal.UpdateProductParams{
			Version: s.phone.Version, Name: ptr("Phone 2"), Price: &orders.Money{Amount: 64_900, Currency: "EUR"},
			Attributes: &map[string]string{},
		})
		require.NoError(t, err)
		assert.Equal(t, "Phone 2", p.Name)
		assert.Nil(t, p.Attributes)
		assert.Equal(t, s.phone.Version+1, p.Version)
		assert.Equal(t, s.clock.Now(), p.UpdatedAt)
		_, err = s.p.UpdateProduct(s.owner, s.phone.ID, portal.UpdateProductParams{Version: s.phone.Version, Name: ptr("Stale")})
		assertCode(t, portalerr.Conflict, err)
		name := " Phone 3 "
		p, err = s.p.UpdateProduct(s.owner, s.phone.ID, portal.UpdateProductParams{Version: p.Version, Name: &name})
		require.NoError(t, err)
		assert.Equal(t, "Phone 3", p.Name, "stored trimmed")
		assert.Equal(t, " Phone 3 ", name, "the caller's value as it was")
		_, err = s.p.UpdateProduct(s.owner, "prd_nothing", portal.UpdateProductParams{Version: 1, Name: ptr("Ghost")})
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.UpdateProduct(s.owner, s.phone.ID, portal.UpdateProductParams{Version: p.Version, Price: &orders.Money{Amount: -1, Currency: "EUR"}})
		assert.Equal(t, []string{"price.amount"}, fieldsOf(err))
		_, err = s.p.CreateOffer(s.owner, s.c.ID, portal.CreateOfferParams{ProductID: s.phone.ID, Price: orders.Money{Amount: 1, Currency: "eur"}})
		assert.Equal(t, []string{"price.currency"}, fieldsOf(err))
		_, err = s.p.CreateOffer(s.owner, s.c.ID, portal.CreateOfferParams{ProductID: "prd_nothing", Price: eur(1)})
		assert.Equal(t, []string{"product_id"}, fieldsOf(err))
		_, err = s.p.CreateOffer(s.owner, s.c.ID, portal.CreateOfferParams{ProductID: s.phone.ID, Price: eur(1)})
		require.NoError(t, err)
		_, err = s.p.CreateOffer(s.owner, s.c.ID, portal.CreateOfferParams{ProductID: s.phone.ID, Price: eur(2)})
		assertCode(t, portalerr.AlreadyExists, err, "one offer per customer and product")

		active := true
		l, err := s.p.ListProducts(s.owner, portal.ListProductsParams{Active: &active, Global: true})
		require.NoError(t, err)
		assert.Len(t, l.Items, 2)
		_, err = s.p.ListProducts(s.owner, portal.ListProductsParams{Global: true, CustomerID: s.c.ID})
		assertCode(t, portalerr.Invalid, err, "global and customer_id together")
	})
}

func TestPlaceOrder(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		_, err := s.p.CreateOffer(s.owner, s.c.ID, portal.CreateOfferParams{ProductID: s.laptop.ID, Price: eur(99_000)})
		require.NoError(t, err)
		s.clock.Advance(time.Hour)
		o, err := s.p.PlaceOrder(as(t, s.maintainer), s.c.ID, portal.PlaceOrderParams{
			SiteID:        s.hq.ID,
			Lines:         []portal.OrderLineParams{line(s.laptop, 2), line(s.phone, 1)},
			Recipient:     &orders.Employee{Name: "Bob", Email: "Bob@Acme.example", EmployeeNumber: "E-7"},
			RequestedDate: portaltest.Epoch.Add(72 * time.Hour),
			Note:          " first floor ",
		})
		require.NoError(t, err)
		assert.Equal(t, orders.StatusSubmitted, o.Status)
		assert.Equal(t, orders.KindStandard, o.Kind)
		assert.Equal(t, orders.Number(1), o.Number)
		assert.Equal(t, []orders.Line{
			{ProductID: s.laptop.ID, SKU: "LAP-1", Name: "Laptop 14", UnitPrice: eur(99_000), Quantity: 2},
			{ProductID: s.phone.ID, SKU: "PHN-1", Name: "Smartphone", UnitPrice: eur(59_900), Quantity: 1},
		}, o.Lines, "lines snapshot name and the price the customer pays")
		assert.Equal(t, eur(2*99_000+59_900), o.Total())
		assert.Equal(t, orders.Employee{Name: "Bob", Email: "bob@acme.example", EmployeeNumber: "E-7"}, o.Recipient)
		assert.Equal(t, "first floor", o.Note)
		assert.Equal(t, s.maintainer.User.ID, o.OrderedBy)
		assert.Equal(t, []orders.Event{{To: orders.StatusSubmitted, At: s.clock.Now(), By: "user:" + string(s.maintainer.User.ID)}}, o.History)

		got, err := s.p.GetOrder(as(t, s.viewer), s.c.ID, o.ID)
		require.NoError(t, err)
		assert.Equal(t, o, got, "stored as placed")

		n, ok := s.rec.Last(s.maintainer.User.Email)
		require.True(t, ok, "the person who ordered is e-mailed")
		assert.Equal(t, portal.NotifyOrderSubmitted, n.Kind)
		assert.Equal(t, "Order PO-000001 for Acme received", n.Subject)
		assert.Contains(t, n.Link, string(o.ID), "the link opens the order")

		second := s.order(t, s.admin, line(s.phone, 1))
		assert.Equal(t, orders.Number(2), second.Number, "numbers increase")

		// Changing the product later does not change the order.
		_, err = s.p.UpdateProduct(s.owner, s.phone.ID, portal.UpdateProductParams{Version: s.phone.Version, Name: ptr("Phone 2"), Price: &orders.Money{Amount: 1, Currency: "EUR"}})
		require.NoError(t, err)
		_, err = s.p.DeactivateProduct(s.owner, s.phone.ID)
		require.NoError(t, err)
		got, err = s.p.GetOrder(s.owner, s.c.ID, o.ID)
		require.NoError(t, err)
		assert.Equal(t, o.Lines, got.Lines, "a deactivated product stays on past orders as it was ordered")
	})
}

func TestPlaceOrderRefused(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		globex, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Globex"})
		require.NoError(t, err)
		foreign := s.createProduct(t, "GLX-1", "Globex special", 7_000, globex.ID)
		addr := &customer.Address{Line1: "Main St 1", City: "Berlin", Country: "DE"}
		tests := []struct {
			name   string
			m      portal.Member
			params portal.PlaceOrderParams
			code   portalerr.Code
			fields []string
		}{
			{"a product outside the catalogue names its line", s.maintainer, portal.PlaceOrderParams{
				Lines: []portal.OrderLineParams{line(s.laptop, 1), line(s.old, 1), line(foreign, 1), {ProductID: "prd_nothing", Quantity: 1}}, DeliveryAddress: addr,
			}, portalerr.Invalid, []string{"lines[1].product_id", "lines[2].product_id", "lines[3].product_id"}},
			{"quantity out of bounds", s.maintainer, portal.PlaceOrderParams{
				Lines: []portal.OrderLineParams{line(s.laptop, orders.MaxQuantity+1)}, DeliveryAddress: addr,
			}, portalerr.Invalid, []string{"lines[0].quantity"}},
			{"no lines", s.maintainer, portal.PlaceOrderParams{DeliveryAddress: addr}, portalerr.Invalid, []string{"lines"}},
			{"nowhere to deliver", s.maintainer, portal.PlaceOrderParams{Lines: []portal.OrderLineParams{line(s.laptop, 1)}}, portalerr.Invalid, []string{"delivery_address"}},
			{"another customer's site", s.maintainer, portal.PlaceOrderParams{
				SiteID: "sit_nothing", Lines: []portal.OrderLineParams{line(s.laptop, 1)}, DeliveryAddress: addr,
			}, portalerr.Invalid, []string{"site_id"}},
			{"a pre-order without pre_orders", s.maintainer, portal.PlaceOrderParams{
				Kind: orders.KindPreOrder, Lines: []portal.OrderLineParams{line(s.laptop, 1)},
			}, portalerr.FeatureDisabled, []string{"kind"}},
			{"a site-limited member names no site", s.plantMaintainer, portal.PlaceOrderParams{
				Lines: []portal.OrderLineParams{line(s.laptop, 1)}, DeliveryAddress: addr,
			}, portalerr.Invalid, []string{"site_id"}},
			{"a site-limited member names another site", s.plantMaintainer, portal.PlaceOrderParams{
				SiteID: s.hq.ID, Lines: []portal.OrderLineParams{line(s.laptop, 1)}, DeliveryAddress: addr,
			}, portalerr.NotFound, nil},
			{"a viewer", s.viewer, portal.PlaceOrderParams{Lines: []portal.OrderLineParams{line(s.laptop, 1)}, DeliveryAddress: addr}, portalerr.PermissionDenied, nil},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := s.p.PlaceOrder(as(t, tt.m), s.c.ID, tt.params)
				assertCode(t, tt.code, err)
				assert.Equal(t, tt.fields, fieldsOf(err))
			})
		}
		l, err := s.p.ListOrders(s.owner, s.c.ID, portal.ListOrdersParams{})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "nothing was placed")
		assert.Empty(t, s.rec.Mails(), "nobody was e-mailed")

		c, err := s.p.GetCustomer(s.owner, s.c.ID)
		require.NoError(t, err)
		_, err = s.p.UpdateFeatures(s.owner, s.c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{OrderAuthorization: ptr(false)}})
		require.NoError(t, err)
		_, err = s.p.PlaceOrder(as(t, s.maintainer), s.c.ID, portal.PlaceOrderParams{Lines: []portal.OrderLineParams{line(s.laptop, 1)}, DeliveryAddress: addr})
		assertCode(t, portalerr.FeatureDisabled, err, "without order_authorization")
	})
}

func TestAutoConfirm(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{AutoConfirmOrders: ptr(true)}, func(t *testing.T, s shop) {
		o := s.order(t, s.maintainer, line(s.laptop, 1))
		assert.Equal(t, orders.StatusConfirmed, o.Status)
		require.Len(t, o.History, 2)
		assert.Equal(t, orders.Event{From: orders.StatusSubmitted, To: orders.StatusConfirmed, At: s.clock.Now(), By: orders.AutoConfirm}, o.History[1])
		inbox, err := s.p.OrderInbox(s.owner, portal.OrderInboxParams{})
		require.NoError(t, err)
		assert.Empty(t, inbox.Items, "an auto-confirmed order never waits in the inbox")
		n, ok := s.rec.Last(s.maintainer.User.Email)
		require.True(t, ok)
		assert.Equal(t, portal.NotifyOrderConfirmed, n.Kind)
		assert.Len(t, s.rec.Mails(), 1, "one e-mail: confirmed")
	})
}

// TestPreOrder fulfils pre-orders: one stocks its units into the
// customer's warehouse with the fulfilment; one whose customer turned the
// warehouse off since is refused and stays confirmed, stocking nothing.
func TestPreOrder(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{PreOrders: ptr(true)}, func(t *testing.T, s shop) {
		preOrder := func() orders.Order {
			t.Helper()
			o, err := s.p.PlaceOrder(as(t, s.maintainer), s.c.ID, portal.PlaceOrderParams{
				Kind: orders.KindPreOrder, SiteID: s.hq.ID, Lines: []portal.OrderLineParams{line(s.laptop, 3)},
			})
			require.NoError(t, err)
			assert.Equal(t, orders.KindPreOrder, o.Kind)
			o, err = s.p.ConfirmOrder(s.owner, o.ID, portal.DecideOrderParams{})
			require.NoError(t, err)
			return o
		}
		items := func() []portal.StockItem {
			t.Helper()
			l, err := s.p.ListStockItems(s.owner, s.c.ID, portal.ListStockItemsParams{Limit: 100})
			require.NoError(t, err)
			return l.Items
		}
		o, err := s.p.FulfilOrder(s.owner, preOrder().ID, portal.DecideOrderParams{Note: "in the warehouse"})
		require.NoError(t, err)
		assert.Equal(t, orders.StatusFulfilled, o.Status)

		// Fulfilling stocks one item per unit in one transaction: a
		// pre-order is bounded in units, a standard order is not.
		_, err = s.p.PlaceOrder(as(t, s.maintainer), s.c.ID, portal.PlaceOrderParams{
			Kind: orders.KindPreOrder, Lines: []portal.OrderLineParams{line(s.laptop, orders.MaxPreOrderUnits), line(s.phone, 1)},
		})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"lines"}, fieldsOf(err))
		s.order(t, s.maintainer, line(s.laptop, orders.MaxPreOrderUnits), line(s.phone, 1))

		stocked := items()
		require.Len(t, stocked, 3, "one item per unit")
		for _, it := range stocked {
			assert.Equal(t, o.ID, it.OrderID)
			assert.Equal(t, s.laptop.ID, it.ProductID)
			assert.Equal(t, s.hq.ID, it.SiteID)
			assert.Equal(t, warehouse.StatusInStock, it.Status)
		}

		waiting := preOrder()
		for _, it := range stocked {
			_, err := s.p.RetireStockItem(s.owner, s.c.ID, it.ID, portal.RetireStockItemParams{Reason: "returned to the vendor"})
			require.NoError(t, err)
		}
		c, err := s.p.GetCustomer(s.owner, s.c.ID)
		require.NoError(t, err)
		_, err = s.p.UpdateFeatures(s.owner, s.c.ID, portal.UpdateFeaturesParams{Version: c.Version,
			FeaturesPatch: customer.FeaturesPatch{PreOrders: ptr(false), SupplierWarehouse: ptr(false)}})
		require.NoError(t, err)
		_, err = s.p.FulfilOrder(s.owner, waiting.ID, portal.DecideOrderParams{})
		assertCode(t, portalerr.FeatureDisabled, err)
		assert.Contains(t, portalerr.MessageOf(err), "supplier_warehouse off")
		got, err := s.p.GetOrder(s.owner, s.c.ID, waiting.ID)
		require.NoError(t, err)
		assert.Equal(t, orders.StatusConfirmed, got.Status, "the fulfilment rolled back with the stock-in")
		assert.Equal(t, waiting.Version, got.Version)
	})
}

func TestOrderInbox(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		globex, err := s.p.CreateCustomer(s.owner, portal.CreateCustomerParams{Name: "Globex", Features: customer.FeaturesPatch{OrderAuthorization: ptr(true)}})
		require.NoError(t, err)
		gm := s.addMember(t, globex.ID, "buyer@globex.example", customer.RoleMaintainer)
		first := s.order(t, s.maintainer, line(s.laptop, 1))
		s.clock.Advance(time.Minute)
		o, err := s.p.PlaceOrder(as(t, gm), globex.ID, portal.PlaceOrderParams{Lines: []portal.OrderLineParams{line(s.phone, 1)}, Recipient: &orders.Employee{Name: "Gina"}})
		require.NoError(t, err)
		s.clock.Advance(time.Minute)
		third := s.order(t, s.admin, line(s.phone, 2))

		inbox := func(params portal.OrderInboxParams) []orders.ID {
			t.Helper()
			l, err := s.p.OrderInbox(s.owner, params)
			require.NoError(t, err)
			return orderIDs(l.Items)
		}
		assert.Equal(t, []orders.ID{first.ID, o.ID, third.ID}, inbox(portal.OrderInboxParams{}), "submitted orders across customers, oldest first")
		assert.Equal(t, []orders.ID{first.ID, third.ID}, inbox(portal.OrderInboxParams{CustomerID: s.c.ID}), "one customer's")

		s.clock.Advance(time.Hour)
		confirmed, err := s.p.ConfirmOrder(s.owner, first.ID, portal.DecideOrderParams{Note: "ships Monday"})
		require.NoError(t, err)
		assert.Equal(t, orders.StatusConfirmed, confirmed.Status)
		assert.Equal(t, orders.Event{From: orders.StatusSubmitted, To: orders.StatusConfirmed, At: s.clock.Now(), By: "staff:stf_owner", Note: "ships Monday"},
			confirmed.History[1], "who and when")
		n, ok := s.rec.Last(s.maintainer.User.Email)
		require.True(t, ok)
		assert.Equal(t, portal.NotifyOrderConfirmed, n.Kind)

		_, err = s.p.RejectOrder(s.owner, third.ID, portal.RejectOrderParams{Reason: "  "})
		assertCode(t, portalerr.Invalid, err, "a rejection needs a reason")
		rejected, err := s.p.RejectOrder(s.owner, third.ID, portal.RejectOrderParams{Reason: "phones are sold out"})
		require.NoError(t, err)
		assert.Equal(t, orders.StatusRejected, rejected.Status)
		n, ok = s.rec.Last(s.admin.User.Email)
		require.True(t, ok)
		assert.Equal(t, portal.NotifyOrderRejected, n.Kind)
		assert.Contains(t, n.Text, "Reason: phones are sold out")

		assert.Equal(t, []orders.ID{o.ID}, inbox(portal.OrderInboxParams{}), "decided orders leave the inbox")
		assert.Equal(t, []orders.ID{first.ID}, inbox(portal.OrderInboxParams{Status: orders.StatusConfirmed}), "the confirmed, waiting to be fulfilled")

		fulfilled, err := s.p.FulfilOrder(s.owner, first.ID, portal.DecideOrderParams{})
		require.NoError(t, err)
		assert.Equal(t, orders.StatusFulfilled, fulfilled.Status)
		assert.Len(t, fulfilled.History, 3)

		_, err = s.p.FulfilOrder(s.owner, o.ID, portal.DecideOrderParams{})
		assertCode(t, portalerr.FailedPrecondition, err, "a submitted order cannot be fulfilled")
		_, err = s.p.ConfirmOrder(s.owner, third.ID, portal.DecideOrderParams{})
		assertCode(t, portalerr.Conflict, err, "a rejected order cannot be confirmed: someone decided first")
		_, err = s.p.ConfirmOrder(s.owner, "ord_nothing", portal.DecideOrderParams{})
		assertCode(t, portalerr.NotFound, err)
	})
}

// TestConcurrentDecisions has two staff members confirm and reject one
// order at once, many times over: exactly one wins each time, the other
// gets Conflict, and only the winner's e-mail goes out.
func TestConcurrentDecisions(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		alice := portaltest.As(t.Context(), identity.Staff("stf_alice", identity.StaffAgent))
		bob := portaltest.As(t.Context(), identity.Staff("stf_bob", identity.StaffAgent))
		for range 10 {
			o := s.order(t, s.maintainer, line(s.laptop, 1))
			before := len(s.rec.Mails())
			var wg sync.WaitGroup
			errs := make([]error, 2)
			wg.Go(func() { _, errs[0] = s.p.ConfirmOrder(alice, o.ID, portal.DecideOrderParams{}) })
			wg.Go(func() { _, errs[1] = s.p.RejectOrder(bob, o.ID, portal.RejectOrderParams{Reason: "no"}) })
			wg.Wait()
			assertOneWins(t, errs, "exactly one decision wins")
			got, err := s.p.GetOrder(s.owner, s.c.ID, o.ID)
			require.NoError(t, err)
			assert.Len(t, got.History, 2)
			assert.Len(t, s.rec.Mails(), before+1, "one e-mail, the winner's")
		}
	})
}

func TestCancelOrder(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		o := s.order(t, s.maintainer, line(s.laptop, 1))
		_, err := s.p.CancelOrder(as(t, s.viewer), s.c.ID, o.ID, portal.CancelOrderParams{})
		assertCode(t, portalerr.PermissionDenied, err, "viewers do not cancel")
		_, err = s.p.CancelOrder(s.owner, s.c.ID, o.ID, portal.CancelOrderParams{})
		assertCode(t, portalerr.FailedPrecondition, err, "staff reject a submitted order rather than cancel it")
		cancelled, err := s.p.CancelOrder(as(t, s.admin), s.c.ID, o.ID, portal.CancelOrderParams{Reason: "ordered twice"})
		require.NoError(t, err)
		assert.Equal(t, orders.StatusCancelled, cancelled.Status)
		assert.Equal(t, "ordered twice", cancelled.History[1].Note)
		_, err = s.p.ConfirmOrder(s.owner, o.ID, portal.DecideOrderParams{})
		assertCode(t, portalerr.Conflict, err, "withdrawn before the decision")

		o2 := s.order(t, s.maintainer, line(s.laptop, 1))
		_, err = s.p.ConfirmOrder(s.owner, o2.ID, portal.DecideOrderParams{})
		require.NoError(t, err)
		_, err = s.p.CancelOrder(as(t, s.maintainer), s.c.ID, o2.ID, portal.CancelOrderParams{})
		assertCode(t, portalerr.Conflict, err, "a confirmed order is no longer the customer's to cancel")
		cancelled, err = s.p.CancelOrder(s.owner, s.c.ID, o2.ID, portal.CancelOrderParams{Reason: "supplier cannot deliver"})
		require.NoError(t, err, "staff cancel a confirmed order")
		assert.Equal(t, "staff:stf_owner", cancelled.History[2].By)
		_, err = s.p.FulfilOrder(s.owner, o2.ID, portal.DecideOrderParams{})
		assertCode(t, portalerr.Conflict, err)
	})
}

func TestOrderSites(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		atPlant := s.order(t, s.plantMaintainer, line(s.laptop, 1))
		assert.Equal(t, s.plant.ID, atPlant.SiteID)
		atHQ, err := s.p.PlaceOrder(as(t, s.maintainer), s.c.ID, portal.PlaceOrderParams{SiteID: s.hq.ID, Lines: []portal.OrderLineParams{line(s.laptop, 1)}, Recipient: &orders.Employee{Name: "Bob"}})
		require.NoError(t, err)
		noSite := s.order(t, s.maintainer, line(s.phone, 1))

		list := func(ctx context.Context) []orders.ID {
			t.Helper()
			l, err := s.p.ListOrders(ctx, s.c.ID, portal.ListOrdersParams{})
			require.NoError(t, err)
			return orderIDs(l.Items)
		}
		assert.Equal(t, []orders.ID{noSite.ID, atHQ.ID, atPlant.ID}, list(as(t, s.viewer)), "newest first")
		assert.Equal(t, []orders.ID{atPlant.ID}, list(as(t, s.plantMaintainer)), "a site-limited member sees its sites' orders")
		_, err = s.p.GetOrder(as(t, s.plantMaintainer), s.c.ID, atHQ.ID)
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.GetOrder(as(t, s.plantMaintainer), s.c.ID, noSite.ID)
		assertCode(t, portalerr.NotFound, err, "an order for the whole customer is not a site's")
		_, err = s.p.CancelOrder(as(t, s.plantMaintainer), s.c.ID, atHQ.ID, portal.CancelOrderParams{})
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.CancelOrder(as(t, s.plantMaintainer), s.c.ID, atPlant.ID, portal.CancelOrderParams{})
		assert.NoError(t, err)
	})
}

func TestListOrdersPaging(t *testing.T) {
	t.Parallel()
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		var want []orders.ID
		for range 5 {
			want = append([]orders.ID{s.order(t, s.maintainer, line(s.laptop, 1)).ID}, want...)
		}
		var got []orders.ID
		params := portal.ListOrdersParams{Limit: 2}
		for range 5 {
			l, err := s.p.ListOrders(as(t, s.viewer), s.c.ID, params)
			require.NoError(t, err)
			for _, o := range l.Items {
				got = append(got, o.ID)
			}
			if l.NextCursor == "" {
				break
			}
			params.Cursor = l.NextCursor
		}
		assert.Equal(t, want, got)
		_, err := s.p.ListOrders(as(t, s.viewer), s.c.ID, portal.ListOrdersParams{Status: "lost"})
		assertCode(t, portalerr.Invalid, err)
	})
}

// An order's mail goes to whoever placed it only while that person may
// still see the order: an active member of the customer whose sites cover
// the order's.
func TestOrderMailOnlyToWhoMaySeeTheOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		sites  bool // the orderer is limited to the plant
		change func(t *testing.T, s shop, m portal.Member)
		mailed bool
	}{
		{"still a member", false, func(*testing.T, shop, portal.Member) {}, true},
		{"removed", false, func(t *testing.T, s shop, m portal.Member) {
			require.NoError(t, s.p.RemoveMember(s.owner, s.c.ID, m.ID))
		}, false},
		{"disabled", false, func(t *testing.T, s shop, m portal.Member) {
			_, err := s.p.DisableMember(s.owner, s.c.ID, m.ID)
			require.NoError(t, err)
		}, false},
		{"moved to another site", true, func(t *testing.T, s shop, m portal.Member) {
			_, err := s.p.ChangeSites(s.owner, s.c.ID, m.ID, portal.ChangeSitesParams{SiteIDs: []customer.SiteID{s.hq.ID}})
			require.NoError(t, err)
		}, false},
		{"given every site", true, func(t *testing.T, s shop, m portal.Member) {
			_, err := s.p.ChangeSites(s.owner, s.c.ID, m.ID, portal.ChangeSitesParams{})
			require.NoError(t, err)
		}, true},
	}
	eachShop(t, customer.FeaturesPatch{}, func(t *testing.T, s shop) {
		for i, tc := range cases {
			var sites []customer.SiteID
			if tc.sites {
				sites = []customer.SiteID{s.plant.ID}
			}
			m := s.addMember(t, s.c.ID, fmt.Sprintf("orderer%d@acme.example", i), customer.RoleMaintainer, sites...)
			rejected := s.order(t, m, line(s.laptop, 1))
			confirmed := s.order(t, m, line(s.phone, 1))
			tc.change(t, s, m)
			_, err := s.p.RejectOrder(s.owner, rejected.ID, portal.RejectOrderParams{Reason: "budget for Q3 cut; see internal memo"})
			require.NoError(t, err)
			_, err = s.p.ConfirmOrder(s.owner, confirmed.ID, portal.DecideOrderParams{})
			require.NoError(t, err)

			var kinds []portal.NotificationKind
			for _, n := range s.rec.Mails() {
				if n.To[0] == m.User.Email {
					kinds = append(kinds, n.Kind)
				}
			}
			want := []portal.NotificationKind{portal.NotifyOrderSubmitted, portal.NotifyOrderSubmitted}
			if tc.mailed {
				want = append(want, portal.NotifyOrderRejected, portal.NotifyOrderConfirmed)
			}
			assert.Equal(t, want, kinds, tc.name)
		}
	})
}
