package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type apiKeyRepo struct{ t *txn }

// Create stores k. ErrAlreadyExists when the ID or token hash is taken.
func (s apiKeyRepo) Create(ctx context.Context, k identity.APIKey) error {
	op := "creating API key " + string(k.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx,
		`INSERT INTO api_keys (`+apiKeyColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		string(k.ID), k.Name, string(k.Role), k.TokenHash, k.CreatedBy, k.CreatedAt,
		nullTime(k.RevokedAt), nullTime(k.LastUsedAt))
	return s.t.fail(op, err, nil)
}

// Get returns the key with the given ID, or ErrNotFound.
func (s apiKeyRepo) Get(ctx context.Context, id identity.APIKeyID) (identity.APIKey, error) {
	return findAPIKey(ctx, s.t, "id", string(id))
}

// GetByTokenHash returns the key with this token hash, or ErrNotFound.
func (s apiKeyRepo) GetByTokenHash(ctx context.Context, hash string) (identity.APIKey, error) {
	return findAPIKey(ctx, s.t, "token_hash", hash)
}

// Update reads the key, lets fn change it and writes it back. Keys have no
// version: a transaction that changed the row after this one read it makes
// this one fail to serialize, and InTx runs it again. ErrNotFound,
// ErrAlreadyExists (token hash).
func (s apiKeyRepo) Update(ctx context.Context, id identity.APIKeyID, fn func(*identity.APIKey) error) (identity.APIKey, error) {
	if err := s.t.writable("updating API key"); err != nil {
		return identity.APIKey{}, err
	}
	return updateAPIKey(ctx, s.t, id, fn)
}

// List returns one page of keys, revoked ones included, ordered by ID.
func (s apiKeyRepo) List(ctx context.Context, p storage.Page) (storage.List[identity.APIKey], error) {
	const op = "listing API keys"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[identity.APIKey]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	return queryList(ctx, s.t, op,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE id > $1 ORDER BY id LIMIT $2`,
		args{after, limit + 1}, limit, scanAPIKey, func(k identity.APIKey) string { return string(k.ID) })
}

const apiKeyColumns = `id, name, role, token_hash, created_by, created_at, revoked_at, last_used_at`

func scanAPIKey(s scanner) (identity.APIKey, error) {
	var (
		k                 identity.APIKey
		revoked, lastUsed *time.Time
	)
	err := s.Scan(&k.ID, &k.Name, &k.Role, &k.TokenHash, &k.CreatedBy, &k.CreatedAt, &revoked, &lastUsed)
	if err != nil {
		return identity.APIKey{}, err
	}
	k.RevokedAt, k.LastUsedAt = orZero(revoked), orZero(lastUsed)
	return k, nil
}

// findAPIKey finds the key whose column (id or token_hash, never caller
// input) equals value.
func findAPIKey(ctx context.Context, t *txn, column, value string) (identity.APIKey, error) {
	k, err := scanAPIKey(t.tx.QueryRow(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE `+column+` = $1`, value))
	if err != nil {
		return identity.APIKey{}, t.fail("finding API key by "+column, err, nil)
	}
	return k, nil
}

func updateAPIKey(ctx context.Context, t *txn, id identity.APIKeyID, fn func(*identity.APIKey) error) (identity.APIKey, error) {
	op := "updating API key " + string(id)
	old, err := findAPIKey(ctx, t, "id", string(id))
	if err != nil {
		return identity.APIKey{}, err
	}
	k := old
	if err := fn(&k); err != nil {
		return identity.APIKey{}, err
	}
	k.ID, k.CreatedAt = old.ID, old.CreatedAt
	k.RevokedAt, k.LastUsedAt = storedTime(k.RevokedAt), storedTime(k.LastUsedAt)
	n, err := execCount(ctx, t, op, `UPDATE api_keys SET
		name = $1, role = $2, token_hash = $3, created_by = $4, revoked_at = $5, last_used_at = $6
		WHERE id = $7`, nil,
		k.Name, string(k.Role), k.TokenHash, k.CreatedBy, nullTime(k.RevokedAt), nullTime(k.LastUsedAt),
		string(id))
	if err != nil {
		return identity.APIKey{}, err
	}
	if n == 0 {
		return identity.APIKey{}, fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	return k, nil
}
