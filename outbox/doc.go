// Package outbox owns the transactional outbox's message: what a use case
// writes in the transaction of the change that caused it, for a worker to
// deliver after the commit, and the message's way out (pending → sending →
// sent or failed) with the rule of when it is due.
package outbox
