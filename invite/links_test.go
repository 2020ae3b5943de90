package invite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/invite"
)

func TestAccessLinkUsable(t *testing.T) {
	expires := now.Add(invite.DefaultAccessLinkTTL)
	tests := []struct {
		name string
		link invite.AccessLink
		now  time.Time
		want bool
	}{
		{"fresh", invite.AccessLink{ExpiresAt: expires}, now, true},
		{"just before expiry", invite.AccessLink{ExpiresAt: expires}, expires.Add(-time.Nanosecond), true},
		{"at expiry", invite.AccessLink{ExpiresAt: expires}, expires, false},
		{"after expiry", invite.AccessLink{ExpiresAt: expires}, expires.Add(time.Hour), false},
		{"no expiry set", invite.AccessLink{}, now, false},
		{"disabled", invite.AccessLink{ExpiresAt: expires, DisabledAt: now}, now, false},
		{"disabled, whatever the time", invite.AccessLink{ExpiresAt: expires, DisabledAt: now.Add(time.Hour)}, now, false},
		{"disabled and expired", invite.AccessLink{ExpiresAt: now, DisabledAt: now}, expires, false},
		{"read-only", invite.AccessLink{ExpiresAt: expires, ReadOnly: true}, now, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.link.Usable(tt.now))
		})
	}
}

func TestLoginLinkUsable(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		link invite.LoginLink
		want bool
	}{
		{"fresh", invite.LoginLink{ExpiresAt: now.Add(time.Minute)}, true},
		{"at expiry", invite.LoginLink{ExpiresAt: now}, false},
		{"expired", invite.LoginLink{ExpiresAt: now.Add(-time.Second)}, false},
		{"used", invite.LoginLink{ExpiresAt: now.Add(time.Minute), UsedAt: now.Add(-time.Second)}, false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.link.Usable(now), tt.name)
	}
}
