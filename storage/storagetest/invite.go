package storagetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/storage"
)

var invitationTests = []test{
	{"CreateGet", testInvitationCreateGet},
	{"GetMissing", testInvitationGetMissing},
	{"CreateDuplicateID", testInvitationCreateDuplicateID},
	{"CreateDuplicateTokenHash", testInvitationCreateDuplicateTokenHash},
	{"CreateMissingCustomer", testInvitationCreateMissingCustomer},
	{"SitesNotReferenced", testInvitationSitesNotReferenced},
	{"Update", testInvitationUpdate},
	{"UpdateMissing", testInvitationUpdateMissing},
	{"UpdateFnError", testInvitationUpdateFnError},
	{"Resend", testInvitationResend},
	{"ResendTokenHashTaken", testInvitationResendTokenHashTaken},
	{"MarkAccepted", testInvitationMarkAccepted},
	{"MarkAcceptedNotPending", testInvitationMarkAcceptedNotPending},
	{"MarkAcceptedMissing", testInvitationMarkAcceptedMissing},
	{"ValuesIndependent", testInvitationValuesIndependent},
	{"TimesUTC", testInvitationTimesUTC},
	{"List", testInvitationList},
	{"ListState", testInvitationListState},
}

var loginLinkTests = []test{
	{"CreateConsume", testLoginLinkCreateConsume},
	{"ConsumeOnce", testLoginLinkConsumeOnce},
	{"ConsumeUnknown", testLoginLinkConsumeUnknown},
	{"ConsumeExpired", testLoginLinkConsumeExpired},
	{"CreateDuplicateID", testLoginLinkCreateDuplicateID},
	{"CreateDuplicateTokenHash", testLoginLinkCreateDuplicateTokenHash},
	{"CreateMissingUser", testLoginLinkCreateMissingUser},
	{"Supersede", testLoginLinkSupersede},
	{"DeleteExpired", testLoginLinkDeleteExpired},
	{"TimesUTC", testLoginLinkTimesUTC},
}

var accessLinkTests = []test{
	{"CreateGet", testAccessLinkCreateGet},
	{"GetMissing", testAccessLinkGetMissing},
	{"CreateDuplicateID", testAccessLinkCreateDuplicateID},
	{"CreateDuplicateTokenHash", testAccessLinkCreateDuplicateTokenHash},
	{"CreateMissingMembership", testAccessLinkCreateMissingMembership},
	{"Update", testAccessLinkUpdate},
	{"UpdateMissing", testAccessLinkUpdateMissing},
	{"UpdateFnError", testAccessLinkUpdateFnError},
	{"UpdateTokenHashTaken", testAccessLinkUpdateTokenHashTaken},
	{"TimesUTC", testAccessLinkTimesUTC},
	{"List", testAccessLinkList},
}

func newInvitationID() invite.ID           { return invite.ID(newID("inv_")) }
func newLoginLinkID() invite.LoginLinkID   { return invite.LoginLinkID(newID("lnk_")) }
func newAccessLinkID() invite.AccessLinkID { return invite.AccessLinkID(newID("acl_")) }

// newHash returns the hash of a fresh, unique token; newTokenHash the same
// as the string that sessions and API keys store.
func newHash() invite.Hash { return invite.HashToken(newID("tok_")) }
func newTokenHash() string { return string(newHash()) }

func newInvitationFor(c customer.ID) invite.Invitation { return newInvitation(c, "new@example.com") }

// newInvitation returns a pending invitation with every field that a pending
// one has set; AcceptedAt, AcceptedBy and RevokedAt stay zero.
func newInvitation(cid customer.ID, email string) invite.Invitation {
	return invite.Invitation{
		ID:         newInvitationID(),
		CustomerID: cid,
		Email:      email,
		Role:       customer.RoleMaintainer,
		Message:    "Welcome aboard!",
		TokenHash:  newHash(),
		InvitedBy:  "staff:stf_1",
		ExpiresAt:  at(invite.DefaultInvitationTTL),
		SentCount:  1,
		Version:    1,
		CreatedAt:  base,
		UpdatedAt:  base,
	}
}

func createInvitation(t *testing.T, s storage.Store, i invite.Invitation) invite.Invitation {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Invitations().Create(ctx, i)
	}), "creating invitation for %s", i.Email)
	return i
}

func getInvitation(t *testing.T, s storage.Store, id invite.ID) (invite.Invitation, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (invite.Invitation, error) {
		return r.Invitations().Get(ctx, id)
	})
}

func getInvitationByToken(t *testing.T, s storage.Store, h invite.Hash) (invite.Invitation, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (invite.Invitation, error) {
		return r.Invitations().GetByTokenHash(ctx, h)
	})
}

func updateInvitation(t *testing.T, s storage.Store, id invite.ID, fn func(*invite.Invitation) error) (invite.Invitation, error) {
	t.Helper()
	var i invite.Invitation
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		i, err = r.Invitations().Update(ctx, id, fn)
		return err
	})
	return i, err
}

func markAccepted(t *testing.T, s storage.Store, id invite.ID, by customer.UserID, when time.Time) (invite.Invitation, error) {
	t.Helper()
	var i invite.Invitation
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		i, err = r.Invitations().MarkAccepted(ctx, id, by, when)
		return err
	})
	return i, err
}

func listInvitations(t *testing.T, s storage.Store, f storage.InvitationFilter, p storage.Page) (storage.List[invite.Invitation], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[invite.Invitation], error) {
		return r.Invitations().List(ctx, f, p)
	})
}

func invitationIDs(t *testing.T, s storage.Store, f storage.InvitationFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listInvitations(t, s, f, p)
		return idsOf(l.Items, func(i invite.Invitation) invite.ID { return i.ID }), l.NextCursor, err
	})
}

// assertInvitation compares invitations treating a nil and an empty SiteIDs
// alike, as assertMembership does.
func assertInvitation(t *testing.T, want, got invite.Invitation, msgAndArgs ...any) bool {
	t.Helper()
	norm := func(i invite.Invitation) invite.Invitation {
		if len(i.SiteIDs) == 0 {
			i.SiteIDs = nil
		}
		return i
	}
	return assert.Equal(t, norm(want), norm(got), msgAndArgs...)
}

func testInvitationCreateGet(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	pending := newInvitation(fx.customer.ID, "carol@example.com")
	pending.SiteIDs = customer.NormalizeSites([]customer.SiteID{fx.paris.ID, fx.berlin.ID})
	createInvitation(t, s, pending)

	// Every field set, the ones a pending invitation leaves zero included.
	done := newInvitation(fx.customer.ID, "ann@example.com")
	done.Role = customer.RoleAdmin
	done.FirstAdmin = true
	done.SentCount = 3
	done.AcceptedAt = at(2 * time.Hour)
	done.AcceptedBy = fx.ann.ID
	done.RevokedAt = at(3 * time.Hour)
	done.Version = 4
	done.UpdatedAt = at(3 * time.Hour)
	createInvitation(t, s, done)

	for _, want := range []invite.Invitation{pending, done} {
		got, err := getInvitation(t, s, want.ID)
		require.NoError(t, err)
		assertInvitation(t, want, got, "Get")
		got, err = getInvitationByToken(t, s, want.TokenHash)
		require.NoError(t, err)
		assertInvitation(t, want, got, "GetByTokenHash finds an invitation whatever its state")
	}
	got, err := getInvitation(t, s, pending.ID)
	require.NoError(t, err)
	assert.True(t, got.AcceptedAt.IsZero() && got.RevokedAt.IsZero(), "zero times stay zero")
	assert.Empty(t, got.AcceptedBy)
}

func testInvitationGetMissing(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	createInvitation(t, s, newInvitationFor(c.ID))
	_, err := getInvitation(t, s, newInvitationID())
	assertNotFound(t, err)
	_, err = getInvitationByToken(t, s, newHash())
	assertNotFound(t, err)
}

func testInvitationCreateDuplicateID(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	i := createInvitation(t, s, newInvitation(c.ID, "ann@example.com"))
	dup := newInvitation(c.ID, "bob@example.com")
	dup.ID = i.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Invitations().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getInvitationByToken(t, s, dup.TokenHash)
	assertNotFound(t, err, "the second invitation is not stored")
	got, err := getInvitation(t, s, i.ID)
	require.NoError(t, err)
	assertInvitation(t, i, got, "the first invitation is unchanged")
}

func testInvitationCreateDuplicateTokenHash(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	i := createInvitation(t, s, newInvitation(c.ID, "ann@example.com"))
	dup := newInvitation(c.ID, "bob@example.com")
	dup.TokenHash = i.TokenHash
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Invitations().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getInvitation(t, s, dup.ID)
	assertNotFound(t, err, "the second invitation is not stored")
	got, err := getInvitationByToken(t, s, i.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, i.ID, got.ID)
}

func testInvitationCreateMissingCustomer(t *testing.T, s storage.Store) {
	i := newInvitationFor(newCustomerID())
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Invitations().Create(ctx, i) })
	assertNotFound(t, err)
	_, err = getInvitation(t, s, i.ID)
	assertNotFound(t, err, "the invitation is not stored")
}

// testInvitationSitesNotReferenced deletes a site an invitation names: that
// is allowed, and the invitation keeps naming it (the portal checks the
// sites again on acceptance).
func testInvitationSitesNotReferenced(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	i := newInvitation(fx.customer.ID, "carol@example.com")
	i.SiteIDs = customer.NormalizeSites([]customer.SiteID{fx.berlin.ID, fx.paris.ID})
	createInvitation(t, s, i)
	require.NoError(t, deleteSite(t, s, fx.berlin.ID))
	got, err := getInvitation(t, s, i.ID)
	require.NoError(t, err)
	assertInvitation(t, i, got)
}

func testInvitationUpdate(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	i := createInvitation(t, s, newInvitation(fx.customer.ID, "carol@example.com"))

	for n, step := range []func(*invite.Invitation){
		func(i *invite.Invitation) {
			i.Role = customer.RoleAdmin
			i.SiteIDs = []customer.SiteID{fx.berlin.ID}
			i.Message = ""
			i.ExpiresAt = at(30 * 24 * time.Hour)
		},
		func(i *invite.Invitation) {
			i.RevokedAt = at(2 * time.Hour)
			i.SiteIDs = nil
		},
	} {
		want := i
		want.SiteIDs = slices.Clone(i.SiteIDs)
		step(&want)
		want.Version = i.Version + 1
		want.UpdatedAt = at(time.Duration(n+1) * time.Hour)
		got, err := updateInvitation(t, s, i.ID, func(i *invite.Invitation) error {
			step(i)
			i.UpdatedAt = want.UpdatedAt
			return nil
		})
		require.NoError(t, err, "step %d", n)
		assertInvitation(t, want, got, "step %d: Update returns what it wrote", n)
		stored, err := getInvitation(t, s, i.ID)
		require.NoError(t, err)
		assertInvitation(t, got, stored, "step %d: Get returns what Update returned", n)
		i = stored
	}
	assert.Equal(t, int64(3), i.Version)
}

func testInvitationUpdateMissing(t *testing.T, s storage.Store) {
	called := false
	_, err := updateInvitation(t, s, newInvitationID(), func(*invite.Invitation) error {
		called = true
		return nil
	})
	assertNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing invitation")
}

func testInvitationUpdateFnError(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	i := newInvitation(fx.customer.ID, "carol@example.com")
	i.SiteIDs = []customer.SiteID{fx.berlin.ID}
	createInvitation(t, s, i)
	fresh := newHash()
	var seen invite.Invitation
	_, err := updateInvitation(t, s, i.ID, func(i *invite.Invitation) error {
		seen = *i
		seen.SiteIDs = slices.Clone(i.SiteIDs)
		i.TokenHash = fresh
		i.SiteIDs[0] = fx.paris.ID // in place: the slice must be fn's own copy
		i.RevokedAt = at(time.Hour)
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
	assertInvitation(t, i, seen, "fn sees the stored invitation")

	got, err := getInvitation(t, s, i.ID)
	require.NoError(t, err)
	assertInvitation(t, i, got, "nothing is written")
	_, err = getInvitationByToken(t, s, fresh)
	assertNotFound(t, err, "the token hash fn set was never stored")
	_, err = getInvitationByToken(t, s, i.TokenHash)
	assert.NoError(t, err, "the old token still works")
}

// testInvitationResend replaces the token as a resend does: the old link is
// dead, the new one finds the invitation.
func testInvitationResend(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	i := createInvitation(t, s, newInvitation(c.ID, "ann@example.com"))
	fresh := newHash()
	got, err := updateInvitation(t, s, i.ID, func(i *invite.Invitation) error {
		i.TokenHash = fresh
		i.SentCount++
		i.ExpiresAt = at(invite.DefaultInvitationTTL + time.Hour)
		i.UpdatedAt = at(time.Hour)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, fresh, got.TokenHash)
	assert.Equal(t, 2, got.SentCount)

	_, err = getInvitationByToken(t, s, i.TokenHash)
	assertNotFound(t, err, "the old token is dead")
	byToken, err := getInvitationByToken(t, s, fresh)
	require.NoError(t, err)
	assertInvitation(t, got, byToken)

	// The old hash is free for another invitation.
	other := newInvitation(c.ID, "bob@example.com")
	other.TokenHash = i.TokenHash
	createInvitation(t, s, other)
}

func testInvitationResendTokenHashTaken(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	a := createInvitation(t, s, newInvitation(c.ID, "ann@example.com"))
	b := createInvitation(t, s, newInvitation(c.ID, "bob@example.com"))
	_, err := updateInvitation(t, s, b.ID, func(i *invite.Invitation) error {
		i.TokenHash = a.TokenHash
		return nil
	})
	assertAlreadyExists(t, err)
	got, err := getInvitation(t, s, b.ID)
	require.NoError(t, err)
	assertInvitation(t, b, got, "nothing is written")
	got, err = getInvitationByToken(t, s, a.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.ID)
}

func testInvitationMarkAccepted(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	i := newInvitation(fx.customer.ID, fx.ann.Email)
	i.SiteIDs = []customer.SiteID{fx.berlin.ID}
	createInvitation(t, s, i)

	when := i.ExpiresAt.Add(-time.Microsecond) // the last instant it is pending
	want := i
	want.AcceptedAt, want.AcceptedBy = when, fx.ann.ID
	want.UpdatedAt = when
	want.Version = i.Version + 1
	got, err := markAccepted(t, s, i.ID, fx.ann.ID, when)
	require.NoError(t, err)
	assertInvitation(t, want, got, "MarkAccepted returns what it wrote")
	stored, err := getInvitation(t, s, i.ID)
	require.NoError(t, err)
	assertInvitation(t, want, stored)
	assert.Equal(t, invite.StateAccepted, stored.State(when))

	_, err = markAccepted(t, s, i.ID, fx.bob.ID, when)
	assertConflict(t, err, "an invitation is accepted once")
	stored, err = getInvitation(t, s, i.ID)
	require.NoError(t, err)
	assertInvitation(t, want, stored, "the second attempt changes nothing")
}

func testInvitationMarkAcceptedNotPending(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	now := at(time.Hour)
	for name, change := range map[string]func(*invite.Invitation){
		"accepted": func(i *invite.Invitation) { i.AcceptedAt, i.AcceptedBy = at(time.Minute), fx.bob.ID },
		"revoked":  func(i *invite.Invitation) { i.RevokedAt = at(time.Minute) },
		"expired":  func(i *invite.Invitation) { i.ExpiresAt = at(time.Minute) },
		"expiring": func(i *invite.Invitation) { i.ExpiresAt = now }, // ExpiresAt must be after `at`
	} {
		i := newInvitationFor(fx.customer.ID)
		change(&i)
		createInvitation(t, s, i)
		_, err := markAccepted(t, s, i.ID, fx.ann.ID, now)
		assertConflict(t, err, name)
		got, err := getInvitation(t, s, i.ID)
		require.NoError(t, err)
		assertInvitation(t, i, got, "%s: nothing changes", name)
	}
}

func testInvitationMarkAcceptedMissing(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	_, err := markAccepted(t, s, newInvitationID(), fx.ann.ID, base)
	assertNotFound(t, err)
}

func testInvitationValuesIndependent(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	i := newInvitation(fx.customer.ID, "carol@example.com")
	i.SiteIDs = []customer.SiteID{fx.berlin.ID, fx.paris.ID}
	want := i
	want.SiteIDs = slices.Clone(i.SiteIDs)
	createInvitation(t, s, i)
	i.SiteIDs[0] = newSiteID()

	got, err := getInvitation(t, s, want.ID)
	require.NoError(t, err)
	assertInvitation(t, want, got, "changing the value given to Create changes nothing")
	got.SiteIDs[0] = newSiteID()
	again, err := getInvitationByToken(t, s, want.TokenHash)
	require.NoError(t, err)
	assertInvitation(t, want, again, "changing a returned value changes nothing")

	l, err := listInvitations(t, s, storage.InvitationFilter{}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	l.Items[0].SiteIDs[0] = newSiteID()
	updated, err := updateInvitation(t, s, want.ID, func(*invite.Invitation) error { return nil })
	require.NoError(t, err)
	want.Version++
	assertInvitation(t, want, updated, "changing a listed value changes nothing")
	updated.SiteIDs[0] = newSiteID()
	accepted, err := markAccepted(t, s, want.ID, fx.ann.ID, base)
	require.NoError(t, err)
	assert.Equal(t, want.SiteIDs, accepted.SiteIDs, "changing the value Update returned changes nothing")
	accepted.SiteIDs[0] = newSiteID()
	again, err = getInvitation(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want.SiteIDs, again.SiteIDs, "changing the value MarkAccepted returned changes nothing")
}

func testInvitationTimesUTC(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	zone := time.FixedZone("UTC+9", 9*3600)
	created := time.Date(2025, time.May, 5, 8, 0, 0, 123456000, zone)
	i := newInvitationFor(fx.customer.ID)
	i.CreatedAt, i.UpdatedAt = created, created
	i.ExpiresAt = created.Add(invite.DefaultInvitationTTL)
	createInvitation(t, s, i)

	got, err := getInvitation(t, s, i.ID)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt")
	assertUTC(t, created, got.UpdatedAt, "UpdatedAt")
	assertUTC(t, i.ExpiresAt, got.ExpiresAt, "ExpiresAt")

	when := created.Add(time.Hour).In(time.FixedZone("UTC-8", -8*3600))
	got, err = markAccepted(t, s, i.ID, fx.ann.ID, when)
	require.NoError(t, err)
	assertUTC(t, when, got.AcceptedAt, "AcceptedAt returned by MarkAccepted")
	got, err = getInvitation(t, s, i.ID)
	require.NoError(t, err)
	assertUTC(t, when, got.AcceptedAt, "AcceptedAt")
	assertUTC(t, when, got.UpdatedAt, "UpdatedAt after MarkAccepted")
	assert.True(t, got.RevokedAt.IsZero(), "RevokedAt stays zero")
}

func testInvitationList(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	annA := createInvitation(t, s, newInvitation(a.ID, "ann@example.com"))
	bobA := createInvitation(t, s, newInvitation(a.ID, "bob@example.com"))
	annB := createInvitation(t, s, newInvitation(b.ID, "ann@example.com"))

	for name, tc := range map[string]struct {
		f    storage.InvitationFilter
		want []string
	}{
		"all":              {storage.InvitationFilter{}, sorted(annA.ID, bobA.ID, annB.ID)},
		"customer":         {storage.InvitationFilter{CustomerID: a.ID}, sorted(annA.ID, bobA.ID)},
		"email":            {storage.InvitationFilter{Email: "ann@example.com"}, sorted(annA.ID, annB.ID)},
		"customer+email":   {storage.InvitationFilter{CustomerID: b.ID, Email: "ann@example.com"}, sorted(annB.ID)},
		"unknown customer": {storage.InvitationFilter{CustomerID: newCustomerID()}, nil},
		"unknown email":    {storage.InvitationFilter{Email: "carol@example.com"}, nil},
	} {
		got := invitationIDs(t, s, tc.f)
		if tc.want == nil {
			assert.Empty(t, got, name)
			continue
		}
		assert.Equal(t, tc.want, got, name)
	}

	l, err := listInvitations(t, s, storage.InvitationFilter{CustomerID: b.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assertInvitation(t, annB, l.Items[0], "lists return whole values")
}

// testInvitationListState checks that the State filter derives the state
// exactly as invite.Invitation.State does, precedence and boundaries included.
func testInvitationListState(t *testing.T, s storage.Store) {
	fx := newMemberFixture(t, s)
	now := at(24 * time.Hour)
	mk := func(change func(*invite.Invitation)) invite.Invitation {
		i := newInvitationFor(fx.customer.ID)
		change(&i)
		return createInvitation(t, s, i)
	}
	all := []invite.Invitation{
		mk(func(i *invite.Invitation) {}),                                          // pending
		mk(func(i *invite.Invitation) { i.ExpiresAt = now.Add(time.Microsecond) }), // pending, just
		mk(func(i *invite.Invitation) { i.ExpiresAt = now }),                       // expired, just
		mk(func(i *invite.Invitation) { i.ExpiresAt = at(time.Hour) }),             // expired
		mk(func(i *invite.Invitation) { i.RevokedAt = at(time.Hour) }),             // revoked
		mk(func(i *invite.Invitation) { // revoked wins over expired
			i.RevokedAt, i.ExpiresAt = at(time.Hour), at(2*time.Hour)
		}),
		mk(func(i *invite.Invitation) { i.AcceptedAt, i.AcceptedBy = at(time.Hour), fx.ann.ID }), // accepted
		mk(func(i *invite.Invitation) { // accepted wins over revoked and expired
			i.AcceptedAt, i.AcceptedBy = at(time.Hour), fx.bob.ID
			i.RevokedAt, i.ExpiresAt = at(2*time.Hour), at(3*time.Hour)
		}),
	}
	other := createCustomer(t, s, newCustomer("Globex"))
	createInvitation(t, s, newInvitationFor(other.ID)) // pending, in another customer

	for _, st := range []invite.State{invite.StatePending, invite.StateAccepted, invite.StateRevoked, invite.StateExpired} {
		var want []string
		for _, i := range all {
			if i.State(now) == st {
				want = append(want, string(i.ID))
			}
		}
		slices.Sort(want)
		require.Len(t, want, 2, "the fixture has two invitations in state %s", st)
		got := invitationIDs(t, s, storage.InvitationFilter{CustomerID: fx.customer.ID, State: st, Now: now})
		assert.Equal(t, want, got, "state %s", st)
	}
	assert.Len(t, invitationIDs(t, s, storage.InvitationFilter{State: invite.StatePending, Now: now}), 3,
		"State without CustomerID spans customers")
	assert.Len(t, invitationIDs(t, s, storage.InvitationFilter{CustomerID: fx.customer.ID, State: invite.StateExpired, Now: at(100 * 24 * time.Hour)}), 4,
		"the state is derived from Now: later, the pending ones have expired too")
}

// Login links.

func newLoginLink(user customer.UserID) invite.LoginLink {
	return invite.LoginLink{
		ID:        newLoginLinkID(),
		UserID:    user,
		TokenHash: newHash(),
		ExpiresAt: at(invite.LoginLinkTTL),
		CreatedAt: base,
	}
}

func createLoginLink(t *testing.T, s storage.Store, l invite.LoginLink) invite.LoginLink {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.LoginLinks().Create(ctx, l)
	}), "creating login link")
	return l
}

func consumeLoginLink(t *testing.T, s storage.Store, h invite.Hash, now time.Time) (invite.LoginLink, error) {
	t.Helper()
	var l invite.LoginLink
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		l, err = r.LoginLinks().Consume(ctx, h, now)
		return err
	})
	return l, err
}

func supersedeLoginLinks(t *testing.T, s storage.Store, user customer.UserID, when time.Time) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.LoginLinks().Supersede(ctx, user, when) })
}

func deleteExpiredLoginLinks(t *testing.T, s storage.Store, before time.Time) (int, error) {
	t.Helper()
	var n int
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.LoginLinks().DeleteExpired(ctx, before)
		return err
	})
	return n, err
}

func testLoginLinkCreateConsume(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	l := createLoginLink(t, s, newLoginLink(ann.ID))
	now := at(time.Minute)

	got, err := consumeLoginLink(t, s, l.TokenHash, now)
	require.NoError(t, err)
	want := l
	want.UsedAt = now
	assert.Equal(t, want, got, "Consume returns the link with UsedAt set to now")
}

func testLoginLinkConsumeOnce(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	l := createLoginLink(t, s, newLoginLink(ann.ID))
	_, err := consumeLoginLink(t, s, l.TokenHash, at(time.Minute))
	require.NoError(t, err)
	_, err = consumeLoginLink(t, s, l.TokenHash, at(2*time.Minute))
	assertNotFound(t, err, "a used link")
}

func testLoginLinkConsumeUnknown(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	createLoginLink(t, s, newLoginLink(ann.ID))
	_, err := consumeLoginLink(t, s, newHash(), at(time.Minute))
	assertNotFound(t, err)
}

func testLoginLinkConsumeExpired(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	l := createLoginLink(t, s, newLoginLink(ann.ID))
	_, err := consumeLoginLink(t, s, l.TokenHash, l.ExpiresAt)
	assertNotFound(t, err, "at ExpiresAt the link has expired")
	_, err = consumeLoginLink(t, s, l.TokenHash, l.ExpiresAt.Add(time.Hour))
	assertNotFound(t, err, "after ExpiresAt")

	// The failed attempts wrote nothing: the link still works before it expires.
	got, err := consumeLoginLink(t, s, l.TokenHash, l.ExpiresAt.Add(-time.Microsecond))
	require.NoError(t, err)
	assert.Equal(t, l.ID, got.ID)
}

func testLoginLinkCreateDuplicateID(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	l := createLoginLink(t, s, newLoginLink(ann.ID))
	dup := newLoginLink(ann.ID)
	dup.ID = l.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.LoginLinks().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = consumeLoginLink(t, s, dup.TokenHash, at(time.Minute))
	assertNotFound(t, err, "the second link is not stored")
	_, err = consumeLoginLink(t, s, l.TokenHash, at(time.Minute))
	assert.NoError(t, err, "the first link still works")
}

func testLoginLinkCreateDuplicateTokenHash(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	bob := createUser(t, s, newUser("bob@example.com"))
	l := createLoginLink(t, s, newLoginLink(ann.ID))
	dup := newLoginLink(bob.ID)
	dup.TokenHash = l.TokenHash
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.LoginLinks().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	got, err := consumeLoginLink(t, s, l.TokenHash, at(time.Minute))
	require.NoError(t, err)
	assert.Equal(t, ann.ID, got.UserID, "the hash still leads to the first link")
}

func testLoginLinkCreateMissingUser(t *testing.T, s storage.Store) {
	createUser(t, s, newUser("ann@example.com"))
	l := newLoginLink(newUserID())
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.LoginLinks().Create(ctx, l) })
	assertNotFound(t, err)
	_, err = consumeLoginLink(t, s, l.TokenHash, at(time.Minute))
	assertNotFound(t, err, "the link is not stored")
}

func testLoginLinkSupersede(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	bob := createUser(t, s, newUser("bob@example.com"))
	used := createLoginLink(t, s, newLoginLink(ann.ID))
	_, err := consumeLoginLink(t, s, used.TokenHash, at(time.Second))
	require.NoError(t, err)
	older := createLoginLink(t, s, newLoginLink(ann.ID))
	old := createLoginLink(t, s, newLoginLink(ann.ID))
	bobs := createLoginLink(t, s, newLoginLink(bob.ID))

	require.NoError(t, supersedeLoginLinks(t, s, ann.ID, at(time.Minute)))
	for _, l := range []invite.LoginLink{older, old, used} {
		_, err := consumeLoginLink(t, s, l.TokenHash, at(2*time.Minute))
		assertNotFound(t, err, "a superseded link cannot be consumed")
	}
	_, err = consumeLoginLink(t, s, bobs.TokenHash, at(2*time.Minute))
	assert.NoError(t, err, "another user's link still works")

	newer := createLoginLink(t, s, newLoginLink(ann.ID))
	_, err = consumeLoginLink(t, s, newer.TokenHash, at(2*time.Minute))
	assert.NoError(t, err, "a link created after Supersede works")

	assert.NoError(t, supersedeLoginLinks(t, s, bob.ID, at(time.Hour)), "a user without unused links")
	assert.NoError(t, supersedeLoginLinks(t, s, newUserID(), at(time.Hour)), "an unknown user")
}

func testLoginLinkDeleteExpired(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	before := at(time.Hour)
	mk := func(expires time.Time) invite.LoginLink {
		l := newLoginLink(ann.ID)
		l.ExpiresAt = expires
		return createLoginLink(t, s, l)
	}
	gone := mk(before.Add(-time.Microsecond))
	usedGone := mk(before.Add(-time.Minute))
	_, err := consumeLoginLink(t, s, usedGone.TokenHash, base)
	require.NoError(t, err)
	boundary := mk(before) // expires at `before`, not before it
	later := mk(before.Add(time.Minute))
	usedKept := mk(before.Add(time.Minute))
	_, err = consumeLoginLink(t, s, usedKept.TokenHash, base)
	require.NoError(t, err)

	n, err := deleteExpiredLoginLinks(t, s, before)
	require.NoError(t, err)
	assert.Equal(t, 2, n, "used or not, links that expired before `before` go")
	n, err = deleteExpiredLoginLinks(t, s, before)
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to delete")

	// The deleted links' IDs and hashes are free again; the kept ones are not.
	for _, l := range []invite.LoginLink{gone, usedGone} {
		createLoginLink(t, s, l)
	}
	for _, l := range []invite.LoginLink{boundary, later, usedKept} {
		err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.LoginLinks().Create(ctx, l) })
		assertAlreadyExists(t, err, "a link that did not expire before `before` is kept")
	}
	_, err = consumeLoginLink(t, s, boundary.TokenHash, base)
	assert.NoError(t, err, "the kept link still works")
}

func testLoginLinkTimesUTC(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	zone := time.FixedZone("UTC+1", 3600)
	created := time.Date(2025, time.January, 1, 0, 30, 0, 42000, zone)
	l := newLoginLink(ann.ID)
	l.CreatedAt, l.ExpiresAt = created, created.Add(invite.LoginLinkTTL)
	createLoginLink(t, s, l)

	now := created.Add(time.Minute).In(time.FixedZone("UTC-2", -2*3600))
	got, err := consumeLoginLink(t, s, l.TokenHash, now)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt")
	assertUTC(t, l.ExpiresAt, got.ExpiresAt, "ExpiresAt")
	assertUTC(t, now, got.UsedAt, "UsedAt")
}

// Access links.

func newAccessLink(m customer.Membership) invite.AccessLink {
	return invite.AccessLink{
		ID:           newAccessLinkID(),
		MembershipID: m.ID,
		CustomerID:   m.CustomerID,
		TokenHash:    newHash(),
		TTL:          invite.DefaultAccessLinkTTL,
		ExpiresAt:    at(invite.DefaultAccessLinkTTL),
		CreatedBy:    "staff:stf_1",
		Version:      1,
		CreatedAt:    base,
		UpdatedAt:    base,
	}
}

func createAccessLink(t *testing.T, s storage.Store, l invite.AccessLink) invite.AccessLink {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.AccessLinks().Create(ctx, l)
	}), "creating access link")
	return l
}

func getAccessLink(t *testing.T, s storage.Store, id invite.AccessLinkID) (invite.AccessLink, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (invite.AccessLink, error) {
		return r.AccessLinks().Get(ctx, id)
	})
}

func getAccessLinkByToken(t *testing.T, s storage.Store, h invite.Hash) (invite.AccessLink, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (invite.AccessLink, error) {
		return r.AccessLinks().GetByTokenHash(ctx, h)
	})
}

func updateAccessLink(t *testing.T, s storage.Store, id invite.AccessLinkID, fn func(*invite.AccessLink) error) (invite.AccessLink, error) {
	t.Helper()
	var l invite.AccessLink
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		l, err = r.AccessLinks().Update(ctx, id, fn)
		return err
	})
	return l, err
}

func listAccessLinks(t *testing.T, s storage.Store, f storage.AccessLinkFilter, p storage.Page) (storage.List[invite.AccessLink], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[invite.AccessLink], error) {
		return r.AccessLinks().List(ctx, f, p)
	})
}

func accessLinkIDs(t *testing.T, s storage.Store, f storage.AccessLinkFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listAccessLinks(t, s, f, p)
		return idsOf(l.Items, func(l invite.AccessLink) invite.AccessLinkID { return l.ID }), l.NextCursor, err
	})
}

// linkFixture is a member fixture with a membership for each user.
type linkFixture struct {
	memberFixture
	annM, bobM customer.Membership
}

func newLinkFixture(t *testing.T, s storage.Store) linkFixture {
	t.Helper()
	fx := newMemberFixture(t, s)
	return linkFixture{
		memberFixture: fx,
		annM:          createMembership(t, s, newMembership(fx.ann.ID, fx.customer.ID)),
		bobM:          createMembership(t, s, newMembership(fx.bob.ID, fx.customer.ID, fx.berlin.ID)),
	}
}

func testAccessLinkCreateGet(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	plain := createAccessLink(t, s, newAccessLink(fx.annM))
	full := newAccessLink(fx.bobM)
	full.ReadOnly = true
	full.TTL = 30 * 24 * time.Hour
	full.ExpiresAt = at(full.TTL)
	full.DisabledAt = at(time.Hour)
	full.Version = 3
	full.UpdatedAt = at(time.Hour)
	createAccessLink(t, s, full)

	for _, want := range []invite.AccessLink{plain, full} {
		got, err := getAccessLink(t, s, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got, "Get")
		got, err = getAccessLinkByToken(t, s, want.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, want, got, "GetByTokenHash finds a link whatever its state")
	}
	got, err := getAccessLink(t, s, plain.ID)
	require.NoError(t, err)
	assert.True(t, got.DisabledAt.IsZero(), "a zero DisabledAt stays zero")
}

func testAccessLinkGetMissing(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	createAccessLink(t, s, newAccessLink(fx.annM))
	_, err := getAccessLink(t, s, newAccessLinkID())
	assertNotFound(t, err)
	_, err = getAccessLinkByToken(t, s, newHash())
	assertNotFound(t, err)
}

func testAccessLinkCreateDuplicateID(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	l := createAccessLink(t, s, newAccessLink(fx.annM))
	dup := newAccessLink(fx.bobM)
	dup.ID = l.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.AccessLinks().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getAccessLinkByToken(t, s, dup.TokenHash)
	assertNotFound(t, err, "the second link is not stored")
	got, err := getAccessLink(t, s, l.ID)
	require.NoError(t, err)
	assert.Equal(t, l, got, "the first link is unchanged")
}

func testAccessLinkCreateDuplicateTokenHash(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	l := createAccessLink(t, s, newAccessLink(fx.annM))
	dup := newAccessLink(fx.bobM)
	dup.TokenHash = l.TokenHash
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.AccessLinks().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getAccessLink(t, s, dup.ID)
	assertNotFound(t, err, "the second link is not stored")
}

func testAccessLinkCreateMissingMembership(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	l := newAccessLink(fx.annM)
	l.MembershipID = newMembershipID()
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.AccessLinks().Create(ctx, l) })
	assertNotFound(t, err)
	_, err = getAccessLink(t, s, l.ID)
	assertNotFound(t, err, "the link is not stored")
}

// testAccessLinkUpdate refreshes (rotates) a link and then disables it.
func testAccessLinkUpdate(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	l := createAccessLink(t, s, newAccessLink(fx.annM))
	first := l.TokenHash

	for n, step := range []func(*invite.AccessLink){
		func(l *invite.AccessLink) {
			l.TokenHash = newHash()
			l.TTL = 7 * 24 * time.Hour
			l.ExpiresAt = at(time.Hour + l.TTL)
			l.ReadOnly = true
		},
		func(l *invite.AccessLink) {
			l.DisabledAt = at(2 * time.Hour)
			l.ReadOnly = false
		},
	} {
		want := l
		step(&want)
		want.Version = l.Version + 1
		want.UpdatedAt = at(time.Duration(n+1) * time.Hour)
		got, err := updateAccessLink(t, s, l.ID, func(l *invite.AccessLink) error {
			l.TokenHash, l.TTL, l.ExpiresAt, l.ReadOnly, l.DisabledAt = want.TokenHash, want.TTL, want.ExpiresAt, want.ReadOnly, want.DisabledAt
			l.UpdatedAt = want.UpdatedAt
			return nil
		})
		require.NoError(t, err, "step %d", n)
		assert.Equal(t, want, got, "step %d: Update returns what it wrote", n)
		stored, err := getAccessLinkByToken(t, s, want.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, got, stored, "step %d: GetByTokenHash returns what Update returned", n)
		l = stored
	}
	assert.Equal(t, int64(3), l.Version)
	_, err := getAccessLinkByToken(t, s, first)
	assertNotFound(t, err, "the token replaced by a refresh is dead")
}

func testAccessLinkUpdateMissing(t *testing.T, s storage.Store) {
	called := false
	_, err := updateAccessLink(t, s, newAccessLinkID(), func(*invite.AccessLink) error {
		called = true
		return nil
	})
	assertNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing link")
}

func testAccessLinkUpdateFnError(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	l := createAccessLink(t, s, newAccessLink(fx.annM))
	fresh := newHash()
	var seen invite.AccessLink
	_, err := updateAccessLink(t, s, l.ID, func(l *invite.AccessLink) error {
		seen = *l
		l.TokenHash = fresh
		l.DisabledAt = at(time.Hour)
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
	assert.Equal(t, l, seen, "fn sees the stored link")
	got, err := getAccessLink(t, s, l.ID)
	require.NoError(t, err)
	assert.Equal(t, l, got, "nothing is written")
	_, err = getAccessLinkByToken(t, s, fresh)
	assertNotFound(t, err, "the token hash fn set was never stored")
}

func testAccessLinkUpdateTokenHashTaken(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	a := createAccessLink(t, s, newAccessLink(fx.annM))
	b := createAccessLink(t, s, newAccessLink(fx.bobM))
	_, err := updateAccessLink(t, s, b.ID, func(l *invite.AccessLink) error {
		l.TokenHash = a.TokenHash
		return nil
	})
	assertAlreadyExists(t, err)
	got, err := getAccessLink(t, s, b.ID)
	require.NoError(t, err)
	assert.Equal(t, b, got, "nothing is written")
}

func testAccessLinkTimesUTC(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	zone := time.FixedZone("UTC+3", 3*3600)
	created := time.Date(2025, time.August, 15, 12, 0, 0, 999999000, zone)
	l := newAccessLink(fx.annM)
	l.CreatedAt, l.UpdatedAt = created, created
	l.ExpiresAt = created.Add(l.TTL)
	l.DisabledAt = created.Add(time.Hour)
	createAccessLink(t, s, l)

	got, err := getAccessLink(t, s, l.ID)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt")
	assertUTC(t, created, got.UpdatedAt, "UpdatedAt")
	assertUTC(t, l.ExpiresAt, got.ExpiresAt, "ExpiresAt")
	assertUTC(t, l.DisabledAt, got.DisabledAt, "DisabledAt")
}

func testAccessLinkList(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	other := createCustomer(t, s, newCustomer("Globex"))
	annOther := createMembership(t, s, newMembership(fx.ann.ID, other.ID))
	a1 := createAccessLink(t, s, newAccessLink(fx.annM))
	a2 := createAccessLink(t, s, newAccessLink(fx.annM))
	b := createAccessLink(t, s, newAccessLink(fx.bobM))
	o := createAccessLink(t, s, newAccessLink(annOther))

	for name, tc := range map[string]struct {
		f    storage.AccessLinkFilter
		want []string
	}{
		"all":                 {storage.AccessLinkFilter{}, sorted(a1.ID, a2.ID, b.ID, o.ID)},
		"customer":            {storage.AccessLinkFilter{CustomerID: fx.customer.ID}, sorted(a1.ID, a2.ID, b.ID)},
		"membership":          {storage.AccessLinkFilter{MembershipID: fx.annM.ID}, sorted(a1.ID, a2.ID)},
		"customer+membership": {storage.AccessLinkFilter{CustomerID: other.ID, MembershipID: annOther.ID}, sorted(o.ID)},
		"nothing matching":    {storage.AccessLinkFilter{CustomerID: other.ID, MembershipID: fx.annM.ID}, nil},
	} {
		got := accessLinkIDs(t, s, tc.f)
		if tc.want == nil {
			assert.Empty(t, got, name)
			continue
		}
		assert.Equal(t, tc.want, got, name)
	}
	l, err := listAccessLinks(t, s, storage.AccessLinkFilter{MembershipID: fx.bobM.ID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, b, l.Items[0], "lists return whole values")
}
