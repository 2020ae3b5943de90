package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/idempotency"
)

// IdempotencyRepo stores idempotency records. It holds no rules about
// replays: the HTTP layer decides what a record means.
type IdempotencyRepo interface {
	// Begin stores rec as an in-flight record (rec.State and rec.Response
	// are ignored). ErrAlreadyExists when a record with the same Scope and
	// Key exists, expired or not: the unique key decides which of two
	// concurrent requests goes first.
	Begin(ctx context.Context, rec idempotency.Record) error
	// Get returns the record of scope and key, or ErrNotFound. Expired
	// records are returned until DeleteExpired removes them.
	Get(ctx context.Context, scope, key string) (idempotency.Record, error)
	// Complete stores the answer of an in-flight record and marks it done.
	// ErrNotFound when there is no such record; ErrConflict when it is done
	// already.
	Complete(ctx context.Context, scope, key string, resp idempotency.Response) error
	// Delete removes the record, so that the key can be used again (after a
	// request that failed on the server's side or was cancelled), or
	// returns ErrNotFound.
	Delete(ctx context.Context, scope, key string) error
	// DeleteExpired removes the records whose ExpiresAt is at or before
	// before, and returns how many.
	DeleteExpired(ctx context.Context, before time.Time) (int, error)
}
