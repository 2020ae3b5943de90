package idempotency

import "time"

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// State says whether the request that first used a key has answered.
type State string

// The states of a record.
const (
	// InFlight: the first request's change has committed, and its answer
	// is not kept (yet): the request is still answering, or it stopped
	// before it could keep the answer, or the answer holds a secret. A
	// repeat is answered from ObjectIDs, when the record names any.
	InFlight State = "in_flight"
	// Done: the first request answered; Response holds the answer.
	Done State = "done"
)

// Record remembers one use of an Idempotency-Key: which request used it
// and, once it answered, what it answered.
type Record struct {
	// Scope is whose key it is (a principal's Actor): two callers' keys
	// never collide. Scope and Key are the record's unique key.
	Scope string
	Key   string
	// Fingerprint identifies the request (a hash of its method, route and
	// body), so a reuse with another request can be told apart.
	Fingerprint string
	State       State
	// ObjectIDs name the objects the first request's change is about (the
	// order it placed, the stock item it issued, the items it stocked in),
	// stored with the key in the change's transaction: what a repeat is
	// answered from while the answer itself is not kept. Empty when the
	// change named none.
	ObjectIDs []string
	// Response is the first answer; zero while in flight.
	Response  Response
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Response is an answer as kept for replay.
type Response struct {
	Status      int
	ContentType string
	// ETag is the answer's ETag header, if any.
	ETag string
	// Body is the answer's body, nil when it had none.
	Body []byte
	// Secret says that the answer carries a secret (a new API key's or
	// access link's token). Such an answer is never kept: its record stays
	// in flight, and a repeat is answered from the record's ObjectIDs.
	Secret bool
}

// Live reports whether the record still holds its key at now; an expired
// one is replaced by the next request that uses the key.
func (r Record) Live(now time.Time) bool { return r.ExpiresAt.After(now) }
