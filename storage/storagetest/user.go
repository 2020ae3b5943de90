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

var userTests = []test{
	{"CreateGet", testUserCreateGet},
	{"GetMissing", testUserGetMissing},
	{"CreateDuplicateID", testUserCreateDuplicateID},
	{"CreateDuplicateEmail", testUserCreateDuplicateEmail},
	{"Update", testUserUpdate},
	{"UpdateMissing", testUserUpdateMissing},
	{"UpdateFnError", testUserUpdateFnError},
	{"UpdateEmailTaken", testUserUpdateEmailTaken},
	{"UpdateFreesEmail", testUserUpdateFreesEmail},
	{"ValuesIndependent", testUserValuesIndependent},
	{"TimesUTC", testUserTimesUTC},
}

// newUser returns a user whose e-mail is already normalised, as callers
// store them.
func newUser(email string) customer.User {
	return customer.User{
		ID:        newUserID(),
		Email:     email,
		Name:      "Ann Example",
		Locale:    "de",
		Status:    customer.UserActive,
		Version:   1,
		CreatedAt: base,
		UpdatedAt: base,
	}
}

func createUser(t *testing.T, s storage.Store, u customer.User) customer.User {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Users().Create(ctx, u)
	}), "creating user %s", u.Email)
	return u
}

func getUser(t *testing.T, s storage.Store, id customer.UserID) (customer.User, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (customer.User, error) {
		return r.Users().Get(ctx, id)
	})
}

func getUserByEmail(t *testing.T, s storage.Store, email string) (customer.User, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (customer.User, error) {
		return r.Users().GetByEmail(ctx, email)
	})
}

func updateUser(t *testing.T, s storage.Store, id customer.UserID, fn func(*customer.User) error) (customer.User, error) {
	t.Helper()
	var u customer.User
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		u, err = r.Users().Update(ctx, id, fn)
		return err
	})
	return u, err
}

func testUserCreateGet(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	bob := newUser("bob@example.com")
	bob.Locale = "" // the provider's default
	bob.Status = customer.UserDisabled
	createUser(t, s, bob)

	got, err := getUser(t, s, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u, got)
	got, err = getUserByEmail(t, s, "ann@example.com")
	require.NoError(t, err)
	assert.Equal(t, u, got)
	got, err = getUser(t, s, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, bob, got, "an empty locale and a disabled status round-trip")
}

func testUserGetMissing(t *testing.T, s storage.Store) {
	createUser(t, s, newUser("ann@example.com"))
	_, err := getUser(t, s, newUserID())
	assertNotFound(t, err)
	_, err = getUserByEmail(t, s, "nobody@example.com")
	assertNotFound(t, err)
}

func testUserCreateDuplicateID(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	dup := newUser("bob@example.com")
	dup.ID = u.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Users().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getUserByEmail(t, s, dup.Email)
	assertNotFound(t, err, "the second user is not stored")
}

func testUserCreateDuplicateEmail(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	dup := newUser("ann@example.com")
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Users().Create(ctx, dup) })
	assertAlreadyExists(t, err)

	_, err = getUser(t, s, dup.ID)
	assertNotFound(t, err, "the second user is not stored")
	got, err := getUserByEmail(t, s, "ann@example.com")
	require.NoError(t, err)
	assert.Equal(t, u, got)
}

func testUserUpdate(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	want := u
	want.Email = "ann.example@example.com"
	want.Name = "Ann Beispiel"
	want.Locale = "de-AT"
	want.Status = customer.UserDisabled
	want.Version = 2
	want.UpdatedAt = at(time.Hour)

	got, err := updateUser(t, s, u.ID, func(u *customer.User) error {
		u.Email = want.Email
		u.Name = want.Name
		u.Locale = want.Locale
		u.Status = want.Status
		u.UpdatedAt = want.UpdatedAt
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, want, got)
	stored, err := getUser(t, s, u.ID)
	require.NoError(t, err)
	assert.Equal(t, got, stored)
	byEmail, err := getUserByEmail(t, s, want.Email)
	require.NoError(t, err)
	assert.Equal(t, got, byEmail)

	got, err = updateUser(t, s, u.ID, func(u *customer.User) error { return nil })
	require.NoError(t, err)
	assert.Equal(t, int64(3), got.Version, "every Update adds one, even when fn changes nothing")
}

func testUserUpdateMissing(t *testing.T, s storage.Store) {
	called := false
	_, err := updateUser(t, s, newUserID(), func(*customer.User) error {
		called = true
		return nil
	})
	assertNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing user")
}

func testUserUpdateFnError(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	_, err := updateUser(t, s, u.ID, func(u *customer.User) error {
		u.Email = "changed@example.com"
		u.Name = "Changed"
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")

	got, err := getUser(t, s, u.ID)
	require.NoError(t, err)
	assert.Equal(t, u, got, "nothing is written")
	_, err = getUserByEmail(t, s, "changed@example.com")
	assertNotFound(t, err)
}

func testUserUpdateEmailTaken(t *testing.T, s storage.Store) {
	createUser(t, s, newUser("ann@example.com"))
	bob := createUser(t, s, newUser("bob@example.com"))
	_, err := updateUser(t, s, bob.ID, func(u *customer.User) error {
		u.Email = "ann@example.com"
		return nil
	})
	assertAlreadyExists(t, err)
	got, err := getUser(t, s, bob.ID)
	require.NoError(t, err)
	assert.Equal(t, bob, got, "nothing is written")
}

func testUserUpdateFreesEmail(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	_, err := updateUser(t, s, ann.ID, func(u *customer.User) error {
		u.Email = "ann@example.net"
		return nil
	})
	require.NoError(t, err)

	_, err = getUserByEmail(t, s, "ann@example.com")
	assertNotFound(t, err, "the old address finds no one")
	createUser(t, s, newUser("ann@example.com")) // and is free again
	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Users().Create(ctx, newUser("ann@example.net"))
	})
	assertAlreadyExists(t, err, "the new address is taken")
}

func testUserValuesIndependent(t *testing.T, s storage.Store) {
	u := newUser("ann@example.com")
	want := u
	createUser(t, s, u)
	u.Name = "Changed after Create"

	got, err := getUser(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got, "changing the value given to Create changes nothing")
	got.Name = "Changed after Get"
	again, err := getUser(t, s, want.ID)
	require.NoError(t, err)
	assert.Equal(t, want, again, "changing a returned value changes nothing")
}

func testUserTimesUTC(t *testing.T, s storage.Store) {
	created := time.Date(2025, time.December, 31, 23, 30, 0, 999999000, time.FixedZone("UTC-3", -3*3600))
	u := newUser("ann@example.com")
	u.CreatedAt, u.UpdatedAt = created, created
	createUser(t, s, u)

	for _, get := range []func() (customer.User, error){
		func() (customer.User, error) { return getUser(t, s, u.ID) },
		func() (customer.User, error) { return getUserByEmail(t, s, u.Email) },
	} {
		got, err := get()
		require.NoError(t, err)
		assertUTC(t, created, got.CreatedAt, "CreatedAt")
		assertUTC(t, created, got.UpdatedAt, "UpdatedAt")
	}
}
