package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/portalkit/portalkit/storage"
)

var _ storage.Store = (*Store)(nil)

// Store is a storage.Store on a SQL database. It is safe for concurrent use.
type Store struct {
	write   *sql.DB // InTx
	read    *sql.DB // ReadTx; may be write
	d       *Dialect
	onClose func() error
}

// Config is what New needs.
type Config struct {
	// Write serves InTx, Read serves ReadTx; they may be the same pool.
	Write, Read *sql.DB
	// Dialect says how to speak the engine.
	Dialect *Dialect
	// OnClose, if set, runs after Close has closed the pools.
	OnClose func() error
}

// New returns a Store on the pools of cfg. The schema must be migrated
// already: the engine packages' Open functions do that. Close closes both
// pools.
func New(cfg Config) *Store {
	return &Store{write: cfg.Write, read: cfg.Read, d: cfg.Dialect, onClose: cfg.OnClose}
}

// DB returns the pools of InTx and ReadTx, for engine packages and tests.
func (s *Store) DB() (write, read *sql.DB) { return s.write, s.read }

// Ping reports whether the pools can reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("%s: pinging: %w", s.d.Name, ctxErr(ctx, err))
	}
	if s.read != s.write {
		if err := s.read.PingContext(ctx); err != nil {
			return fmt.Errorf("%s: pinging read pool: %w", s.d.Name, ctxErr(ctx, err))
		}
	}
	return nil
}

// Close closes the pools. Transactions still running fail.
func (s *Store) Close() error {
	var err error
	if s.read == s.write {
		err = s.write.Close()
	} else {
		err = errors.Join(s.read.Close(), s.write.Close())
	}
	if s.onClose != nil {
		err = errors.Join(err, s.onClose())
	}
	return err
}

// Backoff between the attempts of a transaction that failed to serialize:
// the first wait is up to retryBase, each further one up to twice the last,
// never more than retryCap, drawn at random so that transactions that
// collided do not collide again.
const (
	retryBase = 2 * time.Millisecond
	retryCap  = 100 * time.Millisecond
)

// InTx runs fn in a read-write transaction (see storage.Store). Where the
// engine runs writers concurrently (PostgreSQL, SERIALIZABLE), a
// transaction that fails to serialize or is a deadlock's victim is rolled
// back and fn runs again, after a short jittered wait, up to the dialect's
// TxAttempts; after the last the error is storage.ErrConflict. fn therefore
// may run more than once and must have no effects outside the transaction.
// It commits when fn returns nil, and rolls back when fn returns an error,
// which is returned unchanged, or panics, which is re-raised.
func (s *Store) InTx(ctx context.Context, fn func(storage.Repos) error) error {
	wait := retryBase
	for attempt := 1; ; attempt++ {
		retry, err := s.run(ctx, s.write, &s.d.WriteTx, false, fn)
		if !retry {
			return err
		}
		if attempt >= s.d.TxAttempts {
			return fmt.Errorf("%s: transaction failed to serialize %d times: %w: %w", s.d.Name, attempt, storage.ErrConflict, err)
		}
		if err := s.backoff(ctx, &wait); err != nil {
			return err
		}
	}
}

// backoff waits before the next attempt of a transaction that failed to
// serialize: up to *wait, drawn at random, which it then doubles up to
// retryCap. It returns early, with ctx's cause, when ctx ends.
func (s *Store) backoff(ctx context.Context, wait *time.Duration) error {
	t := time.NewTimer(rand.N(*wait) + 1)
	select {
	case <-ctx.Done():
		t.Stop()
		return fmt.Errorf("%s: waiting to retry a transaction: %w", s.d.Name, context.Cause(ctx))
	case <-t.C:
	}
	*wait = min(*wait*2, retryCap)
	return nil
}

// ReadTx runs fn once in a read-only transaction that sees one snapshot.
// Writes through its repos fail with storage.ErrReadOnly.
func (s *Store) ReadTx(ctx context.Context, fn func(storage.Repos) error) error {
	_, err := s.run(ctx, s.read, &s.d.ReadTx, true, fn)
	return err
}

// run runs fn in one transaction and reports whether it failed to
// serialize, so that running it again may succeed.
func (s *Store) run(ctx context.Context, db *sql.DB, opts *sql.TxOptions, readOnly bool, fn func(storage.Repos) error) (retry bool, err error) {
	tx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return false, fmt.Errorf("%s: beginning transaction: %w", s.d.Name, ctxErr(ctx, err))
	}
	t := &txn{d: s.d, tx: tx, readOnly: readOnly}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		// fn's error is the one callers branch on; a failed rollback
		// leaves a broken connection, which database/sql discards.
		_ = tx.Rollback()
		return t.failed || s.d.Classify(err) == KindRetry, err
	}
	if t.failed {
		// fn went on after a statement failed to serialize; the
		// transaction is void.
		_ = tx.Rollback()
		return true, fmt.Errorf("%s: committing: %w", s.d.Name, storage.ErrConflict)
	}
	if err := tx.Commit(); err != nil {
		if s.d.Classify(err) == KindRetry {
			return true, t.dbError("committing", err, nil)
		}
		return false, fmt.Errorf("%s: committing: %w", s.d.Name, ctxErr(ctx, err))
	}
	return false, nil
}

// ctxErr returns ctx's cause when ctx has ended, which is why err happened,
// and err otherwise.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	}
	return err
}
