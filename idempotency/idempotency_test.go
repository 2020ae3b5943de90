package idempotency_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/idempotency"
)

func TestLive(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r := idempotency.Record{CreatedAt: now, ExpiresAt: now.Add(idempotency.TTL)}
	assert.True(t, r.Live(now))
	assert.True(t, r.Live(now.Add(idempotency.TTL-time.Nanosecond)))
	assert.False(t, r.Live(now.Add(idempotency.TTL)), "expired at ExpiresAt")
}
