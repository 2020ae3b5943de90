package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/storage"
)

type idempotencyRepo struct{ t *txn }

// Begin stores rec as in flight. ErrAlreadyExists when the primary key
// (scope, key) is taken.
func (s idempotencyRepo) Begin(ctx context.Context, rec storage.IdempotencyRecord) error {
	const op = "beginning idempotency record"
	if err := s.t.writable(op); err != nil {
		return err
	}
	_, err := s.t.tx.Exec(ctx, `INSERT INTO idempotency_keys (`+idempotencyColumns+`)
		VALUES ($1, $2, $3, $4, 0, '', '', NULL, '', $5, $6)`,
		rec.Scope, rec.Key, rec.Fingerprint, string(storage.IdempotencyInFlight), rec.CreatedAt, rec.ExpiresAt)
	return s.t.fail(op, err, nil)
}

// Get returns the record of scope and key, or ErrNotFound.
func (s idempotencyRepo) Get(ctx context.Context, scope, key string) (storage.IdempotencyRecord, error) {
	rec, err := scanIdempotency(s.t.tx.QueryRow(ctx,
		`SELECT `+idempotencyColumns+` FROM idempotency_keys WHERE scope = $1 AND key = $2`, scope, key))
	if err != nil {
		return storage.IdempotencyRecord{}, s.t.fail("getting idempotency record", err, nil)
	}
	return rec, nil
}

// Complete stores the answer of an in-flight record. ErrNotFound, ErrConflict
// (done already).
func (s idempotencyRepo) Complete(ctx context.Context, scope, key string, resp storage.IdempotencyResponse) error {
	const op = "completing idempotency record"
	if err := s.t.writable(op); err != nil {
		return err
	}
	var body []byte
	if len(resp.Body) > 0 {
		body = resp.Body
	}
	n, err := execCount(ctx, s.t, op, `UPDATE idempotency_keys SET
		state = $1, status = $2, content_type = $3, etag = $4, body = $5, object_id = $6
		WHERE scope = $7 AND key = $8 AND state = $9`, nil,
		string(storage.IdempotencyDone), resp.Status, resp.ContentType, resp.ETag, body, resp.ObjectID,
		scope, key, string(storage.IdempotencyInFlight))
	if err != nil || n == 1 {
		return err
	}
	if _, err := s.Get(ctx, scope, key); err != nil {
		return err
	}
	return fmt.Errorf("postgres: %s: not in flight: %w", op, storage.ErrConflict)
}

// Delete removes the record, or returns ErrNotFound.
func (s idempotencyRepo) Delete(ctx context.Context, scope, key string) error {
	const op = "deleting idempotency record"
	if err := s.t.writable(op); err != nil {
		return err
	}
	n, err := execCount(ctx, s.t, op, `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2`, nil, scope, key)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// DeleteExpired removes the records whose ExpiresAt is at or before before.
func (s idempotencyRepo) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired idempotency records"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	return execCount(ctx, s.t, op, `DELETE FROM idempotency_keys WHERE expires_at <= $1`, nil, before)
}

const idempotencyColumns = `scope, key, fingerprint, state, status, content_type, etag, body, object_id, created_at, expires_at`

func scanIdempotency(s scanner) (storage.IdempotencyRecord, error) {
	var rec storage.IdempotencyRecord
	err := s.Scan(&rec.Scope, &rec.Key, &rec.Fingerprint, &rec.State, &rec.Response.Status,
		&rec.Response.ContentType, &rec.Response.ETag, &rec.Response.Body, &rec.Response.ObjectID,
		&rec.CreatedAt, &rec.ExpiresAt)
	if err != nil {
		return storage.IdempotencyRecord{}, err
	}
	if len(rec.Response.Body) == 0 {
		rec.Response.Body = nil
	}
	return rec, nil
}
