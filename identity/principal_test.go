package identity_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
)

func TestStaffRoleValid(t *testing.T) {
	tests := []struct {
		role identity.StaffRole
		want bool
	}{
		{identity.StaffOwner, true},
		{identity.StaffAdmin, true},
		{identity.StaffAgent, true},
		{"", false},
		{"Owner", false},
		{"viewer", false},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			assert.Equal(t, tt.want, tt.role.Valid())
		})
	}
}

func TestPrincipalConstructors(t *testing.T) {
	m := customer.Membership{ID: "mem_1", UserID: "usr_1", CustomerID: "cus_1", Role: "admin"}
	tests := []struct {
		name     string
		p        identity.Principal
		want     identity.Principal
		actor    string
		provider bool
	}{
		{
			name:     "staff",
			p:        identity.Staff("stf_1", identity.StaffAdmin),
			want:     identity.Principal{Kind: identity.KindStaff, ID: "stf_1", StaffRole: identity.StaffAdmin},
			actor:    "staff:stf_1",
			provider: true,
		},
		{
			name:     "api key",
			p:        identity.APIKeyPrincipal("key_1", identity.StaffAgent),
			want:     identity.Principal{Kind: identity.KindAPIKey, ID: "key_1", StaffRole: identity.StaffAgent},
			actor:    "api_key:key_1",
			provider: true,
		},
		{
			name:     "user",
			p:        identity.User(m),
			want:     identity.Principal{Kind: identity.KindUser, ID: "usr_1", MembershipID: "mem_1", CustomerID: "cus_1"},
			actor:    "user:usr_1",
			provider: false,
		},
		{
			name:     "staff with an unknown role",
			p:        identity.Staff("stf_2", "root"),
			want:     identity.Principal{Kind: identity.KindStaff, ID: "stf_2", StaffRole: "root"},
			actor:    "staff:stf_2",
			provider: false,
		},
		{
			name:     "api key without a role",
			p:        identity.APIKeyPrincipal("key_2", ""),
			want:     identity.Principal{Kind: identity.KindAPIKey, ID: "key_2"},
			actor:    "api_key:key_2",
			provider: false,
		},
		{
			name:     "user carrying a staff role",
			p:        identity.Principal{Kind: identity.KindUser, ID: "usr_2", StaffRole: identity.StaffOwner},
			want:     identity.Principal{Kind: identity.KindUser, ID: "usr_2", StaffRole: identity.StaffOwner},
			actor:    "user:usr_2",
			provider: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.p)
			assert.Equal(t, tt.actor, tt.p.Actor())
			assert.Equal(t, tt.provider, tt.p.IsProvider())
		})
	}
}

func TestContextCarriesPrincipal(t *testing.T) {
	_, ok := identity.FromContext(t.Context())
	assert.False(t, ok, "a bare context carries no principal")

	_, ok = identity.FromContext(identity.NewContext(t.Context(), identity.Principal{}))
	assert.False(t, ok, "a zero principal is no principal")

	want := identity.Staff("stf_1", identity.StaffOwner)
	ctx := identity.NewContext(t.Context(), want)
	got, ok := identity.FromContext(ctx)
	require.True(t, ok)
	assert.Equal(t, want, got)

	inner := identity.APIKeyPrincipal("key_1", identity.StaffAgent)
	got, ok = identity.FromContext(identity.NewContext(ctx, inner))
	require.True(t, ok)
	assert.Equal(t, inner, got, "the innermost principal wins")

	got, ok = identity.FromContext(ctx)
	require.True(t, ok)
	assert.Equal(t, want, got, "the outer context is unchanged")
}

func TestAuthenticatorFunc(t *testing.T) {
	type ctxKey struct{}
	errNo := errors.New("no such token")
	want := identity.Staff("stf_1", identity.StaffOwner)
	var auth identity.Authenticator = identity.AuthenticatorFunc(func(ctx context.Context, token string) (identity.Principal, error) {
		if ctx.Value(ctxKey{}) != "marker" {
			return identity.Principal{}, errors.New("context not passed through")
		}
		if token != "ps_good" {
			return identity.Principal{}, errNo
		}
		return want, nil
	})
	ctx := context.WithValue(t.Context(), ctxKey{}, "marker")

	got, err := auth.Authenticate(ctx, "ps_good")
	require.NoError(t, err)
	assert.Equal(t, want, got)

	_, err = auth.Authenticate(ctx, "ps_bad")
	assert.ErrorIs(t, err, errNo)
}

func TestSessionExpired(t *testing.T) {
	seen := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	s := identity.Session{LastSeenAt: seen, ExpiresAt: seen.Add(24 * time.Hour)}
	const idle = 30 * time.Minute
	tests := []struct {
		name string
		now  time.Time
		idle time.Duration
		want bool
	}{
		{"just used", seen, idle, false},
		{"just before the idle timeout", seen.Add(idle - time.Nanosecond), idle, false},
		{"at the idle timeout", seen.Add(idle), idle, true},
		{"after the idle timeout", seen.Add(time.Hour), idle, true},
		{"no idle timeout", seen.Add(23 * time.Hour), 0, false},
		{"just before the absolute end", seen.Add(24*time.Hour - time.Nanosecond), 0, false},
		{"at the absolute end", seen.Add(24 * time.Hour), 0, true},
		{"at the absolute end, idle timeout not reached", seen.Add(24 * time.Hour), 48 * time.Hour, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, s.Expired(tt.now, tt.idle))
		})
	}
}

func TestSessionPrincipal(t *testing.T) {
	s := identity.Session{
		ID:           "ses_1",
		TokenHash:    "ab12",
		UserID:       "usr_1",
		MembershipID: "mem_1",
		CustomerID:   "cus_1",
		Method:       identity.MethodAccessLink,
		AccessLinkID: "acl_1",
		ReadOnly:     true,
	}
	want := identity.Principal{
		Kind:         identity.KindUser,
		ID:           "usr_1",
		MembershipID: "mem_1",
		CustomerID:   "cus_1",
		ReadOnly:     true,
		SessionID:    "ses_1",
		Method:       identity.MethodAccessLink,
	}
	p := s.Principal()
	assert.Equal(t, want, p)
	assert.Equal(t, "user:usr_1", p.Actor())
	assert.False(t, p.IsProvider())
}

func TestAPIKey(t *testing.T) {
	revoked := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		key    identity.APIKey
		active bool
	}{
		{"active", identity.APIKey{ID: "key_1", Role: identity.StaffAdmin}, true},
		{"used, not revoked", identity.APIKey{ID: "key_1", Role: identity.StaffAdmin, LastUsedAt: revoked}, true},
		{"revoked", identity.APIKey{ID: "key_1", Role: identity.StaffAdmin, RevokedAt: revoked}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.active, tt.key.Active())
			p := tt.key.Principal()
			assert.Equal(t, identity.APIKeyPrincipal("key_1", identity.StaffAdmin), p)
			assert.Equal(t, "api_key:key_1", p.Actor())
		})
	}
}
