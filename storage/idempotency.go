package storage

import (
	"context"
	"time"
)

// IdempotencyTTL is how long an Idempotency-Key is remembered.
const IdempotencyTTL = 24 * time.Hour

// IdempotencyState says whether the request that first used a key has
// answered.
type IdempotencyState string

// The states of an idempotency record.
const (
	// IdempotencyInFlight: the first request is still running.
	IdempotencyInFlight IdempotencyState = "in_flight"
	// IdempotencyDone: the first request answered; Response holds the answer.
	IdempotencyDone IdempotencyState = "done"
)

// IdempotencyRecord remembers one use of an Idempotency-Key: which request
// used it and, once it answered, what it answered.
type IdempotencyRecord struct {
	// Scope is whose key it is (a principal's Actor): two callers' keys
	// never collide. Scope and Key are the record's unique key.
	Scope string
	Key   string
	// Fingerprint identifies the request (a hash of its method, route and
	// body), so a reuse with another request can be told apart.
	Fingerprint string
	State       IdempotencyState
	// Response is the first answer; zero while in flight.
	Response  IdempotencyResponse
	CreatedAt time.Time
	ExpiresAt time.Time
}

// IdempotencyResponse is an answer as kept for replay.
type IdempotencyResponse struct {
	Status      int
	ContentType string
	// ETag is the answer's ETag header, if any.
	ETag string
	// Body is the answer's body, nil when it had none or when it carried a
	// secret (a new API key's or access link's token), which is not kept.
	Body []byte
	// ObjectID names what the first request created when Body is not kept.
	ObjectID string
}

// IdempotencyRepo stores idempotency records. It holds no rules about
// replays: the HTTP layer decides what a record means.
type IdempotencyRepo interface {
	// Begin stores rec as an in-flight record (rec.State and rec.Response
	// are ignored). ErrAlreadyExists when a record with the same Scope and
	// Key exists, expired or not: the unique key decides which of two
	// concurrent requests goes first.
	Begin(ctx context.Context, rec IdempotencyRecord) error
	// Get returns the record of scope and key, or ErrNotFound. Expired
	// records are returned until DeleteExpired removes them.
	Get(ctx context.Context, scope, key string) (IdempotencyRecord, error)
	// Complete stores the answer of an in-flight record and marks it done.
	// ErrNotFound when there is no such record; ErrConflict when it is done
	// already.
	Complete(ctx context.Context, scope, key string, resp IdempotencyResponse) error
	// Delete removes the record, so that the key can be used again (after a
	// request that failed on the server's side or was cancelled), or
	// returns ErrNotFound.
	Delete(ctx context.Context, scope, key string) error
	// DeleteExpired removes the records whose ExpiresAt is at or before
	// before, and returns how many.
	DeleteExpired(ctx context.Context, before time.Time) (int, error)
}
