package portal

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"sync"
	"time"

	"github.com/portalkit/portalkit/storage"
)

// Limit allows N attempts per Window.
type Limit struct {
	N      int
	Window time.Duration
}

// RateLimiter counts attempts per key. Allow records one attempt at now and
// reports whether it is within limit, and if not, how long until it would
// be. A limit with N or Window not positive allows everything.
//
// An error means the attempt could not be counted. The portal then refuses
// the attempt with that error (an internal error, unless it carries a
// portalerr code), rather than let it through uncounted: it fails closed.
// The limits guard against guessing passwords and flooding inboxes, so an
// outage of the limiter, which an attacker might cause by the very load of
// the attack, must not lift them; and the attempts it refuses need the
// database too, so little is lost that would otherwise have worked.
type RateLimiter interface {
	Allow(ctx context.Context, key string, limit Limit, now time.Time) (ok bool, retryAfter time.Duration, err error)
}

// MemoryRateLimiter is a fixed-window RateLimiter held in the process: with
// several server replicas each counts on its own, so each allows the whole
// limit. The zero value is ready. Its Allow never fails.
type MemoryRateLimiter struct {
	mu      sync.Mutex
	windows map[string]window
	sweep   time.Time
}

type window struct {
	start time.Time
	span  time.Duration
	n     int
}

// Allow implements RateLimiter.
func (m *MemoryRateLimiter) Allow(_ context.Context, key string, limit Limit, now time.Time) (bool, time.Duration, error) {
	if limit.N <= 0 || limit.Window <= 0 {
		return true, 0, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.windows == nil {
		m.windows = make(map[string]window)
	}
	// Forget finished windows now and then, so the map stays small.
	if now.Sub(m.sweep) > limit.Window {
		for k, w := range m.windows {
			if now.Sub(w.start) >= w.span {
				delete(m.windows, k)
			}
		}
		m.sweep = now
	}
	w := m.windows[key]
	if now.Sub(w.start) >= limit.Window {
		w = window{start: now, span: limit.Window}
	}
	if w.n >= limit.N {
		return false, w.start.Add(limit.Window).Sub(now), nil
	}
	w.n++
	m.windows[key] = w
	return true, 0, nil
}

// StoreRateLimiter is a fixed-window RateLimiter that counts in the
// database, through a storage.AttemptCounter (the SQL store is one, on
// SQLite and PostgreSQL): every process on the database counts together,
// so with several server replicas the limits hold for all of them
// together, not for each. Each attempt costs one small write statement; on
// SQLite, which one process serves, MemoryRateLimiter costs nothing and
// counts the same.
//
// Keys are stored as their SHA-256 hashes, so the database does not keep
// the e-mail and network addresses that were tried. A window starts at
// its first attempt; the attempts it refuses count too, without moving
// its end. PurgeExpired deletes the windows that ended. Allow fails when
// the database does, and the portal then refuses the attempt (see
// RateLimiter).
type StoreRateLimiter struct {
	counter storage.AttemptCounter
}

// NewStoreRateLimiter returns a StoreRateLimiter that counts through c.
func NewStoreRateLimiter(c storage.AttemptCounter) *StoreRateLimiter {
	return &StoreRateLimiter{counter: c}
}

// Allow implements RateLimiter.
func (l *StoreRateLimiter) Allow(ctx context.Context, key string, limit Limit, now time.Time) (bool, time.Duration, error) {
	if limit.N <= 0 || limit.Window <= 0 {
		return true, 0, nil
	}
	sum := sha256.Sum256([]byte(key))
	n, ends, err := l.counter.CountAttempt(ctx, hex.EncodeToString(sum[:]), limit.Window, now)
	if err != nil {
		return false, 0, err
	}
	if n > limit.N {
		return false, ends.Sub(now), nil
	}
	return true, 0, nil
}
