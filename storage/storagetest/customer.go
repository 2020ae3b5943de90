package storagetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

var customerTests = []test{
	{"CreateGet", testCustomerCreateGet},
	{"FeaturesRoundTrip", testCustomerFeaturesRoundTrip},
	{"GetMissing", testCustomerGetMissing},
	{"CreateDuplicateID", testCustomerCreateDuplicateID},
	{"CreateDuplicateExternalRef", testCustomerCreateDuplicateExternalRef},
	{"EmptyExternalRefNotUnique", testCustomerEmptyExternalRefNotUnique},
	{"CreateWithParent", testCustomerCreateWithParent},
	{"CreateMissingParent", testCustomerCreateMissingParent},
	{"Update", testCustomerUpdate},
	{"UpdateMissing", testCustomerUpdateMissing},
	{"UpdateFnError", testCustomerUpdateFnError},
	{"UpdateExternalRefTaken", testCustomerUpdateExternalRefTaken},
	{"UpdateFreesExternalRef", testCustomerUpdateFreesExternalRef},
	{"ValuesIndependent", testCustomerValuesIndependent},
	{"TimesUTC", testCustomerTimesUTC},
	{"ListIDs", testCustomerListIDs},
	{"ListStatuses", testCustomerListStatuses},
	{"ListParent", testCustomerListParent},
	{"ListSearch", testCustomerListSearch},
	{"ListCombined", testCustomerListCombined},
	{"BrandingRoundTrip", testCustomerBrandingRoundTrip},
	{"GetByHostName", testCustomerGetByHostName},
	{"CreateDuplicateHostName", testCustomerCreateDuplicateHostName},
	{"UpdateHostNameTaken", testCustomerUpdateHostNameTaken},
	{"UpdateFreesHostName", testCustomerUpdateFreesHostName},
	{"ExternalRefTakenIsNotHostName", testCustomerExternalRefTakenIsNotHostName},
}

// newCustomer returns a customer with every field set, so that a backend
// that drops or swaps a column fails the round trip.
func newCustomer(name string) customer.Customer {
	return customer.Customer{
		ID:           newCustomerID(),
		Name:         name,
		LegalName:    name + " Legal",
		VATID:        "DE123456789",
		ContactEmail: "office@example.org",
		Phone:        "+49 30 1234567",
		Address: customer.Address{
			Line1:      "Hauptstraße 1",
			Line2:      "Aufgang B",
			PostalCode: "10115",
			City:       "Berlin",
			Region:     "BE",
			Country:    "DE",
		},
		Status:   customer.StatusActive,
		Features: customer.Features{OrderAuthorization: true, InheritGlobalPortfolio: true, Tickets: true},
		// No host name: it is unique, and tests create many customers.
		Branding: customer.Branding{
			DisplayName: name + " Portal",
			LogoURL:     "https://cdn.example.org/" + strings.ToLower(strings.ReplaceAll(name, " ", "-")) + ".svg",
			AccentColor: "#ff8800",
		},
		Version:   1,
		CreatedAt: base,
		UpdatedAt: base,
	}
}

func createCustomer(t *testing.T, s storage.Store, c customer.Customer) customer.Customer {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Customers().Create(ctx, c)
	}), "creating customer %s", c.Name)
	return c
}

func getCustomer(t *testing.T, s storage.Store, id customer.ID) (customer.Customer, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (customer.Customer, error) {
		return r.Customers().Get(ctx, id)
	})
}

func updateCustomer(t *testing.T, s storage.Store, id customer.ID, fn func(*customer.Customer) error) (customer.Customer, error) {
	t.Helper()
	var c customer.Customer
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		c, err = r.Customers().Update(ctx, id, fn)
		return err
	})
	return c, err
}

func listCustomers(t *testing.T, s storage.Store, f storage.CustomerFilter, p storage.Page) (storage.List[customer.Customer], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[customer.Customer], error) {
		return r.Customers().List(ctx, f, p)
	})
}

// customerIDs lists every customer matching f and returns their IDs.
func customerIDs(t *testing.T, s storage.Store, f storage.CustomerFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listCustomers(t, s, f, p)
		return idsOf(l.Items, func(c customer.Customer) customer.ID { return c.ID }), l.NextCursor, err
	})
}

// sorted returns the IDs as sorted strings: lists are ordered by ID.
func sorted[ID ~string](ids ...ID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	slices.Sort(out)
	return out
}

func testCustomerCreateGet(t *testing.T, s storage.Store) {
	c := newCustomer("Acme GmbH")
	c.ExternalRef = "ERP-1"
	c.Status = customer.StatusSuspended
	createCustomer(t, s, c)

	got, err := getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)
}

func testCustomerFeaturesRoundTrip(t *testing.T, s storage.Store) {
	// One feature on at a time, then none and all: a backend that swaps two
	// columns fails one of these.
	all := customer.Features{
		OrderAuthorization: true, AutoConfirmOrders: true, InheritGlobalPortfolio: true,
		PreOrders: true, SupplierWarehouse: true, HRSync: true, Tickets: true, AccessLinks: true,
		Jobs: true, Visits: true, Pictures: true,
	}
	cases := map[string]customer.Features{
		"none":                     {},
		"all":                      all,
		"order_authorization":      {OrderAuthorization: true},
		"auto_confirm_orders":      {AutoConfirmOrders: true},
		"inherit_global_portfolio": {InheritGlobalPortfolio: true},
		"pre_orders":               {PreOrders: true},
		"supplier_warehouse":       {SupplierWarehouse: true},
		"hr_sync":                  {HRSync: true},
		"tickets":                  {Tickets: true},
		"access_links":             {AccessLinks: true},
		"jobs":                     {Jobs: true},
		"visits":                   {Visits: true},
		"pictures":                 {Pictures: true},
	}
	for name, f := range cases {
		c := newCustomer(name)
		c.Features = f
		createCustomer(t, s, c)
		got, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, f, got.Features, name)
	}
}

func testCustomerGetMissing(t *testing.T, s storage.Store) {
	createCustomer(t, s, newCustomer("Acme"))
	_, err := getCustomer(t, s, newCustomerID())
	assertNotFound(t, err)
}

func testCustomerCreateDuplicateID(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	dup := newCustomer("Other")
	dup.ID = c.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Customers().Create(ctx, dup) })
	assertAlreadyExists(t, err)

	got, err := getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got, "the first customer is unchanged")
}

func testCustomerCreateDuplicateExternalRef(t *testing.T, s storage.Store) {
	a := newCustomer("Acme")
	a.ExternalRef = "ERP-1"
	createCustomer(t, s, a)
	b := newCustomer("Globex")
	b.ExternalRef = "ERP-1"
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Customers().Create(ctx, b) })
	assertAlreadyExists(t, err)

	_, err = getCustomer(t, s, b.ID)
	assertNotFound(t, err, "the second customer is not stored")
}

func testCustomerEmptyExternalRefNotUnique(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	assert.Equal(t, sorted(a.ID, b.ID), customerIDs(t, s, storage.CustomerFilter{}))
}

func testCustomerCreateWithParent(t *testing.T, s storage.Store) {
	parent := createCustomer(t, s, newCustomer("Acme Holding"))
	child := newCustomer("Acme Berlin")
	child.ParentID = parent.ID
	createCustomer(t, s, child)

	got, err := getCustomer(t, s, child.ID)
	require.NoError(t, err)
	assert.Equal(t, parent.ID, got.ParentID)
}

func testCustomerCreateMissingParent(t *testing.T, s storage.Store) {
	c := newCustomer("Orphan")
	c.ParentID = newCustomerID()
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Customers().Create(ctx, c) })
	assertNotFound(t, err)

	_, err = getCustomer(t, s, c.ID)
	assertNotFound(t, err, "the customer is not stored")
}

func testCustomerUpdate(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	parent := createCustomer(t, s, newCustomer("Acme Holding"))

	for i, step := range []func(*customer.Customer){
		func(c *customer.Customer) {
			c.Name = "Acme GmbH"
			c.ExternalRef = "ERP-1"
			c.Status = customer.StatusSuspended
			c.Features.PreOrders = true
			c.Features.SupplierWarehouse = true
			c.Address.City = "Hamburg"
			c.ParentID = parent.ID
		},
		func(c *customer.Customer) {
			c.ExternalRef = ""
			c.ParentID = ""
			c.Status = customer.StatusActive
		},
	} {
		want := c
		step(&want)
		want.Version = c.Version + 1
		want.UpdatedAt = at(time.Duration(i+1) * time.Hour)

		got, err := updateCustomer(t, s, c.ID, func(c *customer.Customer) error {
			step(c)
			c.UpdatedAt = want.UpdatedAt
			return nil
		})
		require.NoError(t, err, "step %d", i)
		assert.Equal(t, want, got, "step %d: Update returns what it wrote", i)
		stored, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, got, stored, "step %d: Get returns what Update returned", i)
		c = stored
	}
	assert.Equal(t, int64(3), c.Version)
}

func testCustomerUpdateMissing(t *testing.T, s storage.Store) {
	called := false
	_, err := updateCustomer(t, s, newCustomerID(), func(*customer.Customer) error {
		called = true
		return nil
	})
	assertNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing customer")
}

func testCustomerUpdateFnError(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	var seen customer.Customer
	_, err := updateCustomer(t, s, c.ID, func(c *customer.Customer) error {
		seen = *c
		c.Name = "Changed"
		c.ExternalRef = "ERP-1"
		c.UpdatedAt = at(time.Hour)
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
	assert.Equal(t, c, seen, "fn sees the stored customer")

	got, err := getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got, "nothing is written")
	other := newCustomer("Globex")
	other.ExternalRef = "ERP-1"
	createCustomer(t, s, other) // the reference fn set was never taken
}

func testCustomerUpdateExternalRefTaken(t *testing.T, s storage.Store) {
	a := newCustomer("Acme")
	a.ExternalRef = "ERP-1"
	createCustomer(t, s, a)
	b := newCustomer("Globex")
	b.ExternalRef = "ERP-2"
	createCustomer(t, s, b)

	_, err := updateCustomer(t, s, b.ID, func(c *customer.Customer) error {
		c.ExternalRef = "ERP-1"
		return nil
	})
	assertAlreadyExists(t, err)
	got, err := getCustomer(t, s, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b, got, "nothing is written")

	// Keeping one's own reference is no conflict.
	_, err = updateCustomer(t, s, a.ID, func(c *customer.Customer) error {
		c.Name = "Acme GmbH"
		return nil
	})
	assert.NoError(t, err)
}

func testCustomerUpdateFreesExternalRef(t *testing.T, s storage.Store) {
	a := newCustomer("Acme")
	a.ExternalRef = "ERP-1"
	createCustomer(t, s, a)
	_, err := updateCustomer(t, s, a.ID, func(c *customer.Customer) error {
		c.ExternalRef = "ERP-2"
		return nil
	})
	require.NoError(t, err)

	b := newCustomer("Globex")
	b.ExternalRef = "ERP-1"
	createCustomer(t, s, b) // the old reference is free again
	c := newCustomer("Initech")
	c.ExternalRef = "ERP-2"
	err = write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Customers().Create(ctx, c) })
	assertAlreadyExists(t, err, "the new reference is taken")
}

func testCustomerValuesIndependent(t *testing.T, s storage.Store) {
	c := newCustomer("Acme")
	want := c
	createCustomer(t, s, c)
	c.Name = "Changed after Create"
	c.Features.HRSync = true

	got, err := getCustomer(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got, "changing the value given to Create changes nothing")

	got.Name = "Changed after Get"
	got.Features.Tickets = false
	again, err := getCustomer(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, again, "changing a returned value changes nothing")
}

func testCustomerTimesUTC(t *testing.T, s storage.Store) {
	zone := time.FixedZone("UTC+5:30", 5*3600+30*60)
	created := time.Date(2025, time.July, 1, 23, 59, 58, 123456000, zone)
	c := newCustomer("Acme")
	c.CreatedAt, c.UpdatedAt = created, created
	createCustomer(t, s, c)

	got, err := getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt")
	assertUTC(t, created, got.UpdatedAt, "UpdatedAt")

	updated := created.Add(90*time.Minute + 7*time.Microsecond).In(time.FixedZone("UTC-7", -7*3600))
	returned, err := updateCustomer(t, s, c.ID, func(c *customer.Customer) error {
		c.UpdatedAt = updated
		return nil
	})
	require.NoError(t, err)
	assertUTC(t, updated, returned.UpdatedAt, "UpdatedAt returned by Update")
	got, err = getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt after Update")
	assertUTC(t, updated, got.UpdatedAt, "UpdatedAt after Update")
}

func testCustomerListIDs(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	createCustomer(t, s, newCustomer("Globex"))
	c := createCustomer(t, s, newCustomer("Initech"))

	assert.Equal(t, sorted(a.ID, c.ID), customerIDs(t, s, storage.CustomerFilter{IDs: []customer.ID{c.ID, a.ID}}))
	assert.Equal(t, sorted(a.ID), customerIDs(t, s, storage.CustomerFilter{IDs: []customer.ID{a.ID, newCustomerID()}}),
		"an unknown ID matches nothing")
	assert.Empty(t, customerIDs(t, s, storage.CustomerFilter{IDs: []customer.ID{}}), "an empty, non-nil IDs matches nothing")
	assert.Empty(t, customerIDs(t, s, storage.CustomerFilter{IDs: []customer.ID{}, Statuses: []customer.Status{customer.StatusActive}}),
		"an empty IDs matches nothing whatever the other filters")
	assert.Len(t, customerIDs(t, s, storage.CustomerFilter{IDs: nil}), 3, "nil IDs does not filter")
}

func testCustomerListStatuses(t *testing.T, s storage.Store) {
	byStatus := map[customer.Status]customer.ID{}
	for _, st := range []customer.Status{customer.StatusActive, customer.StatusSuspended, customer.StatusArchived} {
		c := newCustomer(string(st))
		c.Status = st
		byStatus[st] = createCustomer(t, s, c).ID
	}
	for _, tc := range []struct {
		statuses []customer.Status
		want     []string
	}{
		{nil, sorted(byStatus[customer.StatusActive], byStatus[customer.StatusSuspended], byStatus[customer.StatusArchived])},
		{[]customer.Status{customer.StatusActive}, sorted(byStatus[customer.StatusActive])},
		{[]customer.Status{customer.StatusSuspended, customer.StatusArchived}, sorted(byStatus[customer.StatusSuspended], byStatus[customer.StatusArchived])},
	} {
		assert.Equal(t, tc.want, customerIDs(t, s, storage.CustomerFilter{Statuses: tc.statuses}), "statuses %v", tc.statuses)
	}
}

func testCustomerListParent(t *testing.T, s storage.Store) {
	holding := createCustomer(t, s, newCustomer("Holding"))
	other := createCustomer(t, s, newCustomer("Other"))
	child := func(name string, parent customer.ID) customer.Customer {
		c := newCustomer(name)
		c.ParentID = parent
		return createCustomer(t, s, c)
	}
	berlin := child("Berlin", holding.ID)
	munich := child("Munich", holding.ID)
	child("Berlin Mitte", berlin.ID) // a grandchild is not a direct child
	child("Other Child", other.ID)

	assert.Equal(t, sorted(berlin.ID, munich.ID), customerIDs(t, s, storage.CustomerFilter{ParentID: holding.ID}))
	assert.Equal(t, sorted(holding.ID, other.ID), customerIDs(t, s, storage.CustomerFilter{TopLevel: true}))
	assert.Empty(t, customerIDs(t, s, storage.CustomerFilter{ParentID: munich.ID}), "a customer without children")
}

func testCustomerListSearch(t *testing.T, s storage.Store) {
	acme := newCustomer("Acme GmbH")
	globex := newCustomer("Globex Corporation")
	globex.ContactEmail = "Purchasing@Initech.example"
	umbrella := newCustomer("Umbrella")
	umbrella.ExternalRef = "ERP-4711"
	stark := newCustomer("Stark_Industries")
	wayne := newCustomer("Wayne 100%")
	for _, c := range []customer.Customer{acme, globex, umbrella, stark, wayne} {
		createCustomer(t, s, c)
	}

	for _, tc := range []struct {
		search string
		want   []string
	}{
		{"ACME", sorted(acme.ID)},       // name, case-insensitive
		{"gmbh", sorted(acme.ID)},       // anywhere in the name
		{"initech", sorted(globex.ID)},  // contact e-mail
		{"erp-47", sorted(umbrella.ID)}, // external reference
		{"_", sorted(stark.ID)},         // not a LIKE wildcard
		{"%", sorted(wayne.ID)},         // not a LIKE wildcard
		{"a%", nil},                     // literally "a%"
		{"Stark_Ind", sorted(stark.ID)}, // underscore in the middle
		{"no such customer", nil},       // matches nothing
		{"", sorted(acme.ID, globex.ID, umbrella.ID, stark.ID, wayne.ID)}, // no filter
	} {
		got := customerIDs(t, s, storage.CustomerFilter{Search: tc.search})
		if tc.want == nil {
			assert.Empty(t, got, "search %q", tc.search)
			continue
		}
		assert.Equal(t, tc.want, got, "search %q", tc.search)
	}
}

func testCustomerListCombined(t *testing.T, s storage.Store) {
	holding := createCustomer(t, s, newCustomer("Holding"))
	mk := func(name string, st customer.Status) customer.Customer {
		c := newCustomer(name)
		c.ParentID = holding.ID
		c.Status = st
		return createCustomer(t, s, c)
	}
	acmeActive := mk("Acme Active", customer.StatusActive)
	mk("Acme Suspended", customer.StatusSuspended)
	mk("Globex Active", customer.StatusActive)
	top := newCustomer("Acme Top")
	createCustomer(t, s, top)

	f := storage.CustomerFilter{ParentID: holding.ID, Statuses: []customer.Status{customer.StatusActive}, Search: "acme"}
	assert.Equal(t, sorted(acmeActive.ID), customerIDs(t, s, f), "every filter applies")
	f = storage.CustomerFilter{TopLevel: true, Search: "acme"}
	assert.Equal(t, sorted(top.ID), customerIDs(t, s, f))
}

func testCustomerBrandingRoundTrip(t *testing.T, s storage.Store) {
	c := newCustomer("Acme")
	c.Branding.HostName = "portal.acme.example"
	createCustomer(t, s, c)
	got, err := getCustomer(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, c, got)

	// Every field changes, and then every field is cleared.
	for _, b := range []customer.Branding{
		{DisplayName: "Acme Intranet", LogoURL: "https://acme.example/l.png", AccentColor: "#123", HostName: "intranet.acme.example"},
		{},
	} {
		updated, err := updateCustomer(t, s, c.ID, func(c *customer.Customer) error {
			c.Branding = b
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, b, updated.Branding, "Update returns what it wrote")
		got, err := getCustomer(t, s, c.ID)
		require.NoError(t, err)
		assert.Equal(t, updated, got)
	}
}

func getByHostName(t *testing.T, s storage.Store, host string) (customer.Customer, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (customer.Customer, error) {
		return r.Customers().GetByHostName(ctx, host)
	})
}

func testCustomerGetByHostName(t *testing.T, s storage.Store) {
	a := newCustomer("Acme")
	a.Branding.HostName = "portal.acme.example"
	a.Status = customer.StatusSuspended
	createCustomer(t, s, a)
	createCustomer(t, s, newCustomer("Globex")) // no host name

	got, err := getByHostName(t, s, "portal.acme.example")
	require.NoError(t, err)
	assert.Equal(t, a, got, "found whatever its status")

	for _, host := range []string{"", "acme.example", "portal.acme.example.evil", "portal"} {
		_, err := getByHostName(t, s, host)
		assertNotFound(t, err, "host %q", host)
	}
}

func testCustomerCreateDuplicateHostName(t *testing.T, s storage.Store) {
	a := newCustomer("Acme")
	a.Branding.HostName = "portal.acme.example"
	createCustomer(t, s, a)
	b := newCustomer("Globex")
	b.Branding.HostName = "portal.acme.example"
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Customers().Create(ctx, b) })
	assertAlreadyExists(t, err)
	assert.ErrorIs(t, err, storage.ErrHostNameTaken)

	_, err = getCustomer(t, s, b.ID)
	assertNotFound(t, err, "the second customer is not stored")
}

func testCustomerUpdateHostNameTaken(t *testing.T, s storage.Store) {
	a := newCustomer("Acme")
	a.Branding.HostName = "portal.acme.example"
	createCustomer(t, s, a)
	b := newCustomer("Globex")
	b.Branding.HostName = "portal.globex.example"
	createCustomer(t, s, b)

	_, err := updateCustomer(t, s, b.ID, func(c *customer.Customer) error {
		c.Name = "Globex Corporation"
		c.Branding.HostName = "portal.acme.example"
		return nil
	})
	assertAlreadyExists(t, err)
	assert.ErrorIs(t, err, storage.ErrHostNameTaken)
	got, err := getCustomer(t, s, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b, got, "nothing is written")

	// Keeping one's own host name is no conflict.
	_, err = updateCustomer(t, s, a.ID, func(c *customer.Customer) error {
		c.Name = "Acme GmbH"
		return nil
	})
	assert.NoError(t, err)
}

func testCustomerUpdateFreesHostName(t *testing.T, s storage.Store) {
	a := newCustomer("Acme")
	a.Branding.HostName = "portal.acme.example"
	createCustomer(t, s, a)
	_, err := updateCustomer(t, s, a.ID, func(c *customer.Customer) error {
		c.Branding.HostName = ""
		return nil
	})
	require.NoError(t, err)
	_, err = getByHostName(t, s, "portal.acme.example")
	assertNotFound(t, err, "a cleared host name finds nothing")

	b := newCustomer("Globex")
	b.Branding.HostName = "portal.acme.example"
	createCustomer(t, s, b) // the old host name is free again
	got, err := getByHostName(t, s, "portal.acme.example")
	require.NoError(t, err)
	assert.Equal(t, b.ID, got.ID)
}

func testCustomerExternalRefTakenIsNotHostName(t *testing.T, s storage.Store) {
	a := newCustomer("Acme")
	a.ExternalRef = "ERP-1"
	createCustomer(t, s, a)
	b := newCustomer("Globex")
	b.ExternalRef = "ERP-1"
	b.Branding.HostName = "portal.globex.example"
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Customers().Create(ctx, b) })
	assertAlreadyExists(t, err)
	assert.False(t, errors.Is(err, storage.ErrHostNameTaken), "the external reference is what is taken: %v", err)
}
