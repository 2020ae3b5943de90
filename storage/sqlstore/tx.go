package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// txn is one transaction: the repositories of an InTx or ReadTx share it.
// Every statement goes through its exec, query and queryRow, which bind
// the placeholders for the engine and remember a serialization failure.
type txn struct {
	d        *Dialect
	tx       *sql.Tx
	readOnly bool
	// failed is set when a statement failed to serialize or was a
	// deadlock's victim: the transaction is void, and InTx runs fn again
	// whatever fn made of the error.
	failed bool
	// statements counts the statements sent so far.
	statements int
	// sealed, when set, says why the transaction takes no more statements:
	// an outbox claim lowered its isolation (outboxRepo.Claim).
	sealed string
}

// writable refuses a write in a ReadTx before the database sees it.
func (t *txn) writable(op string) error {
	if t.readOnly {
		return fmt.Errorf("%s: %s: %w", t.d.Name, op, storage.ErrReadOnly)
	}
	return nil
}

// statement counts a statement about to be sent, or refuses it when the
// transaction is sealed.
func (t *txn) statement() error {
	if t.sealed != "" {
		return fmt.Errorf("%s: %s: the transaction takes no further statements", t.d.Name, t.sealed)
	}
	t.statements++
	return nil
}

// exec runs a write and returns how many rows it changed; errors are
// classified as by dbError, with fkErr for a foreign key violation.
func (t *txn) exec(ctx context.Context, op string, fkErr error, q string, args ...any) (int64, error) {
	if err := t.statement(); err != nil {
		return 0, err
	}
	res, err := t.tx.ExecContext(ctx, t.d.bind(q), args...)
	if err != nil {
		return 0, t.dbError(op, err, fkErr)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, t.dbError(op, err, nil)
	}
	return n, nil
}

// planEachKey marks a context whose selects the engine should plan for
// their parameters each time (see Dialect.PlanEach).
type planEachKey struct{}

// planEach returns ctx with its selects planned for their parameters.
func planEach(ctx context.Context) context.Context {
	return context.WithValue(ctx, planEachKey{}, true)
}

// query runs a select. Its errors are raw: pass them to dbError.
func (t *txn) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if err := t.statement(); err != nil {
		return nil, err
	}
	if t.d.PlanEach != nil && ctx.Value(planEachKey{}) != nil {
		args = append([]any{t.d.PlanEach}, args...)
	}
	return t.tx.QueryContext(ctx, t.d.bind(q), args...)
}

// row is a *sql.Row, or the error that kept a statement from being sent.
type row interface{ Scan(dest ...any) error }

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// queryRow runs a select of at most one row. Scan's errors are raw
// (sql.ErrNoRows when there is none): pass them to dbError.
func (t *txn) queryRow(ctx context.Context, q string, args ...any) row {
	if err := t.statement(); err != nil {
		return errRow{err}
	}
	return t.tx.QueryRowContext(ctx, t.d.bind(q), args...)
}

// dbError wraps err from the operation op, mapping what the engine reports
// to the storage errors: a missing row is ErrNotFound, a unique violation
// ErrAlreadyExists, a foreign key violation fkErr (nil leaves it internal),
// a serialization failure ErrConflict (remembered, so InTx runs fn again),
// a write in a read-only transaction ErrReadOnly, and text the database
// cannot store Invalid.
func (t *txn) dbError(op string, err error, fkErr error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %s: %w", t.d.Name, op, storage.ErrNotFound)
	}
	var sentinel error
	switch t.d.Classify(err) {
	case KindUnique:
		sentinel = storage.ErrAlreadyExists
	case KindForeignKey:
		sentinel = fkErr
	case KindRetry:
		t.failed = true
		sentinel = storage.ErrConflict
	case KindReadOnly:
		sentinel = storage.ErrReadOnly
	case KindBadText:
		sentinel = &portalerr.Error{Code: portalerr.Invalid, Message: "text holds a character the database cannot store"}
	}
	if sentinel == nil {
		return fmt.Errorf("%s: %s: %w", t.d.Name, op, err)
	}
	return fmt.Errorf("%s: %s: %w: %w", t.d.Name, op, sentinel, err)
}

// Tx returns the database/sql transaction behind the repos of an InTx or
// ReadTx of a Store, so that code of one's own (tests, or tables an
// embedder adds) can run statements in the same transaction. It panics
// when r is not a Store's. Placeholders are the engine's own.
func Tx(r storage.Repos) *sql.Tx { return r.(*txn).tx }
