package storagetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

var membershipTests = []test{
	{"CreateGet", testMembershipCreateGet},
	{"GetMissing", testMembershipGetMissing},
	{"GetStanding", testMembershipGetStanding},
	{"CreateDuplicateID", testMembershipCreateDuplicateID},
	{"CreateDuplicateUserCustomer", testMembershipCreateDuplicateUserCustomer},
	{"CreateMissingReferences", testMembershipCreateMissingReferences},
	{"Update", testMembershipUpdate},
	{"UpdateMissing", testMembershipUpdateMissing},
	{"UpdateFnError", testMembershipUpdateFnError},
	{"UpdateMissingSite", testMembershipUpdateMissingSite},
	{"Delete", testMembershipDelete},
	{"DeleteMissing", testMembershipDeleteMissing},
	{"DeleteEndsSessionsAndAccessLinks", testMembershipDeleteEndsSessionsAndAccessLinks},
	{"ValuesIndependent", testMembershipValuesIndependent},
	{"TimesUTC", testMembershipTimesUTC},
	{"List", testMembershipList},
	{"CountActiveAdmins", testMembershipCountActiveAdmins},
}

// newMembership returns an active maintainer membership limited to sites
// (sorted, as callers keep them), or to none.
func newMembership(uid customer.UserID, cid customer.ID, sites ...customer.SiteID) customer.Membership {
	return customer.Membership{
		ID:         newMembershipID(),
		UserID:     uid,
		CustomerID: cid,
		Role:       customer.RoleMaintainer,
		SiteIDs:    customer.NormalizeSites(sites),
		Status:     customer.MembershipActive,
		Version:    1,
		CreatedAt:  base,
		UpdatedAt:  base,
	}
}

func createMembership(t *testing.T, s storage.Store, m customer.Membership) customer.Membership {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Memberships().Create(ctx, m)
	}), "creating membership")
	return m
}

func getMembership(t *testing.T, s storage.Store, id customer.MembershipID) (customer.Membership, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (customer.Membership, error) {
		return r.Memberships().Get(ctx, id)
	})
}

func updateMembership(t *testing.T, s storage.Store, id customer.MembershipID, fn func(*customer.Membership) error) (customer.Membership, error) {
	t.Helper()
	var m customer.Membership
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		m, err = r.Memberships().Update(ctx, id, fn)
		return err
	})
	return m, err
}

func deleteMembership(t *testing.T, s storage.Store, id customer.MembershipID) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Memberships().Delete(ctx, id) })
}

func listMemberships(t *testing.T, s storage.Store, f storage.MembershipFilter, p storage.Page) (storage.List[customer.Membership], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[customer.Membership], error) {
		return r.Memberships().List(ctx, f, p)
	})
}

func membershipIDs(t *testing.T, s storage.Store, f storage.MembershipFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listMemberships(t, s, f, p)
		return idsOf(l.Items, func(m customer.Membership) customer.MembershipID { return m.ID }), l.NextCursor, err
	})
}

func countActiveAdmins(t *testing.T, s storage.Store, id customer.ID) int {
	t.Helper()
	n, err := get(t, s, func(ctx context.Context, r storage.Repos) (int, error) {
		return r.Memberships().CountActiveAdmins(ctx, id)
	})
	require.NoError(t, err)
	return n
}

// assertMembership compares memberships treating a nil and an empty SiteIDs
// alike: both mean "all sites", and backends need not tell them apart.
func assertMembership(t *testing.T, want, got customer.Membership, msgAndArgs ...any) bool {
	t.Helper()
	norm := func(m customer.Membership) customer.Membership {
		if len(m.SiteIDs) == 0 {
			m.SiteIDs = nil
		}
		return m
	}
	return assert.Equal(t, norm(want), norm(got), msgAndArgs...)
}

// memberFixture is a customer with two sites and two users.
type memberFixture struct {
	customer      customer.Customer
	berlin, paris customer.Site
	ann, bob      customer.User
}

func newMemberFixture(t *testing.T, s storage.Store) memberFixture {
	t.Helper()
	c := createCustomer(t, s, newCustomer("Acme"))
	return memberFixture{
		customer: c,
		berlin:   createSite(t, s, newSite(c.ID, "Berlin")),
		paris:    createSite(t, s, newSite(c.ID, "Paris")),
		ann:      createUser(t, s, newUser("ann@example.com")),
		bob:      createUser(t, s, newUser("bob@example.com")),
	}
}

func testMembershipCreateGet(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	limited := newMembership(fx.ann.ID, fx.customer.ID, fx.paris.ID, fx.berlin.ID)
	limited.Role = customer.RoleAdmin
	limited.Status = customer.MembershipDisabled
	createMembership(t, s, limited)
	all := createMembership(t, s, newMembership(fx.bob.ID, fx.customer.ID))

	for _, want := range []customer.Membership{limited, all} {
		got, err := getMembership(t, s, want.ID)
		require.NoError(t, err)
		assertMembership(t, want, got)
	}
	got, err := getMembership(t, s, limited.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.NormalizeSites([]customer.SiteID{fx.berlin.ID, fx.paris.ID}), got.SiteIDs, "sites come back sorted")
}

func testMembershipGetMissing(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID))
	_, err := getMembership(t, s, newMembershipID())
	assertNotFound(t, err)
}

func getStanding(t *testing.T, s storage.Store, id customer.MembershipID) (storage.Standing, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.Standing, error) {
		return r.Memberships().GetStanding(ctx, id)
	})
}

// testMembershipGetStanding checks that the one lookup returns what the
// three Gets return, for every column, and follows changes to each part.
func testMembershipGetStanding(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	parent := createCustomer(t, s, newCustomer("Acme Group"))
	child := newCustomer("Acme Child")
	child.ParentID, child.ExternalRef = parent.ID, "ERP-7"
	child.Features.OrderAuthorization, child.Features.AccessLinks = true, true
	child = createCustomer(t, s, child)
	limited := newMembership(fx.ann.ID, fx.customer.ID, fx.paris.ID, fx.berlin.ID)
	createMembership(t, s, limited)
	other := newMembership(fx.ann.ID, child.ID)
	other.Role = customer.RoleViewer
	createMembership(t, s, other)

	check := func(id customer.MembershipID) storage.Standing {
		t.Helper()
		got, err := getStanding(t, s, id)
		require.NoError(t, err)
		m, err := getMembership(t, s, id)
		require.NoError(t, err)
		u, err := getUser(t, s, m.UserID)
		require.NoError(t, err)
		c, err := getCustomer(t, s, m.CustomerID)
		require.NoError(t, err)
		assertMembership(t, m, got.Membership)
		assert.Equal(t, u, got.User)
		assert.Equal(t, c, got.Customer)
		return got
	}
	got := check(limited.ID)
	assert.Equal(t, fx.customer.ID, got.Customer.ID)
	assert.Len(t, got.Membership.SiteIDs, 2)
	got = check(other.ID)
	assert.Equal(t, parent.ID, got.Customer.ParentID)
	assert.Equal(t, "ERP-7", got.Customer.ExternalRef)
	assert.True(t, got.Customer.Features.AccessLinks)

	_, err := updateUser(t, s, fx.ann.ID, func(u *customer.User) error {
		u.Status = customer.UserDisabled
		return nil
	})
	require.NoError(t, err)
	_, err = updateCustomer(t, s, child.ID, func(c *customer.Customer) error {
		c.Status = customer.StatusSuspended
		return nil
	})
	require.NoError(t, err)
	_, err = updateMembership(t, s, other.ID, func(m *customer.Membership) error {
		m.Role = customer.RoleAdmin
		return nil
	})
	require.NoError(t, err)
	got = check(other.ID)
	assert.Equal(t, customer.UserDisabled, got.User.Status)
	assert.Equal(t, customer.StatusSuspended, got.Customer.Status)
	assert.Equal(t, customer.RoleAdmin, got.Membership.Role)

	_, err = getStanding(t, s, newMembershipID())
	assertNotFound(t, err)
	require.NoError(t, deleteMembership(t, s, other.ID))
	_, err = getStanding(t, s, other.ID)
	assertNotFound(t, err)
}

func testMembershipCreateDuplicateID(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID))
	dup := newMembership(fx.bob.ID, fx.customer.ID)
	dup.ID = m.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Memberships().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	got, err := getMembership(t, s, m.ID)
	require.NoError(t, err)
	assertMembership(t, m, got, "the first membership is unchanged")
}

func testMembershipCreateDuplicateUserCustomer(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID))
	dup := newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID)
	dup.Role = customer.RoleAdmin
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Memberships().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getMembership(t, s, dup.ID)
	assertNotFound(t, err, "the second membership is not stored")

	// The same user in another customer is fine.
	other := createCustomer(t, s, newCustomer("Globex"))
	createMembership(t, s, newMembership(fx.ann.ID, other.ID))
	assert.Equal(t, sorted(m.ID), membershipIDs(t, s, storage.MembershipFilter{CustomerID: fx.customer.ID}))
}

func testMembershipCreateMissingReferences(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	for name, m := range map[string]customer.Membership{
		"user":     newMembership(newUserID(), fx.customer.ID),
		"customer": newMembership(fx.ann.ID, newCustomerID()),
		"site":     newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID, newSiteID()),
	} {
		err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Memberships().Create(ctx, m) })
		assertNotFound(t, err, "missing %s", name)
		_, err = getMembership(t, s, m.ID)
		assertNotFound(t, err, "missing %s: the membership is not stored", name)
	}
	assert.NoError(t, deleteSite(t, s, fx.berlin.ID), "a failed Create leaves no site reference behind")
}

func testMembershipUpdate(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID))

	for i, step := range []func(*customer.Membership){
		func(m *customer.Membership) {
			m.Role = customer.RoleAdmin
			m.SiteIDs = customer.NormalizeSites([]customer.SiteID{fx.paris.ID, fx.berlin.ID})
		},
		func(m *customer.Membership) {
			m.Status = customer.MembershipDisabled
			m.SiteIDs = nil
		},
		func(m *customer.Membership) {
			m.SiteIDs = []customer.SiteID{fx.paris.ID}
		},
	} {
		want := m
		want.SiteIDs = slices.Clone(m.SiteIDs)
		step(&want)
		want.Version = m.Version + 1
		want.UpdatedAt = at(time.Duration(i+1) * time.Hour)
		got, err := updateMembership(t, s, m.ID, func(m *customer.Membership) error {
			step(m)
			m.UpdatedAt = want.UpdatedAt
			return nil
		})
		require.NoError(t, err, "step %d", i)
		assertMembership(t, want, got, "step %d: Update returns what it wrote", i)
		stored, err := getMembership(t, s, m.ID)
		require.NoError(t, err)
		assertMembership(t, got, stored, "step %d: Get returns what Update returned", i)
		m = stored
	}
	assert.Equal(t, int64(4), m.Version)
}

func testMembershipUpdateMissing(t *testing.T, s storage.Store) {
	called := false
	_, err := updateMembership(t, s, newMembershipID(), func(*customer.Membership) error {
		called = true
		return nil
	})
	assertNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing membership")
}

func testMembershipUpdateFnError(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID, fx.paris.ID))
	_, err := updateMembership(t, s, m.ID, func(m *customer.Membership) error {
		m.Role = customer.RoleAdmin
		m.SiteIDs[0] = fx.paris.ID // in place: the slice must be fn's own copy
		m.SiteIDs = append(m.SiteIDs, newSiteID())
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
	got, err := getMembership(t, s, m.ID)
	require.NoError(t, err)
	assertMembership(t, m, got, "nothing is written")
}

func testMembershipUpdateMissingSite(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID))
	_, err := updateMembership(t, s, m.ID, func(m *customer.Membership) error {
		m.SiteIDs = customer.NormalizeSites([]customer.SiteID{fx.berlin.ID, newSiteID()})
		return nil
	})
	assertNotFound(t, err)
	got, err := getMembership(t, s, m.ID)
	require.NoError(t, err)
	assertMembership(t, m, got, "nothing is written")
}

func testMembershipDelete(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID))
	keep := createMembership(t, s, newMembership(fx.bob.ID, fx.customer.ID, fx.berlin.ID))

	require.NoError(t, deleteMembership(t, s, m.ID))
	_, err := getMembership(t, s, m.ID)
	assertNotFound(t, err)
	assert.Equal(t, sorted(keep.ID), membershipIDs(t, s, storage.MembershipFilter{CustomerID: fx.customer.ID}))
	assert.Equal(t, sorted(keep.ID), membershipIDs(t, s, storage.MembershipFilter{SiteID: fx.berlin.ID}))
	// The user may join the customer again.
	createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID))
}

func testMembershipDeleteMissing(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID))
	assertNotFound(t, deleteMembership(t, s, newMembershipID()))
	require.NoError(t, deleteMembership(t, s, m.ID))
	assertNotFound(t, deleteMembership(t, s, m.ID), "deleting twice")
}

func testMembershipValuesIndependent(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	m := newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID, fx.paris.ID)
	want := m
	want.SiteIDs = slices.Clone(m.SiteIDs)
	createMembership(t, s, m)
	m.SiteIDs[0] = newSiteID()
	m.Role = customer.RoleAdmin

	got, err := getMembership(t, s, want.ID)
	require.NoError(t, err)
	assertMembership(t, want, got, "changing the value given to Create changes nothing")

	got.SiteIDs[0] = newSiteID()
	got.SiteIDs = append(got.SiteIDs[:1], newSiteID())
	again, err := getMembership(t, s, want.ID)
	require.NoError(t, err)
	assertMembership(t, want, again, "changing a returned value changes nothing")

	l, err := listMemberships(t, s, storage.MembershipFilter{CustomerID: fx.customer.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	l.Items[0].SiteIDs[0] = newSiteID()
	again, err = getMembership(t, s, want.ID)
	require.NoError(t, err)
	assertMembership(t, want, again, "changing a listed value changes nothing")

	updated, err := updateMembership(t, s, want.ID, func(m *customer.Membership) error { return nil })
	require.NoError(t, err)
	want.Version++
	updated.SiteIDs[0] = newSiteID()
	again, err = getMembership(t, s, want.ID)
	require.NoError(t, err)
	assertMembership(t, want, again, "changing the value Update returned changes nothing")
}

func testMembershipTimesUTC(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	created := time.Date(2024, time.February, 29, 0, 15, 0, 250000000, time.FixedZone("UTC+14", 14*3600))
	m := newMembership(fx.ann.ID, fx.customer.ID)
	m.CreatedAt, m.UpdatedAt = created, created
	createMembership(t, s, m)

	got, err := getMembership(t, s, m.ID)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt")
	assertUTC(t, created, got.UpdatedAt, "UpdatedAt")
}

func testMembershipList(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	other := createCustomer(t, s, newCustomer("Globex"))
	carol := createUser(t, s, newUser("carol@example.com"))

	annAdmin := newMembership(fx.ann.ID, fx.customer.ID, fx.berlin.ID)
	annAdmin.Role = customer.RoleAdmin
	createMembership(t, s, annAdmin)
	bobAll := createMembership(t, s, newMembership(fx.bob.ID, fx.customer.ID)) // all sites: not "named"
	carolOff := newMembership(carol.ID, fx.customer.ID, fx.berlin.ID, fx.paris.ID)
	carolOff.Role = customer.RoleViewer
	carolOff.Status = customer.MembershipDisabled
	createMembership(t, s, carolOff)
	annOther := newMembership(fx.ann.ID, other.ID)
	annOther.Role = customer.RoleAdmin
	createMembership(t, s, annOther)

	cid := fx.customer.ID
	for name, tc := range map[string]struct {
		f    storage.MembershipFilter
		want []string
	}{
		"all":              {storage.MembershipFilter{}, sorted(annAdmin.ID, bobAll.ID, carolOff.ID, annOther.ID)},
		"customer":         {storage.MembershipFilter{CustomerID: cid}, sorted(annAdmin.ID, bobAll.ID, carolOff.ID)},
		"user":             {storage.MembershipFilter{UserID: fx.ann.ID}, sorted(annAdmin.ID, annOther.ID)},
		"site":             {storage.MembershipFilter{SiteID: fx.berlin.ID}, sorted(annAdmin.ID, carolOff.ID)},
		"other site":       {storage.MembershipFilter{SiteID: fx.paris.ID}, sorted(carolOff.ID)},
		"role":             {storage.MembershipFilter{Role: customer.RoleAdmin}, sorted(annAdmin.ID, annOther.ID)},
		"status":           {storage.MembershipFilter{Status: customer.MembershipDisabled}, sorted(carolOff.ID)},
		"customer+role":    {storage.MembershipFilter{CustomerID: cid, Role: customer.RoleAdmin}, sorted(annAdmin.ID)},
		"customer+user":    {storage.MembershipFilter{CustomerID: other.ID, UserID: fx.ann.ID}, sorted(annOther.ID)},
		"site+status":      {storage.MembershipFilter{SiteID: fx.berlin.ID, Status: customer.MembershipActive}, sorted(annAdmin.ID)},
		"nothing matching": {storage.MembershipFilter{CustomerID: other.ID, Role: customer.RoleViewer}, nil},
	} {
		got := membershipIDs(t, s, tc.f)
		if tc.want == nil {
			assert.Empty(t, got, name)
			continue
		}
		assert.Equal(t, tc.want, got, name)
	}

	l, err := listMemberships(t, s, storage.MembershipFilter{UserID: carol.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assertMembership(t, carolOff, l.Items[0], "lists return whole values, sites included")
}

func testMembershipCountActiveAdmins(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	assert.Equal(t, 0, countActiveAdmins(t, s, fx.customer.ID), "no members")

	member := func(email string, cid customer.ID, role customer.Role, st customer.MembershipStatus) customer.Membership {
		m := newMembership(createUser(t, s, newUser(email)).ID, cid, fx.berlin.ID)
		m.Role, m.Status = role, st
		return createMembership(t, s, m)
	}
	admin := member("admin1@example.com", fx.customer.ID, customer.RoleAdmin, customer.MembershipActive)
	member("admin2@example.com", fx.customer.ID, customer.RoleAdmin, customer.MembershipActive)
	member("off@example.com", fx.customer.ID, customer.RoleAdmin, customer.MembershipDisabled)
	member("maint@example.com", fx.customer.ID, customer.RoleMaintainer, customer.MembershipActive)
	member("view@example.com", fx.customer.ID, customer.RoleViewer, customer.MembershipActive)
	other := createCustomer(t, s, newCustomer("Globex"))
	member("other@example.com", other.ID, customer.RoleAdmin, customer.MembershipActive)

	assert.Equal(t, 2, countActiveAdmins(t, s, fx.customer.ID))
	assert.Equal(t, 1, countActiveAdmins(t, s, other.ID))
	assert.Equal(t, 0, countActiveAdmins(t, s, newCustomerID()), "an unknown customer has none")

	_, err := updateMembership(t, s, admin.ID, func(m *customer.Membership) error {
		m.Status = customer.MembershipDisabled
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 1, countActiveAdmins(t, s, fx.customer.ID), "after disabling one")
	require.NoError(t, deleteMembership(t, s, admin.ID))
	assert.Equal(t, 1, countActiveAdmins(t, s, fx.customer.ID), "after deleting a disabled one")
}

// testMembershipDeleteEndsSessionsAndAccessLinks deletes a membership: its
// sessions and access links go with it (ON DELETE CASCADE), others stay.
func testMembershipDeleteEndsSessionsAndAccessLinks(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	link := createAccessLink(t, s, newAccessLink(fx.annM))
	viaLink := newSession(fx.annM)
	viaLink.Method, viaLink.AccessLinkID = identity.MethodAccessLink, string(link.ID)
	createSession(t, s, viaLink)
	sn := createSession(t, s, newSession(fx.annM))
	bobLink := createAccessLink(t, s, newAccessLink(fx.bobM))
	bobSession := createSession(t, s, newSession(fx.bobM))

	require.NoError(t, deleteMembership(t, s, fx.annM.ID))
	for _, h := range []string{sn.TokenHash, viaLink.TokenHash} {
		_, err := getSession(t, s, h)
		assertNotFound(t, err, "the membership's sessions are deleted")
	}
	_, err := getAccessLinkByToken(t, s, link.TokenHash)
	assertNotFound(t, err, "the membership's access links are deleted")
	_, err = getAccessLink(t, s, link.ID)
	assertNotFound(t, err)
	assert.Empty(t, accessLinkIDs(t, s, storage.AccessLinkFilter{MembershipID: fx.annM.ID}))

	_, err = getSession(t, s, bobSession.TokenHash)
	assert.NoError(t, err, "another membership's session stays")
	_, err = getAccessLinkByToken(t, s, bobLink.TokenHash)
	assert.NoError(t, err, "another membership's access link stays")
	assert.Equal(t, sorted(bobSession.ID), sessionIDs(t, s, storage.SessionFilter{}))
}
