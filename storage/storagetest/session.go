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

var sessionTests = append([]test{
	{"CreateGet", testSessionCreateGet},
	{"GetMissing", testSessionGetMissing},
	{"GetStandingByTokenHash", testSessionGetStandingByTokenHash},
	{"CreateDuplicateID", testSessionCreateDuplicateID},
	{"CreateDuplicateTokenHash", testSessionCreateDuplicateTokenHash},
	{"CreateMissingReferences", testSessionCreateMissingReferences},
	{"Update", testSessionUpdate},
	{"UpdateMissing", testSessionUpdateMissing},
	{"UpdateFnError", testSessionUpdateFnError},
	{"UpdateTokenHashTaken", testSessionUpdateTokenHashTaken},
	{"UpdateMissingMembership", testSessionUpdateMissingMembership},
	{"Delete", testSessionDelete},
	{"DeleteMissing", testSessionDeleteMissing},
	{"DeleteMatchingZeroFilter", testSessionDeleteMatchingZeroFilter},
	{"DeleteExpired", testSessionDeleteExpired},
	{"TimesUTC", testSessionTimesUTC},
	{"List", testSessionList},
}, sessionDeleteMatchingTests...)

func newSessionID() identity.SessionID { return identity.SessionID(newID("ses_")) }

func newSession(m customer.Membership) identity.Session {
	return identity.Session{
		ID:           newSessionID(),
		TokenHash:    newTokenHash(),
		UserID:       m.UserID,
		MembershipID: m.ID,
		CustomerID:   m.CustomerID,
		Method:       identity.MethodLoginLink,
		LastSeenAt:   at(time.Minute),
		ExpiresAt:    at(30 * 24 * time.Hour),
		CreatedAt:    base,
	}
}

func createSession(t *testing.T, s storage.Store, sn identity.Session) identity.Session {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Sessions().Create(ctx, sn)
	}), "creating session")
	return sn
}

func getSession(t *testing.T, s storage.Store, hash string) (identity.Session, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (identity.Session, error) {
		return r.Sessions().GetByTokenHash(ctx, hash)
	})
}

func updateSession(t *testing.T, s storage.Store, id identity.SessionID, fn func(*identity.Session) error) (identity.Session, error) {
	t.Helper()
	var sn identity.Session
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		sn, err = r.Sessions().Update(ctx, id, fn)
		return err
	})
	return sn, err
}

func deleteSession(t *testing.T, s storage.Store, id identity.SessionID) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sessions().Delete(ctx, id) })
}

func deleteMatchingSessions(t *testing.T, s storage.Store, f storage.SessionFilter) (int, error) {
	t.Helper()
	var n int
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Sessions().DeleteMatching(ctx, f)
		return err
	})
	return n, err
}

func listSessions(t *testing.T, s storage.Store, f storage.SessionFilter, p storage.Page) (storage.List[identity.Session], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[identity.Session], error) {
		return r.Sessions().List(ctx, f, p)
	})
}

func sessionIDs(t *testing.T, s storage.Store, f storage.SessionFilter) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listSessions(t, s, f, p)
		return idsOf(l.Items, func(sn identity.Session) identity.SessionID { return sn.ID }), l.NextCursor, err
	})
}

// createSessionPair stores a plain session of ann's and one of bob's from
// a read-only access link, with every field set.
func createSessionPair(t *testing.T, s storage.Store) []identity.Session {
	t.Helper()
	fx := newLinkFixture(t, s)
	link := createAccessLink(t, s, newAccessLink(fx.bobM))
	plain := createSession(t, s, newSession(fx.annM))
	full := newSession(fx.bobM)
	full.Method = identity.MethodAccessLink
	full.AccessLinkID = string(link.ID)
	full.ReadOnly = true
	return []identity.Session{plain, createSession(t, s, full)}
}

func testSessionCreateGet(t *testing.T, s storage.Store) {
	for _, want := range createSessionPair(t, s) {
		got, err := getSession(t, s, want.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

// testSessionGetStandingByTokenHash checks that the one lookup returns
// what GetByTokenHash and GetStanding return.
func testSessionGetStandingByTokenHash(t *testing.T, s storage.Store) {
	for _, want := range createSessionPair(t, s) {
		type both struct {
			sn identity.Session
			st storage.Standing
		}
		got, err := get(t, s, func(ctx context.Context, r storage.Repos) (both, error) {
			sn, st, err := r.Sessions().GetStandingByTokenHash(ctx, want.TokenHash)
			return both{sn, st}, err
		})
		require.NoError(t, err)
		assert.Equal(t, want, got.sn)
		st, err := getStanding(t, s, want.MembershipID)
		require.NoError(t, err)
		assert.Equal(t, st, got.st)
		assert.Equal(t, want.MembershipID, got.st.Membership.ID)
	}
	_, err := get(t, s, func(ctx context.Context, r storage.Repos) (identity.Session, error) {
		sn, _, err := r.Sessions().GetStandingByTokenHash(ctx, newTokenHash())
		return sn, err
	})
	assertNotFound(t, err)
}

func testSessionGetMissing(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	createSession(t, s, newSession(fx.annM))
	_, err := getSession(t, s, newTokenHash())
	assertNotFound(t, err)
}

func testSessionCreateDuplicateID(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	sn := createSession(t, s, newSession(fx.annM))
	dup := newSession(fx.bobM)
	dup.ID = sn.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sessions().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getSession(t, s, dup.TokenHash)
	assertNotFound(t, err, "the second session is not stored")
	got, err := getSession(t, s, sn.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, sn, got, "the first session is unchanged")
}

func testSessionCreateDuplicateTokenHash(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	sn := createSession(t, s, newSession(fx.annM))
	dup := newSession(fx.bobM)
	dup.TokenHash = sn.TokenHash
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sessions().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	got, err := getSession(t, s, sn.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, sn, got, "the hash still leads to the first session")
	assert.Equal(t, sorted(sn.ID), sessionIDs(t, s, storage.SessionFilter{}), "the second session is not stored")
}

func testSessionCreateMissingReferences(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	noUser := newSession(fx.annM)
	noUser.UserID = newUserID()
	noMembership := newSession(fx.annM)
	noMembership.MembershipID = newMembershipID()
	for name, sn := range map[string]identity.Session{"user": noUser, "membership": noMembership} {
		err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Sessions().Create(ctx, sn) })
		assertNotFound(t, err, "missing %s", name)
		_, err = getSession(t, s, sn.TokenHash)
		assertNotFound(t, err, "missing %s: the session is not stored", name)
	}
}

func testSessionUpdate(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	other := createCustomer(t, s, newCustomer("Globex"))
	annOther := createMembership(t, s, newMembership(fx.ann.ID, other.ID))
	sn := createSession(t, s, newSession(fx.annM))
	first := sn.TokenHash

	for n, step := range []func(*identity.Session){
		func(sn *identity.Session) { sn.LastSeenAt = at(time.Hour) }, // a touch
		func(sn *identity.Session) { // switching membership
			sn.MembershipID, sn.CustomerID = annOther.ID, other.ID
			sn.ReadOnly = true
		},
		func(sn *identity.Session) { // a rotated token
			sn.TokenHash = newTokenHash()
			sn.ExpiresAt = at(60 * 24 * time.Hour)
			sn.Method = identity.MethodPassword
		},
	} {
		want := sn
		step(&want)
		got, err := updateSession(t, s, sn.ID, func(sn *identity.Session) error {
			step(sn)
			sn.TokenHash = want.TokenHash // the random step must not run twice
			return nil
		})
		require.NoError(t, err, "step %d", n)
		assert.Equal(t, want, got, "step %d: Update returns what it wrote", n)
		stored, err := getSession(t, s, want.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, got, stored, "step %d: GetByTokenHash returns what Update returned", n)
		sn = stored
	}
	_, err := getSession(t, s, first)
	assertNotFound(t, err, "the replaced token finds nothing")
}

func testSessionUpdateMissing(t *testing.T, s storage.Store) {
	called := false
	_, err := updateSession(t, s, newSessionID(), func(*identity.Session) error {
		called = true
		return nil
	})
	assertNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing session")
}

func testSessionUpdateFnError(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	sn := createSession(t, s, newSession(fx.annM))
	fresh := newTokenHash()
	var seen identity.Session
	_, err := updateSession(t, s, sn.ID, func(sn *identity.Session) error {
		seen = *sn
		sn.TokenHash = fresh
		sn.LastSeenAt = at(time.Hour)
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
	assert.Equal(t, sn, seen, "fn sees the stored session")
	got, err := getSession(t, s, sn.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, sn, got, "nothing is written")
	_, err = getSession(t, s, fresh)
	assertNotFound(t, err)
}

func testSessionUpdateTokenHashTaken(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	a := createSession(t, s, newSession(fx.annM))
	b := createSession(t, s, newSession(fx.bobM))
	_, err := updateSession(t, s, b.ID, func(sn *identity.Session) error {
		sn.TokenHash = a.TokenHash
		return nil
	})
	assertAlreadyExists(t, err)
	got, err := getSession(t, s, a.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, a, got)
	got, err = getSession(t, s, b.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, b, got, "nothing is written")
}

func testSessionUpdateMissingMembership(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	sn := createSession(t, s, newSession(fx.annM))
	_, err := updateSession(t, s, sn.ID, func(sn *identity.Session) error {
		sn.MembershipID = newMembershipID()
		return nil
	})
	assertNotFound(t, err)
	got, err := getSession(t, s, sn.TokenHash)
	require.NoError(t, err)
	assert.Equal(t, sn, got, "nothing is written")
}

func testSessionDelete(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	sn := createSession(t, s, newSession(fx.annM))
	keep := createSession(t, s, newSession(fx.annM))
	require.NoError(t, deleteSession(t, s, sn.ID))
	_, err := getSession(t, s, sn.TokenHash)
	assertNotFound(t, err)
	assert.Equal(t, sorted(keep.ID), sessionIDs(t, s, storage.SessionFilter{}))
	createSession(t, s, sn) // the ID and the hash are free again
}

func testSessionDeleteMissing(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	sn := createSession(t, s, newSession(fx.annM))
	assertNotFound(t, deleteSession(t, s, newSessionID()))
	require.NoError(t, deleteSession(t, s, sn.ID))
	assertNotFound(t, deleteSession(t, s, sn.ID), "deleting twice")
}

// sessionWorld is a set of sessions that differ in user, membership,
// customer and access link, for the filter tests.
type sessionWorld struct {
	fx                    linkFixture
	other                 customer.Customer
	annOther              customer.Membership
	link                  identity.Session // ann's, opened by an access link
	ann1, ann2, bob, annO identity.Session
	linkID                string
}

func newSessionWorld(t *testing.T, s storage.Store) sessionWorld {
	t.Helper()
	fx := newLinkFixture(t, s)
	w := sessionWorld{fx: fx, other: createCustomer(t, s, newCustomer("Globex"))}
	w.annOther = createMembership(t, s, newMembership(fx.ann.ID, w.other.ID))
	w.linkID = string(createAccessLink(t, s, newAccessLink(fx.annM)).ID)
	w.ann1 = createSession(t, s, newSession(fx.annM))
	w.ann2 = createSession(t, s, newSession(fx.annM))
	link := newSession(fx.annM)
	link.Method, link.AccessLinkID = identity.MethodAccessLink, w.linkID
	w.link = createSession(t, s, link)
	w.bob = createSession(t, s, newSession(fx.bobM))
	w.annO = createSession(t, s, newSession(w.annOther))
	return w
}

func (w sessionWorld) all() []identity.Session {
	return []identity.Session{w.ann1, w.ann2, w.link, w.bob, w.annO}
}

// sessionFilterCases are the filters that DeleteMatching and List are checked
// with, and the sessions of a sessionWorld each selects.
var sessionFilterCases = []struct {
	name string
	sel  func(w sessionWorld) (storage.SessionFilter, []identity.Session)
}{
	{"User", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{UserID: w.fx.ann.ID}, []identity.Session{w.ann1, w.ann2, w.link, w.annO}
	}},
	{"UserExcept", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{UserID: w.fx.ann.ID, ExceptID: w.ann1.ID}, []identity.Session{w.ann2, w.link, w.annO}
	}},
	{"Membership", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{MembershipID: w.fx.annM.ID}, []identity.Session{w.ann1, w.ann2, w.link}
	}},
	{"MembershipExcept", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{MembershipID: w.fx.annM.ID, ExceptID: w.link.ID}, []identity.Session{w.ann1, w.ann2}
	}},
	{"Customer", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{CustomerID: w.fx.customer.ID}, []identity.Session{w.ann1, w.ann2, w.link, w.bob}
	}},
	{"CustomerExceptMethods", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{CustomerID: w.fx.customer.ID, ExceptMethods: []identity.Method{identity.MethodAccessLink, identity.MethodSSO}},
			[]identity.Session{w.ann1, w.ann2, w.bob}
	}},
	{"CustomerExceptAllItsMethods", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{CustomerID: w.fx.customer.ID, ExceptMethods: []identity.Method{identity.MethodLoginLink, identity.MethodAccessLink}}, nil
	}},
	{"UserExceptLoginLinks", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{UserID: w.fx.ann.ID, ExceptMethods: []identity.Method{identity.MethodLoginLink}}, []identity.Session{w.link}
	}},
	{"OtherCustomer", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{CustomerID: w.other.ID}, []identity.Session{w.annO}
	}},
	{"AccessLink", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{AccessLinkID: w.linkID}, []identity.Session{w.link}
	}},
	{"AccessLinkExcept", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{AccessLinkID: w.linkID, ExceptID: w.link.ID}, nil
	}},
	{"UserAndCustomer", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{UserID: w.fx.ann.ID, CustomerID: w.other.ID}, []identity.Session{w.annO}
	}},
	{"UserAndOthersMembership", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{UserID: w.fx.bob.ID, MembershipID: w.fx.annM.ID}, nil
	}},
	{"UnknownUser", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{UserID: newUserID()}, nil
	}},
	{"ExceptAnotherUsers", func(w sessionWorld) (storage.SessionFilter, []identity.Session) {
		return storage.SessionFilter{UserID: w.fx.bob.ID, ExceptID: w.ann1.ID}, []identity.Session{w.bob}
	}},
}

// sessionDeleteMatchingTests runs DeleteMatching once per filter case, each
// on a fresh store.
var sessionDeleteMatchingTests = func() []test {
	var tests []test
	for _, c := range sessionFilterCases {
		tests = append(tests, test{"DeleteMatching/" + c.name, func(t *testing.T, s storage.Store) {
			w := newSessionWorld(t, s)
			f, gone := c.sel(w)
			n, err := deleteMatchingSessions(t, s, f)
			require.NoError(t, err)
			assert.Equal(t, len(gone), n, "DeleteMatching returns how many it deleted")
			for _, sn := range gone {
				_, err := getSession(t, s, sn.TokenHash)
				assertNotFound(t, err, "a matching session is deleted")
			}
			var kept []identity.Session
			for _, sn := range w.all() {
				if !slices.Contains(gone, sn) {
					kept = append(kept, sn)
				}
			}
			assert.Equal(t, sessionIDsOf(kept), sessionIDs(t, s, storage.SessionFilter{}), "the others are kept")
		}})
	}
	return tests
}()

func sessionIDsOf(ss []identity.Session) []string {
	ids := make([]identity.SessionID, len(ss))
	for i, sn := range ss {
		ids[i] = sn.ID
	}
	return sorted(ids...)
}

func testSessionDeleteMatchingZeroFilter(t *testing.T, s storage.Store) {
	w := newSessionWorld(t, s)
	for name, f := range map[string]storage.SessionFilter{
		"zero":         {},
		"only except":  {ExceptID: w.ann1.ID},
		"only methods": {ExceptMethods: []identity.Method{identity.MethodSSO}},
	} {
		n, err := deleteMatchingSessions(t, s, f)
		assert.Error(t, err, "%s filter is refused", name)
		assert.Zero(t, n, name)
	}
	assert.Equal(t, sessionIDsOf(w.all()), sessionIDs(t, s, storage.SessionFilter{}), "nothing is deleted")
}

func testSessionDeleteExpired(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	now := at(48 * time.Hour)
	idleBefore := now.Add(-time.Hour)
	mk := func(expires, lastSeen time.Time) identity.Session {
		sn := newSession(fx.annM)
		sn.ExpiresAt, sn.LastSeenAt = expires, lastSeen
		return createSession(t, s, sn)
	}
	fresh := now.Add(-time.Minute)
	later := now.Add(time.Hour)
	goneAbsolute := mk(now, fresh)                                  // ExpiresAt at now
	goneLongAgo := mk(now.Add(-time.Hour), fresh)                   // ExpiresAt before now
	goneIdle := mk(later, idleBefore)                               // LastSeenAt at idleBefore
	goneBoth := mk(now.Add(-time.Hour), idleBefore.Add(-time.Hour)) // both
	kept := mk(later, fresh)
	keptJust := mk(now.Add(time.Microsecond), idleBefore.Add(time.Microsecond))

	var n int
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.Sessions().DeleteExpired(ctx, now, idleBefore)
		return err
	}))
	assert.Equal(t, 4, n)
	for _, sn := range []identity.Session{goneAbsolute, goneLongAgo, goneIdle, goneBoth} {
		_, err := getSession(t, s, sn.TokenHash)
		assertNotFound(t, err)
	}
	assert.Equal(t, sorted(kept.ID, keptJust.ID), sessionIDs(t, s, storage.SessionFilter{}))
}

func testSessionTimesUTC(t *testing.T, s storage.Store) {
	fx := newLinkFixture(t, s)
	zone := time.FixedZone("UTC-4", -4*3600)
	created := time.Date(2025, time.March, 30, 1, 59, 59, 7000, zone)
	sn := newSession(fx.annM)
	sn.CreatedAt, sn.LastSeenAt, sn.ExpiresAt = created, created, created.Add(24*time.Hour)
	createSession(t, s, sn)

	got, err := getSession(t, s, sn.TokenHash)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt")
	assertUTC(t, created, got.LastSeenAt, "LastSeenAt")
	assertUTC(t, sn.ExpiresAt, got.ExpiresAt, "ExpiresAt")

	seen := created.Add(time.Minute).In(time.FixedZone("UTC+10", 10*3600))
	got, err = updateSession(t, s, sn.ID, func(sn *identity.Session) error {
		sn.LastSeenAt = seen
		return nil
	})
	require.NoError(t, err)
	assertUTC(t, seen, got.LastSeenAt, "LastSeenAt returned by Update")
	got, err = getSession(t, s, sn.TokenHash)
	require.NoError(t, err)
	assertUTC(t, seen, got.LastSeenAt, "LastSeenAt after Update")
}

func testSessionList(t *testing.T, s storage.Store) {
	w := newSessionWorld(t, s)
	assert.Equal(t, sessionIDsOf(w.all()), sessionIDs(t, s, storage.SessionFilter{}), "a zero filter lists every session")
	for _, c := range sessionFilterCases {
		f, want := c.sel(w)
		got := sessionIDs(t, s, f)
		if want == nil {
			assert.Empty(t, got, c.name)
			continue
		}
		assert.Equal(t, sessionIDsOf(want), got, c.name)
	}
	l, err := listSessions(t, s, storage.SessionFilter{AccessLinkID: w.linkID}, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, w.link, l.Items[0], "lists return whole values")
}
