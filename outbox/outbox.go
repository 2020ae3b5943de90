package outbox

import (
	"time"

	"github.com/portalkit/portalkit/customer"
)

// ID identifies an outbox message ("out_" + UUIDv7).
type ID string

// Status is where a message is on its way out.
type Status string

// The states of a message. A message is written pending, in the
// transaction of the change that caused it; a worker claims it (sending),
// then marks it sent, reschedules it (pending again, later) or marks it
// failed. Staff may retry a failed one (pending again). Sent is final.
const (
	Pending Status = "pending"
	Sending Status = "sending"
	Sent    Status = "sent"
	Failed  Status = "failed"
)

// Message is one message waiting to leave, or the record of one that left
// or gave up.
type Message struct {
	ID ID
	// Kind says what the message is, such as "invitation"; the worker
	// renders it from Payload.
	Kind string
	// Recipient is the normalised e-mail address the message goes to.
	Recipient string
	// CustomerID is the customer the message is about; empty for none.
	CustomerID customer.ID
	// Payload is what the worker renders the message from. It may carry a
	// credential (an invitation's or a login link's token), so MarkSent
	// erases it: a sent message keeps only the fields above and below.
	// A failed message keeps it, so that it can be retried, until its
	// link expires (PayloadExpired).
	Payload []byte
	// ExpiresAt is when the credential in Payload stops working; zero when
	// it carries none.
	ExpiresAt time.Time
	Status    Status
	// Attempts is the retry budget spent: a claim adds one, a release
	// takes it back, a retry resets it to zero. The worker gives up after
	// its MaxAttempts.
	Attempts int
	// Claims counts every claim of the message and never goes down
	// (release and retry leave it), so each claim gets a number no other
	// claim ever had. That number fences the bookkeeping after the claim:
	// a worker whose lease ran out and whose message was claimed again,
	// even after a retry, cannot change it.
	Claims int
	// NextAttemptAt is when a pending message is due.
	NextAttemptAt time.Time
	// ClaimedUntil is the lease of a message being sent: once it passes,
	// the message may be claimed again, as its worker is presumed dead.
	// Zero unless the message is sending.
	ClaimedUntil time.Time
	// LastError says why the last attempt failed; empty if none did.
	LastError string
	CreatedAt time.Time
	UpdatedAt time.Time
	// SentAt is when the mail server accepted the message; zero until then.
	SentAt time.Time
}

// Due reports whether a worker may claim m at now: a pending message whose
// next attempt is due, or a sending one whose lease ran out (its worker is
// presumed dead). Sent and failed messages are never due. Storage backends
// translate this rule into their claim query.
func (m Message) Due(now time.Time) bool {
	switch m.Status {
	case Pending:
		return !m.NextAttemptAt.After(now)
	case Sending:
		return !m.ClaimedUntil.After(now)
	}
	return false
}

// PayloadExpired reports whether m's payload should be erased at now: m
// failed for good and the credential it carries has stopped working, so
// nobody can use it any more.
func (m Message) PayloadExpired(now time.Time) bool {
	return m.Status == Failed && !m.ExpiresAt.IsZero() && !m.ExpiresAt.After(now)
}

// HeldBy reports whether m is being sent under claim, the number its
// claim returned: only then may that worker settle it.
func (m Message) HeldBy(claim int) bool {
	return m.Status == Sending && m.Claims == claim
}
