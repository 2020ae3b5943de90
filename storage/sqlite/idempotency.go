package sqlite

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/storage"
)

type idempotencyRepo struct{ r *repos }

// Begin stores rec as in flight. ErrAlreadyExists when the primary key
// (scope, key) is taken.
func (s idempotencyRepo) Begin(ctx context.Context, rec storage.IdempotencyRecord) error {
	const op = "beginning idempotency record"
	if err := s.r.writable(op); err != nil {
		return err
	}
	_, err := s.r.tx.ExecContext(ctx,
		`INSERT INTO idempotency_keys (`+idempotencyColumns+`) VALUES (?, ?, ?, ?, 0, '', '', NULL, '', ?, ?)`,
		rec.Scope, rec.Key, rec.Fingerprint, string(storage.IdempotencyInFlight),
		formatTime(rec.CreatedAt), formatTime(rec.ExpiresAt))
	return dbError(op, err, nil)
}

// Get returns the record of scope and key, or ErrNotFound.
func (s idempotencyRepo) Get(ctx context.Context, scope, key string) (storage.IdempotencyRecord, error) {
	rec, err := scanIdempotency(s.r.tx.QueryRowContext(ctx,
		`SELECT `+idempotencyColumns+` FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key))
	if err != nil {
		return storage.IdempotencyRecord{}, dbError("getting idempotency record", err, nil)
	}
	return rec, nil
}

// Complete stores the answer of an in-flight record. ErrNotFound, ErrConflict
// (done already).
func (s idempotencyRepo) Complete(ctx context.Context, scope, key string, resp storage.IdempotencyResponse) error {
	const op = "completing idempotency record"
	if err := s.r.writable(op); err != nil {
		return err
	}
	var body any
	if len(resp.Body) > 0 {
		body = resp.Body
	}
	res, err := s.r.tx.ExecContext(ctx, `UPDATE idempotency_keys SET
		state = ?, status = ?, content_type = ?, etag = ?, body = ?, object_id = ?
		WHERE scope = ? AND key = ? AND state = ?`,
		string(storage.IdempotencyDone), resp.Status, resp.ContentType, resp.ETag, body, resp.ObjectID,
		scope, key, string(storage.IdempotencyInFlight))
	n, err := rowsAffected(op, res, err, nil)
	if err != nil || n == 1 {
		return err
	}
	if _, err := s.Get(ctx, scope, key); err != nil {
		return err
	}
	return fmt.Errorf("sqlite: %s: not in flight: %w", op, storage.ErrConflict)
}

// Delete removes the record, or returns ErrNotFound.
func (s idempotencyRepo) Delete(ctx context.Context, scope, key string) error {
	const op = "deleting idempotency record"
	if err := s.r.writable(op); err != nil {
		return err
	}
	res, err := s.r.tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE scope = ? AND key = ?`, scope, key)
	n, err := rowsAffected(op, res, err, nil)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// DeleteExpired removes the records whose ExpiresAt is at or before before.
func (s idempotencyRepo) DeleteExpired(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired idempotency records"
	if err := s.r.writable(op); err != nil {
		return 0, err
	}
	res, err := s.r.tx.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE expires_at <= ?`, formatTime(before))
	return rowsAffected(op, res, err, nil)
}

const idempotencyColumns = `scope, key, fingerprint, state, status, content_type, etag, body, object_id, created_at, expires_at`

func scanIdempotency(s scanner) (storage.IdempotencyRecord, error) {
	var (
		rec              storage.IdempotencyRecord
		created, expires string
	)
	err := s.Scan(&rec.Scope, &rec.Key, &rec.Fingerprint, &rec.State, &rec.Response.Status,
		&rec.Response.ContentType, &rec.Response.ETag, &rec.Response.Body, &rec.Response.ObjectID,
		&created, &expires)
	if err != nil {
		return storage.IdempotencyRecord{}, err
	}
	if len(rec.Response.Body) == 0 {
		rec.Response.Body = nil
	}
	if rec.CreatedAt, err = parseTime(created); err != nil {
		return storage.IdempotencyRecord{}, err
	}
	if rec.ExpiresAt, err = parseTime(expires); err != nil {
		return storage.IdempotencyRecord{}, err
	}
	return rec, nil
}
