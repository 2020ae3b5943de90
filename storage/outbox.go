package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/outbox"
)

// OutboxRepo stores the outbox: messages written in the transaction of the
// change that caused them and delivered after it commits by workers, any
// number of which may run at once.
//
// A worker's bookkeeping names the message and its claim (the
// Message.Claims that Claim returned). Each such method changes the
// message only while it is sending under that claim; otherwise it changes
// nothing and returns ErrConflict (the lease ran out and another claim
// took over, or the message was settled already), or ErrNotFound when
// there is no such message.
type OutboxRepo interface {
	// Enqueue stores m as given (callers set Status pending and
	// NextAttemptAt). ErrAlreadyExists when the ID is taken. CustomerID is
	// not checked against the customers: like audit events, messages are
	// records that outlive what they describe.
	Enqueue(ctx context.Context, m outbox.Message) error
	// Get returns the message with the given ID, or ErrNotFound.
	Get(ctx context.Context, id outbox.ID) (outbox.Message, error)
	// Claim takes up to limit messages that are due at now, oldest
	// NextAttemptAt first: pending ones whose NextAttemptAt is at or before
	// now, and sending ones whose lease (ClaimedUntil) is at or before now.
	// It marks each sending, leased until now+lease, with Attempts and
	// Claims one higher, and returns them as stored, ordered by
	// NextAttemptAt and ID.
	// Claim is atomic: two concurrent claims never return the same message
	// while its lease runs (SQLite has one writer; a backend with several
	// skips rows another transaction has locked, as with FOR UPDATE SKIP
	// LOCKED). Sent and failed messages are never claimed. limit must be
	// positive.
	Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]outbox.Message, error)
	// MarkSent marks a sending message sent at `at` and erases its Payload.
	MarkSent(ctx context.Context, id outbox.ID, claim int, at time.Time) (outbox.Message, error)
	// Reschedule makes a sending message pending again, due at next, with
	// the error of the attempt that failed; Attempts stays as claimed.
	Reschedule(ctx context.Context, id outbox.ID, claim int, next time.Time, lastErr string, at time.Time) (outbox.Message, error)
	// MarkFailed marks a sending message failed for good, with the error
	// of its last attempt.
	MarkFailed(ctx context.Context, id outbox.ID, claim int, lastErr string, at time.Time) (outbox.Message, error)
	// Release makes a sending message pending again without counting the
	// attempt (Attempts goes back down; Claims does not): a worker that
	// stops before trying it hands it back, due as it was before the claim.
	Release(ctx context.Context, id outbox.ID, claim int, at time.Time) (outbox.Message, error)
	// Retry makes a failed message pending again, due at `at`, with
	// Attempts reset to zero and Claims as it was; LastError stays as a
	// record. ErrConflict when the message is not failed; ErrNotFound when
	// there is none.
	Retry(ctx context.Context, id outbox.ID, at time.Time) (outbox.Message, error)
	// List returns one page of messages matching f, ordered by ID.
	List(ctx context.Context, f OutboxFilter, p Page) (List[outbox.Message], error)
	// EraseExpiredPayloads erases the Payload of every failed message whose
	// ExpiresAt is set and at or before now, so that a token nobody can
	// use any more is not kept, and returns how many it erased. The rest of
	// each message stays as a record.
	EraseExpiredPayloads(ctx context.Context, now time.Time) (int, error)
	// Stats says how much of the outbox waits to be sent, for monitoring,
	// in one statement cheap enough to run on every scrape: it counts
	// through indexes and never reads sent or failed messages. It works in
	// read-only transactions.
	Stats(ctx context.Context) (OutboxStats, error)
}

// OutboxStats is how much of the outbox waits to be sent.
type OutboxStats struct {
	// Pending counts the messages waiting for their first or their next
	// attempt, due or not.
	Pending int
	// Sending counts the messages claimed by a worker: being sent, or left
	// by a worker that died until their lease runs out.
	Sending int
	// FirstDue is the earliest time at which one of those messages became
	// (or becomes) due, as outbox.Message.Due has it: the NextAttemptAt of
	// a pending message, the ClaimedUntil of a sending one. Zero when there
	// are none. How long ago it was is how far delivery lags behind.
	FirstDue time.Time
}

// OutboxFilter narrows an outbox list. Zero fields do not filter.
type OutboxFilter struct {
	Status     outbox.Status
	CustomerID customer.ID
}
