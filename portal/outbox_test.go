package portal_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/smtptest"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// mailEnv is a portal whose mail goes to a real SMTP server in the test
// process, and the options its outbox worker runs with.
type mailEnv struct {
	signInEnv
	smtp *smtptest.Server
	opts portal.OutboxOptions
	// delays records what the backoff asked the jitter for.
	delays *[]time.Duration
}

// eachMailBackend runs f once per backend with a fresh portal that mails
// through an SMTP server configured by configure. Its worker claims ten
// messages at a time and sends them with the default Concurrency, tries a
// message three times, backing off 1, 2, 4… minutes (at most 10), and its
// jitter takes the whole delay, so the test knows when a message is due.
func eachMailBackend(t *testing.T, configure func(*smtptest.Server), f func(t *testing.T, m mailEnv)) {
	t.Helper()
	eachWrappedMailBackend(t, nil, configure, f)
}

// eachWrappedMailBackend works as eachMailBackend with each store wrapped
// by wrap, when it is not nil.
func eachWrappedMailBackend(t *testing.T, wrap func(storage.Store) storage.Store, configure func(*smtptest.Server), f func(t *testing.T, m mailEnv)) {
	t.Helper()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			ts := smtptest.Start(t, configure)
			sm, err := mailer.NewSMTP(ts.URL(), mailer.WithSendTimeout(10*time.Second))
			require.NoError(t, err)
			var (
				mu     sync.Mutex
				delays []time.Duration
			)
			m := mailEnv{smtp: ts, delays: &delays}
			store := newStore(t)
			if wrap != nil {
				store = wrap(store)
			}
			m.signInEnv = newSignInEnv(t, store, func(c *portal.Config) {
				c.Mailer = sm
				c.MailFrom = "Acme Portal <portal@acme.example>"
				c.Branding.SupportEmail = "help@acme.example"
				c.Logger = slog.New(slog.DiscardHandler)
			})
			m.opts = portal.OutboxOptions{
				BatchSize: 10, MaxAttempts: 3, BaseDelay: time.Minute, MaxDelay: 10 * time.Minute,
				SendTimeout: 10 * time.Second, Lease: 5 * time.Minute,
				Jitter: func(d time.Duration) time.Duration {
					mu.Lock()
					defer mu.Unlock()
					delays = append(delays, d)
					return d
				},
			}
			f(t, m)
		})
	}
}

// deliver runs one pass of the outbox worker.
func (m mailEnv) deliver(t *testing.T) portal.OutboxReport {
	t.Helper()
	rep, err := m.p.DeliverOutbox(t.Context(), m.opts)
	require.NoError(t, err)
	return rep
}

// received returns what the SMTP server accepted for the address.
func (m mailEnv) received(to string) []smtptest.Message {
	var out []smtptest.Message
	for _, msg := range m.smtp.Messages() {
		for _, rcpt := range msg.To {
			if rcpt == to {
				out = append(out, msg)
			}
		}
	}
	return out
}

// raw reads an outbox message as stored, payload included.
func (m mailEnv) raw(t *testing.T, id outbox.ID) outbox.Message {
	t.Helper()
	var out outbox.Message
	require.NoError(t, m.store.ReadTx(t.Context(), func(r storage.Repos) error {
		var err error
		out, err = r.Outbox().Get(t.Context(), id)
		return err
	}))
	return out
}

// tokenLink returns the link of a received text part that carries a token.
func tokenLink(t *testing.T, text string) *url.URL {
	t.Helper()
	for _, l := range (mailer.Message{Text: text}).Links() {
		u, err := url.Parse(l)
		require.NoError(t, err)
		if u.Query().Has("token") {
			return u
		}
	}
	require.Failf(t, "no link with a token", "in:\n%s", text)
	return nil
}

func TestOutboxMailsInvitationOverSMTP(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		m.addMember(t, c.ID, "boss@acme.example", customer.RoleAdmin)
		inv, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleMaintainer, Message: "See you there"})
		require.NoError(t, err)
		assert.Empty(t, m.smtp.Messages(), "nothing leaves before the worker runs")
		queued := m.lastOutbox(t, "eve@acme.example")
		assert.Equal(t, outbox.Pending, queued.Status)
		assert.Equal(t, "invitation", queued.Kind)

		rep := m.deliver(t)
		assert.Equal(t, portal.OutboxReport{Claimed: 1, Sent: 1}, rep)
		got := m.received("eve@acme.example")
		require.Len(t, got, 1)
		msg := got[0]
		assert.Equal(t, "portal@acme.example", msg.From)
		assert.Equal(t, []string{"eve@acme.example"}, msg.To)

		p := smtptest.Parse(t, msg.Data)
		assert.Equal(t, "You are invited to Acme on Portal Test", p.Subject)
		to, err := p.Header.AddressList("To")
		require.NoError(t, err)
		require.Len(t, to, 1)
		assert.Equal(t, "eve@acme.example", to[0].Address)
		assert.Contains(t, p.Header.Get("Reply-To"), "help@acme.example", "replies go to support")
		assert.Equal(t, "<"+string(queued.ID)+"@portal.example.com>", p.Header.Get("Message-Id"), "a stable Message-ID: the outbox ID")
		assert.Equal(t, "invitation", p.Header.Get("X-Portalkit-Kind"))
		text, html := p.Parts["text/plain"], p.Parts["text/html"]
		require.NotEmpty(t, text, "a text part")
		require.NotEmpty(t, html, "an HTML part")
		assert.Contains(t, text, "with the role Maintainer")
		assert.Contains(t, text, "See you there")
		assert.Contains(t, html, "<strong>Acme</strong>")

		link := tokenLink(t, text)
		assert.Equal(t, portaltest.PublicURL+"/accept", link.Scheme+"://"+link.Host+link.Path)
		token := link.Query().Get("token")
		assert.Equal(t, invite.HashToken(token), inv.TokenHash, "the link carries the invitation's token")
		assert.Contains(t, html, `href="`+link.String()+`"`, "the HTML part links there too")

		// The token taken out of the mail accepts the invitation.
		in, err := m.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Eve"})
		require.NoError(t, err)
		assert.Equal(t, c.ID, in.Membership.CustomerID)
		assert.Equal(t, customer.RoleMaintainer, in.Membership.Role)

		sent := m.raw(t, queued.ID)
		assert.Equal(t, outbox.Sent, sent.Status)
		assert.Equal(t, 1, sent.Attempts)
		assert.Equal(t, m.clock.Now(), sent.SentAt)
		assert.Nil(t, sent.Payload, "the token leaves the database with the mail")

		assert.Equal(t, portal.OutboxReport{}, m.deliver(t), "nothing is sent twice")
		assert.Len(t, m.smtp.Messages(), 1)
	})
}

// errCommit is the failure of a commit that failingCommitStore makes.
var errCommit = errors.New("commit failed: database is locked")

// failingCommitStore is a storage.Store whose next write transaction, once
// failNext is set, runs its whole function and is then rolled back, as
// when the commit fails. It counts the mail each transaction enqueued.
type failingCommitStore struct {
	storage.Store
	failNext atomic.Bool
	// enqueued is how many messages the last write transaction enqueued.
	enqueued atomic.Int32
}

func (s *failingCommitStore) InTx(ctx context.Context, fn func(storage.Repos) error) error {
	s.enqueued.Store(0)
	return s.Store.InTx(ctx, func(r storage.Repos) error {
		if err := fn(countingRepos{Repos: r, n: &s.enqueued}); err != nil {
			return err
		}
		if s.failNext.CompareAndSwap(true, false) {
			return errCommit // the backend rolls back
		}
		return nil
	})
}

// countingRepos counts the messages enqueued through it.
type countingRepos struct {
	storage.Repos
	n *atomic.Int32
}

func (r countingRepos) Outbox() storage.OutboxRepo { return countingOutbox{r.Repos.Outbox(), r.n} }

type countingOutbox struct {
	storage.OutboxRepo
	n *atomic.Int32
}

func (o countingOutbox) Enqueue(ctx context.Context, m outbox.Message) error {
	err := o.OutboxRepo.Enqueue(ctx, m)
	if err == nil {
		o.n.Add(1)
	}
	return err
}

// A change that enqueued mail and then rolled back leaves neither an
// outbox row nor a mail; the same change committed sends its mail.
func TestOutboxNothingForARolledBackChange(t *testing.T) {
	t.Parallel()
	var store *failingCommitStore
	wrap := func(s storage.Store) storage.Store {
		store = &failingCommitStore{Store: s}
		return store
	}
	eachWrappedMailBackend(t, wrap, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		ada := m.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		inv, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "bob@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err)
		m.deliver(t)
		sent := len(m.smtp.Messages())

		changes := []struct {
			name string
			to   string
			do   func() error
		}{
			{"an invitation", "eve@acme.example", func() error {
				_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer})
				return err
			}},
			{"a customer with its first user", "first@globex.example", func() error {
				_, err := m.p.CreateCustomer(m.owner, portal.CreateCustomerParams{Name: "Globex",
					FirstUser: &portal.FirstUserParams{Email: "first@globex.example"}})
				return err
			}},
			{"a resent invitation", "bob@acme.example", func() error {
				_, err := m.p.ResendInvitation(m.owner, c.ID, inv.ID, portal.ResendInvitationParams{})
				return err
			}},
			{"a login link", ada.User.Email, func() error {
				return m.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: ada.User.Email})
			}},
		}
		for _, ch := range changes {
			rows := len(m.outbox(t))
			store.failNext.Store(true)
			assert.ErrorIs(t, ch.do(), errCommit, ch.name)
			assert.Positive(t, store.enqueued.Load(), "%s: the rolled-back transaction enqueued mail", ch.name)
			assert.Len(t, m.outbox(t), rows, "%s: no outbox row is left", ch.name)
			assert.Equal(t, portal.OutboxReport{}, m.deliver(t), ch.name)
			assert.Len(t, m.smtp.Messages(), sent, "%s: no mail left", ch.name)

			// The same change, committed, mails.
			require.NoError(t, ch.do(), ch.name)
			assert.Equal(t, 1, m.deliver(t).Sent, ch.name)
			sent++
			got := m.received(ch.to)
			require.NotEmpty(t, got, ch.name)
			assert.Equal(t, got[len(got)-1], m.smtp.Messages()[sent-1], "%s: the last mail", ch.name)
		}
	})
}

// outbox lists every outbox message.
func (m mailEnv) outbox(t *testing.T) []outbox.Message {
	t.Helper()
	l, err := m.p.ListMail(m.owner, portal.ListMailParams{Limit: storage.MaxLimit})
	require.NoError(t, err)
	require.Empty(t, l.NextCursor)
	return l.Items
}

func TestOutboxRetriesWhileServerIsDown(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		m.smtp.Stop()
		_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err, "the invitation does not wait for the mail server")

		assert.Equal(t, portal.OutboxReport{Claimed: 1, Retried: 1}, m.deliver(t))
		first := m.lastOutbox(t, "eve@acme.example")
		assert.Equal(t, outbox.Pending, first.Status)
		assert.Equal(t, 1, first.Attempts)
		assert.Equal(t, m.clock.Now().Add(time.Minute), first.NextAttemptAt, "backs off a minute")
		assert.NotEmpty(t, first.LastError)

		assert.Equal(t, portal.OutboxReport{}, m.deliver(t), "not due before its time")
		m.clock.Advance(time.Minute)
		assert.Equal(t, portal.OutboxReport{Claimed: 1, Retried: 1}, m.deliver(t))
		second := m.lastOutbox(t, "eve@acme.example")
		assert.Equal(t, 2, second.Attempts)
		assert.Equal(t, m.clock.Now().Add(2*time.Minute), second.NextAttemptAt, "then two")

		m.smtp.Restart(t)
		m.clock.Advance(2*time.Minute - time.Second)
		assert.Equal(t, portal.OutboxReport{}, m.deliver(t))
		m.clock.Advance(time.Second)
		assert.Equal(t, portal.OutboxReport{Claimed: 1, Sent: 1}, m.deliver(t), "delivered once the server is back")
		assert.Len(t, m.received("eve@acme.example"), 1, "exactly once")
		sent := m.lastOutbox(t, "eve@acme.example")
		assert.Equal(t, outbox.Sent, sent.Status)
		assert.Equal(t, 3, sent.Attempts)
		assert.Equal(t, []time.Duration{time.Minute, 2 * time.Minute}, *m.delays, "exponential backoff, jittered")
	})
}

func TestOutboxBackoffIsCapped(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	eachMailBackend(t, func(s *smtptest.Server) {
		s.OnData = func([]byte) error {
			calls.Add(1)
			return smtptest.Reply(451, "try again later")
		}
	}, func(t *testing.T, m mailEnv) {
		m.opts.MaxAttempts = 6
		var jittered []time.Duration
		m.opts.Jitter = func(d time.Duration) time.Duration {
			jittered = append(jittered, d)
			return d / 2 // full jitter draws anywhere up to d
		}
		c := m.createCustomer(t, "Acme")
		_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err)
		for range 5 {
			before := m.clock.Now()
			require.Equal(t, 1, m.deliver(t).Retried)
			next := m.lastOutbox(t, "eve@acme.example").NextAttemptAt
			assert.Equal(t, jittered[len(jittered)-1]/2, next.Sub(before), "due after the jittered delay")
			m.clock.Advance(next.Sub(before))
		}
		assert.Equal(t, []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 10 * time.Minute}, jittered)

		rep := m.deliver(t)
		assert.Equal(t, portal.OutboxReport{Claimed: 1, Failed: 1}, rep, "the sixth attempt is the last")
		failed := m.lastOutbox(t, "eve@acme.example")
		assert.Equal(t, outbox.Failed, failed.Status)
		assert.Equal(t, 6, failed.Attempts)
		assert.Contains(t, failed.LastError, "gave up after 6 attempts")
		assert.Contains(t, failed.LastError, "451")
		m.clock.Advance(24 * time.Hour)
		assert.Equal(t, portal.OutboxReport{}, m.deliver(t), "a failed message waits for staff")
		assert.Empty(t, m.smtp.Messages())
	})
}

func TestOutboxPermanentFailureAndRetry(t *testing.T) {
	t.Parallel()
	var bouncing atomic.Bool
	bouncing.Store(true)
	eachMailBackend(t, func(s *smtptest.Server) {
		s.OnRcpt = func(to string) error {
			if strings.HasPrefix(to, "bounce@") && bouncing.Load() {
				return smtptest.Reply(550, "no such mailbox")
			}
			return nil
		}
	}, func(t *testing.T, m mailEnv) {
		bouncing.Store(true)
		c := m.createCustomer(t, "Acme")
		_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "bounce@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err)
		_, err = m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err)

		assert.Equal(t, portal.OutboxReport{Claimed: 2, Sent: 1, Failed: 1}, m.deliver(t), "a 550 fails at once; the other goes")
		failed, err := m.p.ListMail(m.owner, portal.ListMailParams{Status: outbox.Failed})
		require.NoError(t, err)
		require.Len(t, failed.Items, 1, "staff see the failure")
		f := failed.Items[0]
		assert.Equal(t, "bounce@acme.example", f.Recipient)
		assert.Equal(t, c.ID, f.CustomerID)
		assert.Equal(t, 1, f.Attempts, "no retries for a permanent failure")
		assert.Contains(t, f.LastError, "550")
		assert.Nil(t, f.Payload, "staff never see the token")
		assert.NotNil(t, m.raw(t, f.ID).Payload, "the stored message keeps it for a retry")
		m.clock.Advance(time.Hour)
		assert.Equal(t, portal.OutboxReport{}, m.deliver(t))

		// Staff fix the address's mailbox and retry.
		bouncing.Store(false)
		retried, err := m.p.RetryMail(m.owner, f.ID)
		require.NoError(t, err)
		assert.Equal(t, outbox.Pending, retried.Status)
		assert.Zero(t, retried.Attempts)
		assert.Nil(t, retried.Payload)
		_, err = m.p.RetryMail(m.owner, f.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "only failed messages are retried")
		_, err = m.p.RetryMail(m.owner, "out_ghost")
		assertCode(t, portalerr.NotFound, err)

		assert.Equal(t, portal.OutboxReport{Claimed: 1, Sent: 1}, m.deliver(t))
		got := m.received("bounce@acme.example")
		require.Len(t, got, 1)
		token := tokenLink(t, smtptest.Parse(t, got[0].Data).Parts["text/plain"]).Query().Get("token")
		_, err = m.p.AcceptInvitation(t.Context(), token, portal.AcceptInvitationParams{Name: "Bo"})
		assert.NoError(t, err, "the retried mail's link works")

		events := m.auditOf(t, string(f.ID))
		require.Len(t, events, 1)
		assert.Equal(t, "mail.retried", events[0].Action)
		assert.Equal(t, "staff:stf_owner", events[0].Actor)
		assert.Equal(t, c.ID, events[0].CustomerID)
	})
}

// stopWithMailInHand runs m's outbox worker until the mail server holds
// the messages the test waits for (inHand closes; notInHand is the failure
// when it does not), stops the worker, lets the server take them
// (release) and checks that the worker returns nil.
func (m mailEnv) stopWithMailInHand(t *testing.T, inHand, release chan struct{}, notInHand string) {
	t.Helper()
	ctx, stop := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- m.p.RunOutbox(ctx, m.opts) }()
	select {
	case <-inHand:
	case <-time.After(30 * time.Second):
		close(release)
		t.Fatal(notInHand)
	}
	stop()
	close(release)
	select {
	case err := <-done:
		require.NoError(t, err, "a stopped worker returns nil")
	case <-time.After(30 * time.Second):
		t.Fatal("the worker did not stop")
	}
}

// TestOutboxStopMidBatch stops a worker with one sender while the mail
// server holds the second of five messages: the worker finishes that one,
// hands the rest back, and a new worker sends them. The server gets each
// message once.
func TestOutboxStopMidBatch(t *testing.T) {
	t.Parallel()
	var (
		inHand  chan struct{}
		release chan struct{}
		n       atomic.Int32
	)
	eachMailBackend(t, func(s *smtptest.Server) {
		s.OnData = func([]byte) error {
			if n.Add(1) == 2 {
				close(inHand)
				<-release
			}
			return nil
		}
	}, func(t *testing.T, m mailEnv) {
		inHand, release = make(chan struct{}), make(chan struct{})
		n.Store(0)
		m.opts.Concurrency = 1
		c := m.createCustomer(t, "Acme")
		emails := []string{"a@acme.example", "b@acme.example", "c@acme.example", "d@acme.example", "e@acme.example"}
		for _, e := range emails {
			_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: e, Role: customer.RoleViewer})
			require.NoError(t, err)
		}

		m.stopWithMailInHand(t, inHand, release, "the worker did not reach the second message")

		assert.Len(t, m.smtp.Messages(), 2, "the message in hand was finished, no other started")
		l, err := m.p.ListMail(m.owner, portal.ListMailParams{})
		require.NoError(t, err)
		states := map[outbox.Status]int{}
		for _, msg := range l.Items {
			states[msg.Status]++
			if msg.Status == outbox.Pending {
				assert.Zero(t, msg.Attempts, "%s was handed back untried", msg.Recipient)
			}
		}
		assert.Equal(t, map[outbox.Status]int{outbox.Sent: 2, outbox.Pending: 3}, states,
			"the sent mark of the message in hand survived the stop")

		assert.Equal(t, portal.OutboxReport{Claimed: 3, Sent: 3}, m.deliver(t), "started again, the rest go")
		ids := map[string]int{}
		for _, msg := range m.smtp.Messages() {
			ids[smtptest.Parse(t, msg.Data).Header.Get("Message-Id")]++
		}
		assert.Len(t, ids, 5)
		for id, k := range ids {
			assert.Equal(t, 1, k, "%s arrived %d times", id, k)
		}
		for _, e := range emails {
			assert.Len(t, m.received(e), 1, e)
		}
	})
}

// errCrash stands for the process dying.
var errCrash = errors.New("the process died")

// TestOutboxCrashAfterAcceptance covers the at-least-once edge: a worker
// dies after the server accepted a message but before its sent mark is
// stored. Once its lease runs out, the message goes again, with the same
// Message-ID, so the receiver can tell the duplicate.
func TestOutboxCrashAfterAcceptance(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err)

		// A second Portal on the same store whose Mailer sends, then dies
		// before DeliverOutbox can store the mark.
		sm, err := mailer.NewSMTP(m.smtp.URL())
		require.NoError(t, err)
		dying := portaltest.New(t, m.clock, func(cfg *portal.Config) {
			cfg.Store = m.store
			cfg.Mailer = mailer.Func(func(ctx context.Context, msg mailer.Message) error {
				if err := sm.Send(ctx, msg); err != nil {
					return err
				}
				panic(errCrash)
			})
		})
		func() {
			defer func() { assert.Equal(t, errCrash, recover()) }()
			_, _ = dying.DeliverOutbox(t.Context(), m.opts)
		}()
		require.Len(t, m.received("eve@acme.example"), 1, "the server has it")
		leased := m.lastOutbox(t, "eve@acme.example")
		assert.Equal(t, outbox.Sending, leased.Status, "its mark was never stored")

		assert.Equal(t, portal.OutboxReport{}, m.deliver(t), "leased: no other worker takes it")
		m.clock.Advance(m.opts.Lease)
		assert.Equal(t, portal.OutboxReport{Claimed: 1, Sent: 1}, m.deliver(t), "the lease ran out: sent again")

		got := m.received("eve@acme.example")
		require.Len(t, got, 2, "at least once: twice here")
		first, second := smtptest.Parse(t, got[0].Data), smtptest.Parse(t, got[1].Data)
		assert.Equal(t, first.Header.Get("Message-Id"), second.Header.Get("Message-Id"), "the same Message-ID")
		sent := m.lastOutbox(t, "eve@acme.example")
		assert.Equal(t, outbox.Sent, sent.Status)
		assert.Equal(t, 2, sent.Attempts)
	})
}

func TestOutboxUsesOverridesAndLocales(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		other := m.createCustomer(t, "Globex")
		_, err := m.p.PutMailTemplate(m.owner, c.ID, mailer.KindInvitation, "en", portal.MailTemplateParams{
			Subject: "Join {{.CustomerName}} today",
			Text:    "Hi {{.To}}, click {{.Link}}",
		})
		require.NoError(t, err)
		_, err = m.p.PutMailTemplate(m.owner, c.ID, mailer.KindLoginLink, "de", portal.MailTemplateParams{Subject: "Anmelden bei {{.Brand.ProductName}}"})
		require.NoError(t, err)

		for _, cid := range []customer.ID{c.ID, other.ID} {
			_, err = m.p.Invite(m.owner, cid, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer})
			require.NoError(t, err)
		}
		ada := m.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		require.NoError(t, m.store.InTx(t.Context(), func(r storage.Repos) error {
			_, err := r.Users().Update(t.Context(), ada.UserID, func(u *customer.User) error {
				u.Locale = "de-AT"
				return nil
			})
			return err
		}))
		require.NoError(t, m.p.RequestLoginLink(t.Context(), portal.RequestLoginLinkParams{Email: "ada@acme.example"}))
		m.opts.Concurrency = 1 // in order: Acme's invitation first
		assert.Equal(t, 3, m.deliver(t).Sent)

		got := m.received("eve@acme.example")
		require.Len(t, got, 2)
		acme, globex := smtptest.Parse(t, got[0].Data), smtptest.Parse(t, got[1].Data)
		assert.Equal(t, "Join Acme today", acme.Subject, "Acme's override")
		assert.Contains(t, acme.Parts["text/plain"], "Hi eve@acme.example, click "+portaltest.PublicURL+"/accept?token=")
		assert.Contains(t, acme.Parts["text/html"], "Accept invitation", "the HTML part keeps the default")
		assert.Equal(t, "You are invited to Globex on Portal Test", globex.Subject, "another customer keeps the defaults")

		de := smtptest.Parse(t, m.received("ada@acme.example")[0].Data)
		assert.Equal(t, "Anmelden bei Portal Test", de.Subject, "the German override for a de-AT reader")
		assert.Contains(t, de.Parts["text/plain"], "mit diesem Link melden Sie sich bei Portal Test an", "German defaults for the rest")
	})
}

// TestRunOutboxWakesOnEnqueue has a worker that polls once an hour: mail
// still leaves at once, because the use case that enqueues it wakes the
// worker.
func TestRunOutboxWakesOnEnqueue(t *testing.T) {
	t.Parallel()
	arrived := make(chan string, 10)
	eachMailBackend(t, func(s *smtptest.Server) {
		s.OnRcpt = func(to string) error {
			arrived <- to
			return nil
		}
	}, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		m.opts.PollInterval = time.Hour
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- m.p.RunOutbox(ctx, m.opts) }()
		defer func() {
			stop()
			assert.NoError(t, <-done)
		}()
		for _, email := range []string{"a@acme.example", "b@acme.example"} {
			_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: email, Role: customer.RoleViewer})
			require.NoError(t, err)
			select {
			case got := <-arrived:
				assert.Equal(t, email, got)
			case <-time.After(30 * time.Second):
				t.Fatalf("the mail to %s did not leave", email)
			}
		}
	})
}

func TestOutboxOptionsAndMailer(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		bad := []struct {
			opts   portal.OutboxOptions
			fields []string
		}{
			{portal.OutboxOptions{BatchSize: -1}, []string{"batch_size"}},
			{portal.OutboxOptions{BatchSize: portal.MaxOutboxBatchSize + 1}, []string{"batch_size"}},
			{portal.OutboxOptions{Concurrency: -1}, []string{"concurrency"}},
			{portal.OutboxOptions{MaxAttempts: -2}, []string{"max_attempts"}},
			{portal.OutboxOptions{BaseDelay: time.Hour, MaxDelay: time.Minute}, []string{"max_delay"}},
			// 100 messages, 8 at a time, a minute each: a pass may take 13m22.5s.
			{portal.OutboxOptions{SendTimeout: time.Minute, Lease: 10 * time.Minute}, []string{"lease"}},
			{portal.OutboxOptions{BatchSize: 10, Concurrency: 2, SendTimeout: time.Minute, Lease: 5*time.Minute + 30*time.Second}, []string{"lease"}},
			{portal.OutboxOptions{BatchSize: 10, Concurrency: 1, SendTimeout: time.Minute, Lease: 10 * time.Minute}, []string{"lease"}},
			{portal.OutboxOptions{PollInterval: -time.Second}, []string{"poll_interval"}},
		}
		for _, tc := range bad {
			_, err := m.p.DeliverOutbox(t.Context(), tc.opts)
			assertCode(t, portalerr.Invalid, err, "%+v", tc.opts)
			assert.Equal(t, tc.fields, fieldsOf(err))
			assertCode(t, portalerr.Invalid, m.p.RunOutbox(t.Context(), tc.opts))
		}
		for _, good := range []portal.OutboxOptions{
			{BatchSize: 10, Concurrency: 2, SendTimeout: time.Minute, Lease: 5*time.Minute + 31*time.Second},
			{BatchSize: 10, Concurrency: 1, SendTimeout: time.Minute, Lease: 10*time.Minute + time.Second},
			{Concurrency: 50, BatchSize: 10, SendTimeout: time.Minute, Lease: 2 * time.Minute}, // at most 10 at once
			// Without a Lease, the default grows with the longest pass:
			// 100 messages, one at a time, 30 seconds each.
			{Concurrency: 1},
			{BatchSize: portal.MaxOutboxBatchSize, SendTimeout: time.Hour},
		} {
			_, err := m.p.DeliverOutbox(t.Context(), good)
			assert.NoError(t, err, "%+v", good)
		}
	})

	// Without a Mailer, mail waits in the outbox and no worker runs.
	p := portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) { c.Mailer = nil })
	owner := portaltest.Owner(t.Context())
	_, err := p.CreateCustomer(owner, portal.CreateCustomerParams{Name: "Acme", FirstUser: &portal.FirstUserParams{Email: "ada@acme.example"}})
	require.NoError(t, err)
	_, err = p.DeliverOutbox(t.Context(), portal.OutboxOptions{})
	assert.Error(t, err)
	assert.Error(t, p.RunOutbox(t.Context(), portal.OutboxOptions{}))
	l, err := p.ListMail(owner, portal.ListMailParams{Status: outbox.Pending})
	require.NoError(t, err)
	assert.Len(t, l.Items, 1, "the invitation's mail waits")

	// A Mailer needs the public URL its links are built on; a bad sender is refused.
	for name, cfg := range map[string]func(*portal.Config){
		"branding.public_base_url": func(c *portal.Config) { c.Branding.PublicBaseURL = "" },
		"mail_from":                func(c *portal.Config) { c.MailFrom = "not an address" },
		"default_locale":           func(c *portal.Config) { c.DefaultLocale = "fr" },
	} {
		c := portal.Config{Store: newSQLiteStore(t), Mailer: &portaltest.Recorder{},
			Branding: mailer.Branding{PublicBaseURL: portaltest.PublicURL}}
		cfg(&c)
		_, err := portal.New(c)
		assertCode(t, portalerr.Invalid, err, name)
		assert.Equal(t, []string{name}, fieldsOf(err), name)
	}
}

func TestOutboxFallsBackOrFails(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		// Fine with the sample data (a long note), not with a short one.
		_, err := m.p.PutMailTemplate(m.owner, c.ID, mailer.KindInvitation, "en", portal.MailTemplateParams{
			Text: "{{.Link}}\n{{if .Message}}{{slice .Message 0 50}}…{{end}}",
		})
		require.NoError(t, err)
		_, err = m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer, Message: "Hi"})
		require.NoError(t, err)

		// A message nobody can render: its payload is broken.
		broken := outbox.Message{
			ID: "out_broken", Kind: "invitation", Recipient: "bob@acme.example", Payload: []byte("{not json"),
			Status: outbox.Pending, NextAttemptAt: m.clock.Now(), CreatedAt: m.clock.Now(), UpdatedAt: m.clock.Now(),
		}
		require.NoError(t, m.store.InTx(t.Context(), func(r storage.Repos) error { return r.Outbox().Enqueue(t.Context(), broken) }))

		assert.Equal(t, portal.OutboxReport{Claimed: 2, Sent: 1, Failed: 1}, m.deliver(t))
		got := m.received("eve@acme.example")
		require.Len(t, got, 1)
		text := smtptest.Parse(t, got[0].Data).Parts["text/plain"]
		assert.Contains(t, text, "you have been invited to join Acme", "the override failed with this message: the default went")
		assert.Contains(t, text, "invited you:\r\nHi\r\n", "SMTP lines end in CRLF")

		failed := m.raw(t, "out_broken")
		assert.Equal(t, outbox.Failed, failed.Status)
		assert.Contains(t, failed.LastError, "reading the message")
		assert.Empty(t, m.received("bob@acme.example"))
	})
}

// An override that renders too much, saved before the bound (straight
// into the store here), does not make the worker build a message of any
// size: the default goes instead.
func TestOutboxSendsTheDefaultForAnUnboundedOverride(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		require.NoError(t, m.store.InTx(t.Context(), func(r storage.Repos) error {
			_, err := r.MailTemplates().Put(t.Context(), customer.MailTemplate{
				CustomerID: c.ID, Kind: string(mailer.KindInvitation), Locale: "en",
				Text:      "{{.Link}}" + strings.Repeat("{{.Message}}", 5000),
				UpdatedBy: "staff:stf_owner", CreatedAt: m.clock.Now(), UpdatedAt: m.clock.Now(),
			})
			return err
		}))
		_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer,
			Message: strings.Repeat("Welcome! ", 100)})
		require.NoError(t, err)

		assert.Equal(t, portal.OutboxReport{Claimed: 1, Sent: 1}, m.deliver(t))
		got := m.received("eve@acme.example")
		require.Len(t, got, 1)
		require.Less(t, len(got[0].Data), 64<<10, "the override's 5 MB went")
		text := smtptest.Parse(t, got[0].Data).Parts["text/plain"]
		assert.Contains(t, text, "you have been invited to join Acme", "the default went")
	})
}

// TestOutboxSendsConcurrently has a mail server that holds each message
// until four are in its hands at once, and turns it away after five
// seconds otherwise: with Concurrency 4 one pass gets all eight through,
// never more than four at a time.
func TestOutboxSendsConcurrently(t *testing.T) {
	t.Parallel()
	const senders = 4
	var (
		mu             sync.Mutex
		inFlight, most int
		full           chan struct{}
	)
	eachMailBackend(t, func(s *smtptest.Server) {
		s.OnData = func([]byte) error {
			mu.Lock()
			inFlight++
			most = max(most, inFlight)
			if inFlight == senders {
				select {
				case <-full:
				default:
					close(full)
				}
			}
			wait := full
			mu.Unlock()
			defer func() {
				mu.Lock()
				inFlight--
				mu.Unlock()
			}()
			select {
			case <-wait:
				return nil
			case <-time.After(5 * time.Second):
				return smtptest.Reply(451, "one at a time is too slow")
			}
		}
	}, func(t *testing.T, m mailEnv) {
		mu.Lock()
		full, most = make(chan struct{}), 0
		mu.Unlock()
		m.opts.Concurrency = senders
		c := m.createCustomer(t, "Acme")
		for i := range 8 {
			_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: fmt.Sprintf("u%d@acme.example", i), Role: customer.RoleViewer})
			require.NoError(t, err)
		}
		assert.Equal(t, portal.OutboxReport{Claimed: 8, Sent: 8}, m.deliver(t))
		mu.Lock()
		defer mu.Unlock()
		assert.Equal(t, senders, most, "at most Concurrency messages at once")
		assert.Len(t, m.smtp.Messages(), 8)
	})
}

// TestOutboxStopWithMessagesInHand stops a worker with three senders while
// the mail server holds three of seven messages: the three are finished
// and marked sent, the four untouched are handed back untried, and the
// next pass sends them. The server gets each message once.
func TestOutboxStopWithMessagesInHand(t *testing.T) {
	t.Parallel()
	var (
		inHand  chan struct{}
		release chan struct{}
		n       atomic.Int32
	)
	eachMailBackend(t, func(s *smtptest.Server) {
		s.OnData = func([]byte) error {
			switch k := n.Add(1); {
			case k == 3:
				close(inHand)
				fallthrough
			case k < 3:
				<-release
			}
			return nil
		}
	}, func(t *testing.T, m mailEnv) {
		inHand, release = make(chan struct{}), make(chan struct{})
		n.Store(0)
		m.opts.Concurrency = 3
		c := m.createCustomer(t, "Acme")
		var emails []string
		for i := range 7 {
			emails = append(emails, fmt.Sprintf("u%d@acme.example", i))
			_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: emails[i], Role: customer.RoleViewer})
			require.NoError(t, err)
		}

		m.stopWithMailInHand(t, inHand, release, "the worker did not get three messages in hand")

		assert.Len(t, m.smtp.Messages(), 3, "the messages in hand were finished, no other started")
		states := map[outbox.Status]int{}
		for _, msg := range m.outbox(t) {
			states[msg.Status]++
			if msg.Status == outbox.Pending {
				assert.Zero(t, msg.Attempts, "%s was handed back untried", msg.Recipient)
			}
		}
		assert.Equal(t, map[outbox.Status]int{outbox.Sent: 3, outbox.Pending: 4}, states,
			"the sent marks of the messages in hand survived the stop")
		st, err := m.p.OutboxStats(t.Context())
		require.NoError(t, err)
		assert.Equal(t, int64(4), st.Released)
		assert.Equal(t, int64(3), st.Sent)

		assert.Equal(t, portal.OutboxReport{Claimed: 4, Sent: 4}, m.deliver(t), "started again, the rest go")
		for _, e := range emails {
			assert.Len(t, m.received(e), 1, e)
		}
	})
}

// TestOutboxAbandonedClaimComesBack leaves two messages claimed by a worker
// that is killed before it settles them, with the default lease: no worker
// takes them while the lease runs, the stats show them as sending and,
// once the lease is over, late; then the next pass sends them.
func TestOutboxAbandonedClaimComesBack(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, nil, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		for _, e := range []string{"a@acme.example", "b@acme.example"} {
			_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: e, Role: customer.RoleViewer})
			require.NoError(t, err)
		}
		// What a worker leaves when it is killed between claim and mark.
		require.NoError(t, m.store.InTx(t.Context(), func(r storage.Repos) error {
			claimed, err := r.Outbox().Claim(t.Context(), m.clock.Now(), 10, portal.DefaultOutboxLease)
			require.Len(t, claimed, 2)
			return err
		}))
		opts := portal.OutboxOptions{} // the defaults, lease included

		stats := func() portal.OutboxStats {
			st, err := m.p.OutboxStats(t.Context())
			require.NoError(t, err)
			return st
		}
		assert.Equal(t, portal.OutboxStats{Sending: 2}, stats(), "held, and not late while the lease runs")
		rep, err := m.p.DeliverOutbox(t.Context(), opts)
		require.NoError(t, err)
		assert.Equal(t, portal.OutboxReport{}, rep, "leased: no other worker takes them")

		m.clock.Advance(portal.DefaultOutboxLease - time.Microsecond)
		rep, err = m.p.DeliverOutbox(t.Context(), opts)
		require.NoError(t, err)
		assert.Equal(t, portal.OutboxReport{}, rep, "a microsecond before the lease ends")

		m.clock.Advance(time.Microsecond + 3*time.Second)
		assert.Equal(t, portal.OutboxStats{Sending: 2, OldestPendingAge: 3 * time.Second}, stats(),
			"claimable for three seconds: late by as much")
		rep, err = m.p.DeliverOutbox(t.Context(), opts)
		require.NoError(t, err)
		assert.Equal(t, portal.OutboxReport{Claimed: 2, Sent: 2}, rep, "the lease ran out: claimed again and sent")
		for _, e := range []string{"a@acme.example", "b@acme.example"} {
			assert.Len(t, m.received(e), 1, e)
			assert.Equal(t, 2, m.lastOutbox(t, e).Attempts, "%s: the abandoned claim counts as an attempt", e)
		}
		assert.Equal(t, portal.OutboxStats{Sent: 2}, stats())
	})
}

// TestOutboxStats follows the backlog, its lateness and the counts of a
// worker through a pass that sends one message, bounces one and has one
// wait for another attempt.
func TestOutboxStats(t *testing.T) {
	t.Parallel()
	eachMailBackend(t, func(s *smtptest.Server) {
		s.OnRcpt = func(to string) error {
			switch {
			case strings.HasPrefix(to, "bounce@"):
				return smtptest.Reply(550, "no such mailbox")
			case strings.HasPrefix(to, "later@"):
				return smtptest.Reply(451, "try again later")
			}
			return nil
		}
	}, func(t *testing.T, m mailEnv) {
		stats := func() portal.OutboxStats {
			st, err := m.p.OutboxStats(t.Context())
			require.NoError(t, err)
			return st
		}
		assert.Equal(t, portal.OutboxStats{}, stats(), "nothing waits")

		c := m.createCustomer(t, "Acme")
		_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: "eve@acme.example", Role: customer.RoleViewer})
		require.NoError(t, err)
		m.clock.Advance(time.Minute)
		for _, e := range []string{"bounce@acme.example", "later@acme.example"} {
			_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: e, Role: customer.RoleViewer})
			require.NoError(t, err)
		}
		m.clock.Advance(30 * time.Second)
		assert.Equal(t, portal.OutboxStats{Pending: 3, OldestPendingAge: 90 * time.Second}, stats(),
			"three wait, the oldest for 90 seconds")

		assert.Equal(t, portal.OutboxReport{Claimed: 3, Sent: 1, Retried: 1, Failed: 1}, m.deliver(t))
		assert.Equal(t, portal.OutboxStats{Pending: 1, Sent: 1, Retried: 1, Failed: 1}, stats(),
			"one waits out its backoff, which is not lateness")

		m.clock.Advance(time.Minute + 5*time.Second) // the backoff was a minute
		assert.Equal(t, portal.OutboxStats{Pending: 1, OldestPendingAge: 5 * time.Second, Sent: 1, Retried: 1, Failed: 1}, stats(),
			"due again five seconds ago")
	})
}

// TestRunOutboxDrainsABacklogAtOnce starts a worker that polls once an
// hour on seven waiting messages, two per batch: a full batch is followed
// by the next at once, so all seven leave without a poll.
func TestRunOutboxDrainsABacklogAtOnce(t *testing.T) {
	t.Parallel()
	arrived := make(chan string, 10)
	eachMailBackend(t, func(s *smtptest.Server) {
		s.OnRcpt = func(to string) error {
			arrived <- to
			return nil
		}
	}, func(t *testing.T, m mailEnv) {
		c := m.createCustomer(t, "Acme")
		for i := range 7 {
			_, err := m.p.Invite(m.owner, c.ID, portal.InviteParams{Email: fmt.Sprintf("u%d@acme.example", i), Role: customer.RoleViewer})
			require.NoError(t, err)
		}
		m.opts.PollInterval, m.opts.BatchSize = time.Hour, 2
		ctx, stop := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() { done <- m.p.RunOutbox(ctx, m.opts) }()
		defer func() {
			stop()
			assert.NoError(t, <-done)
		}()
		for i := range 7 {
			select {
			case <-arrived:
			case <-time.After(30 * time.Second):
				t.Fatalf("%d of 7 messages left", i)
			}
		}
	})
}
