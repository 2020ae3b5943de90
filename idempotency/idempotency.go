package idempotency

import "time"

// TTL is how long a key is remembered.
const TTL = 24 * time.Hour

// State says whether the request that first used a key has answered.
type State string

// The states of a record.
const (
	// InFlight: the first request is still running.
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
	// Body is the answer's body, nil when it had none or when it carried a
	// secret (a new API key's or access link's token), which is not kept.
	Body []byte
	// ObjectID names what the first request created when Body is not kept.
	ObjectID string
}

// Live reports whether the record still holds its key at now; an expired
// one is replaced by the next request that uses the key.
func (r Record) Live(now time.Time) bool { return r.ExpiresAt.After(now) }
