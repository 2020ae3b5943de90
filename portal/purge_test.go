package portal_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
)

func TestPurgeExpiredIdempotencyKeys(t *testing.T) {
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		now := s.p.Now()
		begin := func(key string, ttl time.Duration) {
			require.NoError(t, s.store.InTx(t.Context(), func(r storage.Repos) error {
				return r.Idempotency().Begin(t.Context(), storage.IdempotencyRecord{
					Scope: "api_key:key_1", Key: key, Fingerprint: "f", CreatedAt: now, ExpiresAt: now.Add(ttl),
				})
			}))
		}
		begin("old", time.Hour)
		begin("new", storage.IdempotencyTTL)
		s.clock.Advance(2 * time.Hour)

		n, err := s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the expired key")
		get := func(key string) error {
			return s.store.ReadTx(t.Context(), func(r storage.Repos) error {
				_, err := r.Idempotency().Get(t.Context(), "api_key:key_1", key)
				return err
			})
		}
		assert.ErrorIs(t, get("old"), storage.ErrNotFound)
		assert.NoError(t, get("new"))
	})
}
