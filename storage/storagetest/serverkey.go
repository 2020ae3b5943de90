package storagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
)

var serverKeyTests = []test{
	{"GetOrCreate", testServerKeyGetOrCreate},
	{"NamesApart", testServerKeyNames},
	{"Rollback", testServerKeyRollback},
	{"ReadTxRefusesWrites", testServerKeyReadOnly},
}

var serverKeyConcurrencyTests = []test{
	{"ServerKeyCreatedOnce", testServerKeyCreatedOnce},
}

func serverKey(t *testing.T, s storage.Store, name string, fresh []byte) ([]byte, error) {
	t.Helper()
	var key []byte
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		key, err = r.ServerKeys().GetOrCreate(ctx, name, fresh)
		return err
	})
	return key, err
}

// key32 is a 32-byte key made of b.
func key32(b byte) []byte {
	k := make([]byte, 32)
	for i := range k {
		k[i] = b
	}
	return k
}

func testServerKeyGetOrCreate(t *testing.T, s storage.Store) {
	first := append(key32(1), 0, 0xff) // any bytes, NULs included, round-trip
	got, err := serverKey(t, s, "cursor", first)
	require.NoError(t, err)
	assert.Equal(t, first, got, "the first call stores its key")
	got, err = serverKey(t, s, "cursor", key32(2))
	require.NoError(t, err)
	assert.Equal(t, first, got, "later calls get the stored key, not theirs")
}

func testServerKeyNames(t *testing.T, s storage.Store) {
	a, err := serverKey(t, s, "a", key32(1))
	require.NoError(t, err)
	b, err := serverKey(t, s, "b", key32(2))
	require.NoError(t, err)
	assert.Equal(t, key32(1), a)
	assert.Equal(t, key32(2), b)
}

func testServerKeyRollback(t *testing.T, s storage.Store) {
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		if _, err := r.ServerKeys().GetOrCreate(ctx, "cursor", key32(1)); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)
	got, err := serverKey(t, s, "cursor", key32(2))
	require.NoError(t, err)
	assert.Equal(t, key32(2), got, "the rolled back key was never stored")
}

func testServerKeyReadOnly(t *testing.T, s storage.Store) {
	err := read(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.ServerKeys().GetOrCreate(ctx, "cursor", key32(1))
		return err
	})
	assert.ErrorIs(t, err, storage.ErrReadOnly)
}

// testServerKeyCreatedOnce has servers starting together each offer a key
// of their own: all must end up with one and the same, or the cursors one
// seals would not open on the others.
func testServerKeyCreatedOnce(t *testing.T, s storage.Store) {
	const n = 16
	keys := make([][]byte, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { keys[i], errs[i] = serverKey(t, s, "cursor", key32(byte(i+1))) })
	}
	wg.Wait()
	for i := range n {
		require.NoError(t, errs[i], "caller %d", i)
		assert.Equal(t, keys[0], keys[i], "caller %d", i)
	}
	assert.Contains(t, offered(n), fmt.Sprint(keys[0]), "the key is one of those offered")
}

func offered(n int) []string {
	out := make([]string, n)
	for i := range n {
		out[i] = fmt.Sprint(key32(byte(i + 1)))
	}
	return out
}
