package webhook

import (
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/outbox"
)

// DeliveryID identifies a delivery ("wdl_" + UUIDv7).
type DeliveryID string

// MaxResponseBody is how much of a receiver's answer a delivery keeps.
const MaxResponseBody = 1024

// Delivery is one event on its way to one endpoint, and afterwards the
// record of how it went: the delivery log. It is the webhooks' outbox row:
// written pending in the transaction of the change (one per subscribed
// endpoint), claimed by a delivery worker under a lease, and settled
// delivered (outbox.Sent), pending again after a backoff, or failed. The
// states and the lease follow outbox.Message's rules; Claims fences a
// worker whose lease ran out, as there.
type Delivery struct {
	ID         DeliveryID
	EndpointID EndpointID
	EventID    EventID
	Type       Type
	CustomerID customer.ID
	// Body is the event's JSON exactly as it is signed and sent.
	Body []byte
	// ReplayOf is the delivery this one replays; empty for the first.
	ReplayOf DeliveryID

	Status        outbox.Status
	Attempts      int
	Claims        int
	NextAttemptAt time.Time
	ClaimedUntil  time.Time

	// The last attempt: the receiver's status code (0 when it gave none:
	// a timeout, a refused connection, a blocked address), the first
	// MaxResponseBody bytes of its answer, how long it took, and the error
	// when it failed.
	ResponseCode int
	ResponseBody string
	Latency      time.Duration
	LastError    string
	// AttemptedAt is when the last attempt ended; zero before the first.
	AttemptedAt time.Time

	CreatedAt   time.Time
	UpdatedAt   time.Time
	DeliveredAt time.Time
}

// Due reports whether a worker may claim d at now, by outbox.Message.Due's
// rule.
func (d Delivery) Due(now time.Time) bool {
	return outbox.Message{Status: d.Status, NextAttemptAt: d.NextAttemptAt, ClaimedUntil: d.ClaimedUntil}.Due(now)
}

// HeldBy reports whether d is being sent under claim.
func (d Delivery) HeldBy(claim int) bool { return d.Status == outbox.Sending && d.Claims == claim }

// Replay returns a new pending delivery of d's event to d's endpoint, due
// at now, with the same body and so the same webhook-id.
func (d Delivery) Replay(id DeliveryID, now time.Time) Delivery {
	return Delivery{
		ID: id, EndpointID: d.EndpointID, EventID: d.EventID, Type: d.Type, CustomerID: d.CustomerID,
		Body: d.Body, ReplayOf: d.ID, Status: outbox.Pending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	}
}

// ClipBody returns the first MaxResponseBody bytes of b, cut at a
// character boundary, as a delivery keeps a receiver's answer.
func ClipBody(b []byte) string {
	if len(b) <= MaxResponseBody {
		return string(b)
	}
	cut := MaxResponseBody
	for cut > 0 && !utf8.RuneStart(b[cut]) {
		cut--
	}
	return string(b[:cut])
}
