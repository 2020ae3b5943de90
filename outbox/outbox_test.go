package outbox_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/outbox"
)

func TestDue(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		m    outbox.Message
		want bool
	}{
		{"pending, due now", outbox.Message{Status: outbox.Pending, NextAttemptAt: now}, true},
		{"pending, due before", outbox.Message{Status: outbox.Pending, NextAttemptAt: now.Add(-time.Minute)}, true},
		{"pending, due later", outbox.Message{Status: outbox.Pending, NextAttemptAt: now.Add(time.Second)}, false},
		{"sending, lease ran out", outbox.Message{Status: outbox.Sending, ClaimedUntil: now}, true},
		{"sending, leased", outbox.Message{Status: outbox.Sending, ClaimedUntil: now.Add(time.Second)}, false},
		{"sent", outbox.Message{Status: outbox.Sent, NextAttemptAt: now.Add(-time.Hour)}, false},
		{"failed", outbox.Message{Status: outbox.Failed, NextAttemptAt: now.Add(-time.Hour)}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.m.Due(now), tt.name)
	}
}

func TestPayloadExpired(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	assert.True(t, outbox.Message{Status: outbox.Failed, ExpiresAt: now}.PayloadExpired(now))
	assert.False(t, outbox.Message{Status: outbox.Failed, ExpiresAt: now.Add(time.Second)}.PayloadExpired(now), "the link still works")
	assert.False(t, outbox.Message{Status: outbox.Failed}.PayloadExpired(now), "no credential")
	assert.False(t, outbox.Message{Status: outbox.Pending, ExpiresAt: now}.PayloadExpired(now), "still to be sent")
}

func TestHeldBy(t *testing.T) {
	m := outbox.Message{Status: outbox.Sending, Claims: 3}
	assert.True(t, m.HeldBy(3))
	assert.False(t, m.HeldBy(2), "an older claim")
	m.Status = outbox.Pending
	assert.False(t, m.HeldBy(3), "released")
}
