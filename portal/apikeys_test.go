package portal_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

func TestBootstrap(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		b, err := s.p.Bootstrap(t.Context(), portal.BootstrapParams{})
		require.NoError(t, err)
		assert.Empty(t, b.Owner.ID, "no owner e-mail, no staff member")
		token := b.APIKey
		require.True(t, invite.HasPrefix(token, invite.PrefixAPIKey), "token %q", token)

		who, err := s.p.Authenticate(t.Context(), token)
		require.NoError(t, err)
		assert.Equal(t, identity.KindAPIKey, who.Kind)
		assert.Equal(t, identity.StaffOwner, who.StaffRole)
		ctx := identity.NewContext(t.Context(), who)
		_, err = s.p.CreateCustomer(ctx, portal.CreateCustomerParams{Name: "Acme"})
		assert.NoError(t, err, "the bootstrap key acts as owner")
		keys, err := s.p.ListAPIKeys(ctx, portal.ListAPIKeysParams{})
		require.NoError(t, err)
		require.Len(t, keys.Items, 1)
		assert.Equal(t, "system:bootstrap", keys.Items[0].CreatedBy)
		assert.Equal(t, identity.APIKeyID(who.ID), keys.Items[0].ID)

		again, err := s.p.Bootstrap(t.Context(), portal.BootstrapParams{})
		require.NoError(t, err)
		assert.Empty(t, again, "a store with a key is not bootstrapped again")

		_, err = s.p.RevokeAPIKey(ctx, keys.Items[0].ID)
		require.NoError(t, err)
		again, err = s.p.Bootstrap(t.Context(), portal.BootstrapParams{})
		require.NoError(t, err)
		assert.Empty(t, again, "nor one whose keys are all revoked")
		keys, err = s.p.ListAPIKeys(s.owner, portal.ListAPIKeysParams{})
		require.NoError(t, err)
		assert.Len(t, keys.Items, 1)
	})
}

func TestCreateAPIKey(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		tokens := map[identity.StaffRole]string{}
		for _, role := range []identity.StaffRole{identity.StaffOwner, identity.StaffAdmin, identity.StaffAgent} {
			sec, err := s.p.CreateAPIKey(s.owner, portal.CreateAPIKeyParams{Name: " ERP " + string(role) + " ", Role: role})
			require.NoError(t, err, role)
			assert.Equal(t, "ERP "+string(role), sec.Key.Name)
			assert.Equal(t, "staff:stf_owner", sec.Key.CreatedBy)
			assert.Equal(t, string(invite.HashToken(sec.Token)), sec.Key.TokenHash)
			who, err := s.p.Authenticate(t.Context(), sec.Token)
			require.NoError(t, err, role)
			assert.Equal(t, identity.APIKeyPrincipal(string(sec.Key.ID), role), who)
			tokens[role] = sec.Token

			events := s.auditOf(t, string(sec.Key.ID))
			require.Len(t, events, 1)
			assert.Equal(t, "api_key.created", events[0].Action)
			assert.Equal(t, "staff:stf_owner", events[0].Actor)
		}

		c := s.createCustomer(t, "Acme")
		member := s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		for name, ctx := range map[string]context.Context{
			"staff admin":   portaltest.As(t.Context(), identity.Staff("stf_admin", identity.StaffAdmin)),
			"staff agent":   portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent)),
			"admin API key": s.authed(t, tokens[identity.StaffAdmin]),
			"customer user": as(t, member),
		} {
			_, err := s.p.CreateAPIKey(ctx, portal.CreateAPIKeyParams{Name: "sneaky", Role: identity.StaffOwner})
			assertCode(t, portalerr.PermissionDenied, err, name)
			_, err = s.p.ListAPIKeys(ctx, portal.ListAPIKeysParams{})
			assertCode(t, portalerr.PermissionDenied, err, name)
		}
		owner := s.authed(t, tokens[identity.StaffOwner])
		_, err := s.p.CreateAPIKey(owner, portal.CreateAPIKeyParams{Name: "by key", Role: identity.StaffAgent})
		assert.NoError(t, err, "an owner API key may create keys")

		_, err = s.p.CreateAPIKey(s.owner, portal.CreateAPIKeyParams{Name: " ", Role: "root"})
		assertCode(t, portalerr.Invalid, err)
		assert.ElementsMatch(t, []string{"name", "role"}, fieldsOf(err))

		keys, err := s.p.ListAPIKeys(s.owner, portal.ListAPIKeysParams{})
		require.NoError(t, err)
		require.Len(t, keys.Items, 4, "refused creations wrote nothing")
		listed := fmt.Sprintf("%+v", keys.Items)
		for role, token := range tokens {
			assert.NotContains(t, listed, token, "the list holds no secret (%s)", role)
		}
		for _, k := range keys.Items {
			assert.Len(t, k.TokenHash, 64, "a hex SHA-256")
			assert.False(t, invite.HasPrefix(k.TokenHash, invite.PrefixAPIKey))
		}
	})
}

func TestRevokeAPIKey(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		sec, err := s.p.CreateAPIKey(s.owner, portal.CreateAPIKeyParams{Name: "ERP", Role: identity.StaffAdmin})
		require.NoError(t, err)
		keep, err := s.p.CreateAPIKey(s.owner, portal.CreateAPIKeyParams{Name: "BI", Role: identity.StaffAgent})
		require.NoError(t, err)

		s.clock.Advance(2 * time.Minute)
		_, err = s.p.Authenticate(t.Context(), sec.Token)
		require.NoError(t, err)
		keys, err := s.p.ListAPIKeys(s.owner, portal.ListAPIKeysParams{})
		require.NoError(t, err)
		require.Len(t, keys.Items, 2)
		assert.Equal(t, s.clock.Now(), keys.Items[0].LastUsedAt, "use is recorded")

		revoked, err := s.p.RevokeAPIKey(s.owner, sec.Key.ID)
		require.NoError(t, err)
		assert.Equal(t, s.clock.Now(), revoked.RevokedAt)
		s.assertUnauthenticated(t, sec.Token, "a revoked key")
		_, err = s.p.Authenticate(t.Context(), keep.Token)
		assert.NoError(t, err, "other keys stay")

		s.clock.Advance(time.Hour)
		again, err := s.p.RevokeAPIKey(s.owner, sec.Key.ID)
		require.NoError(t, err, "revoking twice changes nothing")
		assert.Equal(t, revoked.RevokedAt, again.RevokedAt)
		s.assertUnauthenticated(t, sec.Token)

		_, err = s.p.RevokeAPIKey(s.owner, "key_missing")
		assertCode(t, portalerr.NotFound, err)
		_, err = s.p.RevokeAPIKey(portaltest.As(t.Context(), identity.Staff("stf_admin", identity.StaffAdmin)), keep.Key.ID)
		assertCode(t, portalerr.PermissionDenied, err)
		_, err = s.p.Authenticate(t.Context(), keep.Token)
		assert.NoError(t, err)

		var actions []string
		for _, e := range s.auditOf(t, string(sec.Key.ID)) {
			actions = append(actions, e.Action)
		}
		require.GreaterOrEqual(t, len(actions), 2)
		assert.Equal(t, []string{"api_key.created", "api_key.revoked"}, actions[:2])
		assert.NotContains(t, actions[2:], "api_key.created")

		unknown, _ := invite.NewToken(invite.PrefixAPIKey)
		for _, tok := range []string{unknown, "", "pk_", "Bearer " + keep.Token, sec.Key.TokenHash} {
			s.assertUnauthenticated(t, tok, "token %q", tok)
		}
	})
}
