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

var apiKeyTests = []test{
	{"CreateGet", testAPIKeyCreateGet},
	{"GetMissing", testAPIKeyGetMissing},
	{"CreateDuplicateID", testAPIKeyCreateDuplicateID},
	{"CreateDuplicateTokenHash", testAPIKeyCreateDuplicateTokenHash},
	{"Update", testAPIKeyUpdate},
	{"UpdateMissing", testAPIKeyUpdateMissing},
	{"UpdateFnError", testAPIKeyUpdateFnError},
	{"TimesUTC", testAPIKeyTimesUTC},
	{"ListIncludesRevoked", testAPIKeyListIncludesRevoked},
}

func newAPIKeyID() identity.APIKeyID { return identity.APIKeyID(newID("key_")) }

func newAPIKey(name string) identity.APIKey {
	return identity.APIKey{
		ID:        newAPIKeyID(),
		Name:      name,
		Role:      identity.StaffAdmin,
		TokenHash: newTokenHash(),
		CreatedBy: "bootstrap",
		CreatedAt: base,
	}
}

func createAPIKey(t *testing.T, s storage.Store, k identity.APIKey) identity.APIKey {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.APIKeys().Create(ctx, k)
	}), "creating API key %s", k.Name)
	return k
}

func getAPIKey(t *testing.T, s storage.Store, id identity.APIKeyID) (identity.APIKey, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (identity.APIKey, error) {
		return r.APIKeys().Get(ctx, id)
	})
}

func getAPIKeyByToken(t *testing.T, s storage.Store, hash string) (identity.APIKey, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (identity.APIKey, error) {
		return r.APIKeys().GetByTokenHash(ctx, hash)
	})
}

func updateAPIKey(t *testing.T, s storage.Store, id identity.APIKeyID, fn func(*identity.APIKey) error) (identity.APIKey, error) {
	t.Helper()
	var k identity.APIKey
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		k, err = r.APIKeys().Update(ctx, id, fn)
		return err
	})
	return k, err
}

func listAPIKeys(t *testing.T, s storage.Store, p storage.Page) (storage.List[identity.APIKey], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[identity.APIKey], error) {
		return r.APIKeys().List(ctx, p)
	})
}

func apiKeyIDs(t *testing.T, s storage.Store) []string {
	t.Helper()
	return collect(t, storage.MaxLimit, 10, func(p storage.Page) ([]string, string, error) {
		l, err := listAPIKeys(t, s, p)
		return idsOf(l.Items, func(k identity.APIKey) identity.APIKeyID { return k.ID }), l.NextCursor, err
	})
}

func testAPIKeyCreateGet(t *testing.T, s storage.Store) {
	plain := createAPIKey(t, s, newAPIKey("ERP"))
	full := newAPIKey("Old CRM")
	full.Role = identity.StaffAgent
	full.CreatedBy = "staff:stf_1"
	full.RevokedAt = at(2 * time.Hour)
	full.LastUsedAt = at(time.Hour)
	createAPIKey(t, s, full)

	for _, want := range []identity.APIKey{plain, full} {
		got, err := getAPIKey(t, s, want.ID)
		require.NoError(t, err)
		assert.Equal(t, want, got, "Get")
		got, err = getAPIKeyByToken(t, s, want.TokenHash)
		require.NoError(t, err)
		assert.Equal(t, want, got, "GetByTokenHash finds a key, revoked or not")
	}
	got, err := getAPIKey(t, s, plain.ID)
	require.NoError(t, err)
	assert.True(t, got.RevokedAt.IsZero() && got.LastUsedAt.IsZero(), "zero times stay zero")
}

func testAPIKeyGetMissing(t *testing.T, s storage.Store) {
	createAPIKey(t, s, newAPIKey("ERP"))
	_, err := getAPIKey(t, s, newAPIKeyID())
	assertNotFound(t, err)
	_, err = getAPIKeyByToken(t, s, newTokenHash())
	assertNotFound(t, err)
}

func testAPIKeyCreateDuplicateID(t *testing.T, s storage.Store) {
	k := createAPIKey(t, s, newAPIKey("ERP"))
	dup := newAPIKey("CRM")
	dup.ID = k.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.APIKeys().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getAPIKeyByToken(t, s, dup.TokenHash)
	assertNotFound(t, err, "the second key is not stored")
	got, err := getAPIKey(t, s, k.ID)
	require.NoError(t, err)
	assert.Equal(t, k, got, "the first key is unchanged")
}

func testAPIKeyCreateDuplicateTokenHash(t *testing.T, s storage.Store) {
	k := createAPIKey(t, s, newAPIKey("ERP"))
	dup := newAPIKey("CRM")
	dup.TokenHash = k.TokenHash
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.APIKeys().Create(ctx, dup) })
	assertAlreadyExists(t, err)
	_, err = getAPIKey(t, s, dup.ID)
	assertNotFound(t, err, "the second key is not stored")
}

func testAPIKeyUpdate(t *testing.T, s storage.Store) {
	k := createAPIKey(t, s, newAPIKey("ERP"))
	for n, step := range []func(*identity.APIKey){
		func(k *identity.APIKey) { k.LastUsedAt = at(time.Hour) },
		func(k *identity.APIKey) {
			k.Name = "ERP (old)"
			k.Role = identity.StaffAgent
			k.RevokedAt = at(2 * time.Hour)
		},
	} {
		want := k
		step(&want)
		got, err := updateAPIKey(t, s, k.ID, func(k *identity.APIKey) error {
			step(k)
			return nil
		})
		require.NoError(t, err, "step %d", n)
		assert.Equal(t, want, got, "step %d: Update returns what it wrote", n)
		stored, err := getAPIKey(t, s, k.ID)
		require.NoError(t, err)
		assert.Equal(t, got, stored, "step %d: Get returns what Update returned", n)
		k = stored
	}
}

func testAPIKeyUpdateMissing(t *testing.T, s storage.Store) {
	called := false
	_, err := updateAPIKey(t, s, newAPIKeyID(), func(*identity.APIKey) error {
		called = true
		return nil
	})
	assertNotFound(t, err)
	assert.False(t, called, "fn is not called for a missing key")
}

func testAPIKeyUpdateFnError(t *testing.T, s storage.Store) {
	k := createAPIKey(t, s, newAPIKey("ERP"))
	var seen identity.APIKey
	_, err := updateAPIKey(t, s, k.ID, func(k *identity.APIKey) error {
		seen = *k
		k.RevokedAt = at(time.Hour)
		k.Name = "Changed"
		return errBoom
	})
	assert.ErrorIs(t, err, errBoom, "fn's error is returned unchanged")
	assert.Equal(t, k, seen, "fn sees the stored key")
	got, err := getAPIKey(t, s, k.ID)
	require.NoError(t, err)
	assert.Equal(t, k, got, "nothing is written")
}

func testAPIKeyTimesUTC(t *testing.T, s storage.Store) {
	created := time.Date(2025, time.June, 21, 4, 5, 6, 700800000, time.FixedZone("UTC+2", 2*3600))
	k := newAPIKey("ERP")
	k.CreatedAt = created
	createAPIKey(t, s, k)
	used := created.Add(time.Minute).In(time.FixedZone("UTC-5", -5*3600))
	got, err := updateAPIKey(t, s, k.ID, func(k *identity.APIKey) error {
		k.LastUsedAt, k.RevokedAt = used, used
		return nil
	})
	require.NoError(t, err)
	assertUTC(t, used, got.LastUsedAt, "LastUsedAt returned by Update")
	got, err = getAPIKey(t, s, k.ID)
	require.NoError(t, err)
	assertUTC(t, created, got.CreatedAt, "CreatedAt")
	assertUTC(t, used, got.LastUsedAt, "LastUsedAt")
	assertUTC(t, used, got.RevokedAt, "RevokedAt")
}

func testAPIKeyListIncludesRevoked(t *testing.T, s storage.Store) {
	a := createAPIKey(t, s, newAPIKey("ERP"))
	revoked := newAPIKey("Old CRM")
	revoked.RevokedAt = at(time.Hour)
	createAPIKey(t, s, revoked)
	c := createAPIKey(t, s, newAPIKey("Shop"))

	assert.Equal(t, sorted(a.ID, revoked.ID, c.ID), apiKeyIDs(t, s))
	l, err := listAPIKeys(t, s, storage.Page{})
	require.NoError(t, err)
	require.Len(t, l.Items, 3)
	for _, k := range l.Items {
		if k.ID == revoked.ID {
			assert.Equal(t, revoked, k, "lists return whole values")
		}
	}
}
