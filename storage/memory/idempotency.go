package memory

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/storage"
)

// idempotencyKey is a record's unique key, as the primary key of a table
// would make it.
type idempotencyKey struct {
	scope, key string
}

type idempotencyRepo struct{ t *tx }

func (r idempotencyRepo) Begin(_ context.Context, rec storage.IdempotencyRecord) error {
	if err := r.t.writable("beginning idempotency record"); err != nil {
		return err
	}
	k := idempotencyKey{rec.Scope, rec.Key}
	if _, ok := r.t.s.idempotency[k]; ok {
		return fmt.Errorf("memory: beginning idempotency record: %w", storage.ErrAlreadyExists)
	}
	rec.State = storage.IdempotencyInFlight
	rec.Response = storage.IdempotencyResponse{}
	put(r.t, r.t.s.idempotency, k, cloneIdempotency(rec))
	return nil
}

func (r idempotencyRepo) Get(_ context.Context, scope, key string) (storage.IdempotencyRecord, error) {
	rec, ok := r.t.s.idempotency[idempotencyKey{scope, key}]
	if !ok {
		return storage.IdempotencyRecord{}, fmt.Errorf("memory: getting idempotency record: %w", storage.ErrNotFound)
	}
	return cloneIdempotency(rec), nil
}

func (r idempotencyRepo) Complete(_ context.Context, scope, key string, resp storage.IdempotencyResponse) error {
	const op = "completing idempotency record"
	if err := r.t.writable(op); err != nil {
		return err
	}
	k := idempotencyKey{scope, key}
	rec, ok := r.t.s.idempotency[k]
	switch {
	case !ok:
		return fmt.Errorf("memory: %s: %w", op, storage.ErrNotFound)
	case rec.State != storage.IdempotencyInFlight:
		return fmt.Errorf("memory: %s: not in flight: %w", op, storage.ErrConflict)
	}
	rec.State = storage.IdempotencyDone
	rec.Response = resp
	put(r.t, r.t.s.idempotency, k, cloneIdempotency(rec))
	return nil
}

func (r idempotencyRepo) Delete(_ context.Context, scope, key string) error {
	const op = "deleting idempotency record"
	if err := r.t.writable(op); err != nil {
		return err
	}
	k := idempotencyKey{scope, key}
	if _, ok := r.t.s.idempotency[k]; !ok {
		return fmt.Errorf("memory: %s: %w", op, storage.ErrNotFound)
	}
	remove(r.t, r.t.s.idempotency, k)
	return nil
}

func (r idempotencyRepo) DeleteExpired(_ context.Context, before time.Time) (int, error) {
	if err := r.t.writable("deleting expired idempotency records"); err != nil {
		return 0, err
	}
	n := 0
	for k, rec := range r.t.s.idempotency {
		if !rec.ExpiresAt.After(before) {
			remove(r.t, r.t.s.idempotency, k)
			n++
		}
	}
	return n, nil
}

// cloneIdempotency returns a copy of rec that shares no memory with it,
// with times in UTC and an empty body as nil.
func cloneIdempotency(rec storage.IdempotencyRecord) storage.IdempotencyRecord {
	rec.CreatedAt = rec.CreatedAt.UTC()
	rec.ExpiresAt = rec.ExpiresAt.UTC()
	if len(rec.Response.Body) == 0 {
		rec.Response.Body = nil
	} else {
		rec.Response.Body = bytes.Clone(rec.Response.Body)
	}
	return rec
}
