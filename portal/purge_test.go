package portal_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func TestPurgeExpiredIdempotencyKeys(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		now := s.p.Now()
		begin := func(key string, ttl time.Duration) {
			require.NoError(t, s.store.InTx(t.Context(), func(r storage.Repos) error {
				return r.Idempotency().Begin(t.Context(), idempotency.Record{
					Scope: "api_key:key_1", Key: key, Fingerprint: "f", CreatedAt: now, ExpiresAt: now.Add(ttl),
				})
			}))
		}
		begin("old", time.Hour)
		begin("new", idempotency.TTL)
		s.clock.Advance(2 * time.Hour)

		n, err := s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 1, n, "the expired key")
		get := func(key string) error {
			return s.store.ReadTx(t.Context(), func(r storage.Repos) error {
				_, err := r.Idempotency().Get(t.Context(), "api_key:key_1", key)
				return err
			})
		}
		assert.ErrorIs(t, get("old"), storage.ErrNotFound)
		assert.NoError(t, get("new"))
	})
}

// A failed message keeps its payload for a retry only while its link
// works: PurgeExpired erases the token of one whose link expired, and
// such a message is no longer retried.
func TestPurgeExpiredErasesTheTokensOfFailedMail(t *testing.T) {
	t.Parallel()
	eachSignInBackend(t, func(t *testing.T, s signInEnv) {
		s.rec.Err = func(m mailer.Message) error {
			return &mailer.SendError{Permanent: true, Code: 550, Err: errors.New("5.1.1 no such mailbox")}
		}
		c := s.createCustomer(t, "Acme")
		s.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		_, err := s.p.Invite(s.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err)
		require.NoError(t, s.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "ada@acme.example"}))
		s.rec.Deliver()
		invitation, login := s.lastOutbox(t, "eve@acme.example"), s.lastOutbox(t, "ada@acme.example")
		require.Equal(t, outbox.Failed, invitation.Status)
		require.Equal(t, outbox.Failed, login.Status)
		raw := func(id outbox.ID) outbox.Message {
			t.Helper()
			var m outbox.Message
			require.NoError(t, s.store.ReadTx(t.Context(), func(r storage.Repos) (err error) {
				m, err = r.Outbox().Get(t.Context(), id)
				return err
			}))
			return m
		}
		require.NotNil(t, raw(login.ID).Payload)

		// The login link lives 15 minutes, the invitation 7 days.
		s.clock.Advance(time.Hour)
		n, err := s.p.PurgeExpired(t.Context())
		require.NoError(t, err)
		assert.Equal(t, 2, n, "the expired login link and its failed mail's token")
		assert.Zero(t, len(raw(login.ID).Payload), "the login link's token is gone")
		assert.Equal(t, outbox.Failed, raw(login.ID).Status, "the message stays as a record")
		assert.NotNil(t, raw(invitation.ID).Payload, "the invitation still works: it may be retried")

		_, err = s.p.RetryMail(s.owner, login.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "nothing left to send")
		s.rec.Err = nil
		_, err = s.p.RetryMail(s.owner, invitation.ID)
		require.NoError(t, err)
		assert.Equal(t, portal.NotifyInvitation, s.lastNotice(t, "eve@acme.example").Kind)
	})
}
