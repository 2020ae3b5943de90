package memory

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type apiKeyRepo struct{ t *tx }

func (r apiKeyRepo) Create(_ context.Context, k identity.APIKey) error {
	if err := r.t.writable("creating API key"); err != nil {
		return err
	}
	s := r.t.s
	if _, ok := s.apiKeys[k.ID]; ok {
		return fmt.Errorf("memory: creating API key %s: %w", k.ID, storage.ErrAlreadyExists)
	}
	if _, ok := s.apiKeyTokens[k.TokenHash]; ok {
		return fmt.Errorf("memory: creating API key %s: token hash: %w", k.ID, storage.ErrAlreadyExists)
	}
	r.put(cloneAPIKey(k))
	return nil
}

func (r apiKeyRepo) Get(_ context.Context, id identity.APIKeyID) (identity.APIKey, error) {
	k, ok := r.t.s.apiKeys[id]
	if !ok {
		return identity.APIKey{}, fmt.Errorf("memory: getting API key %s: %w", id, storage.ErrNotFound)
	}
	return cloneAPIKey(k), nil
}

func (r apiKeyRepo) GetByTokenHash(_ context.Context, hash string) (identity.APIKey, error) {
	id, ok := r.t.s.apiKeyTokens[hash]
	if !ok {
		return identity.APIKey{}, fmt.Errorf("memory: getting API key by token: %w", storage.ErrNotFound)
	}
	return cloneAPIKey(r.t.s.apiKeys[id]), nil
}

func (r apiKeyRepo) Update(_ context.Context, id identity.APIKeyID, fn func(*identity.APIKey) error) (identity.APIKey, error) {
	if err := r.t.writable("updating API key"); err != nil {
		return identity.APIKey{}, err
	}
	s := r.t.s
	old, ok := s.apiKeys[id]
	if !ok {
		return identity.APIKey{}, fmt.Errorf("memory: updating API key %s: %w", id, storage.ErrNotFound)
	}
	next := cloneAPIKey(old)
	if err := fn(&next); err != nil {
		return identity.APIKey{}, err
	}
	if next.ID != old.ID || !next.CreatedAt.Equal(old.CreatedAt) {
		return identity.APIKey{}, fmt.Errorf("memory: updating API key %s: fn changed ID or CreatedAt", id)
	}
	if owner, ok := s.apiKeyTokens[next.TokenHash]; ok && owner != id {
		return identity.APIKey{}, fmt.Errorf("memory: updating API key %s: token hash: %w", id, storage.ErrAlreadyExists)
	}
	remove(r.t, s.apiKeyTokens, old.TokenHash)
	next = cloneAPIKey(next)
	r.put(next)
	return cloneAPIKey(next), nil
}

func (r apiKeyRepo) List(_ context.Context, p storage.Page) (storage.List[identity.APIKey], error) {
	l, err := list(r.t.s.apiKeys, p, func(identity.APIKey) bool { return true }, cloneAPIKey)
	if err != nil {
		return l, fmt.Errorf("memory: listing API keys: %w", err)
	}
	return l, nil
}

// put stores k, which the store then owns, and indexes its token hash.
func (r apiKeyRepo) put(k identity.APIKey) {
	put(r.t, r.t.s.apiKeys, k.ID, k)
	put(r.t, r.t.s.apiKeyTokens, k.TokenHash, k.ID)
}

// cloneAPIKey returns a copy of k with times in UTC.
func cloneAPIKey(k identity.APIKey) identity.APIKey {
	k.CreatedAt = k.CreatedAt.UTC()
	k.RevokedAt = k.RevokedAt.UTC()
	k.LastUsedAt = k.LastUsedAt.UTC()
	return k
}
