package invite_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
)

// now is the tests' fixed clock.
var now = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func TestStateValid(t *testing.T) {
	tests := []struct {
		state invite.State
		want  bool
	}{
		{invite.StatePending, true},
		{invite.StateAccepted, true},
		{invite.StateRevoked, true},
		{invite.StateExpired, true},
		{"", false},
		{"Pending", false},
		{"used", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.state.Valid())
		})
	}
}

func TestInvitationState(t *testing.T) {
	expires := now.Add(time.Hour)
	tests := []struct {
		name string
		inv  invite.Invitation
		now  time.Time
		want invite.State
		code portalerr.Code // from CheckUsable; "" when usable
	}{
		{"pending", invite.Invitation{ExpiresAt: expires}, now, invite.StatePending, ""},
		{"just before expiry", invite.Invitation{ExpiresAt: expires}, expires.Add(-time.Nanosecond), invite.StatePending, ""},
		{"at expiry", invite.Invitation{ExpiresAt: expires}, expires, invite.StateExpired, portalerr.InvitationExpired},
		{"after expiry", invite.Invitation{ExpiresAt: expires}, expires.Add(time.Hour), invite.StateExpired, portalerr.InvitationExpired},
		{"no expiry set", invite.Invitation{}, now, invite.StateExpired, portalerr.InvitationExpired},
		{"accepted", invite.Invitation{ExpiresAt: expires, AcceptedAt: now}, now, invite.StateAccepted, portalerr.InvitationUsed},
		{"revoked", invite.Invitation{ExpiresAt: expires, RevokedAt: now}, now, invite.StateRevoked, portalerr.InvitationRevoked},
		{"accepted, then expired", invite.Invitation{ExpiresAt: expires, AcceptedAt: now}, expires.Add(time.Hour), invite.StateAccepted, portalerr.InvitationUsed},
		{"revoked, then expired", invite.Invitation{ExpiresAt: expires, RevokedAt: now}, expires.Add(time.Hour), invite.StateRevoked, portalerr.InvitationRevoked},
		{"accepted and revoked", invite.Invitation{ExpiresAt: expires, AcceptedAt: now, RevokedAt: now}, now, invite.StateAccepted, portalerr.InvitationUsed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.inv.State(tt.now))
			err := tt.inv.CheckUsable(tt.now)
			if tt.code == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Equal(t, tt.code, portalerr.CodeOf(err))
			assert.ErrorIs(t, err, &portalerr.Error{Code: tt.code})
		})
	}
}

func TestInvitationExpiredSaysWhen(t *testing.T) {
	inv := invite.Invitation{ExpiresAt: now}
	err := inv.CheckUsable(now.Add(time.Minute))
	require.Error(t, err)
	assert.Contains(t, portalerr.MessageOf(err), "2025-03-01T12:00:00Z")
}

func TestTTLs(t *testing.T) {
	type bounds struct{ def, lo, hi time.Duration }
	kinds := []struct {
		name string
		ttl  func(time.Duration) (time.Duration, error)
		b    bounds
	}{
		{"invitation", invite.TTL, bounds{7 * 24 * time.Hour, time.Hour, 30 * 24 * time.Hour}},
		{"access link", invite.AccessLinkTTL, bounds{183 * 24 * time.Hour, 24 * time.Hour, 366 * 24 * time.Hour}},
	}
	for _, k := range kinds {
		t.Run(k.name, func(t *testing.T) {
			tests := []struct {
				name string
				in   time.Duration
				want time.Duration
				ok   bool
			}{
				{"zero means the default", 0, k.b.def, true},
				{"the minimum", k.b.lo, k.b.lo, true},
				{"the maximum", k.b.hi, k.b.hi, true},
				{"in between", k.b.lo + time.Hour, k.b.lo + time.Hour, true},
				{"just under the minimum", k.b.lo - time.Nanosecond, 0, false},
				{"just over the maximum", k.b.hi + time.Nanosecond, 0, false},
				{"negative", -time.Hour, 0, false},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					got, err := k.ttl(tt.in)
					if tt.ok {
						require.NoError(t, err)
						assert.Equal(t, tt.want, got)
						return
					}
					require.Error(t, err)
					assert.Zero(t, got)
					assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
					fields := portalerr.FieldsOf(err)
					require.Len(t, fields, 1)
					assert.Equal(t, "expires_in", fields[0].Field)
				})
			}
		})
	}
}

// A default outside its bounds would be refused when asked for explicitly.
func TestDefaultTTLsWithinBounds(t *testing.T) {
	assert.True(t, invite.MinInvitationTTL <= invite.DefaultInvitationTTL && invite.DefaultInvitationTTL <= invite.MaxInvitationTTL)
	assert.True(t, invite.MinAccessLinkTTL <= invite.DefaultAccessLinkTTL && invite.DefaultAccessLinkTTL <= invite.MaxAccessLinkTTL)
}
