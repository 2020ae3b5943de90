package portal_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage"
)

// TestPasswordHashingCost checks the cost a portal hashes passwords with:
// identity.DefaultArgon2, the production parameters, when Config.Argon2 is
// unset, and portaltest.FastArgon2, the cheap parameters of tests, only
// when a test sets it (portaltest.New does).
func TestPasswordHashingCost(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		set, want identity.Argon2Params
	}{
		{"unset: production", identity.Argon2Params{}, identity.DefaultArgon2},
		{"portaltest", portaltest.FastArgon2, portaltest.FastArgon2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			store := newSQLiteStore(t)
			rec := &portaltest.Recorder{}
			p := portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) {
				c.Store, c.Mailer, c.Argon2 = store, rec, tc.set
			})
			owner := portaltest.Owner(t.Context())
			c, err := p.CreateCustomer(owner, portal.CreateCustomerParams{Name: "Acme"})
			require.NoError(t, err)
			_, err = p.Invite(owner, c.ID, portal.InviteParams{Email: "ada@acme.example", Role: customer.RoleAdmin})
			require.NoError(t, err)
			m, ok := rec.Last("ada@acme.example")
			require.True(t, ok, "the invitation")
			in, err := p.AcceptInvitation(t.Context(), m.Token, portal.AcceptInvitationParams{Name: "Ada", Password: goodPassword})
			require.NoError(t, err)

			var pw identity.Password
			require.NoError(t, store.ReadTx(t.Context(), func(r storage.Repos) error {
				pw, err = r.Passwords().Get(t.Context(), in.User.ID)
				return err
			}))
			var got identity.Argon2Params
			var version int
			_, err = fmt.Sscanf(pw.Hash, "$argon2id$v=%d$m=%d,t=%d,p=%d$", &version, &got.Memory, &got.Time, &got.Threads)
			require.NoError(t, err, "hash %q", pw.Hash)
			assert.Equal(t, tc.want, got)
		})
	}
}
