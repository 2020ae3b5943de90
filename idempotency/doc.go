// Package idempotency owns the record of an Idempotency-Key: which request
// first used a key, what it answered, and the rules that decide what a
// later request with the same key gets (the first answer again, a refusal
// because the body differs, or a wait while the first still runs).
package idempotency
