package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/storage"
)

type outboxRepo struct{ t *txn }

func (t *txn) Outbox() storage.OutboxRepo { return outboxRepo{t} }

var outboxTable = newTable(table[outbox.Message]{
	name: "outbox", noun: "outbox message",
	columns: []string{"id", "kind", "recipient", "customer_id", "payload", "status", "attempts", "claims",
		"next_attempt_at", "claimed_until", "last_error", "created_at", "updated_at", "sent_at", "expires_at"},
	values: func(m *outbox.Message) []any {
		var payload any
		if len(m.Payload) > 0 {
			payload = m.Payload
		}
		return []any{
			string(m.ID), m.Kind, m.Recipient, nullString(m.CustomerID), payload, string(m.Status), m.Attempts, m.Claims,
			ts(m.NextAttemptAt), nullTS(m.ClaimedUntil), m.LastError,
			ts(m.CreatedAt), ts(m.UpdatedAt), nullTS(m.SentAt), nullTS(m.ExpiresAt),
		}
	},
	dest: func(m *outbox.Message) []any {
		return []any{
			&m.ID, &m.Kind, &m.Recipient, scol(&m.CustomerID), &m.Payload, &m.Status, &m.Attempts, &m.Claims,
			tcol(&m.NextAttemptAt), tcol(&m.ClaimedUntil), &m.LastError,
			tcol(&m.CreatedAt), tcol(&m.UpdatedAt), tcol(&m.SentAt), tcol(&m.ExpiresAt),
		}
	},
})

// Enqueue stores m. ErrAlreadyExists when the ID is taken.
func (s outboxRepo) Enqueue(ctx context.Context, m outbox.Message) error {
	return outboxTable.insert(ctx, s.t, &m)
}

// Get returns the message with the given ID, or ErrNotFound.
func (s outboxRepo) Get(ctx context.Context, id outbox.ID) (outbox.Message, error) {
	return outboxTable.get(ctx, s.t, string(id))
}

// outboxDue is outbox.Message.Due in SQL, the rule of which messages Claim
// takes at now: pending ones due at or before now, and sending ones whose
// lease ran out at or before now. now stands for the parameter
// twice. A sending row was due when it was claimed, with a lease that is
// not negative, so its next_attempt_at is at or before its claimed_until:
// next_attempt_at <= now holds for every due row, and bounds the index
// range the claim reads (PostgreSQL's partial index outbox_due on
// (next_attempt_at, id) of the pending and sending rows; SQLite's
// (status, next_attempt_at, id)), so sent and failed rows are never read.
func outboxDue(now string) string {
	return `status IN ('pending', 'sending') AND next_attempt_at <= ` + now +
		` AND (status = 'pending' OR claimed_until <= ` + now + `)`
}

// claimSQL is the statement of Claim: it leases up to limit messages due
// at now until until, in the order Claim hands them out. On PostgreSQL the
// dialect's SkipLocked locks them, passing over rows other claims hold.
func claimSQL(d *Dialect, now, limit, until string) string {
	return `WITH due AS (
		SELECT id AS due_id FROM outbox WHERE ` + outboxDue(now) + `
		ORDER BY next_attempt_at, id LIMIT ` + limit + d.SkipLocked + `
	)
	UPDATE outbox SET status = 'sending', attempts = attempts + 1, claims = claims + 1,
		claimed_until = ` + until + `, updated_at = ` + now + `
	FROM due WHERE id = due_id
	RETURNING ` + outboxTable.cols
}

// ClaimSQL returns the statement OutboxRepo.Claim runs on d's engine, with
// numbered parameters: 1 is now, 2 the limit, 3 the end of the lease. It is
// for tests and diagnostics (EXPLAIN it to see the plan); the store runs
// the same text with the parameters in place.
func ClaimSQL(d *Dialect) string {
	p := "?"
	if d.NumberedPlaceholders {
		p = "$"
	}
	return claimSQL(d, p+"1", p+"2", p+"3")
}

// Claim leases up to limit due messages (outboxDue) in one UPDATE …
// RETURNING; the due rows are found through an index bounded by now, so
// sent rows piling up never slow it down. Where writers take turns
// (SQLite) the transaction holds the one write lock, so no other claim runs
// in between. Where several write at once (PostgreSQL), it locks the rows
// with FOR UPDATE SKIP LOCKED, so that claims running at once in several
// transactions (workers of several replicas) pass over each other's rows
// instead of waiting for them.
//
// When Claim is the first statement of an InTx, as in the outbox worker,
// and the dialect has a ClaimIsolation, it first lowers the transaction to
// READ COMMITTED and seals it: any statement after the claim fails, and fn
// should return. Under SERIALIZABLE, claims running at once fail each
// other needlessly: one whose snapshot still shows a row as pending that
// another claim has since taken and committed must not lock it (SQLSTATE
// 40001, "could not serialize access due to concurrent update"), and each
// claim's reads of the due range overlap the others' writes to it, which
// SSI counts as a dangerous cycle. With two workers about half the claims
// failed and ran again; at READ COMMITTED none does. Nothing is lost by
// it: the statement decides alone which rows it takes, and a row another
// claim changed after the statement began is read again at its newest
// version and taken only if it is still due (PostgreSQL's recheck of
// locked rows), so two claims never take one row, while SKIP LOCKED passes
// over rows still being claimed. Sealing keeps the guarantee of InTx for
// everything else: no other statement ever runs below SERIALIZABLE. A
// Claim that follows other statements keeps the transaction SERIALIZABLE,
// and is as safe but may fail to serialize and run again.
//
// limit must be positive and lease not negative.
func (s outboxRepo) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]outbox.Message, error) {
	const op = "claiming outbox messages"
	t := s.t
	if err := t.writable(op); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, fmt.Errorf("%s: %s: limit %d must be positive", t.d.Name, op, limit)
	}
	if lease < 0 {
		return nil, fmt.Errorf("%s: %s: lease %s must not be negative", t.d.Name, op, lease)
	}
	// Allowed until the transaction's first query takes its snapshot. A
	// transaction begun at READ COMMITTED is left as it is, unsealed.
	if t.statements == 0 && t.d.ClaimIsolation != "" && t.d.WriteTx.Isolation != sql.LevelReadCommitted {
		if _, err := t.exec(ctx, op, nil, t.d.ClaimIsolation); err != nil {
			return nil, err
		}
		defer func() { t.sealed = "an outbox claim lowered the transaction's isolation" }()
	}
	at := ts(now)
	out, err := queryAll(ctx, t, op, claimSQL(t.d, "?", "?", "?"),
		[]any{at, at, limit, ts(now.Add(lease)), at}, limit, outboxTable.scan)
	if err != nil {
		return nil, err
	}
	// RETURNING promises no order.
	slices.SortFunc(out, func(a, b outbox.Message) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// MarkSent marks a message sent and erases its payload.
func (s outboxRepo) MarkSent(ctx context.Context, id outbox.ID, claim int, at time.Time) (outbox.Message, error) {
	return s.settle(ctx, "marking outbox message sent", id, claim,
		`status = 'sent', sent_at = ?, payload = NULL, updated_at = ?`, ts(at), ts(at))
}

// Reschedule makes a message pending again, due at next.
func (s outboxRepo) Reschedule(ctx context.Context, id outbox.ID, claim int, next time.Time, lastErr string, at time.Time) (outbox.Message, error) {
	return s.settle(ctx, "rescheduling outbox message", id, claim,
		`status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ?`, ts(next), lastErr, ts(at))
}

// MarkFailed marks a message failed.
func (s outboxRepo) MarkFailed(ctx context.Context, id outbox.ID, claim int, lastErr string, at time.Time) (outbox.Message, error) {
	return s.settle(ctx, "marking outbox message failed", id, claim,
		`status = 'failed', last_error = ?, updated_at = ?`, lastErr, ts(at))
}

// Release hands a message back uncounted.
func (s outboxRepo) Release(ctx context.Context, id outbox.ID, claim int, at time.Time) (outbox.Message, error) {
	return s.settle(ctx, "releasing outbox message", id, claim,
		`status = 'pending', attempts = attempts - 1, updated_at = ?`, ts(at))
}

// settle applies set, which ends the lease, to a message sending under
// claim, in one conditional UPDATE. The check and the write are one
// statement, so a worker whose lease ran out cannot settle the message
// another claim took over, whatever the isolation. ErrConflict when the
// message is not sending under that claim, ErrNotFound when there is none.
func (s outboxRepo) settle(ctx context.Context, op string, id outbox.ID, claim int, set string, args ...any) (outbox.Message, error) {
	op += " " + string(id)
	if err := s.t.writable(op); err != nil {
		return outbox.Message{}, err
	}
	return updateIf(ctx, s.t, outboxTable, op, string(id), fmt.Sprintf("not sending under claim %d", claim),
		`UPDATE outbox SET `+set+`, claimed_until = NULL
		WHERE id = ? AND status = 'sending' AND claims = ?
		RETURNING `+outboxTable.cols, append(args, string(id), claim)...)
}

// Retry makes a failed message pending again. ErrConflict when it is not
// failed, ErrNotFound when there is none.
func (s outboxRepo) Retry(ctx context.Context, id outbox.ID, at time.Time) (outbox.Message, error) {
	op := "retrying outbox message " + string(id)
	if err := s.t.writable(op); err != nil {
		return outbox.Message{}, err
	}
	return updateIf(ctx, s.t, outboxTable, op, string(id), "not failed", `UPDATE outbox
		SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND status = 'failed'
		RETURNING `+outboxTable.cols, ts(at), ts(at), string(id))
}

// EraseExpiredPayloads erases the payload of failed messages whose link
// expired at or before now.
func (s outboxRepo) EraseExpiredPayloads(ctx context.Context, now time.Time) (int, error) {
	const op = "erasing expired outbox payloads"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `UPDATE outbox SET payload = NULL
		WHERE status = 'failed' AND payload IS NOT NULL AND expires_at <= ?`, ts(now))
	return int(n), err
}

// outboxStatsSQL is the statement of Stats: four subqueries, none of
// which reads sent or failed rows one by one. In SQLite each is a covering
// index search: the counts on (status, id), the earliest due time on
// (status, next_attempt_at, id), the earliest lease on (status,
// claimed_until). In PostgreSQL the earliest due time is the first entry
// of outbox_due, and the sending rows, as many as workers hold, come from
// (status, id); the pending count reads the index, or the table once
// pending rows are a large share of it (a backlog of 37,000 among 97,000
// rows: 26 ms; SQLite 3 ms). It costs in proportion to the backlog, which
// is small while delivery keeps up.
const outboxStatsSQL = `SELECT
	(SELECT COUNT(*) FROM outbox WHERE status = 'pending'),
	(SELECT COUNT(*) FROM outbox WHERE status = 'sending'),
	(SELECT MIN(next_attempt_at) FROM outbox WHERE status = 'pending'),
	(SELECT MIN(claimed_until) FROM outbox WHERE status = 'sending')`

// Stats counts the unsettled messages and finds the earliest due time.
func (s outboxRepo) Stats(ctx context.Context) (storage.OutboxStats, error) {
	var (
		st              storage.OutboxStats
		pending, leased time.Time
	)
	err := s.t.queryRow(ctx, outboxStatsSQL).Scan(&st.Pending, &st.Sending, tcol(&pending), tcol(&leased))
	if err != nil {
		return storage.OutboxStats{}, s.t.dbError("reading outbox stats", err, nil)
	}
	st.FirstDue = pending
	if !leased.IsZero() && (st.FirstDue.IsZero() || leased.Before(st.FirstDue)) {
		st.FirstDue = leased
	}
	return st, nil
}

// List returns one page of messages matching f, ordered by ID.
func (s outboxRepo) List(ctx context.Context, f storage.OutboxFilter, p storage.Page) (storage.List[outbox.Message], error) {
	var where string
	var args []any
	and := func(cond string, arg any) {
		if where != "" {
			where += ` AND `
		}
		where += cond
		args = append(args, arg)
	}
	if f.Status != "" {
		and(`status = ?`, string(f.Status))
	}
	if f.CustomerID != "" {
		and(`customer_id = ?`, string(f.CustomerID))
	}
	return outboxTable.list(ctx, s.t, "listing outbox messages", p, where, args,
		func(m outbox.Message) string { return string(m.ID) })
}

// updateIf runs q, a conditional UPDATE … RETURNING the columns of tb of
// the row with key id, and returns the row as written. When the condition
// did not hold it tells why: ErrNotFound when there is no such row,
// ErrConflict (saying why) when there is.
func updateIf[T any](ctx context.Context, t *txn, tb *table[T], op, id, why, q string, args ...any) (T, error) {
	v, err := tb.scan(t.queryRow(ctx, q, args...))
	if err == nil {
		return v, nil
	}
	var zero T
	if !errors.Is(err, sql.ErrNoRows) {
		return zero, t.dbError(op, err, nil)
	}
	var one int
	if err := t.queryRow(ctx, `SELECT 1 FROM `+tb.name+` WHERE `+tb.key+` = ?`, id).Scan(&one); err != nil {
		return zero, t.dbError(op, err, nil) // ErrNotFound for no row
	}
	return zero, fmt.Errorf("%s: %s: %s: %w", t.d.Name, op, why, storage.ErrConflict)
}
