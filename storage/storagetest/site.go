package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

var siteTests = []test{
	{"CreateGet", testSiteCreateGet},
	{"GetMissing", testSiteGetMissing},
	{"CreateDuplicateID", testSiteCreateDuplicateID},
	{"CreateDuplicateName", testSiteCreateDuplicateName},
	{"SameNameOtherCustomer", testSiteSameNameOtherCustomer},
	{"CreateMissingCustomer", testSiteCreateMissingCustomer},
	{"Update", testSiteUpdate},
	{"UpdateMissing", testSiteUpdateMissing},
	{"UpdateFnError", testSiteUpdateFnError},
	{"UpdateNameTaken", testSiteUpdateNameTaken},
	{"UpdateFreesName", testSiteUpdateFreesName},
	{"Delete", testSiteDelete},
	{"DeleteMissing", testSiteDeleteMissing},
	{"DeleteNamedByMembership", testSiteDeleteNamedByMembership},
	{"ValuesIndependent", testSiteValuesIndependent},
	{"TimesUTC", testSiteTimesUTC},
	{"List", testSiteList},
	{"ListIDs", testSiteListIDs},
	// Field service (#18).
	{"AddressLocation", testSiteAddressLocation},
	{"Search", testSiteSearch},
	{"Move", testSiteMove},
	{"MoveRefused", testSiteMoveRefused},
}

func newSite(cid customer.ID, name string) customer.Site {
	return customer.Site{
		ID:          newSiteID(),
		CustomerID:  cid,
		Name:        name,
		ExternalRef: "ERP-" + name,
		Version:     1,
		CreatedAt:   base,
		UpdatedAt:   base,
	}
}

func createSite(t *testing.T, s storage.Store, site customer.Site) customer.Site {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Sites().Create(ctx, site)
	}), "creating site %s", site.Name)
	return site
}

func getSite(t *testing.T, s storage.Store, id customer.SiteID) (customer.Site, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (customer.Site, error) {
		return r.Sites().Get(ctx, id)
	})
}

func updateSite(t *testing.T, s storage.Store, id customer.SiteID, fn func(*customer.Site) error) (customer.Site, error) {
	t.Helper()
	var site customer.Site
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		site, err = r.Sites().Update(ctx, id, fn)
		return err
	})
	return site, err
}

func deleteSite(t *testing.T, s storage.Store, id customer.SiteID) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sites().Delete(ctx, id) })
}

func listSites(t *testing.T, s storage.Store, f storage.SiteFilter, p storage.Page) (storage.List[customer.Site], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[customer.Site], error) {
		return r.Sites().List(ctx, f, p)
	})
}

func siteIDs(t *testing.T, s storage.Store, f storage.SiteFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listSites(t, s, f, p)
		return idsOf(l.Items, func(s customer.Site) customer.SiteID { return s.ID }), l.NextCursor, err
	})
}

// renameSite returns an Update fn that sets the site's name.
func renameSite(name string) func(*customer.Site) error {
	return func(s *customer.Site) error {
		s.Name = name
		return nil
	}
}

func testSiteCreateGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	got, err := getSite(t, s, site.ID)
	require.NoError(t, err)
	assert.Equal(t, site, got)
}

func testSiteGetMissing(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	createSite(t, s, newSite(c.ID, "Berlin"))
	_, err := getSite(t, s, newSiteID())
	assertNotFound(t, err)
}

func testSiteCreateDuplicateID(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	dup := newSite(c.ID, "Munich")
	dup.ID = site.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sites().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	got, err := getSite(t, s, site.ID)
	require.NoError(t, err)
	assert.Equal(t, site, got, "the first site is unchanged")
}

func testSiteCreateDuplicateName(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	for _, name := range []string{"Berlin", "BERLIN", "berlin"} {
		dup := newSite(c.ID, name)
		err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sites().Create(ctx, dup) })
		assertAlreadyExists(t, err, "name %q", name)
	}
	assert.Equal(t, sorted(site.ID), siteIDs(t, s, storage.SiteFilter{CustomerID: c.ID}))
}

func testSiteSameNameOtherCustomer(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	createSite(t, s, newSite(a.ID, "Berlin"))
	createSite(t, s, newSite(b.ID, "Berlin"))
	createSite(t, s, newSite(b.ID, "Berlin Mitte"))
}

func testSiteCreateMissingCustomer(t *testing.T, s storage.Store) {
	site := newSite(newCustomerID(), "Berlin")
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sites().Create(ctx, site) })
	assertNotFound(t, err)
	_, err = getSite(t, s, site.ID)
	assertNotFound(t, err, "the site is not stored")
}

func testSiteUpdate(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))

	for i, name := range []string{"Berlin Mitte", "BERLIN MITTE"} { // a new case of its own name is fine
		want := site
		want.Name = name
		want.Version = site.Version + 1
		want.UpdatedAt = at(time.Duration(i+1) * time.Minute)
		got, err := updateSite(t, s, site.ID, func(s *customer.Site) error {
			s.Name = want.Name
			s.UpdatedAt = want.UpdatedAt
			return nil
		})
		require.NoError(t, err, "renaming to %q", name)
		assert.Equal(t, want, got)
		stored, err := getSite(t, s, site.ID)
		require.NoError(t, err)
		assert.Equal(t, got, stored)
		site = stored
	}
	assert.Equal(t, int64(3), site.Version)
}

func testSiteUpdateMissing(t *testing.T, s storage.Store) {
	called := false
	_, err := updateSite(t, s, newSiteID(), func(*customer.Site) error {
		called = true
		return nil
	})
	assertNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing site")
}

func testSiteUpdateFnError(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	_, err := updateSite(t, s, site.ID, func(s *customer.Site) error {
		s.Name = "Munich"
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
	got, err := getSite(t, s, site.ID)
	require.NoError(t, err)
	assert.Equal(t, site, got, "nothing is written")
	createSite(t, s, newSite(c.ID, "Munich")) // the name fn set was never taken
}

func testSiteUpdateNameTaken(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	createSite(t, s, newSite(c.ID, "Berlin"))
	munich := createSite(t, s, newSite(c.ID, "Munich"))
	_, err := updateSite(t, s, munich.ID, renameSite("berlin"))
	assertAlreadyExists(t, err)
	got, err := getSite(t, s, munich.ID)
	require.NoError(t, err)
	assert.Equal(t, munich, got, "nothing is written")
}

func testSiteUpdateFreesName(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	berlin := createSite(t, s, newSite(c.ID, "Berlin"))
	_, err := updateSite(t, s, berlin.ID, renameSite("Berlin Mitte"))
	require.NoError(t, err)
	createSite(t, s, newSite(c.ID, "Berlin")) // the old name is free again
	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Sites().Create(ctx, newSite(c.ID, "berlin mitte"))
	})
	assertAlreadyExists(t, err, "the new name is taken")
}

func testSiteDelete(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	berlin := createSite(t, s, newSite(c.ID, "Berlin"))
	munich := createSite(t, s, newSite(c.ID, "Munich"))

	require.NoError(t, deleteSite(t, s, berlin.ID))
	_, err := getSite(t, s, berlin.ID)
	assertNotFound(t, err)
	assert.Equal(t, sorted(munich.ID), siteIDs(t, s, storage.SiteFilter{CustomerID: c.ID}))
	createSite(t, s, newSite(c.ID, "Berlin")) // the name is free again
}

func testSiteDeleteMissing(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	assertNotFound(t, deleteSite(t, s, newSiteID()))
	require.NoError(t, deleteSite(t, s, site.ID))
	assertNotFound(t, deleteSite(t, s, site.ID), "deleting twice")
}

func testSiteDeleteNamedByMembership(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	berlin := createSite(t, s, newSite(c.ID, "Berlin"))
	munich := createSite(t, s, newSite(c.ID, "Munich"))
	m := createMembership(t, s, newMembership(createUser(t, s, newUser("ann@example.com")).ID, c.ID, berlin.ID, munich.ID))

	assertConflict(t, deleteSite(t, s, berlin.ID))
	got, err := getSite(t, s, berlin.ID)
	require.NoError(t, err, "the site is still there")
	assert.Equal(t, berlin, got)

	// Once no membership names it, the site can go.
	_, err = updateMembership(t, s, m.ID, func(m *customer.Membership) error {
		m.SiteIDs = []customer.SiteID{munich.ID}
		return nil
	})
	require.NoError(t, err)
	assert.NoError(t, deleteSite(t, s, berlin.ID))
	assertConflict(t, deleteSite(t, s, munich.ID))
	require.NoError(t, deleteMembership(t, s, m.ID))
	assert.NoError(t, deleteSite(t, s, munich.ID))
}

func testSiteValuesIndependent(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := newSite(c.ID, "Berlin")
	want := site
	createSite(t, s, site)
	site.Name = "Changed after Create"

	got, err := getSite(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got, "changing the value given to Create changes nothing")
	got.Name = "Changed after Get"
	again, err := getSite(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, again, "changing a returned value changes nothing")
}

func testSiteTimesUTC(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	created := time.Date(2025, time.October, 26, 2, 30, 0, 1000, time.FixedZone("CEST", 2*3600))
	site := newSite(c.ID, "Berlin")
	site.CreatedAt, site.UpdatedAt = created, created
	createSite(t, s, site)

	got, err := getSite(t, s, site.ID)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt")
	assertUTC(t, created, got.UpdatedAt, "UpdatedAt")
	l, err := listSites(t, s, storage.SiteFilter{CustomerID: c.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assertUTC(t, created, l.Items[0].CreatedAt, "CreatedAt in a list")
}

func testSiteList(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	berlin := createSite(t, s, newSite(a.ID, "Berlin"))
	munich := createSite(t, s, newSite(a.ID, "Munich"))
	createSite(t, s, newSite(b.ID, "Berlin"))

	assert.Equal(t, sorted(berlin.ID, munich.ID), siteIDs(t, s, storage.SiteFilter{CustomerID: a.ID}))
	l, err := listSites(t, s, storage.SiteFilter{CustomerID: a.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 2)
	assert.Equal(t, berlin, l.Items[0], "lists return whole values")
	assert.Empty(t, siteIDs(t, s, storage.SiteFilter{CustomerID: newCustomerID()}), "an unknown customer has no sites")
}

func testSiteListIDs(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	berlin := createSite(t, s, newSite(a.ID, "Berlin"))
	createSite(t, s, newSite(a.ID, "Munich"))
	hamburg := createSite(t, s, newSite(a.ID, "Hamburg"))
	other := createSite(t, s, newSite(b.ID, "Paris"))

	f := storage.SiteFilter{CustomerID: a.ID, IDs: []customer.SiteID{hamburg.ID, berlin.ID, other.ID}}
	assert.Equal(t, sorted(berlin.ID, hamburg.ID), siteIDs(t, s, f), "IDs narrow the customer's sites, never widen them")
	assert.Empty(t, siteIDs(t, s, storage.SiteFilter{CustomerID: a.ID, IDs: []customer.SiteID{}}), "an empty, non-nil IDs matches nothing")
	assert.Len(t, siteIDs(t, s, storage.SiteFilter{CustomerID: a.ID, IDs: nil}), 3, "nil IDs does not filter")
}

// Field service (#18).

func testSiteAddressLocation(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := newSite(c.ID, "Berlin")
	site.Address = customer.Address{Line1: "Unter den Linden 1", PostalCode: "10117", City: "Berlin", Region: "Berlin", Country: "DE"}
	site.Location = &customer.GeoPoint{Latitude: 52.5170365, Longitude: 13.3888599}
	site.Notes = "Ring at the gate"
	createSite(t, s, site)
	got, err := getSite(t, s, site.ID)
	require.NoError(t, err)
	assert.Equal(t, site, got, "address, location and notes are stored as given")

	// Edge values of the ranges, and clearing the position.
	got, err = updateSite(t, s, site.ID, func(v *customer.Site) error {
		v.Location = &customer.GeoPoint{Latitude: -90, Longitude: 180}
		return nil
	})
	require.NoError(t, err)
	again, err := getSite(t, s, site.ID)
	require.NoError(t, err)
	assert.Equal(t, got, again)
	_, err = updateSite(t, s, site.ID, func(v *customer.Site) error { v.Location = nil; return nil })
	require.NoError(t, err)
	again, err = getSite(t, s, site.ID)
	require.NoError(t, err)
	assert.Nil(t, again.Location, "a cleared position reads back as none")

	// The store refuses what no use case would write.
	bad := newSite(c.ID, "Nowhere")
	bad.Location = &customer.GeoPoint{Latitude: 91, Longitude: 0}
	assert.Error(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sites().Create(ctx, bad) }))
}

func testSiteSearch(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	mk := func(cid customer.ID, name, city, ref string) customer.Site {
		site := newSite(cid, name)
		site.Address.City, site.ExternalRef = city, ref
		return createSite(t, s, site)
	}
	plant := mk(a.ID, "North Plant", "Hamburg", "FS-100")
	office := mk(a.ID, "Office", "Berlin", "FS-200")
	depot := mk(a.ID, "Depot", "Hamburg-Harburg", "X_1")
	mk(b.ID, "Hamburg Port", "Hamburg", "FS-100")

	search := func(q string) []string { return siteIDs(t, s, storage.SiteFilter{CustomerID: a.ID, Search: q}) }
	assert.Equal(t, sorted(plant.ID), search("north"), "by name, ignoring case")
	assert.Equal(t, sorted(plant.ID, depot.ID), search("HAMBURG"), "by city, never another customer's")
	assert.Equal(t, sorted(office.ID), search("fs-2"), "by external reference")
	assert.Equal(t, sorted(depot.ID), search("x_"), "LIKE wildcards match themselves")
	assert.Empty(t, search("%"), "a percent sign is no wildcard")
	assert.Equal(t, sorted(plant.ID), siteIDs(t, s, storage.SiteFilter{CustomerID: a.ID, Search: "fs", IDs: []customer.SiteID{plant.ID, depot.ID}}),
		"search narrows an ID set")
}

func moveSite(t *testing.T, s storage.Store, id customer.SiteID, to customer.ID, version int64) (customer.Site, error) {
	t.Helper()
	var out customer.Site
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.Sites().Move(ctx, id, to, version, siteMovedAt)
		return err
	})
	return out, err
}

var siteMovedAt = base.Add(time.Hour)

func testSiteMove(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	berlin := createSite(t, s, newSite(a.ID, "Berlin"))
	munich := createSite(t, s, newSite(a.ID, "Munich"))
	m := createMembership(t, s, newMembership(createUser(t, s, newUser("ann@example.com")).ID, a.ID, berlin.ID, munich.ID))

	moved, err := moveSite(t, s, berlin.ID, b.ID, berlin.Version)
	require.NoError(t, err)
	assert.Equal(t, b.ID, moved.CustomerID)
	assert.Equal(t, berlin.Version+1, moved.Version)
	assertUTC(t, siteMovedAt, moved.UpdatedAt, "UpdatedAt")
	assert.Equal(t, berlin.Name, moved.Name)
	got, err := getSite(t, s, berlin.ID)
	require.NoError(t, err)
	assert.Equal(t, moved, got)
	assert.Equal(t, sorted(munich.ID), siteIDs(t, s, storage.SiteFilter{CustomerID: a.ID}))
	assert.Equal(t, sorted(berlin.ID), siteIDs(t, s, storage.SiteFilter{CustomerID: b.ID}))
	mm, err := get(t, s, func(ctx context.Context, r storage.Repos) (customer.Membership, error) {
		return r.Memberships().Get(ctx, m.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, []customer.SiteID{munich.ID}, mm.SiteIDs, "the membership no longer names the moved site")
	// Now nothing holds it: the site can be deleted.
	assert.NoError(t, deleteSite(t, s, berlin.ID))
}

func testSiteMoveRefused(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	berlin := createSite(t, s, newSite(a.ID, "Berlin"))
	createSite(t, s, newSite(b.ID, "BERLIN"))
	m := createMembership(t, s, newMembership(createUser(t, s, newUser("ann@example.com")).ID, a.ID, berlin.ID))

	_, err := moveSite(t, s, berlin.ID, b.ID, berlin.Version)
	assertAlreadyExists(t, err, "the other customer has a site of that name")
	_, err = moveSite(t, s, berlin.ID, newCustomerID(), berlin.Version)
	assertNotFound(t, err, "no such customer")
	_, err = moveSite(t, s, newSiteID(), b.ID, 1)
	assertNotFound(t, err, "no such site")
	c := createCustomer(t, s, newCustomer("Initech"))
	_, err = moveSite(t, s, berlin.ID, c.ID, berlin.Version+1)
	assertConflict(t, err, "another version")

	got, err := getSite(t, s, berlin.ID)
	require.NoError(t, err)
	assert.Equal(t, berlin, got, "a refused move changes nothing")
	mm, err := get(t, s, func(ctx context.Context, r storage.Repos) (customer.Membership, error) {
		return r.Memberships().Get(ctx, m.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, []customer.SiteID{berlin.ID}, mm.SiteIDs, "a refused move keeps the membership's sites")
}
