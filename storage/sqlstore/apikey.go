package sqlstore

import (
	"context"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type apiKeyRepo struct {
	crud[identity.APIKey, identity.APIKeyID]
}

func (t *txn) APIKeys() storage.APIKeyRepo {
	return apiKeyRepo{crud[identity.APIKey, identity.APIKeyID]{t, apiKeys}}
}

var apiKeys = newTable(table[identity.APIKey]{
	name: "api_keys", noun: "API key",
	columns: []string{"id", "name", "role", "token_hash", "created_by", "created_at", "revoked_at", "last_used_at"},
	values: func(k *identity.APIKey) []any {
		return []any{string(k.ID), k.Name, string(k.Role), k.TokenHash, k.CreatedBy, ts(k.CreatedAt),
			nullTS(k.RevokedAt), nullTS(k.LastUsedAt)}
	},
	dest: func(k *identity.APIKey) []any {
		return []any{&k.ID, &k.Name, &k.Role, &k.TokenHash, &k.CreatedBy, tcol(&k.CreatedAt),
			tcol(&k.RevokedAt), tcol(&k.LastUsedAt)}
	},
	keep: func(old identity.APIKey, k *identity.APIKey) {
		k.ID, k.CreatedAt = old.ID, old.CreatedAt
		k.RevokedAt, k.LastUsedAt = storedTime(k.RevokedAt), storedTime(k.LastUsedAt)
	},
})

// GetByTokenHash returns the key with this token hash, or ErrNotFound.
func (s apiKeyRepo) GetByTokenHash(ctx context.Context, hash string) (identity.APIKey, error) {
	return apiKeys.getWhere(ctx, s.t, "finding API key by token hash", `token_hash = ?`, hash)
}

// List returns one page of keys, revoked ones included, ordered by ID.
func (s apiKeyRepo) List(ctx context.Context, p storage.Page) (storage.List[identity.APIKey], error) {
	return apiKeys.list(ctx, s.t, "listing API keys", p, "", nil,
		func(k identity.APIKey) string { return string(k.ID) })
}
