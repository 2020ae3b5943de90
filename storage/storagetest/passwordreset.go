package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

var passwordResetTests = []test{
	{"ConsumeOnce", testPasswordResetConsumeOnce},
	{"Expired", testPasswordResetExpired},
	{"Supersede", testPasswordResetSupersede},
	{"OneOwner", testPasswordResetOneOwner},
	{"MissingOwner", testPasswordResetMissingOwner},
	{"DeleteExpired", testPasswordResetDeleteExpired},
}

func newPasswordReset(user customer.UserID, staff identity.StaffID, expires time.Time) identity.PasswordReset {
	return identity.PasswordReset{
		ID: identity.PasswordResetID(newID("pwr_")), UserID: user, StaffID: staff, TokenHash: newTokenHash(),
		ExpiresAt: expires, CreatedAt: base,
	}
}

func createPasswordReset(t *testing.T, s storage.Store, pr identity.PasswordReset) identity.PasswordReset {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.PasswordResets().Create(ctx, pr)
	}), "creating password reset")
	return pr
}

func consumePasswordReset(t *testing.T, s storage.Store, hash string, now time.Time) (identity.PasswordReset, error) {
	t.Helper()
	var pr identity.PasswordReset
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		pr, err = r.PasswordResets().Consume(ctx, hash, now)
		return err
	})
	return pr, err
}

// testPasswordResetConsumeOnce checks that a user's and a staff member's
// resets read back as written and work once.
func testPasswordResetConsumeOnce(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	for _, pr := range []identity.PasswordReset{newPasswordReset(u.ID, "", at(time.Hour)), newPasswordReset("", m.ID, at(time.Hour))} {
		createPasswordReset(t, s, pr)
		got, err := consumePasswordReset(t, s, pr.TokenHash, at(time.Minute))
		require.NoError(t, err)
		pr.UsedAt = at(time.Minute)
		assert.Equal(t, pr, got)
		_, err = consumePasswordReset(t, s, pr.TokenHash, at(2*time.Minute))
		assertNotFound(t, err, "used")
	}
	_, err := consumePasswordReset(t, s, newTokenHash(), at(time.Minute))
	assertNotFound(t, err, "unknown")
}

func testPasswordResetExpired(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	pr := createPasswordReset(t, s, newPasswordReset(u.ID, "", at(time.Hour)))
	_, err := consumePasswordReset(t, s, pr.TokenHash, at(time.Hour))
	assertNotFound(t, err, "expired at ExpiresAt")
	_, err = consumePasswordReset(t, s, pr.TokenHash, at(time.Hour-time.Microsecond))
	assert.NoError(t, err, "usable just before ExpiresAt")
}

// testPasswordResetSupersede checks that superseding ends one person's
// unused resets only: not another user's, nor a staff member's.
func testPasswordResetSupersede(t *testing.T, s storage.Store) {
	ann := createUser(t, s, newUser("ann@example.com"))
	bob := createUser(t, s, newUser("bob@example.com"))
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	old := createPasswordReset(t, s, newPasswordReset(ann.ID, "", at(time.Hour)))
	keep := createPasswordReset(t, s, newPasswordReset(bob.ID, "", at(time.Hour)))
	staffOld := createPasswordReset(t, s, newPasswordReset("", m.ID, at(time.Hour)))
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.PasswordResets().Supersede(ctx, ann.ID, "", at(time.Minute))
	}))
	_, err := consumePasswordReset(t, s, old.TokenHash, at(2*time.Minute))
	assertNotFound(t, err, "superseded")
	_, err = consumePasswordReset(t, s, keep.TokenHash, at(2*time.Minute))
	assert.NoError(t, err, "another user's reset")

	staffKeep := createPasswordReset(t, s, newPasswordReset("", m.ID, at(time.Hour)))
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.PasswordResets().Supersede(ctx, "", m.ID, at(3*time.Minute))
	}))
	_, err = consumePasswordReset(t, s, staffOld.TokenHash, at(4*time.Minute))
	assertNotFound(t, err, "the staff member's superseded reset")
	_, err = consumePasswordReset(t, s, staffKeep.TokenHash, at(4*time.Minute))
	assertNotFound(t, err, "the staff member's newer reset, superseded too")
}

func testPasswordResetOneOwner(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	m := createStaff(t, s, newStaffMember("ann@provider.example", identity.StaffOwner))
	for name, pr := range map[string]identity.PasswordReset{
		"both":    newPasswordReset(u.ID, m.ID, at(time.Hour)),
		"neither": newPasswordReset("", "", at(time.Hour)),
	} {
		err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.PasswordResets().Create(ctx, pr) })
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), name)
	}
}

func testPasswordResetMissingOwner(t *testing.T, s storage.Store) {
	for _, pr := range []identity.PasswordReset{
		newPasswordReset(newUserID(), "", at(time.Hour)),
		newPasswordReset("", identity.StaffID(newID("stf_")), at(time.Hour)),
	} {
		err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.PasswordResets().Create(ctx, pr) })
		assertNotFound(t, err)
	}
}

func testPasswordResetDeleteExpired(t *testing.T, s storage.Store) {
	u := createUser(t, s, newUser("ann@example.com"))
	createPasswordReset(t, s, newPasswordReset(u.ID, "", at(time.Minute)))
	live := createPasswordReset(t, s, newPasswordReset(u.ID, "", at(time.Hour)))
	var n int
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.PasswordResets().DeleteExpired(ctx, at(2*time.Minute))
		return err
	})
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	_, err = consumePasswordReset(t, s, live.TokenHash, at(3*time.Minute))
	assert.NoError(t, err)
}
