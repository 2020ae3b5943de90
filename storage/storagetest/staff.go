package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

var staffTests = []test{
	{"CreateGet", testStaffCreateGet},
	{"GetMissing", testStaffGetMissing},
	{"GetByEmailIgnoresCase", testStaffGetByEmailIgnoresCase},
	{"CreateDuplicateEmail", testStaffCreateDuplicateEmail},
	{"Update", testStaffUpdate},
	{"UpdateKeepsInvitedBy", testStaffUpdateKeepsInvitedBy},
	{"List", testStaffList},
	{"Password", testStaffPassword},
	{"PasswordMissingMember", testStaffPasswordMissingMember},
	{"LinkConsumeOnce", testStaffLinkConsumeOnce},
	{"LinkExpired", testStaffLinkExpired},
	{"LinkSupersede", testStaffLinkSupersede},
	{"LinkMissingMember", testStaffLinkMissingMember},
	{"LinkDeleteExpired", testStaffLinkDeleteExpired},
	{"Session", testStaffSession},
	{"SessionMissingMember", testStaffSessionMissingMember},
	{"SessionDeleteMatching", testStaffSessionDeleteMatching},
}

func newStaffMember(email string, role identity.StaffRole) identity.StaffMember {
	return identity.StaffMember{
		ID: identity.StaffID(newID("stf_")), Email: email, Name: "Staff " + email, Role: role,
		Status: identity.StaffActive, InvitedBy: "system:bootstrap", Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func createStaff(t *testing.T, s storage.Store, m identity.StaffMember) identity.StaffMember {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Staff().Create(ctx, m)
	}), "creating staff member %s", m.Email)
	return m
}

func getStaff(t *testing.T, s storage.Store, id identity.StaffID) (identity.StaffMember, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (identity.StaffMember, error) {
		return r.Staff().Get(ctx, id)
	})
}

func newStaffLink(id identity.StaffID, purpose identity.StaffLinkPurpose, expires time.Time) identity.StaffLink {
	return identity.StaffLink{
		ID: identity.StaffLinkID(newID("stl_")), StaffID: id, Purpose: purpose, TokenHash: newTokenHash(),
		ExpiresAt: expires, CreatedAt: base,
	}
}

func createStaffLink(t *testing.T, s storage.Store, l identity.StaffLink) identity.StaffLink {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Staff().CreateLink(ctx, l)
	}), "creating staff link")
	return l
}

func consumeStaffLink(t *testing.T, s storage.Store, hash string, now time.Time) (identity.StaffLink, error) {
	t.Helper()
	var l identity.StaffLink
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		l, err = r.Staff().ConsumeLink(ctx, hash, now)
		return err
	})
	return l, err
}

func newStaffSession(m identity.StaffMember) identity.Session {
	return identity.Session{
		ID: newSessionID(), TokenHash: newTokenHash(), StaffID: m.ID, Method: identity.MethodPassword,
		LastSeenAt: at(time.Minute), ExpiresAt: at(30 * 24 * time.Hour), CreatedAt: base,
	}
}

func testStaffCreateGet(t *testing.T, s storage.Store) {
	want := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	got, err := getStaff(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assertUTC(t, base, got.CreatedAt, "CreatedAt")
}

func testStaffGetMissing(t *testing.T, s storage.Store) {
	_, err := getStaff(t, s, identity.StaffID(newID("stf_")))
	assertNotFound(t, err)
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (identity.StaffMember, error) {
		return r.Staff().GetByEmail(ctx, "nobody@provider.example")
	})
	assertNotFound(t, err)
}

func testStaffGetByEmailIgnoresCase(t *testing.T, s storage.Store) {
	want := createStaff(t, s, newStaffMember("Ann.Lee@Provider.example", identity.StaffAgent))
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (identity.StaffMember, error) {
		return r.Staff().GetByEmail(ctx, "ann.lee@provider.example")
	})
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func testStaffCreateDuplicateEmail(t *testing.T, s storage.Store) {
	first := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffAgent))
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Staff().Create(ctx, newStaffMember("ANN@provider.example", identity.StaffAdmin))
	})
	assertAlreadyExists(t, err, "the same e-mail in other case")
	dup := newStaffMember("bob@provider.example", identity.StaffAdmin)
	dup.ID = first.ID
	err = write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Staff().Create(ctx, dup) })
	assertAlreadyExists(t, err, "the same ID")
}

func testStaffUpdate(t *testing.T, s storage.Store) {
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffAgent))
	var got identity.StaffMember
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		got, err = r.Staff().Update(ctx, m.ID, func(m *identity.StaffMember) error {
			m.Role, m.Name, m.Status, m.UpdatedAt = identity.StaffAdmin, "Ann Lee", identity.StaffDisabled, at(time.Hour)
			return nil
		})
		return err
	}))
	assert.Equal(t, int64(2), got.Version)
	stored, err := getStaff(t, s, m.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)
	assert.Equal(t, identity.StaffDisabled, stored.Status)

	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Staff().Update(ctx, identity.StaffID(newID("stf_")), func(*identity.StaffMember) error { return nil })
		return err
	})
	assertNotFound(t, err)

	other := createStaff(t, s, newStaffMember("bob@provider.example", identity.StaffAgent))
	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Staff().Update(ctx, other.ID, func(m *identity.StaffMember) error {
			m.Email = "ANN@provider.example"
			return nil
		})
		return err
	})
	assertAlreadyExists(t, err, "e-mail taken")
}

func testStaffUpdateKeepsInvitedBy(t *testing.T, s storage.Store) {
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffAgent))
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Staff().Update(ctx, m.ID, func(m *identity.StaffMember) error {
			m.InvitedBy, m.CreatedAt = "someone else", at(time.Hour)
			return nil
		})
		return err
	}))
	got, err := getStaff(t, s, m.ID)
	require.NoError(t, err)
	assert.Equal(t, m.InvitedBy, got.InvitedBy)
	assertUTC(t, m.CreatedAt, got.CreatedAt, "CreatedAt")
}

func testStaffList(t *testing.T, s storage.Store) {
	owner := createStaff(t, s, newStaffMember("owner@provider.example", identity.StaffOwner))
	admin := createStaff(t, s, newStaffMember("admin@provider.example", identity.StaffAdmin))
	off := newStaffMember("off@provider.example", identity.StaffOwner)
	off.Status = identity.StaffDisabled
	off = createStaff(t, s, off)
	list := func(f storage.StaffFilter) []string {
		return collect(t, 2, 10, func(p storage.Page) ([]string, string, error) {
			l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[identity.StaffMember], error) {
				return r.Staff().List(ctx, f, p)
			})
			return idsOf(l.Items, func(m identity.StaffMember) identity.StaffID { return m.ID }), l.NextCursor, err
		})
	}
	assert.Equal(t, []string{string(owner.ID), string(admin.ID), string(off.ID)}, list(storage.StaffFilter{}))
	assert.Equal(t, []string{string(owner.ID), string(off.ID)}, list(storage.StaffFilter{Role: identity.StaffOwner}))
	assert.Equal(t, []string{string(owner.ID)}, list(storage.StaffFilter{Role: identity.StaffOwner, Status: identity.StaffActive}))
}

func testStaffPassword(t *testing.T, s storage.Store) {
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	_, err := get(t, s, func(ctx context.Context, r storage.Repos) (identity.Password, error) {
		return r.Staff().GetPassword(ctx, m.ID)
	})
	assertNotFound(t, err, "no password yet")
	want := identity.Password{Hash: "$argon2id$first", FailedAttempts: 2, LockedUntil: at(time.Hour), UpdatedAt: base}
	put := func(p identity.Password) {
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
			return r.Staff().PutPassword(ctx, m.ID, p)
		}))
	}
	put(want)
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (identity.Password, error) {
		return r.Staff().GetPassword(ctx, m.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	want = identity.Password{Hash: "$argon2id$second", UpdatedAt: at(time.Minute)}
	put(want)
	got, err = get(t, s, func(ctx context.Context, r storage.Repos) (identity.Password, error) {
		return r.Staff().GetPassword(ctx, m.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, want, got, "replaced")
}

func testStaffPasswordMissingMember(t *testing.T, s storage.Store) {
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Staff().PutPassword(ctx, identity.StaffID(newID("stf_")), identity.Password{Hash: "x", UpdatedAt: base})
	})
	assertNotFound(t, err)
}

func testStaffLinkConsumeOnce(t *testing.T, s storage.Store) {
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	l := createStaffLink(t, s, newStaffLink(m.ID, identity.StaffLinkInvitation, at(time.Hour)))
	got, err := consumeStaffLink(t, s, l.TokenHash, at(time.Minute))
	require.NoError(t, err)
	l.UsedAt = at(time.Minute)
	assert.Equal(t, l, got)
	_, err = consumeStaffLink(t, s, l.TokenHash, at(2*time.Minute))
	assertNotFound(t, err, "used")
	_, err = consumeStaffLink(t, s, newTokenHash(), at(time.Minute))
	assertNotFound(t, err, "unknown")
}

func testStaffLinkExpired(t *testing.T, s storage.Store) {
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	l := createStaffLink(t, s, newStaffLink(m.ID, identity.StaffLinkLogin, at(time.Hour)))
	_, err := consumeStaffLink(t, s, l.TokenHash, at(time.Hour))
	assertNotFound(t, err, "expired at ExpiresAt")
}

func testStaffLinkSupersede(t *testing.T, s storage.Store) {
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	other := createStaff(t, s, newStaffMember("bob@provider.example", identity.StaffOwner))
	old := createStaffLink(t, s, newStaffLink(m.ID, identity.StaffLinkLogin, at(time.Hour)))
	keep := createStaffLink(t, s, newStaffLink(other.ID, identity.StaffLinkLogin, at(time.Hour)))
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Staff().SupersedeLinks(ctx, m.ID, at(time.Minute))
	}))
	_, err := consumeStaffLink(t, s, old.TokenHash, at(2*time.Minute))
	assertNotFound(t, err, "superseded")
	_, err = consumeStaffLink(t, s, keep.TokenHash, at(2*time.Minute))
	assert.NoError(t, err, "another member's link")
}

func testStaffLinkMissingMember(t *testing.T, s storage.Store) {
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Staff().CreateLink(ctx, newStaffLink(identity.StaffID(newID("stf_")), identity.StaffLinkLogin, at(time.Hour)))
	})
	assertNotFound(t, err)
}

func testStaffLinkDeleteExpired(t *testing.T, s storage.Store) {
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	createStaffLink(t, s, newStaffLink(m.ID, identity.StaffLinkLogin, at(time.Minute)))
	live := createStaffLink(t, s, newStaffLink(m.ID, identity.StaffLinkInvitation, at(time.Hour)))
	var n int
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Staff().DeleteExpiredLinks(ctx, at(2*time.Minute))
		return err
	}))
	assert.Equal(t, 1, n)
	_, err := consumeStaffLink(t, s, live.TokenHash, at(3*time.Minute))
	assert.NoError(t, err)
}

// testStaffSession checks that a staff session is stored beside customer
// users' and found by its own lookup only.
func testStaffSession(t *testing.T, s storage.Store) {
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffAdmin))
	want := createSession(t, s, newStaffSession(m))
	got, err := getSession(t, s, want.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.True(t, got.Staff())

	type both struct {
		sn identity.Session
		m  identity.StaffMember
	}
	b, err := get(t, s, func(ctx context.Context, r storage.Repos) (both, error) {
		sn, m, err := r.Sessions().GetStaffByTokenHash(ctx, want.TokenHash)
		return both{sn, m}, err
	})
	require.NoError(t, err)
	assert.Equal(t, want, b.sn)
	assert.Equal(t, m, b.m)

	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (identity.Session, error) {
		sn, _, err := r.Sessions().GetStandingByTokenHash(ctx, want.TokenHash)
		return sn, err
	})
	assertNotFound(t, err, "a staff session has no membership standing")

	fx := newLinkFixture(t, s)
	user := createSession(t, s, newSession(fx.annM))
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (identity.Session, error) {
		sn, _, err := r.Sessions().GetStaffByTokenHash(ctx, user.TokenHash)
		return sn, err
	})
	assertNotFound(t, err, "a user's session has no staff member")

	touched, err := updateSession(t, s, want.ID, func(sn *identity.Session) error {
		sn.LastSeenAt = at(time.Hour)
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, m.ID, touched.StaffID)
}

func testStaffSessionMissingMember(t *testing.T, s storage.Store) {
	sn := newStaffSession(identity.StaffMember{ID: identity.StaffID(newID("stf_"))})
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sessions().Create(ctx, sn) })
	assertNotFound(t, err)
}

func testStaffSessionDeleteMatching(t *testing.T, s storage.Store) {
	ann := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffAdmin))
	bob := createStaff(t, s, newStaffMember("bob@provider.example", identity.StaffAdmin))
	a1 := createSession(t, s, newStaffSession(ann))
	a2 := createSession(t, s, newStaffSession(ann))
	b := createSession(t, s, newStaffSession(bob))
	n, err := deleteMatchingSessions(t, s, storage.SessionFilter{StaffID: ann.ID, ExceptID: a2.ID})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	assert.Equal(t, []string{string(a2.ID), string(b.ID)}, sessionIDs(t, s, storage.SessionFilter{}))
	_ = a1
}
