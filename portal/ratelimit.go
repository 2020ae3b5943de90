package portal

import (
	"sync"
	"time"
)

// Limit allows N attempts per Window.
type Limit struct {
	N      int
	Window time.Duration
}

// RateLimiter counts attempts per key. Allow records one attempt at now and
// reports whether it is within limit, and if not, how long until it would be.
type RateLimiter interface {
	Allow(key string, limit Limit, now time.Time) (ok bool, retryAfter time.Duration)
}

// MemoryRateLimiter is a fixed-window RateLimiter held in the process: with
// several server replicas each counts on its own. The zero value is ready.
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
func (m *MemoryRateLimiter) Allow(key string, limit Limit, now time.Time) (bool, time.Duration) {
	if limit.N <= 0 || limit.Window <= 0 {
		return true, 0
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
		return false, w.start.Add(limit.Window).Sub(now)
	}
	w.n++
	m.windows[key] = w
	return true, 0
}
