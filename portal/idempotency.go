package portal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// IdempotentWrite ties an idempotency key to the change it guards: the
// key's record is stored in the transaction that makes the change, so the
// key is taken if, and only if, the change commits. A crash or a failure
// before the commit leaves neither, and a retry runs afresh; two requests
// with one key make the change once, whichever commits first. It belongs to
// one request and is not safe for concurrent use.
type IdempotentWrite struct {
	rec      idempotency.Record
	recorded bool
	taken    bool
}

type idempotentWriteKey struct{}

// keyTakenError is what the use case that met a taken key fails with: a
// Conflict, told apart from every other one by its type.
type keyTakenError struct{ error }

func (e keyTakenError) Unwrap() error { return e.error }

var errKeyTaken error = keyTakenError{portalerr.New(portalerr.Conflict, "this idempotency key is in use by another request")}

// WithIdempotencyKey returns a context in which the first use case that
// writes also stores rec (as an in-flight record, see
// storage.IdempotencyRepo.Begin) as the last step of its transaction,
// naming the object the change is about (the order it placed, say), so
// that the committed change alone is enough to answer a repeat. A
// record of rec's scope and key that has expired is replaced. When one
// that has not expired is there, the use case changes nothing and fails
// with Conflict, and Taken reports true. Recorded reports whether the
// change committed with the record; the caller then completes the record
// with the answer. Use cases called after that first write do not record
// the key again.
func WithIdempotencyKey(ctx context.Context, rec idempotency.Record) (context.Context, *IdempotentWrite) {
	w := &IdempotentWrite{rec: rec}
	return context.WithValue(ctx, idempotentWriteKey{}, w), w
}

// Recorded reports whether a change committed together with the record.
func (w *IdempotentWrite) Recorded() bool { return w.recorded }

// Taken reports whether a use case found the key taken and changed nothing.
func (w *IdempotentWrite) Taken() bool { return w.taken }

// pendingWrite returns the IdempotentWrite of ctx that no write has
// settled yet, or nil.
func pendingWrite(ctx context.Context) *IdempotentWrite {
	w, _ := ctx.Value(idempotentWriteKey{}).(*IdempotentWrite)
	if w == nil || w.recorded || w.taken {
		return nil
	}
	return w
}

// begin stores w's record, naming objects, in r's transaction, replacing
// an expired one, or fails with errKeyTaken (and the transaction, with the
// change it made, rolls back).
func (w *IdempotentWrite) begin(ctx context.Context, r storage.Repos, now time.Time, objects []string) error {
	rec := w.rec
	rec.ObjectIDs = objects
	took, err := takeKey(ctx, r, rec, now)
	switch {
	case errors.Is(err, storage.ErrAlreadyExists):
		return errKeyTaken // a concurrent request stored it first
	case err != nil:
		return err
	case !took:
		return errKeyTaken
	}
	return nil
}

// takeKey stores rec as an in-flight record in r's transaction, replacing
// an expired record of its key, and reports whether it did: false, with
// nothing changed, when a record that is live at now holds the key. It
// reads before it inserts: on PostgreSQL a failed insert would spoil the
// transaction, and with it the change. ErrAlreadyExists when a concurrent
// transaction stored the key first.
func takeKey(ctx context.Context, r storage.Repos, rec idempotency.Record, now time.Time) (bool, error) {
	repo := r.Idempotency()
	prev, err := repo.Get(ctx, rec.Scope, rec.Key)
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return false, fmt.Errorf("portal: reading an idempotency key: %w", err)
	case prev.Live(now):
		return false, nil
	default:
		if err := repo.Delete(ctx, rec.Scope, rec.Key); err != nil {
			return false, fmt.Errorf("portal: replacing an expired idempotency key: %w", err)
		}
	}
	if err := repo.Begin(ctx, rec); err != nil {
		return false, fmt.Errorf("portal: recording an idempotency key: %w", err)
	}
	return true, nil
}

// settle notes how the write transaction that began w ended.
func (w *IdempotentWrite) settle(err error) {
	switch {
	case err == nil:
		w.recorded = true
	case errors.As(err, new(keyTakenError)):
		w.taken = true
	}
}
