package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/portalkit/portalkit/storage"
)

// Backoff between the attempts of a transaction that failed to serialize:
// the first wait is up to retryBase, each further one up to twice the last,
// never more than retryCap, drawn at random so that transactions that
// collided do not collide again.
const (
	retryBase = 2 * time.Millisecond
	retryCap  = 100 * time.Millisecond
)

// InTx runs fn in a SERIALIZABLE read-write transaction: whatever fn reads
// and writes, the outcome is one that running the transactions one at a
// time could have had, so a rule checked by reading (the last active admin
// of a customer, say) holds when concurrent transactions change what it
// read. When PostgreSQL cannot guarantee that, it fails a transaction with
// a serialization failure (SQLSTATE 40001), or picks a deadlock's victim
// (40P01); InTx then rolls back, waits a few milliseconds and runs fn
// again, up to the Store's attempts (WithTxAttempts), and after the last
// returns an error that is storage.ErrConflict. fn therefore may run more
// than once and must have no effects outside the transaction. It retries
// whatever fn made of the failure: once a statement has failed, the
// transaction can only roll back. It commits when fn returns nil, and rolls
// back when fn returns an error, which is returned unchanged, or panics,
// which is re-raised. A transaction whose first statement is an outbox
// claim is the one exception to SERIALIZABLE: see the package
// documentation.
func (s *Store) InTx(ctx context.Context, fn func(storage.Repos) error) error {
	opts := pgx.TxOptions{IsoLevel: s.isolation}
	wait := retryBase
	for attempt := 1; ; attempt++ {
		retry, err := s.run(ctx, opts, fn)
		if !retry {
			return err
		}
		if attempt >= s.attempts {
			return fmt.Errorf("postgres: transaction failed to serialize %d times: %w: %w", attempt, storage.ErrConflict, err)
		}
		t := time.NewTimer(rand.N(wait) + 1)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("postgres: waiting to retry a transaction: %w", context.Cause(ctx))
		case <-t.C:
		}
		wait = min(2*wait, retryCap)
	}
}

// ReadTx runs fn in a REPEATABLE READ, READ ONLY transaction: it sees one
// snapshot, taken at its first statement, and neither waits for writers nor
// makes them wait. Writes through its repos fail with storage.ErrReadOnly.
// fn runs once.
func (s *Store) ReadTx(ctx context.Context, fn func(storage.Repos) error) error {
	_, err := s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
	return err
}

// run runs fn in one transaction and reports whether it failed to
// serialize, so that running it again may succeed.
func (s *Store) run(ctx context.Context, opts pgx.TxOptions, fn func(storage.Repos) error) (retry bool, err error) {
	ptx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return false, fmt.Errorf("postgres: beginning transaction: %w", ctxErr(ctx, err))
	}
	t := &txn{isolation: opts.IsoLevel, readOnly: opts.AccessMode == pgx.ReadOnly}
	t.tx = stmtTx{Tx: ptx, t: t}
	// Rolling back must reach the server even when ctx has ended, or the
	// connection would be closed rather than returned to the pool.
	rollback := func() { _ = ptx.Rollback(context.WithoutCancel(ctx)) }
	defer func() {
		if p := recover(); p != nil {
			rollback()
			panic(p)
		}
	}()
	if err := fn(t); err != nil {
		rollback()
		return t.failed || retryable(err), err
	}
	if t.failed {
		// fn went on after a failed statement; the transaction is void.
		rollback()
		return true, fmt.Errorf("postgres: committing: %w", storage.ErrConflict)
	}
	if err := ptx.Commit(ctx); err != nil {
		if retryable(err) {
			return true, dbError("committing", err, nil)
		}
		return false, fmt.Errorf("postgres: committing: %w", ctxErr(ctx, err))
	}
	return false, nil
}

// txn is one transaction: the repositories of an InTx or ReadTx share it.
type txn struct {
	// tx sends the statements of the repositories; it is a stmtTx.
	tx        pgx.Tx
	isolation pgx.TxIsoLevel // as begun
	readOnly  bool
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

func (t *txn) Customers() storage.CustomerRepo         { return customerRepo{t} }
func (t *txn) Users() storage.UserRepo                 { return userRepo{t} }
func (t *txn) Memberships() storage.MembershipRepo     { return membershipRepo{t} }
func (t *txn) Sites() storage.SiteRepo                 { return siteRepo{t} }
func (t *txn) Invitations() storage.InvitationRepo     { return invitationRepo{t} }
func (t *txn) LoginLinks() storage.LoginLinkRepo       { return loginLinkRepo{t} }
func (t *txn) AccessLinks() storage.AccessLinkRepo     { return accessLinkRepo{t} }
func (t *txn) Sessions() storage.SessionRepo           { return sessionRepo{t} }
func (t *txn) APIKeys() storage.APIKeyRepo             { return apiKeyRepo{t} }
func (t *txn) Passwords() storage.PasswordRepo         { return passwordRepo{t} }
func (t *txn) Audit() storage.AuditRepo                { return auditRepo{t} }
func (t *txn) Idempotency() storage.IdempotencyRepo    { return idempotencyRepo{t} }
func (t *txn) Outbox() storage.OutboxRepo              { return outboxRepo{t} }
func (t *txn) MailTemplates() storage.MailTemplateRepo { return mailTemplateRepo{t} }
func (t *txn) Products() storage.ProductRepo           { return productRepo{t} }
func (t *txn) Offers() storage.OfferRepo               { return offerRepo{t} }
func (t *txn) Orders() storage.OrderRepo               { return orderRepo{t} }
func (t *txn) Stock() storage.StockRepo                { return stockRepo{t} }

// stmtTx is the pgx.Tx of a txn. It counts the statements sent through
// it and refuses them once the txn is sealed.
type stmtTx struct {
	pgx.Tx
	t *txn
}

func (x stmtTx) Exec(ctx context.Context, sql string, a ...any) (pgconn.CommandTag, error) {
	if err := x.t.statement(); err != nil {
		return pgconn.CommandTag{}, err
	}
	return x.Tx.Exec(ctx, sql, a...)
}

func (x stmtTx) Query(ctx context.Context, sql string, a ...any) (pgx.Rows, error) {
	if err := x.t.statement(); err != nil {
		return nil, err
	}
	return x.Tx.Query(ctx, sql, a...)
}

func (x stmtTx) QueryRow(ctx context.Context, sql string, a ...any) pgx.Row {
	if err := x.t.statement(); err != nil {
		return errRow{err}
	}
	return x.Tx.QueryRow(ctx, sql, a...)
}

func (x stmtTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	if err := x.t.statement(); err != nil {
		return errBatch{err}
	}
	return x.Tx.SendBatch(ctx, b)
}

func (x stmtTx) CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, src pgx.CopyFromSource) (int64, error) {
	if err := x.t.statement(); err != nil {
		return 0, err
	}
	return x.Tx.CopyFrom(ctx, table, columns, src)
}

// statement counts a statement about to be sent, or refuses it when the
// transaction is sealed.
func (t *txn) statement() error {
	if t.sealed != "" {
		return fmt.Errorf("postgres: %s: the transaction takes no further statements", t.sealed)
	}
	t.statements++
	return nil
}

// errRow is a pgx.Row whose Scan fails with err.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// errBatch is a pgx.BatchResults whose every result fails with err.
type errBatch struct{ err error }

func (b errBatch) Exec() (pgconn.CommandTag, error) { return pgconn.CommandTag{}, b.err }
func (b errBatch) Query() (pgx.Rows, error)         { return nil, b.err }
func (b errBatch) QueryRow() pgx.Row                { return errRow(b) }
func (b errBatch) Close() error                     { return b.err }
func (b errBatch) Tx() pgx.Tx                       { return nil }

// writable refuses a write in a ReadTx before PostgreSQL sees it.
func (t *txn) writable(op string) error {
	if t.readOnly {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrReadOnly)
	}
	return nil
}

// fail is dbError for a statement of t: it also remembers a serialization
// failure, so that InTx retries.
func (t *txn) fail(op string, err error, fkErr error) error {
	if retryable(err) {
		t.failed = true
	}
	return dbError(op, err, fkErr)
}

// queryList runs q, which selects at most limit+1 rows ordered by ID, and
// returns them as one page: the rows up to limit and the cursor after them.
func queryList[T any](ctx context.Context, t *txn, op, q string, a args, limit int,
	scan func(scanner) (T, error), id func(T) string) (storage.List[T], error) {
	rows, err := t.tx.Query(ctx, q, a...)
	if err != nil {
		return storage.List[T]{}, t.fail(op, err, nil)
	}
	defer rows.Close()
	items := make([]T, 0, min(limit+1, 16))
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return storage.List[T]{}, t.fail(op, err, nil)
		}
		items = append(items, v)
	}
	if err := rows.Err(); err != nil {
		return storage.List[T]{}, t.fail(op, err, nil)
	}
	items, next := storage.Trim(items, limit, id)
	return storage.List[T]{Items: items, NextCursor: next}, nil
}

// execCount runs a write and returns how many rows it changed; fkErr is as
// for dbError.
func execCount(ctx context.Context, t *txn, op, q string, fkErr error, a ...any) (int, error) {
	tag, err := t.tx.Exec(ctx, q, a...)
	if err != nil {
		return 0, t.fail(op, err, fkErr)
	}
	return int(tag.RowsAffected()), nil
}
