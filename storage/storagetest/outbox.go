package storagetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/storage"
)

var outboxTests = []test{
	{"RoundTrip", testOutboxRoundTrip},
	{"EnqueueDuplicateID", testOutboxEnqueueDuplicate},
	{"ClaimTakesDueMessages", testOutboxClaimDue},
	{"ClaimLimit", testOutboxClaimLimit},
	{"ClaimInvalidLimit", testOutboxClaimInvalidLimit},
	{"LeaseExpiry", testOutboxLeaseExpiry},
	{"MarkSentErasesPayload", testOutboxMarkSent},
	{"SentNeverComesBack", testOutboxSentIsFinal},
	{"Reschedule", testOutboxReschedule},
	{"MarkFailedAndRetry", testOutboxFailRetry},
	{"Release", testOutboxRelease},
	{"SettleNeedsTheClaim", testOutboxSettleFenced},
	{"StaleClaimAfterRetry", testOutboxStaleClaimAfterRetry},
	{"EraseExpiredPayloads", testOutboxEraseExpiredPayloads},
	{"List", testOutboxList},
	{"Rollback", testOutboxRollback},
	{"ReadTxRefusesWrites", testOutboxReadOnly},
	{"TimesUTC", testOutboxTimesUTC},
	{"Stats", testOutboxStats},
}

var outboxConcurrencyTests = []test{
	{"OutboxClaimedOnce", testOutboxClaimedOnce},
}

// lease is the lease every claim of these tests takes.
const lease = 5 * time.Minute

func newOutboxID() outbox.ID { return outbox.ID(newID("out_")) }

// newOutbox returns a pending message due at base.
func newOutbox(cid customer.ID, to string) outbox.Message {
	return outbox.Message{
		ID:            newOutboxID(),
		Kind:          "invitation",
		Recipient:     to,
		CustomerID:    cid,
		Payload:       []byte(`{"kind":"invitation","token":"pi_secret"}`),
		ExpiresAt:     base.Add(7 * 24 * time.Hour),
		Status:        outbox.Pending,
		NextAttemptAt: base,
		CreatedAt:     base,
		UpdatedAt:     base,
	}
}

func enqueue(t *testing.T, s storage.Store, m outbox.Message) outbox.Message {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Outbox().Enqueue(ctx, m)
	}), "enqueueing message to %s", m.Recipient)
	return m
}

func getOutbox(t *testing.T, s storage.Store, id outbox.ID) (outbox.Message, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (outbox.Message, error) {
		return r.Outbox().Get(ctx, id)
	})
}

func mustGetOutbox(t *testing.T, s storage.Store, id outbox.ID) outbox.Message {
	t.Helper()
	m, err := getOutbox(t, s, id)
	require.NoError(t, err)
	return m
}

func claim(t *testing.T, s storage.Store, now time.Time, limit int) []outbox.Message {
	t.Helper()
	var out []outbox.Message
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = r.Outbox().Claim(ctx, now, limit, lease)
		return err
	}))
	return out
}

// settle runs one of the bookkeeping methods in its own transaction.
func settle(t *testing.T, s storage.Store, fn func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error)) (outbox.Message, error) {
	t.Helper()
	var out outbox.Message
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		out, err = fn(ctx, r.Outbox())
		return err
	})
	return out, err
}

func markSent(t *testing.T, s storage.Store, m outbox.Message, at time.Time) (outbox.Message, error) {
	t.Helper()
	return settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.MarkSent(ctx, m.ID, m.Claims, at)
	})
}

func listOutbox(t *testing.T, s storage.Store, f storage.OutboxFilter, p storage.Page) (storage.List[outbox.Message], error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[outbox.Message], error) {
		return r.Outbox().List(ctx, f, p)
	})
}

func outboxIDs(ms []outbox.Message) []outbox.ID {
	out := make([]outbox.ID, len(ms))
	for i, m := range ms {
		out[i] = m.ID
	}
	return out
}

func testOutboxRoundTrip(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	m := enqueue(t, s, newOutbox(c.ID, "ada@example.com"))
	got, err := getOutbox(t, s, m.ID)
	require.NoError(t, err)
	assert.Equal(t, m, got)

	provider := newOutbox("", "ops@example.com") // about no customer
	provider.Payload = nil
	provider.ExpiresAt = time.Time{}
	enqueue(t, s, provider)
	got, err = getOutbox(t, s, provider.ID)
	require.NoError(t, err)
	assert.Equal(t, provider, got)

	gone := newOutbox(newCustomerID(), "bob@example.com") // the customer is not checked
	enqueue(t, s, gone)

	_, err = getOutbox(t, s, newOutboxID())
	assertNotFound(t, err)
}

func testOutboxEnqueueDuplicate(t *testing.T, s storage.Store) {
	m := enqueue(t, s, newOutbox("", "ada@example.com"))
	dup := newOutbox("", "bob@example.com")
	dup.ID = m.ID
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Outbox().Enqueue(ctx, dup) })
	assertAlreadyExists(t, err)
	assert.Equal(t, m, mustGetOutbox(t, s, m.ID), "the first message is unchanged")
}

func testOutboxClaimDue(t *testing.T, s storage.Store) {
	later := newOutbox("", "later@example.com")
	later.NextAttemptAt = at(time.Minute + time.Microsecond)
	enqueue(t, s, later)
	edge := newOutbox("", "edge@example.com")
	edge.NextAttemptAt = at(time.Minute)
	enqueue(t, s, edge)
	early := newOutbox("", "early@example.com")
	early.NextAttemptAt = at(-time.Hour)
	enqueue(t, s, early)
	first := enqueue(t, s, newOutbox("", "first@example.com"))
	second := enqueue(t, s, newOutbox("", "second@example.com")) // due with first; a later ID

	now := at(time.Minute)
	got := claim(t, s, now, 10)
	assert.Equal(t, []outbox.ID{early.ID, first.ID, second.ID, edge.ID}, outboxIDs(got),
		"the due messages, due at or before now, by NextAttemptAt and ID")
	for _, m := range got {
		assert.Equal(t, outbox.Sending, m.Status, m.Recipient)
		assert.Equal(t, 1, m.Attempts, m.Recipient)
		assert.Equal(t, 1, m.Claims, m.Recipient)
		assertUTC(t, now.Add(lease), m.ClaimedUntil, "ClaimedUntil")
		assertUTC(t, now, m.UpdatedAt, "UpdatedAt")
		assert.Equal(t, m, mustGetOutbox(t, s, m.ID), "Claim returns what it stored")
	}
	assert.Equal(t, outbox.Pending, mustGetOutbox(t, s, later.ID).Status, "not due yet")

	assert.Empty(t, claim(t, s, now, 10), "claimed messages are leased")
	again := claim(t, s, later.NextAttemptAt, 10)
	assert.Equal(t, []outbox.ID{later.ID}, outboxIDs(again), "the later one once it is due")
}

func testOutboxClaimLimit(t *testing.T, s storage.Store) {
	var want []outbox.ID
	for i := range 5 {
		want = append(want, enqueue(t, s, newOutbox("", fmt.Sprintf("user%d@example.com", i))).ID)
	}
	var got []outbox.ID
	for range 3 {
		batch := claim(t, s, base, 2)
		assert.LessOrEqual(t, len(batch), 2)
		got = append(got, outboxIDs(batch)...)
	}
	assert.Equal(t, want, got, "each message once, oldest first, two at a time")
}

func testOutboxClaimInvalidLimit(t *testing.T, s storage.Store) {
	enqueue(t, s, newOutbox("", "ada@example.com"))
	for _, limit := range []int{0, -1} {
		err := write(t, s, func(ctx context.Context, r storage.Repos) error {
			_, err := r.Outbox().Claim(ctx, base, limit, lease)
			return err
		})
		assert.Error(t, err, "limit %d", limit)
	}
	assert.Len(t, claim(t, s, base, 1), 1, "nothing was claimed")
}

// testOutboxLeaseExpiry claims a message and lets its worker die: once the
// lease runs out the message is claimed again, and the dead worker's claim
// can no longer settle it.
func testOutboxLeaseExpiry(t *testing.T, s storage.Store) {
	m := enqueue(t, s, newOutbox("", "ada@example.com"))
	first := claim(t, s, base, 1)
	require.Len(t, first, 1)

	assert.Empty(t, claim(t, s, at(lease-time.Microsecond), 1), "the lease still runs")
	second := claim(t, s, at(lease), 1)
	require.Len(t, second, 1, "the lease ran out: claimable again")
	assert.Equal(t, m.ID, second[0].ID)
	assert.Equal(t, 2, second[0].Attempts, "each claim counts")
	assert.Equal(t, 2, second[0].Claims)
	assertUTC(t, at(2*lease), second[0].ClaimedUntil, "a new lease")
	assert.Equal(t, m.Payload, second[0].Payload)

	_, err := markSent(t, s, first[0], at(lease))
	assertConflict(t, err, "the first claim cannot settle it any more")
	sent, err := markSent(t, s, second[0], at(lease))
	require.NoError(t, err)
	assert.Equal(t, outbox.Sent, sent.Status)
}

func testOutboxMarkSent(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	m := enqueue(t, s, newOutbox(c.ID, "ada@example.com"))
	claimed := claim(t, s, base, 1)
	require.Len(t, claimed, 1)
	sent, err := markSent(t, s, claimed[0], at(time.Second))
	require.NoError(t, err)

	want := m
	want.Status = outbox.Sent
	want.Attempts = 1
	want.Claims = 1
	want.Payload = nil
	want.SentAt = at(time.Second)
	want.UpdatedAt = at(time.Second)
	assert.Equal(t, want, sent, "sent: the payload, which may hold a token, is gone; the rest stays")
	assert.Equal(t, want, mustGetOutbox(t, s, m.ID))
}

// testOutboxSentIsFinal: a sent message is never claimed, rescheduled,
// failed, released or retried.
func testOutboxSentIsFinal(t *testing.T, s storage.Store) {
	m := enqueue(t, s, newOutbox("", "ada@example.com"))
	claimed := claim(t, s, base, 1)
	require.Len(t, claimed, 1)
	sent, err := markSent(t, s, claimed[0], base)
	require.NoError(t, err)

	assert.Empty(t, claim(t, s, at(365*24*time.Hour), 10), "not even long after")
	a := claimed[0].Claims
	for name, fn := range map[string]func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error){
		"MarkSent": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.MarkSent(ctx, m.ID, a, at(time.Hour))
		},
		"Reschedule": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.Reschedule(ctx, m.ID, a, at(time.Hour), "boom", at(time.Hour))
		},
		"MarkFailed": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.MarkFailed(ctx, m.ID, a, "boom", at(time.Hour))
		},
		"Release": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.Release(ctx, m.ID, a, at(time.Hour))
		},
		"Retry": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.Retry(ctx, m.ID, at(time.Hour))
		},
	} {
		_, err := settle(t, s, fn)
		assertConflict(t, err, name)
	}
	assert.Equal(t, sent, mustGetOutbox(t, s, m.ID), "still sent, as it was")
}

func testOutboxReschedule(t *testing.T, s storage.Store) {
	m := enqueue(t, s, newOutbox("", "ada@example.com"))
	claimed := claim(t, s, base, 1)
	require.Len(t, claimed, 1)
	next := at(time.Minute)
	got, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.Reschedule(ctx, m.ID, 1, next, "451 try later", at(time.Second))
	})
	require.NoError(t, err)
	assert.Equal(t, outbox.Pending, got.Status)
	assert.Equal(t, 1, got.Attempts, "the attempt stays counted")
	assertUTC(t, next, got.NextAttemptAt, "NextAttemptAt")
	assert.True(t, got.ClaimedUntil.IsZero(), "no lease")
	assert.Equal(t, "451 try later", got.LastError)
	assert.Equal(t, m.Payload, got.Payload)
	assert.Equal(t, got, mustGetOutbox(t, s, m.ID))

	assert.Empty(t, claim(t, s, next.Add(-time.Microsecond), 1), "not before it is due again")
	again := claim(t, s, next, 1)
	require.Len(t, again, 1)
	assert.Equal(t, 2, again[0].Attempts)
	assert.Equal(t, 2, again[0].Claims)
	assert.Equal(t, "451 try later", again[0].LastError, "the last error stays until another")
}

func testOutboxFailRetry(t *testing.T, s storage.Store) {
	m := enqueue(t, s, newOutbox("", "ada@example.com"))
	claimed := claim(t, s, base, 1)
	require.Len(t, claimed, 1)
	failed, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.MarkFailed(ctx, m.ID, 1, "550 no such user", at(time.Second))
	})
	require.NoError(t, err)
	assert.Equal(t, outbox.Failed, failed.Status)
	assert.Equal(t, "550 no such user", failed.LastError)
	assert.Equal(t, m.Payload, failed.Payload, "a failed message keeps its payload for a retry")
	assert.True(t, failed.ClaimedUntil.IsZero())
	assert.Empty(t, claim(t, s, at(365*24*time.Hour), 1), "failed messages are not claimed")

	retried, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.Retry(ctx, m.ID, at(time.Hour))
	})
	require.NoError(t, err)
	assert.Equal(t, outbox.Pending, retried.Status)
	assert.Zero(t, retried.Attempts, "attempts start again")
	assert.Equal(t, 1, retried.Claims, "claims never go back")
	assertUTC(t, at(time.Hour), retried.NextAttemptAt, "due at the retry")
	assertUTC(t, at(time.Hour), retried.UpdatedAt, "UpdatedAt")
	assert.Equal(t, "550 no such user", retried.LastError, "the last error stays as a record")
	assert.Equal(t, retried, mustGetOutbox(t, s, m.ID))

	_, err = settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.Retry(ctx, m.ID, at(time.Hour))
	})
	assertConflict(t, err, "a pending message is not retried")
	_, err = settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.Retry(ctx, newOutboxID(), at(time.Hour))
	})
	assertNotFound(t, err)

	again := claim(t, s, at(time.Hour), 1)
	require.Len(t, again, 1)
	assert.Equal(t, 1, again[0].Attempts)
	assert.Equal(t, 2, again[0].Claims)
}

func testOutboxRelease(t *testing.T, s storage.Store) {
	m := enqueue(t, s, newOutbox("", "ada@example.com"))
	claimed := claim(t, s, at(time.Minute), 1)
	require.Len(t, claimed, 1)
	got, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.Release(ctx, m.ID, 1, at(time.Minute))
	})
	require.NoError(t, err)
	want := m
	want.Claims = 1 // the claim keeps its number
	want.UpdatedAt = at(time.Minute)
	assert.Equal(t, want, got, "pending again, uncounted, due as before")
	assert.Equal(t, got, mustGetOutbox(t, s, m.ID))

	again := claim(t, s, at(time.Minute), 1)
	require.Len(t, again, 1, "claimable at once")
	assert.Equal(t, 1, again[0].Attempts)
	assert.Equal(t, 2, again[0].Claims, "a new claim, a new number")
	_, err = settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.MarkSent(ctx, m.ID, claimed[0].Claims, at(time.Minute))
	})
	assertConflict(t, err, "the released claim settles nothing")
}

// testOutboxSettleFenced: the bookkeeping changes a message only while it
// is sending under the claim named.
func testOutboxSettleFenced(t *testing.T, s storage.Store) {
	enqueue(t, s, newOutbox("", "sending@example.com"))
	claimed := claim(t, s, base, 1)
	require.Len(t, claimed, 1)
	sending := claimed[0]
	other := enqueue(t, s, newOutbox("", "other@example.com"))

	type call func(ctx context.Context, r storage.OutboxRepo, id outbox.ID, claim int) (outbox.Message, error)
	calls := map[string]call{
		"MarkSent": func(ctx context.Context, r storage.OutboxRepo, id outbox.ID, a int) (outbox.Message, error) {
			return r.MarkSent(ctx, id, a, at(time.Second))
		},
		"Reschedule": func(ctx context.Context, r storage.OutboxRepo, id outbox.ID, a int) (outbox.Message, error) {
			return r.Reschedule(ctx, id, a, at(time.Minute), "boom", at(time.Second))
		},
		"MarkFailed": func(ctx context.Context, r storage.OutboxRepo, id outbox.ID, a int) (outbox.Message, error) {
			return r.MarkFailed(ctx, id, a, "boom", at(time.Second))
		},
		"Release": func(ctx context.Context, r storage.OutboxRepo, id outbox.ID, a int) (outbox.Message, error) {
			return r.Release(ctx, id, a, at(time.Second))
		},
	}
	for name, fn := range calls {
		_, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return fn(ctx, r, sending.ID, sending.Claims+1)
		})
		assertConflict(t, err, "%s under another claim", name)
		_, err = settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return fn(ctx, r, other.ID, 0)
		})
		assertConflict(t, err, "%s of a pending message", name)
		_, err = settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return fn(ctx, r, newOutboxID(), 1)
		})
		assertNotFound(t, err, "%s of no message", name)
	}
	assert.Equal(t, sending, mustGetOutbox(t, s, sending.ID), "nothing changed")
	assert.Equal(t, other, mustGetOutbox(t, s, other.ID), "nothing changed")
}

// testOutboxStaleClaimAfterRetry: a worker whose lease ran out cannot
// settle the message once another claim took over, even after the message
// failed, staff retried it and a third claim spends the fresh attempts.
func testOutboxStaleClaimAfterRetry(t *testing.T, s storage.Store) {
	m := enqueue(t, s, newOutbox("", "ada@example.com"))
	a := claim(t, s, base, 1) // worker A; it hangs past its lease
	require.Len(t, a, 1)
	b := claim(t, s, at(lease), 1) // worker B
	require.Len(t, b, 1)
	_, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.MarkFailed(ctx, m.ID, b[0].Claims, "550", at(lease))
	})
	require.NoError(t, err)
	_, err = settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.Retry(ctx, m.ID, at(2*lease))
	})
	require.NoError(t, err)
	c := claim(t, s, at(2*lease), 1) // worker C, on the retry's fresh attempts
	require.Len(t, c, 1)
	require.Equal(t, a[0].Attempts, c[0].Attempts, "C spends the retry's first attempt, as A spent the first")
	assert.Equal(t, []int{1, 2, 3}, []int{a[0].Claims, b[0].Claims, c[0].Claims}, "each claim has its own number")

	for name, fn := range map[string]func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error){
		"MarkSent": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.MarkSent(ctx, m.ID, a[0].Claims, at(2*lease))
		},
		"Reschedule": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.Reschedule(ctx, m.ID, a[0].Claims, at(3*lease), "stale A", at(2*lease))
		},
		"MarkFailed": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.MarkFailed(ctx, m.ID, a[0].Claims, "stale A", at(2*lease))
		},
		"Release": func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.Release(ctx, m.ID, a[0].Claims, at(2*lease))
		},
	} {
		_, err := settle(t, s, fn)
		assertConflict(t, err, "stale worker A's %s changed a message claimed by C", name)
	}
	assert.Equal(t, c[0], mustGetOutbox(t, s, m.ID), "C's claim is untouched")
	sent, err := markSent(t, s, c[0], at(2*lease))
	require.NoError(t, err, "C settles it")
	assert.Equal(t, outbox.Sent, sent.Status)
}

// testOutboxEraseExpiredPayloads: a failed message whose link has expired
// loses its payload, and with it the link's token; the rest keep theirs.
func testOutboxEraseExpiredPayloads(t *testing.T, s storage.Store) {
	now := at(24 * time.Hour)
	failed := func(to string, expires time.Time) outbox.Message {
		t.Helper()
		m := newOutbox("", to)
		m.ExpiresAt = expires
		enqueue(t, s, m)
		claimed := claim(t, s, base, 1)
		require.Len(t, claimed, 1)
		f, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
			return r.MarkFailed(ctx, m.ID, claimed[0].Claims, "550", at(time.Second))
		})
		require.NoError(t, err)
		return f
	}
	expired := failed("expired@example.com", now.Add(-time.Hour))
	edge := failed("edge@example.com", now)
	valid := failed("valid@example.com", now.Add(time.Microsecond))
	noLink := failed("nolink@example.com", time.Time{})
	pendingExpired := newOutbox("", "pending@example.com")
	pendingExpired.ExpiresAt = now.Add(-time.Hour)
	pendingExpired.NextAttemptAt = now.Add(time.Hour)
	enqueue(t, s, pendingExpired)

	erase := func() int {
		t.Helper()
		var n int
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
			var err error
			n, err = r.Outbox().EraseExpiredPayloads(ctx, now)
			return err
		}))
		return n
	}
	assert.Equal(t, 2, erase(), "the failed messages whose link expired at or before now")
	for _, m := range []outbox.Message{expired, edge} {
		want := m
		want.Payload = nil
		assert.Equal(t, want, mustGetOutbox(t, s, m.ID), "%s: only the payload goes", m.Recipient)
	}
	for _, m := range []outbox.Message{valid, noLink, pendingExpired} {
		assert.Equal(t, m, mustGetOutbox(t, s, m.ID), "%s keeps its payload", m.Recipient)
	}
	assert.Zero(t, erase(), "nothing is left to erase")

	err := read(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Outbox().EraseExpiredPayloads(ctx, now)
		return err
	})
	assert.ErrorIs(t, err, storage.ErrReadOnly)
}

func testOutboxList(t *testing.T, s storage.Store) {
	acme := createCustomer(t, s, newCustomer("Acme"))
	globex := createCustomer(t, s, newCustomer("Globex"))
	a1 := enqueue(t, s, newOutbox(acme.ID, "a1@example.com"))
	g1 := enqueue(t, s, newOutbox(globex.ID, "g1@example.com"))
	a2 := enqueue(t, s, newOutbox(acme.ID, "a2@example.com"))
	none := enqueue(t, s, newOutbox("", "ops@example.com"))
	claimed := claim(t, s, base, 1) // a1
	require.Len(t, claimed, 1)
	_, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.MarkFailed(ctx, a1.ID, 1, "550", base)
	})
	require.NoError(t, err)

	ids := func(f storage.OutboxFilter) []outbox.ID {
		t.Helper()
		l, err := listOutbox(t, s, f, storage.Page{})
		require.NoError(t, err)
		return outboxIDs(l.Items)
	}
	assert.Equal(t, []outbox.ID{a1.ID, g1.ID, a2.ID, none.ID}, ids(storage.OutboxFilter{}))
	assert.Equal(t, []outbox.ID{a1.ID, a2.ID}, ids(storage.OutboxFilter{CustomerID: acme.ID}))
	assert.Equal(t, []outbox.ID{a1.ID}, ids(storage.OutboxFilter{Status: outbox.Failed}))
	assert.Equal(t, []outbox.ID{g1.ID, a2.ID, none.ID}, ids(storage.OutboxFilter{Status: outbox.Pending}))
	assert.Equal(t, []outbox.ID{a2.ID}, ids(storage.OutboxFilter{Status: outbox.Pending, CustomerID: acme.ID}))
	assert.Empty(t, ids(storage.OutboxFilter{Status: outbox.Sent}))
}

func testOutboxRollback(t *testing.T, s storage.Store) {
	toSend := enqueue(t, s, newOutbox("", "send@example.com"))
	toFail := enqueue(t, s, newOutbox("", "fail@example.com"))
	claimed := claim(t, s, base, 2)
	require.Len(t, claimed, 2)
	failed, err := settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.MarkFailed(ctx, toFail.ID, 1, "550", base)
	})
	require.NoError(t, err)
	sending := mustGetOutbox(t, s, toSend.ID)
	fresh := newOutbox("", "fresh@example.com")

	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		o := r.Outbox()
		if err := o.Enqueue(ctx, fresh); err != nil {
			return err
		}
		if _, err := o.MarkSent(ctx, toSend.ID, 1, at(time.Second)); err != nil {
			return err
		}
		if _, err := o.Retry(ctx, toFail.ID, at(time.Second)); err != nil {
			return err
		}
		if _, err := o.Claim(ctx, at(time.Hour), 10, lease); err != nil {
			return err
		}
		return errBoom
	})
	require.ErrorIs(t, err, errBoom)

	_, err = getOutbox(t, s, fresh.ID)
	assertNotFound(t, err, "Enqueue is rolled back")
	assert.Equal(t, sending, mustGetOutbox(t, s, toSend.ID), "MarkSent is rolled back: the payload is back")
	assert.Equal(t, failed, mustGetOutbox(t, s, toFail.ID), "Retry and Claim are rolled back")
}

func testOutboxReadOnly(t *testing.T, s storage.Store) {
	m := enqueue(t, s, newOutbox("", "ada@example.com"))
	for name, fn := range map[string]func(ctx context.Context, r storage.OutboxRepo) error{
		"Enqueue": func(ctx context.Context, r storage.OutboxRepo) error {
			return r.Enqueue(ctx, newOutbox("", "bob@example.com"))
		},
		"Claim": func(ctx context.Context, r storage.OutboxRepo) error {
			_, err := r.Claim(ctx, base, 1, lease)
			return err
		},
		"MarkSent": func(ctx context.Context, r storage.OutboxRepo) error {
			_, err := r.MarkSent(ctx, m.ID, 0, base)
			return err
		},
		"Reschedule": func(ctx context.Context, r storage.OutboxRepo) error {
			_, err := r.Reschedule(ctx, m.ID, 0, base, "x", base)
			return err
		},
		"MarkFailed": func(ctx context.Context, r storage.OutboxRepo) error {
			_, err := r.MarkFailed(ctx, m.ID, 0, "x", base)
			return err
		},
		"Release": func(ctx context.Context, r storage.OutboxRepo) error {
			_, err := r.Release(ctx, m.ID, 0, base)
			return err
		},
		"Retry": func(ctx context.Context, r storage.OutboxRepo) error {
			_, err := r.Retry(ctx, m.ID, base)
			return err
		},
	} {
		err := read(t, s, func(ctx context.Context, r storage.Repos) error { return fn(ctx, r.Outbox()) })
		assert.ErrorIs(t, err, storage.ErrReadOnly, name)
	}
	assert.Equal(t, m, mustGetOutbox(t, s, m.ID), "nothing changed")
}

func testOutboxTimesUTC(t *testing.T, s storage.Store) {
	zone := time.FixedZone("UTC+5", 5*3600)
	m := newOutbox("", "ada@example.com")
	m.NextAttemptAt = base.In(zone)
	m.CreatedAt = base.In(zone)
	m.UpdatedAt = base.In(zone)
	m.ExpiresAt = at(time.Hour).In(zone)
	enqueue(t, s, m)
	got := mustGetOutbox(t, s, m.ID)
	assertUTC(t, base, got.NextAttemptAt, "NextAttemptAt")
	assertUTC(t, at(time.Hour), got.ExpiresAt, "ExpiresAt")
	assertUTC(t, base, got.CreatedAt, "CreatedAt")
	assertUTC(t, base, got.UpdatedAt, "UpdatedAt")

	claimed := claim(t, s, at(time.Second).In(zone), 1)
	require.Len(t, claimed, 1)
	assertUTC(t, at(time.Second+lease), claimed[0].ClaimedUntil, "ClaimedUntil")
	sent, err := markSent(t, s, claimed[0], at(2*time.Second).In(zone))
	require.NoError(t, err)
	assertUTC(t, at(2*time.Second), sent.SentAt, "SentAt")
	assertUTC(t, at(2*time.Second), mustGetOutbox(t, s, m.ID).SentAt, "SentAt as stored")
}

// testOutboxClaimedOnce has 8 workers claim, three at a time, and mark
// sent 60 messages at once: every message is handed out exactly once, and
// none comes back once sent.
func testOutboxClaimedOnce(t *testing.T, s storage.Store) {
	const n, workers = 60, 8
	want := map[outbox.ID]bool{}
	for i := range n {
		want[enqueue(t, s, newOutbox("", fmt.Sprintf("user%d@example.com", i))).ID] = true
	}
	ctx := t.Context()
	var (
		mu   sync.Mutex
		seen = map[outbox.ID]int{}
		wg   sync.WaitGroup
	)
	for range workers {
		wg.Go(func() {
			for {
				var batch []outbox.Message
				err := s.InTx(ctx, func(r storage.Repos) error {
					var err error
					batch, err = r.Outbox().Claim(ctx, base, 3, lease)
					return err
				})
				if !assert.NoError(t, err) || len(batch) == 0 {
					return
				}
				mu.Lock()
				for _, m := range batch {
					seen[m.ID]++
				}
				mu.Unlock()
				for _, m := range batch {
					err := s.InTx(ctx, func(r storage.Repos) error {
						_, err := r.Outbox().MarkSent(ctx, m.ID, m.Claims, base)
						return err
					})
					assert.NoError(t, err, "marking %s sent", m.ID)
				}
			}
		})
	}
	wg.Wait()
	assert.Len(t, seen, n, "every message was claimed")
	for id, k := range seen {
		assert.True(t, want[id], "%s is one of ours", id)
		assert.Equal(t, 1, k, "%s was claimed %d times", id, k)
	}
	assert.Empty(t, claim(t, s, at(365*24*time.Hour), n), "sent messages never come back")
	l, err := listOutbox(t, s, storage.OutboxFilter{Status: outbox.Sent}, storage.Page{Limit: storage.MaxLimit})
	require.NoError(t, err)
	assert.Len(t, l.Items, n)
}

func outboxStats(t *testing.T, s storage.Store) storage.OutboxStats {
	t.Helper()
	st, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.OutboxStats, error) {
		return r.Outbox().Stats(ctx)
	})
	require.NoError(t, err, "Stats in a read-only transaction")
	return st
}

// testOutboxStats follows the counts and the first due time as messages
// are written, claimed, rescheduled, sent and failed, and as a claim's
// lease becomes the earliest due time.
func testOutboxStats(t *testing.T, s storage.Store) {
	assert.Equal(t, storage.OutboxStats{}, outboxStats(t, s), "an empty outbox")

	late := newOutbox("", "late@example.com")
	late.NextAttemptAt = at(time.Hour)
	enqueue(t, s, late)
	st := outboxStats(t, s)
	assert.Equal(t, 1, st.Pending)
	assertUTC(t, at(time.Hour), st.FirstDue, "FirstDue: a message not due yet")

	a := enqueue(t, s, newOutbox("", "a@example.com"))
	early := newOutbox("", "early@example.com")
	early.NextAttemptAt = at(-time.Minute)
	enqueue(t, s, early)
	b := enqueue(t, s, newOutbox("", "b@example.com"))
	st = outboxStats(t, s)
	assert.Equal(t, 4, st.Pending)
	assert.Zero(t, st.Sending)
	assertUTC(t, at(-time.Minute), st.FirstDue, "FirstDue: the earliest pending")

	claimed := claim(t, s, base, 3) // early, a, b
	require.Len(t, claimed, 3)
	st = outboxStats(t, s)
	assert.Equal(t, 1, st.Pending)
	assert.Equal(t, 3, st.Sending)
	assertUTC(t, at(lease), st.FirstDue, "FirstDue: the leases run out before late is due")

	_, err := markSent(t, s, claimed[0], base)
	require.NoError(t, err)
	_, err = settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.MarkFailed(ctx, claimed[1].ID, claimed[1].Claims, "550", base)
	})
	require.NoError(t, err)
	_, err = settle(t, s, func(ctx context.Context, r storage.OutboxRepo) (outbox.Message, error) {
		return r.Reschedule(ctx, claimed[2].ID, claimed[2].Claims, at(30*time.Second), "451", base)
	})
	require.NoError(t, err)
	st = outboxStats(t, s)
	assert.Equal(t, storage.OutboxStats{Pending: 2, FirstDue: st.FirstDue}, st, "sent and failed messages do not count")
	assertUTC(t, at(30*time.Second), st.FirstDue, "FirstDue: the rescheduled one")
	assert.Equal(t, []outbox.ID{early.ID, a.ID, b.ID}, outboxIDs(claimed))
}
