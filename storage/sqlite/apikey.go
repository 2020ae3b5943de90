package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type apiKeyRepo struct{ r *repos }

// Create stores k. ErrAlreadyExists when the ID or token hash is taken.
func (s apiKeyRepo) Create(ctx context.Context, k identity.APIKey) error {
	if err := s.r.writable("creating API key"); err != nil {
		return err
	}
	_, err := s.r.tx.ExecContext(ctx,
		`INSERT INTO api_keys (`+apiKeyColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		string(k.ID), k.Name, string(k.Role), k.TokenHash, k.CreatedBy, formatTime(k.CreatedAt),
		nullTime(k.RevokedAt), nullTime(k.LastUsedAt))
	return dbError("creating API key "+string(k.ID), err, nil)
}

// Get returns the key with the given ID, or ErrNotFound.
func (s apiKeyRepo) Get(ctx context.Context, id identity.APIKeyID) (identity.APIKey, error) {
	return findAPIKey(ctx, s.r.tx, "id", string(id))
}

// GetByTokenHash returns the key with this token hash, or ErrNotFound.
func (s apiKeyRepo) GetByTokenHash(ctx context.Context, hash string) (identity.APIKey, error) {
	return findAPIKey(ctx, s.r.tx, "token_hash", hash)
}

// Update reads the key, lets fn change it and writes it back. Keys have no
// version: the write transaction holds SQLite's one write lock from its
// start. ErrNotFound, ErrAlreadyExists (token hash).
func (s apiKeyRepo) Update(ctx context.Context, id identity.APIKeyID, fn func(*identity.APIKey) error) (identity.APIKey, error) {
	if err := s.r.writable("updating API key"); err != nil {
		return identity.APIKey{}, err
	}
	return updateAPIKey(ctx, s.r.tx, id, fn)
}

// List returns one page of keys, revoked ones included, ordered by ID.
func (s apiKeyRepo) List(ctx context.Context, p storage.Page) (storage.List[identity.APIKey], error) {
	const op = "listing API keys"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[identity.APIKey]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return queryList(ctx, s.r.tx, op,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE id > ? ORDER BY id LIMIT ?`,
		[]any{after, limit + 1}, limit, scanAPIKey, func(k identity.APIKey) string { return string(k.ID) })
}

const apiKeyColumns = `id, name, role, token_hash, created_by, created_at, revoked_at, last_used_at`

func scanAPIKey(s scanner) (identity.APIKey, error) {
	var (
		k                 identity.APIKey
		created           string
		revoked, lastUsed sql.NullString
	)
	err := s.Scan(&k.ID, &k.Name, &k.Role, &k.TokenHash, &k.CreatedBy, &created, &revoked, &lastUsed)
	if err != nil {
		return identity.APIKey{}, err
	}
	if k.CreatedAt, err = parseTime(created); err != nil {
		return identity.APIKey{}, err
	}
	if k.RevokedAt, err = parseNullTime(revoked); err != nil {
		return identity.APIKey{}, err
	}
	if k.LastUsedAt, err = parseNullTime(lastUsed); err != nil {
		return identity.APIKey{}, err
	}
	return k, nil
}

// findAPIKey finds the key whose column (id or token_hash, never caller
// input) equals value.
func findAPIKey(ctx context.Context, tx *sql.Tx, column, value string) (identity.APIKey, error) {
	k, err := scanAPIKey(tx.QueryRowContext(ctx,
		`SELECT `+apiKeyColumns+` FROM api_keys WHERE `+column+` = ?`, value))
	if err != nil {
		return identity.APIKey{}, dbError("finding API key by "+column, err, nil)
	}
	return k, nil
}

func updateAPIKey(ctx context.Context, tx *sql.Tx, id identity.APIKeyID, fn func(*identity.APIKey) error) (identity.APIKey, error) {
	op := "updating API key " + string(id)
	old, err := findAPIKey(ctx, tx, "id", string(id))
	if err != nil {
		return identity.APIKey{}, err
	}
	k := old
	if err := fn(&k); err != nil {
		return identity.APIKey{}, err
	}
	k.ID, k.CreatedAt = old.ID, old.CreatedAt
	k.RevokedAt, k.LastUsedAt = storedTime(k.RevokedAt), storedTime(k.LastUsedAt)
	res, err := tx.ExecContext(ctx, `UPDATE api_keys SET
		name = ?, role = ?, token_hash = ?, created_by = ?, revoked_at = ?, last_used_at = ?
		WHERE id = ?`,
		k.Name, string(k.Role), k.TokenHash, k.CreatedBy, nullTime(k.RevokedAt), nullTime(k.LastUsedAt),
		string(id))
	n, err := rowsAffected(op, res, err, nil)
	if err != nil {
		return identity.APIKey{}, err
	}
	if n == 0 {
		return identity.APIKey{}, fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	return k, nil
}
