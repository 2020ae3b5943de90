package storagetest

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

var productTests = []test{
	{"CreateGet", testProductCreateGet},
	{"GetMissing", testProductGetMissing},
	{"CreateDuplicateID", testProductCreateDuplicateID},
	{"CreateDuplicateSKU", testProductCreateDuplicateSKU},
	{"CreateMissingCustomer", testProductCreateMissingCustomer},
	{"Update", testProductUpdate},
	{"UpdateMissing", testProductUpdateMissing},
	{"UpdateFnError", testProductUpdateFnError},
	{"UpdateSKUTaken", testProductUpdateSKUTaken},
	{"ValuesIndependent", testProductValuesIndependent},
	{"TimesUTC", testProductTimesUTC},
	{"List", testProductList},
	{"Catalogue", testProductCatalogue},
}

var offerTests = []test{
	{"CreateGetFind", testOfferCreateGetFind},
	{"CreateDuplicate", testOfferCreateDuplicate},
	{"CreateMissingReferences", testOfferCreateMissingReferences},
	{"Update", testOfferUpdate},
	{"Delete", testOfferDelete},
	{"List", testOfferList},
}

var orderTests = []test{
	{"CreateGet", testOrderCreateGet},
	{"GetMissing", testOrderGetMissing},
	{"CreateDuplicates", testOrderCreateDuplicates},
	{"CreateMissingReferences", testOrderCreateMissingReferences},
	{"NextNumberIncreases", testOrderNextNumberIncreases},
	{"Transition", testOrderTransition},
	{"TransitionFromAnotherStatus", testOrderTransitionConflict},
	{"TransitionMissing", testOrderTransitionMissing},
	{"ValuesIndependent", testOrderValuesIndependent},
	{"TimesUTC", testOrderTimesUTC},
	{"List", testOrderList},
	{"ListNewestFirst", testOrderListNewestFirst},
	{"ListSites", testOrderListSites},
	{"RollbackUndoesEverything", testOrdersRollback},
	{"ReadTxRefusesWrites", testOrdersReadOnly},
}

var orderConcurrencyTests = []test{
	{"SKUUniqueUnderContention", testSKUUnderContention},
	{"OrderNumbersUnderContention", testOrderNumbersUnderContention},
	{"OrderDecidedOnce", testOrderDecidedOnce},
}

func newProductID() orders.ProductID { return orders.ProductID(newID("prd_")) }
func newOfferID() orders.OfferID     { return orders.OfferID(newID("ofr_")) }
func newOrderID() orders.ID          { return orders.ID(newID("ord_")) }

func eur(amount int64) orders.Money { return orders.Money{Amount: amount, Currency: "EUR"} }

// newProduct returns an active global product with every field set.
func newProduct(sku string) orders.Product {
	return orders.Product{
		ID:          newProductID(),
		SKU:         sku,
		Name:        "Product " + sku,
		Description: "A fine product: " + sku,
		Category:    "laptops",
		Price:       eur(129_900),
		Active:      true,
		Attributes:  map[string]string{"ram": "16 GB", "colour": "silver"},
		Version:     1,
		CreatedAt:   base,
		UpdatedAt:   base,
	}
}

func createProduct(t *testing.T, s storage.Store, p orders.Product) orders.Product {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Products().Create(ctx, p)
	}), "creating product %s", p.SKU)
	return p
}

func getProduct(t *testing.T, s storage.Store, id orders.ProductID) (orders.Product, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (orders.Product, error) {
		return r.Products().Get(ctx, id)
	})
}

func updateProduct(t *testing.T, s storage.Store, id orders.ProductID, fn func(*orders.Product) error) (orders.Product, error) {
	t.Helper()
	var p orders.Product
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		p, err = r.Products().Update(ctx, id, fn)
		return err
	})
	return p, err
}

func listProducts(t *testing.T, s storage.Store, f storage.ProductFilter, p storage.Page) (storage.List[orders.Product], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[orders.Product], error) {
		return r.Products().List(ctx, f, p)
	})
}

func productIDs(t *testing.T, s storage.Store, f storage.ProductFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listProducts(t, s, f, p)
		return idsOf(l.Items, func(p orders.Product) orders.ProductID { return p.ID }), l.NextCursor, err
	})
}

func listCatalogue(t *testing.T, s storage.Store, f storage.CatalogueFilter, p storage.Page) (storage.List[storage.CatalogueRow], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[storage.CatalogueRow], error) {
		return r.Products().Catalogue(ctx, f, p)
	})
}

func testProductCreateGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	global := createProduct(t, s, newProduct("LAP-1"))
	own := newProduct("LAP-2")
	own.CustomerID, own.Active, own.Attributes = c.ID, false, nil
	createProduct(t, s, own)
	for _, want := range []orders.Product{global, own} {
		got, err := getProduct(t, s, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func testProductGetMissing(t *testing.T, s storage.Store) {
	_, err := getProduct(t, s, newProductID())
	assertNotFound(t, err)
}

func testProductCreateDuplicateID(t *testing.T, s storage.Store) {
	p := createProduct(t, s, newProduct("LAP-1"))
	dup := newProduct("LAP-2")
	dup.ID = p.ID
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Products().Create(ctx, dup) }))
}

func testProductCreateDuplicateSKU(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	createProduct(t, s, newProduct("LAP-1"))
	for _, sku := range []string{"LAP-1", "lap-1"} {
		dup := newProduct(sku)
		dup.CustomerID = c.ID // a customer's own product shares the SKU space
		assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Products().Create(ctx, dup) }), sku)
	}
	createProduct(t, s, newProduct("LAP-10"))
}

func testProductCreateMissingCustomer(t *testing.T, s storage.Store) {
	p := newProduct("LAP-1")
	p.CustomerID = newCustomerID()
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Products().Create(ctx, p) }))
}

func testProductUpdate(t *testing.T, s storage.Store) {
	p := createProduct(t, s, newProduct("LAP-1"))
	got, err := updateProduct(t, s, p.ID, func(p *orders.Product) error {
		p.SKU, p.Name, p.Description, p.Category = "LAP-1B", "Laptop 14", "Thin", "notebooks"
		p.Price, p.Active = orders.Money{Amount: 99_900, Currency: "CHF"}, false
		p.Attributes = map[string]string{"ram": "32 GB"}
		p.UpdatedAt = at(time.Hour)
		return nil
	})
	require.NoError(t, err)
	want := p
	want.SKU, want.Name, want.Description, want.Category = "LAP-1B", "Laptop 14", "Thin", "notebooks"
	want.Price, want.Active = orders.Money{Amount: 99_900, Currency: "CHF"}, false
	want.Attributes = map[string]string{"ram": "32 GB"}
	want.UpdatedAt, want.Version = at(time.Hour), 2
	assert.Equal(t, want, got)
	stored, err := getProduct(t, s, p.ID)
	require.NoError(t, err)
	assert.Equal(t, want, stored)
	createProduct(t, s, newProduct("LAP-1")) // the old SKU is free again

	cleared, err := updateProduct(t, s, p.ID, func(p *orders.Product) error { p.Attributes = nil; return nil })
	require.NoError(t, err)
	assert.Nil(t, cleared.Attributes)
}

func testProductUpdateMissing(t *testing.T, s storage.Store) {
	_, err := updateProduct(t, s, newProductID(), func(*orders.Product) error { return nil })
	assertNotFound(t, err)
}

func testProductUpdateFnError(t *testing.T, s storage.Store) {
	p := createProduct(t, s, newProduct("LAP-1"))
	_, err := updateProduct(t, s, p.ID, func(p *orders.Product) error {
		p.Name = "changed"
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom)
	got, err := getProduct(t, s, p.ID)
	require.NoError(t, err)
	assert.Equal(t, p, got)
}

func testProductUpdateSKUTaken(t *testing.T, s storage.Store) {
	createProduct(t, s, newProduct("LAP-1"))
	p := createProduct(t, s, newProduct("LAP-2"))
	_, err := updateProduct(t, s, p.ID, func(p *orders.Product) error { p.SKU = "Lap-1"; return nil })
	assertAlreadyExists(t, err)
	_, err = updateProduct(t, s, p.ID, func(p *orders.Product) error { p.SKU = "lap-2"; return nil })
	assert.NoError(t, err, "a product may change the case of its own SKU")
}

func testProductValuesIndependent(t *testing.T, s storage.Store) {
	p := newProduct("LAP-1")
	createProduct(t, s, p)
	p.Attributes["ram"] = "changed after Create"
	got, err := getProduct(t, s, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "16 GB", got.Attributes["ram"])
	got.Attributes["ram"] = "changed after Get"
	again, err := getProduct(t, s, p.ID)
	require.NoError(t, err)
	assert.Equal(t, "16 GB", again.Attributes["ram"])
}

func testProductTimesUTC(t *testing.T, s storage.Store) {
	zone := time.FixedZone("CET", 3600)
	p := newProduct("LAP-1")
	p.CreatedAt, p.UpdatedAt = base.In(zone), at(time.Minute).In(zone)
	createProduct(t, s, p)
	got, err := getProduct(t, s, p.ID)
	require.NoError(t, err)
	assertUTC(t, base, got.CreatedAt, "CreatedAt")
	assertUTC(t, at(time.Minute), got.UpdatedAt, "UpdatedAt")
}

func testProductList(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	globex := createCustomer(t, s, newCustomer("Globex"))
	laptop := createProduct(t, s, newProduct("LAP-1"))
	phone := newProduct("PHN-1")
	phone.Name, phone.Category = "Smartphone", "phones"
	createProduct(t, s, phone)
	old := newProduct("LAP-OLD")
	old.Active = false
	createProduct(t, s, old)
	acmeOwn := newProduct("ACME-1")
	acmeOwn.CustomerID = acme.ID
	createProduct(t, s, acmeOwn)
	globexOwn := newProduct("GLX-1")
	globexOwn.CustomerID = globex.ID
	createProduct(t, s, globexOwn)

	yes, no := true, false
	tests := []struct {
		name string
		f    storage.ProductFilter
		want []string
	}{
		{"all", storage.ProductFilter{}, sorted(laptop.ID, phone.ID, old.ID, acmeOwn.ID, globexOwn.ID)},
		{"global", storage.ProductFilter{Global: true}, sorted(laptop.ID, phone.ID, old.ID)},
		{"a customer's own", storage.ProductFilter{CustomerID: acme.ID}, sorted(acmeOwn.ID)},
		{"active", storage.ProductFilter{Active: &yes}, sorted(laptop.ID, phone.ID, acmeOwn.ID, globexOwn.ID)},
		{"inactive", storage.ProductFilter{Active: &no}, sorted(old.ID)},
		{"category", storage.ProductFilter{Category: "phones"}, sorted(phone.ID)},
		{"search by SKU, any case", storage.ProductFilter{Search: "lap-"}, sorted(laptop.ID, old.ID)},
		{"search by name", storage.ProductFilter{Search: "SMART"}, sorted(phone.ID)},
		{"search escapes LIKE", storage.ProductFilter{Search: "%"}, []string{}},
		{"combined", storage.ProductFilter{Global: true, Active: &yes, Category: "laptops"}, sorted(laptop.ID)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := productIDs(t, s, tt.f)
			if len(tt.want) == 0 {
				assert.Empty(t, got)
				return
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

// catalogueWorld is a portfolio seen by two customers.
type catalogueWorld struct {
	acme, globex                          customer.Customer
	laptop, phone, inactive, acmeOnly     orders.Product
	globexOnly                            orders.Product
	acmeLaptop, acmeInactive, globexPhone orders.Offer
}

func newCatalogueWorld(t *testing.T, s storage.Store) catalogueWorld {
	t.Helper()
	var w catalogueWorld
	w.acme = createCustomer(t, s, newCustomer("Acme"))
	w.globex = createCustomer(t, s, newCustomer("Globex"))
	w.laptop = createProduct(t, s, newProduct("LAP-1"))
	w.phone = createProduct(t, s, newProduct("PHN-1"))
	w.inactive = newProduct("OLD-1")
	w.inactive.Active = false
	createProduct(t, s, w.inactive)
	w.acmeOnly = newProduct("ACME-1")
	w.acmeOnly.CustomerID = w.acme.ID
	createProduct(t, s, w.acmeOnly)
	w.globexOnly = newProduct("GLX-1")
	w.globexOnly.CustomerID = w.globex.ID
	createProduct(t, s, w.globexOnly)
	w.acmeLaptop = createOffer(t, s, newOffer(w.acme.ID, w.laptop.ID, eur(99_000)))
	w.acmeInactive = createOffer(t, s, newOffer(w.acme.ID, w.inactive.ID, eur(1_000)))
	w.globexPhone = createOffer(t, s, newOffer(w.globex.ID, w.phone.ID, eur(45_000)))
	return w
}

func testProductCatalogue(t *testing.T, s storage.Store) {
	w := newCatalogueWorld(t, s)
	row := func(p orders.Product, o orders.Offer) storage.CatalogueRow {
		return storage.CatalogueRow{Product: p, Offer: o}
	}
	sortRows := func(rows []storage.CatalogueRow) []storage.CatalogueRow {
		slices.SortFunc(rows, func(a, b storage.CatalogueRow) int {
			return strings.Compare(string(a.Product.ID), string(b.Product.ID))
		})
		return rows
	}
	tests := []struct {
		name string
		f    storage.CatalogueFilter
		want []storage.CatalogueRow
	}{
		{"with the global portfolio", storage.CatalogueFilter{CustomerID: w.acme.ID, Global: true},
			sortRows([]storage.CatalogueRow{row(w.laptop, w.acmeLaptop), row(w.phone, orders.Offer{}), row(w.acmeOnly, orders.Offer{})})},
		{"own products and offers only", storage.CatalogueFilter{CustomerID: w.acme.ID},
			sortRows([]storage.CatalogueRow{row(w.laptop, w.acmeLaptop), row(w.acmeOnly, orders.Offer{})})},
		{"another customer's", storage.CatalogueFilter{CustomerID: w.globex.ID},
			sortRows([]storage.CatalogueRow{row(w.phone, w.globexPhone), row(w.globexOnly, orders.Offer{})})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []storage.CatalogueRow
			p := storage.Page{Limit: 2}
			for range 5 {
				l, err := listCatalogue(t, s, tt.f, p)
				require.NoError(t, err)
				got = append(got, l.Items...)
				if l.NextCursor == "" {
					break
				}
				p.Cursor = l.NextCursor
			}
			assert.Equal(t, tt.want, got)
		})
	}
	_, err := listCatalogue(t, s, storage.CatalogueFilter{}, storage.Page{})
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "CustomerID is required")
}

func newOffer(cid customer.ID, pid orders.ProductID, price orders.Money) orders.Offer {
	return orders.Offer{ID: newOfferID(), CustomerID: cid, ProductID: pid, Price: price, Version: 1, CreatedAt: base, UpdatedAt: base}
}

func createOffer(t *testing.T, s storage.Store, o orders.Offer) orders.Offer {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Offers().Create(ctx, o)
	}), "creating offer")
	return o
}

func getOffer(t *testing.T, s storage.Store, id orders.OfferID) (orders.Offer, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (orders.Offer, error) { return r.Offers().Get(ctx, id) })
}

func offerIDs(t *testing.T, s storage.Store, f storage.OfferFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[orders.Offer], error) {
			return r.Offers().List(ctx, f, p)
		})
		return idsOf(l.Items, func(o orders.Offer) orders.OfferID { return o.ID }), l.NextCursor, err
	})
}

func testOfferCreateGetFind(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	p := createProduct(t, s, newProduct("LAP-1"))
	o := createOffer(t, s, newOffer(c.ID, p.ID, orders.Money{Amount: 99_000, Currency: "CHF"}))
	got, err := getOffer(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, o, got)
	found, err := get(t, s, func(ctx context.Context, r storage.Repos) (orders.Offer, error) {
		return r.Offers().Find(ctx, c.ID, p.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, o, found)
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (orders.Offer, error) {
		return r.Offers().Find(ctx, c.ID, newProductID())
	})
	assertNotFound(t, err)
	_, err = getOffer(t, s, newOfferID())
	assertNotFound(t, err)
}

func testOfferCreateDuplicate(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	p := createProduct(t, s, newProduct("LAP-1"))
	o := createOffer(t, s, newOffer(c.ID, p.ID, eur(1)))
	dupID := newOffer(other.ID, p.ID, eur(1))
	dupID.ID = o.ID
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Offers().Create(ctx, dupID) }))
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Offers().Create(ctx, newOffer(c.ID, p.ID, eur(2)))
	}), "one offer per customer and product")
	createOffer(t, s, newOffer(other.ID, p.ID, eur(3)))
}

func testOfferCreateMissingReferences(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	p := createProduct(t, s, newProduct("LAP-1"))
	for name, o := range map[string]orders.Offer{
		"customer": newOffer(newCustomerID(), p.ID, eur(1)),
		"product":  newOffer(c.ID, newProductID(), eur(1)),
	} {
		assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Offers().Create(ctx, o) }), name)
	}
}

func testOfferUpdate(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	p := createProduct(t, s, newProduct("LAP-1"))
	o := createOffer(t, s, newOffer(c.ID, p.ID, eur(1)))
	var got orders.Offer
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		got, err = r.Offers().Update(ctx, o.ID, func(o *orders.Offer) error {
			o.Price, o.UpdatedAt = eur(2), at(time.Hour)
			return nil
		})
		return err
	}))
	want := o
	want.Price, want.UpdatedAt, want.Version = eur(2), at(time.Hour), 2
	assert.Equal(t, want, got)
	stored, err := getOffer(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, want, stored)

	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Offers().Update(ctx, o.ID, func(*orders.Offer) error { return errBoom })
		return err
	})
	assert.ErrorIs(t, err, errBoom)
	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Offers().Update(ctx, newOfferID(), func(*orders.Offer) error { return nil })
		return err
	})
	assertNotFound(t, err)
}

func testOfferDelete(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	p := createProduct(t, s, newProduct("LAP-1"))
	o := createOffer(t, s, newOffer(c.ID, p.ID, eur(1)))
	del := func(id orders.OfferID) error {
		return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Offers().Delete(ctx, id) })
	}
	require.NoError(t, del(o.ID))
	_, err := getOffer(t, s, o.ID)
	assertNotFound(t, err)
	assertNotFound(t, del(o.ID))
	createOffer(t, s, newOffer(c.ID, p.ID, eur(2))) // the customer may have a new offer for the product
}

func testOfferList(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	globex := createCustomer(t, s, newCustomer("Globex"))
	laptop := createProduct(t, s, newProduct("LAP-1"))
	phone := createProduct(t, s, newProduct("PHN-1"))
	a1 := createOffer(t, s, newOffer(acme.ID, laptop.ID, eur(1)))
	a2 := createOffer(t, s, newOffer(acme.ID, phone.ID, eur(1)))
	g1 := createOffer(t, s, newOffer(globex.ID, laptop.ID, eur(1)))
	assert.Equal(t, sorted(a1.ID, a2.ID, g1.ID), offerIDs(t, s, storage.OfferFilter{}))
	assert.Equal(t, sorted(a1.ID, a2.ID), offerIDs(t, s, storage.OfferFilter{CustomerID: acme.ID}))
	assert.Equal(t, sorted(a1.ID, g1.ID), offerIDs(t, s, storage.OfferFilter{ProductID: laptop.ID}))
	assert.Equal(t, sorted(a2.ID), offerIDs(t, s, storage.OfferFilter{CustomerID: acme.ID, ProductID: phone.ID}))
}

// orderFixture is a customer with two sites and two products to order.
type orderFixture struct {
	customer      customer.Customer
	berlin, paris customer.Site
	laptop, phone orders.Product
	ann           customer.User
}

func newOrderFixture(t *testing.T, s storage.Store) orderFixture {
	t.Helper()
	fx := newMemberFixture(t, s)
	return orderFixture{
		customer: fx.customer, berlin: fx.berlin, paris: fx.paris, ann: fx.ann,
		laptop: createProduct(t, s, newProduct("LAP-"+newID(""))),
		phone:  createProduct(t, s, newProduct("PHN-"+newID(""))),
	}
}

// newOrder returns a submitted order of cid with every field set; Number is
// left for createOrder to take.
func (fx orderFixture) newOrder(cid customer.ID) orders.Order {
	return orders.Order{
		ID:         newOrderID(),
		CustomerID: cid,
		SiteID:     fx.berlin.ID,
		Kind:       orders.KindStandard,
		Status:     orders.StatusSubmitted,
		Currency:   "EUR",
		Lines: []orders.Line{
			{ProductID: fx.laptop.ID, SKU: fx.laptop.SKU, Name: fx.laptop.Name, UnitPrice: eur(129_900), Quantity: 2},
			{ProductID: fx.phone.ID, SKU: fx.phone.SKU, Name: fx.phone.Name, UnitPrice: eur(59_900), Quantity: 1},
		},
		DeliveryAddress: customer.Address{Line1: "Hauptstraße 1", Line2: "Hof", PostalCode: "10115", City: "Berlin", Region: "BE", Country: "DE"},
		Recipient:       orders.Employee{Name: "Bob Builder", Email: "bob@example.com", EmployeeNumber: "E-7"},
		RequestedDate:   time.Date(2025, time.April, 1, 0, 0, 0, 0, time.UTC),
		Note:            "Ring twice",
		OrderedBy:       fx.ann.ID,
		History:         []orders.Event{{To: orders.StatusSubmitted, At: base, By: "user:" + string(fx.ann.ID)}},
		Version:         1,
		CreatedAt:       base,
		UpdatedAt:       base,
	}
}

// createOrder takes the next number for o and stores it, in one transaction.
func createOrder(t *testing.T, s storage.Store, o orders.Order) orders.Order {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		n, err := r.Orders().NextNumber(ctx)
		if err != nil {
			return err
		}
		o.Number = n
		return r.Orders().Create(ctx, o)
	}), "creating order")
	return o
}

func getOrder(t *testing.T, s storage.Store, id orders.ID) (orders.Order, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (orders.Order, error) { return r.Orders().Get(ctx, id) })
}

func transition(t *testing.T, s storage.Store, id orders.ID, ev orders.Event) (orders.Order, error) {
	t.Helper()
	var o orders.Order
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		o, err = r.Orders().Transition(ctx, id, ev)
		return err
	})
	return o, err
}

func listOrders(t *testing.T, s storage.Store, f storage.OrderFilter, p storage.Page) (storage.List[orders.Order], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[orders.Order], error) {
		return r.Orders().List(ctx, f, p)
	})
}

func orderIDs(t *testing.T, s storage.Store, f storage.OrderFilter) []string {
	t.Helper()
	return collect(t, 2, 50, func(p storage.Page) ([]string, string, error) {
		l, err := listOrders(t, s, f, p)
		return idsOf(l.Items, func(o orders.Order) orders.ID { return o.ID }), l.NextCursor, err
	})
}

func confirmEvent(d time.Duration) orders.Event {
	return orders.Event{From: orders.StatusSubmitted, To: orders.StatusConfirmed, At: at(d), By: "staff:stf_1", Note: "shipping Monday"}
}

func testOrderCreateGet(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	full := createOrder(t, s, fx.newOrder(fx.customer.ID))
	got, err := getOrder(t, s, full.ID)
	require.NoError(t, err)
	assert.Equal(t, full, got)

	// A pre-order without site, address, recipient, date or note, stored
	// confirmed with two events.
	bare := fx.newOrder(fx.customer.ID)
	bare.SiteID, bare.Kind = "", orders.KindPreOrder
	bare.DeliveryAddress, bare.Recipient, bare.RequestedDate, bare.Note = customer.Address{}, orders.Employee{}, time.Time{}, ""
	bare.Lines = bare.Lines[:1]
	bare.Status = orders.StatusConfirmed
	bare.History = append(bare.History, orders.Event{From: orders.StatusSubmitted, To: orders.StatusConfirmed, At: base, By: orders.AutoConfirm})
	bare = createOrder(t, s, bare)
	got, err = getOrder(t, s, bare.ID)
	require.NoError(t, err)
	assert.Equal(t, bare, got)
	assert.Greater(t, bare.Number, full.Number)
}

func testOrderGetMissing(t *testing.T, s storage.Store) {
	_, err := getOrder(t, s, newOrderID())
	assertNotFound(t, err)
}

func testOrderCreateDuplicates(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	o := createOrder(t, s, fx.newOrder(fx.customer.ID))
	create := func(o orders.Order) error {
		return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Orders().Create(ctx, o) })
	}
	dupID := fx.newOrder(fx.customer.ID)
	dupID.ID, dupID.Number = o.ID, o.Number+100
	assertAlreadyExists(t, create(dupID), "ID")
	dupNumber := fx.newOrder(fx.customer.ID)
	dupNumber.Number = o.Number
	assertAlreadyExists(t, create(dupNumber), "number")
}

func testOrderCreateMissingReferences(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	noCustomer := fx.newOrder(newCustomerID())
	noCustomer.Number = 1000
	noProduct := fx.newOrder(fx.customer.ID)
	noProduct.Number = 1001
	noProduct.Lines[1].ProductID = newProductID()
	for name, o := range map[string]orders.Order{"customer": noCustomer, "product": noProduct} {
		assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Orders().Create(ctx, o) }), name)
		_, err := getOrder(t, s, o.ID)
		assertNotFound(t, err, "%s: nothing stored", name)
	}
	// Site and user are records, not references.
	gone := fx.newOrder(fx.customer.ID)
	gone.SiteID, gone.OrderedBy = newSiteID(), newUserID()
	createOrder(t, s, gone)
}

func testOrderNextNumberIncreases(t *testing.T, s storage.Store) {
	var got []orders.Number
	for range 5 {
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
			n, err := r.Orders().NextNumber(ctx)
			got = append(got, n)
			return err
		}))
	}
	assert.True(t, slices.IsSorted(got), "numbers increase: %v", got)
	assert.Len(t, slices.Compact(slices.Clone(got)), len(got), "numbers are unique: %v", got)
	assert.Positive(t, got[0])
}

func testOrderTransition(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	o := createOrder(t, s, fx.newOrder(fx.customer.ID))
	ev := confirmEvent(time.Hour)
	got, err := transition(t, s, o.ID, ev)
	require.NoError(t, err)
	want := o
	want.Status, want.Version, want.UpdatedAt = orders.StatusConfirmed, 2, at(time.Hour)
	want.History = append(slices.Clone(o.History), ev)
	assert.Equal(t, want, got)
	stored, err := getOrder(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, want, stored)

	done := orders.Event{From: orders.StatusConfirmed, To: orders.StatusFulfilled, At: at(2 * time.Hour), By: "api_key:key_1"}
	got, err = transition(t, s, o.ID, done)
	require.NoError(t, err)
	assert.Equal(t, []orders.Event{o.History[0], ev, done}, got.History, "history in order")
	assert.Equal(t, int64(3), got.Version)
}

func testOrderTransitionConflict(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	o := createOrder(t, s, fx.newOrder(fx.customer.ID))
	wrong := orders.Event{From: orders.StatusConfirmed, To: orders.StatusFulfilled, At: at(time.Hour), By: "staff:stf_1"}
	_, err := transition(t, s, o.ID, wrong)
	assertConflict(t, err)
	got, err := getOrder(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, o, got, "nothing written")
}

func testOrderTransitionMissing(t *testing.T, s storage.Store) {
	_, err := transition(t, s, newOrderID(), confirmEvent(0))
	assertNotFound(t, err)
}

func testOrderValuesIndependent(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	o := createOrder(t, s, fx.newOrder(fx.customer.ID))
	want := o
	want.Lines, want.History = slices.Clone(o.Lines), slices.Clone(o.History)
	o.Lines[0].Quantity, o.History[0].By = 99, "changed after Create"
	got, err := getOrder(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	got.Lines[0].Quantity, got.History[0].By = 98, "changed after Get"
	again, err := getOrder(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, want, again)
}

func testOrderTimesUTC(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	zone := time.FixedZone("CET", 3600)
	o := fx.newOrder(fx.customer.ID)
	o.CreatedAt, o.UpdatedAt = base.In(zone), at(time.Minute).In(zone)
	o.History[0].At = base.In(zone)
	o = createOrder(t, s, o)
	_, err := transition(t, s, o.ID, orders.Event{From: orders.StatusSubmitted, To: orders.StatusRejected, At: at(time.Hour).In(zone), By: "staff:stf_1", Note: "no"})
	require.NoError(t, err)
	got, err := getOrder(t, s, o.ID)
	require.NoError(t, err)
	assertUTC(t, base, got.CreatedAt, "CreatedAt")
	assertUTC(t, at(time.Hour), got.UpdatedAt, "UpdatedAt")
	assertUTC(t, o.RequestedDate, got.RequestedDate, "RequestedDate")
	require.Len(t, got.History, 2)
	assertUTC(t, base, got.History[0].At, "History[0].At")
	assertUTC(t, at(time.Hour), got.History[1].At, "History[1].At")
}

func testOrderList(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	other := createCustomer(t, s, newCustomer("Globex"))
	a1 := createOrder(t, s, fx.newOrder(fx.customer.ID))
	a2 := createOrder(t, s, fx.newOrder(fx.customer.ID))
	g1 := createOrder(t, s, fx.newOrder(other.ID))
	a3 := createOrder(t, s, fx.newOrder(fx.customer.ID))
	_, err := transition(t, s, a2.ID, confirmEvent(time.Hour))
	require.NoError(t, err)

	tests := []struct {
		name string
		f    storage.OrderFilter
		want []string
	}{
		{"all, oldest first", storage.OrderFilter{}, sorted(a1.ID, a2.ID, g1.ID, a3.ID)},
		{"the inbox across customers", storage.OrderFilter{Status: orders.StatusSubmitted}, sorted(a1.ID, g1.ID, a3.ID)},
		{"a customer's", storage.OrderFilter{CustomerID: fx.customer.ID}, sorted(a1.ID, a2.ID, a3.ID)},
		{"a customer's inbox", storage.OrderFilter{CustomerID: fx.customer.ID, Status: orders.StatusSubmitted}, sorted(a1.ID, a3.ID)},
		{"confirmed", storage.OrderFilter{Status: orders.StatusConfirmed}, sorted(a2.ID)},
		{"none", storage.OrderFilter{Status: orders.StatusFulfilled}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, orderIDs(t, s, tt.f))
		})
	}
	l, err := listOrders(t, s, storage.OrderFilter{CustomerID: fx.customer.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 3)
	stored, err := getOrder(t, s, a2.ID)
	require.NoError(t, err)
	assert.Equal(t, stored, l.Items[1], "a listed order is whole: lines and history")
}

func testOrderListNewestFirst(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	other := createCustomer(t, s, newCustomer("Globex"))
	var want []string
	for i := range 7 {
		want = append(want, string(createOrder(t, s, fx.newOrder(fx.customer.ID)).ID))
		if i%2 == 0 {
			createOrder(t, s, fx.newOrder(other.ID))
		}
	}
	slices.Reverse(want)
	f := storage.OrderFilter{CustomerID: fx.customer.ID, NewestFirst: true}
	for _, limit := range []int{1, 3, 7, storage.MaxLimit} {
		got := collect(t, limit, 10, func(p storage.Page) ([]string, string, error) {
			l, err := listOrders(t, s, f, p)
			return idsOf(l.Items, func(o orders.Order) orders.ID { return o.ID }), l.NextCursor, err
		})
		assert.Equal(t, want, got, "limit %d", limit)
	}
	// A newer order placed while paging does not shift the pages.
	first, err := listOrders(t, s, f, storage.Page{Limit: 3})
	require.NoError(t, err)
	createOrder(t, s, fx.newOrder(fx.customer.ID))
	rest, err := listOrders(t, s, f, storage.Page{Limit: 3, Cursor: first.NextCursor})
	require.NoError(t, err)
	assert.Equal(t, want[3:6], idsOf(rest.Items, func(o orders.Order) orders.ID { return o.ID }))
}

func testOrderListSites(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	at := func(site customer.SiteID) orders.Order {
		o := fx.newOrder(fx.customer.ID)
		o.SiteID = site
		return createOrder(t, s, o)
	}
	b1, p1, none, b2 := at(fx.berlin.ID), at(fx.paris.ID), at(""), at(fx.berlin.ID)
	tests := []struct {
		name  string
		sites []customer.SiteID
		want  []string
	}{
		{"no filter", nil, sorted(b1.ID, p1.ID, none.ID, b2.ID)},
		{"one site", []customer.SiteID{fx.berlin.ID}, sorted(b1.ID, b2.ID)},
		{"two sites", []customer.SiteID{fx.paris.ID, fx.berlin.ID}, sorted(b1.ID, p1.ID, b2.ID)},
		{"no sites", []customer.SiteID{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := storage.OrderFilter{CustomerID: fx.customer.ID, SiteIDs: tt.sites}
			assert.Equal(t, tt.want, orderIDs(t, s, f))
			f.NewestFirst = true
			want := slices.Clone(tt.want)
			slices.Reverse(want)
			assert.Equal(t, want, orderIDs(t, s, f), "newest first")
		})
	}
}

// testOrdersRollback fails a transaction after writes to products, offers,
// orders and their transitions: none of it remains, and the unique keys
// are free again.
func testOrdersRollback(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	o := createOrder(t, s, fx.newOrder(fx.customer.ID))
	offer := createOffer(t, s, newOffer(fx.customer.ID, fx.laptop.ID, eur(1)))
	newP := newProduct("NEW-1")
	newO := fx.newOrder(fx.customer.ID)
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		steps := []func() error{
			func() error { return r.Products().Create(ctx, newP) },
			func() error {
				_, err := r.Products().Update(ctx, fx.laptop.ID, func(p *orders.Product) error { p.SKU, p.Active = "RENAMED", false; return nil })
				return err
			},
			func() error {
				_, err := r.Offers().Update(ctx, offer.ID, func(o *orders.Offer) error { o.Price = eur(2); return nil })
				return err
			},
			func() error { return r.Offers().Delete(ctx, offer.ID) },
			func() error { return r.Offers().Create(ctx, newOffer(fx.customer.ID, fx.phone.ID, eur(3))) },
			func() error {
				n, err := r.Orders().NextNumber(ctx)
				newO.Number = n
				return err
			},
			func() error { return r.Orders().Create(ctx, newO) },
			func() error { _, err := r.Orders().Transition(ctx, o.ID, confirmEvent(time.Hour)); return err },
		}
		for i, step := range steps {
			if err := step(); err != nil {
				t.Errorf("step %d: %v", i, err)
				return err
			}
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)

	_, err = getProduct(t, s, newP.ID)
	assertNotFound(t, err)
	laptop, err := getProduct(t, s, fx.laptop.ID)
	require.NoError(t, err)
	assert.Equal(t, fx.laptop, laptop)
	gotOffer, err := getOffer(t, s, offer.ID)
	require.NoError(t, err)
	assert.Equal(t, offer, gotOffer)
	assert.Equal(t, sorted(offer.ID), offerIDs(t, s, storage.OfferFilter{}))
	_, err = getOrder(t, s, newO.ID)
	assertNotFound(t, err)
	gotOrder, err := getOrder(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, o, gotOrder)

	// The unique keys are as before.
	createProduct(t, s, newProduct("RENAMED"))
	createProduct(t, s, newP)
	assertAlreadyExists(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Offers().Create(ctx, newOffer(fx.customer.ID, fx.laptop.ID, eur(4)))
	}), "the restored offer holds its customer and product")
	createOffer(t, s, newOffer(fx.customer.ID, fx.phone.ID, eur(3)))
	later := createOrder(t, s, newO)
	assert.Greater(t, later.Number, o.Number)
}

func testOrdersReadOnly(t *testing.T, s storage.Store) {
	fx := newOrderFixture(t, s)
	o := createOrder(t, s, fx.newOrder(fx.customer.ID))
	offer := createOffer(t, s, newOffer(fx.customer.ID, fx.laptop.ID, eur(1)))
	writes := map[string]func(ctx context.Context, r storage.Repos) error{
		"Products.Create": func(ctx context.Context, r storage.Repos) error { return r.Products().Create(ctx, newProduct("NEW-1")) },
		"Products.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Products().Update(ctx, fx.laptop.ID, func(p *orders.Product) error { p.Active = false; return nil })
			return err
		},
		"Offers.Create": func(ctx context.Context, r storage.Repos) error {
			return r.Offers().Create(ctx, newOffer(fx.customer.ID, fx.phone.ID, eur(1)))
		},
		"Offers.Update": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Offers().Update(ctx, offer.ID, func(o *orders.Offer) error { o.Price = eur(2); return nil })
			return err
		},
		"Offers.Delete":     func(ctx context.Context, r storage.Repos) error { return r.Offers().Delete(ctx, offer.ID) },
		"Orders.NextNumber": func(ctx context.Context, r storage.Repos) error { _, err := r.Orders().NextNumber(ctx); return err },
		"Orders.Create": func(ctx context.Context, r storage.Repos) error {
			return r.Orders().Create(ctx, fx.newOrder(fx.customer.ID))
		},
		"Orders.Transition": func(ctx context.Context, r storage.Repos) error {
			_, err := r.Orders().Transition(ctx, o.ID, confirmEvent(time.Hour))
			return err
		},
	}
	for name, w := range writes {
		var inner error
		err := read(t, s, func(ctx context.Context, r storage.Repos) error {
			inner = w(ctx, r)
			return inner
		})
		assertReadOnly(t, inner, name)
		assert.ErrorIs(t, err, storage.ErrReadOnly, "%s: ReadTx returns fn's error", name)
	}
	got, err := getOrder(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, o, got)
	gotOffer, err := getOffer(t, s, offer.ID)
	require.NoError(t, err)
	assert.Equal(t, offer, gotOffer)
	laptop, err := getProduct(t, s, fx.laptop.ID)
	require.NoError(t, err)
	assert.Equal(t, fx.laptop, laptop)
}

// testSKUUnderContention has 20 goroutines create products with one SKU,
// in varying case, at once: exactly one wins.
func testSKUUnderContention(t *testing.T, s storage.Store) {
	const n = 20
	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for i := range n {
		sku := "LAP-1"
		if i%2 == 1 {
			sku = "lap-1"
		}
		p := newProduct(sku)
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error { return r.Products().Create(ctx, p) })
		})
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		if err == nil {
			won++
			continue
		}
		assertAlreadyExists(t, err)
	}
	assert.Equal(t, 1, won, "exactly one create wins")
	assert.Len(t, productIDs(t, s, storage.ProductFilter{Search: "lap-1"}), 1)
}

// testOrderNumbersUnderContention has 20 goroutines place an order each, at
// once: every one succeeds with its own number, and a later order's
// number is greater than all of theirs.
func testOrderNumbersUnderContention(t *testing.T, s storage.Store) {
	const n = 20
	fx := newOrderFixture(t, s)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for range n {
		o := fx.newOrder(fx.customer.ID)
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				num, err := r.Orders().NextNumber(ctx)
				if err != nil {
					return err
				}
				o.Number = num
				return r.Orders().Create(ctx, o)
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.NoError(t, err)
	}
	l, err := listOrders(t, s, storage.OrderFilter{CustomerID: fx.customer.ID}, storage.Page{Limit: storage.MaxLimit})
	require.NoError(t, err)
	require.Len(t, l.Items, n)
	seen := map[orders.Number]bool{}
	for _, o := range l.Items {
		assert.False(t, seen[o.Number], "number %d given twice", o.Number)
		seen[o.Number] = true
	}

	// After them, a new order's number is greater than all of theirs.
	last := createOrder(t, s, fx.newOrder(fx.customer.ID))
	for num := range seen {
		assert.Greater(t, last.Number, num)
	}
}

// testOrderDecidedOnce has 32 goroutines confirm and reject one submitted
// order at once, each in its own transaction: exactly one decision wins,
// every other one is ErrConflict, and the history holds the submission and
// that one decision.
func testOrderDecidedOnce(t *testing.T, s storage.Store) {
	const n = 32
	fx := newOrderFixture(t, s)
	o := createOrder(t, s, fx.newOrder(fx.customer.ID))
	errs := make(chan error, n)
	var wg sync.WaitGroup
	ctx := t.Context()
	for i := range n {
		ev := orders.Event{From: orders.StatusSubmitted, To: orders.StatusConfirmed, At: at(time.Duration(i+1) * time.Second), By: "staff:stf_" + strconv.Itoa(i)}
		if i%2 == 1 {
			ev.To, ev.Note = orders.StatusRejected, "out of stock"
		}
		wg.Go(func() {
			errs <- s.InTx(ctx, func(r storage.Repos) error {
				_, err := r.Orders().Transition(ctx, o.ID, ev)
				return err
			})
		})
	}
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		if err == nil {
			won++
			continue
		}
		assertConflict(t, err)
	}
	assert.Equal(t, 1, won, "exactly one decision wins")
	got, err := getOrder(t, s, o.ID)
	require.NoError(t, err)
	assert.Equal(t, o.Version+1, got.Version, "written once")
	require.Len(t, got.History, 2)
	assert.Equal(t, got.Status, got.History[1].To)
	assert.Contains(t, []orders.Status{orders.StatusConfirmed, orders.StatusRejected}, got.Status)
}
