package storage

import (
	"context"
	"time"
)

// AttemptCounter counts attempts per key in windows of time, in the
// database, so that every process on it counts together: rate limits
// built on it (portal.StoreRateLimiter) hold however many server replicas
// share the database. The SQL store (storage/sqlstore) implements it on
// both engines; a backend may leave it out, and storagetest then skips its
// tests.
//
// A key's window starts at the first attempt counted in it and lasts the
// window given then; the first attempt at or after its end starts the
// next. Times come from the caller, so processes whose clocks disagree
// stretch or shorten a window by the difference.
type AttemptCounter interface {
	// CountAttempt counts one attempt at key at now and returns how many
	// the key's current window holds with it, and when that window ends.
	// When the key has no window, or its window ended at or before now, a
	// new one of length window starts at now and holds this attempt only.
	// Each attempt is counted once, however many are counted concurrently,
	// by however many processes: no two calls in one window get the same
	// count. window must be positive.
	CountAttempt(ctx context.Context, key string, window time.Duration, now time.Time) (attempts int, ends time.Time, err error)
	// DeleteEndedWindows deletes the windows that ended at or before now,
	// and returns how many it deleted. The next attempt at such a key
	// starts a new window, as it would have anyway.
	DeleteEndedWindows(ctx context.Context, now time.Time) (int, error)
}
