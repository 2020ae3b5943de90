package sqlstore

import (
	"context"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type apiKeyRepo struct{ t *txn }

func (t *txn) APIKeys() storage.APIKeyRepo { return apiKeyRepo{t} }

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

// Create stores k. ErrAlreadyExists when the ID or token hash is taken.
func (s apiKeyRepo) Create(ctx context.Context, k identity.APIKey) error {
	return apiKeys.insert(ctx, s.t, string(k.ID), &k)
}

// Get returns the key with the given ID, or ErrNotFound.
func (s apiKeyRepo) Get(ctx context.Context, id identity.APIKeyID) (identity.APIKey, error) {
	return apiKeys.get(ctx, s.t, string(id))
}

// GetByTokenHash returns the key with this token hash, or ErrNotFound.
func (s apiKeyRepo) GetByTokenHash(ctx context.Context, hash string) (identity.APIKey, error) {
	return apiKeys.getWhere(ctx, s.t, "finding API key by token hash", `token_hash = ?`, hash)
}

// Update reads the key, lets fn change it and writes it back. Keys have no
// version: writes to one row are serialised as for sessions (see
// sessionRepo.Update). ErrNotFound, ErrAlreadyExists (token hash).
func (s apiKeyRepo) Update(ctx context.Context, id identity.APIKeyID, fn func(*identity.APIKey) error) (identity.APIKey, error) {
	return apiKeys.update(ctx, s.t, string(id), fn)
}

// List returns one page of keys, revoked ones included, ordered by ID.
func (s apiKeyRepo) List(ctx context.Context, p storage.Page) (storage.List[identity.APIKey], error) {
	return apiKeys.list(ctx, s.t, "listing API keys", p, "", nil,
		func(k identity.APIKey) string { return string(k.ID) })
}
