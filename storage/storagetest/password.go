package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

var passwordTests = []test{
	{"PutGet", testPasswordPutGet},
	{"GetMissing", testPasswordGetMissing},
	{"PutReplaces", testPasswordPutReplaces},
	{"PutMissingUser", testPasswordPutMissingUser},
	{"TimesUTC", testPasswordTimesUTC},
}

// A syntactically valid argon2id hash: backends store it, never check it.
const testPasswordHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

func newPassword(user customer.UserID) identity.Password {
	return identity.Password{UserID: user, Hash: testPasswordHash, UpdatedAt: base}
}

func putPassword(t *testing.T, s storage.Store, p identity.Password) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Passwords().Put(ctx, p) })
}

func getPassword(t *testing.T, s storage.Store, user customer.UserID) (identity.Password, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (identity.Password, error) {
		return r.Passwords().Get(ctx, user)
	})
}

func testPasswordPutGet(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	bob := createUser(t, s, newUser("bob@example.com"))
	plain := newPassword(ann.ID)
	require.NoError(t, putPassword(t, s, plain))
	locked := newPassword(bob.ID)
	locked.Hash = "$argon2id$v=19$m=65536,t=3,p=4$b3RoZXJzYWx0$b3RoZXJoYXNo"
	locked.FailedAttempts = 5
	locked.LockedUntil = at(15 * time.Minute)
	require.NoError(t, putPassword(t, s, locked))

	for _, want := range []identity.Password{plain, locked} {
		got, err := getPassword(t, s, want.UserID)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	got, err := getPassword(t, s, ann.ID)
	require.NoError(t, err)
	assert.True(t, got.LockedUntil.IsZero(), "a zero LockedUntil stays zero")
}

func testPasswordGetMissing(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	bob := createUser(t, s, newUser("bob@example.com"))
	require.NoError(t, putPassword(t, s, newPassword(ann.ID)))
	_, err := getPassword(t, s, bob.ID)
	assertNotFound(t, err, "a user without a password")
	_, err = getPassword(t, s, newUserID())
	assertNotFound(t, err, "an unknown user")
}

func testPasswordPutReplaces(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	bob := createUser(t, s, newUser("bob@example.com"))
	first := newPassword(ann.ID)
	first.FailedAttempts = 2
	first.LockedUntil = at(time.Minute)
	require.NoError(t, putPassword(t, s, first))
	bobs := newPassword(bob.ID)
	require.NoError(t, putPassword(t, s, bobs))

	second := newPassword(ann.ID)
	second.Hash = "$argon2id$v=19$m=19456,t=2,p=1$bmV3c2FsdA$bmV3aGFzaA"
	second.UpdatedAt = at(time.Hour)
	require.NoError(t, putPassword(t, s, second), "a second Put")
	got, err := getPassword(t, s, ann.ID)
	require.NoError(t, err)
	assert.Equal(t, second, got, "the second Put replaces the whole record")
	got, err = getPassword(t, s, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, bobs, got, "another user's record is untouched")
}

func testPasswordPutMissingUser(t *testing.T, s storage.Store) {
	p := newPassword(newUserID())
	assertNotFound(t, putPassword(t, s, p))
	_, err := getPassword(t, s, p.UserID)
	assertNotFound(t, err, "nothing is stored")
}

func testPasswordTimesUTC(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	zone := time.FixedZone("UTC+5:45", 5*3600+45*60)
	updated := time.Date(2025, time.November, 2, 1, 30, 0, 500000, zone)
	p := newPassword(ann.ID)
	p.UpdatedAt, p.LockedUntil = updated, updated.Add(15*time.Minute)
	require.NoError(t, putPassword(t, s, p))
	got, err := getPassword(t, s, ann.ID)
	require.NoError(t, err)
	assertUTC(t, updated, got.UpdatedAt, "UpdatedAt")
	assertUTC(t, p.LockedUntil, got.LockedUntil, "LockedUntil")
}
