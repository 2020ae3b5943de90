package storagetest

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
)

var attemptTests = []test{
	{"CountsInWindow", testAttemptsCountInWindow},
	{"NextWindow", testAttemptsNextWindow},
	{"KeysApart", testAttemptsKeysApart},
	{"DeleteEndedWindows", testAttemptsDeleteEnded},
	{"BadWindow", testAttemptsBadWindow},
	{"CanceledContext", testAttemptsCanceledContext},
}

var attemptConcurrencyTests = []test{
	{"CountedOnce", testAttemptsCountedOnce},
}

// attemptCounter returns s as a storage.AttemptCounter, or skips t when
// the backend does not count attempts.
func attemptCounter(t *testing.T, s storage.Store) storage.AttemptCounter {
	t.Helper()
	c, ok := s.(storage.AttemptCounter)
	if !ok {
		t.Skipf("%T is no storage.AttemptCounter", s)
	}
	return c
}

// attemptsAt is when the attempt tests start counting.
var attemptsAt = time.Date(2026, time.February, 2, 10, 0, 0, 0, time.UTC)

func countAttempt(t *testing.T, c storage.AttemptCounter, key string, window time.Duration, now time.Time) (int, time.Time) {
	t.Helper()
	n, ends, err := c.CountAttempt(t.Context(), key, window, now)
	require.NoError(t, err)
	return n, ends
}

// testAttemptsCountInWindow counts attempts through a window: one more
// each time, and the end stays where the first attempt put it.
func testAttemptsCountInWindow(t *testing.T, s storage.Store) {
	c := attemptCounter(t, s)
	start := attemptsAt.Add(123456 * time.Microsecond)
	want := start.Add(15 * time.Minute)
	for i := range 5 {
		n, ends := countAttempt(t, c, "signin:email:ada@acme.example", 15*time.Minute, start.Add(time.Duration(i)*time.Minute))
		assert.Equal(t, i+1, n, "attempt %d", i+1)
		assert.True(t, want.Equal(ends), "the window ends %v after its first attempt, not %v", want, ends)
		assert.Equal(t, time.UTC, ends.Location())
	}
	n, _ := countAttempt(t, c, "signin:email:ada@acme.example", 15*time.Minute, want.Add(-time.Microsecond))
	assert.Equal(t, 6, n, "the last microsecond is in the window")
}

// testAttemptsNextWindow counts at and after a window's end: a new window
// starts there, with its own end, even when the window asked for changes.
func testAttemptsNextWindow(t *testing.T, s storage.Store) {
	c := attemptCounter(t, s)
	countAttempt(t, c, "k", time.Minute, attemptsAt)
	countAttempt(t, c, "k", time.Minute, attemptsAt.Add(time.Second))
	n, ends := countAttempt(t, c, "k", time.Hour, attemptsAt.Add(time.Minute))
	assert.Equal(t, 1, n, "the window ended at its end: a new one")
	assert.True(t, attemptsAt.Add(time.Minute+time.Hour).Equal(ends), "the new window is as long as asked now: %v", ends)
	n, _ = countAttempt(t, c, "k", time.Minute, attemptsAt.Add(2*time.Minute))
	assert.Equal(t, 2, n, "a window keeps the end it started with")
}

// testAttemptsKeysApart counts keys that differ a little apart: case,
// prefixes and length make other keys.
func testAttemptsKeysApart(t *testing.T, s storage.Store) {
	c := attemptCounter(t, s)
	keys := []string{"signin:email:ada@acme.example", "signin:email:Ada@acme.example", "loginlink:email:ada@acme.example", "signin:email:ada@acme.exampl", "signin:client:10.0.0.1", "signin:client:10.0.0.1 ", "ключ"}
	for round := 1; round <= 2; round++ {
		for _, k := range keys {
			n, _ := countAttempt(t, c, k, time.Minute, attemptsAt)
			assert.Equal(t, round, n, "key %q, round %d", k, round)
		}
	}
}

// testAttemptsDeleteEnded deletes the windows that ended: only those, and
// an attempt at a deleted key starts a new window.
func testAttemptsDeleteEnded(t *testing.T, s storage.Store) {
	c := attemptCounter(t, s)
	countAttempt(t, c, "short", time.Minute, attemptsAt)
	countAttempt(t, c, "exact", 2*time.Minute, attemptsAt)
	countAttempt(t, c, "long", time.Hour, attemptsAt)
	countAttempt(t, c, "long", time.Hour, attemptsAt)

	n, err := c.DeleteEndedWindows(t.Context(), attemptsAt.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Equal(t, 2, n, "the window that ended before, and the one that ends then")
	n, err = c.DeleteEndedWindows(t.Context(), attemptsAt.Add(2*time.Minute))
	require.NoError(t, err)
	assert.Zero(t, n, "nothing left to delete")

	got, _ := countAttempt(t, c, "long", time.Hour, attemptsAt.Add(3*time.Minute))
	assert.Equal(t, 3, got, "a window still running is kept")
	got, ends := countAttempt(t, c, "short", time.Minute, attemptsAt.Add(3*time.Minute))
	assert.Equal(t, 1, got)
	assert.True(t, attemptsAt.Add(4*time.Minute).Equal(ends), "a new window: %v", ends)
}

func testAttemptsBadWindow(t *testing.T, s storage.Store) {
	c := attemptCounter(t, s)
	for _, w := range []time.Duration{0, -time.Second} {
		_, _, err := c.CountAttempt(t.Context(), "k", w, attemptsAt)
		assert.Error(t, err, "window %v", w)
	}
}

func testAttemptsCanceledContext(t *testing.T, s storage.Store) {
	c := attemptCounter(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, _, err := c.CountAttempt(ctx, "k", time.Minute, attemptsAt)
	assert.ErrorIs(t, err, context.Canceled)
	_, err = c.DeleteEndedWindows(ctx, attemptsAt)
	assert.ErrorIs(t, err, context.Canceled)
	n, _ := countAttempt(t, c, "k", time.Minute, attemptsAt)
	assert.Equal(t, 1, n, "the canceled attempt was not counted")
}

// testAttemptsCountedOnce counts 50 attempts at one key at once, as a burst
// of sign-ins spread over replicas does: each gets a count of its own, 1
// to 50, and all see one window.
func testAttemptsCountedOnce(t *testing.T, s storage.Store) {
	c := attemptCounter(t, s)
	const n = 50
	counts := make([]int, n)
	ends := make([]time.Time, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			counts[i], ends[i], errs[i] = c.CountAttempt(t.Context(), "signin:email:ada@acme.example", time.Minute, attemptsAt.Add(time.Duration(i)*time.Millisecond))
		})
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	slices.Sort(counts)
	for i, got := range counts {
		assert.Equal(t, i+1, got, "counts are 1 to %d, each once", n)
	}
	for _, e := range ends {
		assert.True(t, ends[0].Equal(e), "one window: %v and %v", ends[0], e)
	}
}
