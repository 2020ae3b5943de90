package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type outboxRepo struct{ t *txn }

// Enqueue stores m. ErrAlreadyExists when the ID is taken.
func (s outboxRepo) Enqueue(ctx context.Context, m storage.OutboxMessage) error {
	op := "enqueueing outbox message " + string(m.ID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	var payload []byte
	if len(m.Payload) > 0 {
		payload = m.Payload
	}
	_, err := s.t.tx.Exec(ctx, `INSERT INTO outbox (`+outboxColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		string(m.ID), m.Kind, m.Recipient, nullString(m.CustomerID), payload, string(m.Status), m.Attempts, m.Claims,
		m.NextAttemptAt, nullTime(m.ClaimedUntil), m.LastError, m.CreatedAt, m.UpdatedAt, nullTime(m.SentAt),
		nullTime(m.ExpiresAt))
	return s.t.fail(op, err, nil)
}

// Get returns the message with the given ID, or ErrNotFound.
func (s outboxRepo) Get(ctx context.Context, id storage.OutboxID) (storage.OutboxMessage, error) {
	m, err := scanOutbox(s.t.tx.QueryRow(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = $1`, string(id)))
	if err != nil {
		return storage.OutboxMessage{}, s.t.fail("getting outbox message "+string(id), err, nil)
	}
	return m, nil
}

// Claim leases up to limit due messages in one statement: it locks them
// with FOR UPDATE SKIP LOCKED, so that claims running at once in several
// transactions (workers of several replicas) pass over each other's rows
// instead of waiting for them, and marks them sending. The due rows are
// found walking the partial index outbox_due, which holds only pending
// and sending rows, up to now.
//
// When Claim is the first statement of an InTx, as in the outbox worker,
// it first lowers the transaction to READ COMMITTED and seals it: any
// statement after the claim fails, and fn should return. Under
// SERIALIZABLE, claims running at once fail each other needlessly: one
// whose snapshot still shows a row as pending that another claim has
// since taken and committed must not lock it (SQLSTATE 40001, "could not
// serialize access due to concurrent update"), and each claim's reads of
// the due range overlap the others' writes to it, which SSI counts as a
// dangerous cycle. With two workers about half the claims failed and ran
// again; at READ COMMITTED none does. Nothing is lost by it: the statement
// decides alone which rows it takes, and a row another claim changed after
// the statement began is read again at its newest version and taken only
// if it is still due (PostgreSQL's recheck of locked rows), so two claims
// never take one row, while SKIP LOCKED passes over rows still being
// claimed. Sealing keeps the guarantee of InTx for everything else: no
// other statement ever runs below SERIALIZABLE. A Claim that follows
// other statements keeps the transaction SERIALIZABLE, and is as safe but
// may fail to serialize and run again.
func (s outboxRepo) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.OutboxMessage, error) {
	const op = "claiming outbox messages"
	if err := s.t.writable(op); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, fmt.Errorf("postgres: %s: limit %d must be positive", op, limit)
	}
	if lease < 0 {
		return nil, fmt.Errorf("postgres: %s: lease %s must not be negative", op, lease)
	}
	if s.t.statements == 0 && s.t.isolation != pgx.ReadCommitted {
		// Allowed until the transaction's first query takes its snapshot.
		if _, err := s.t.tx.Exec(ctx, `SET TRANSACTION ISOLATION LEVEL READ COMMITTED`); err != nil {
			return nil, s.t.fail(op, err, nil)
		}
		defer func() { s.t.sealed = "an outbox claim lowered the transaction to READ COMMITTED" }()
	}
	rows, err := s.t.tx.Query(ctx, claimStatement, now, limit, now.Add(lease))
	if err != nil {
		return nil, s.t.fail(op, err, nil)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.OutboxMessage, error) { return scanOutbox(row) })
	if err != nil {
		return nil, s.t.fail(op, err, nil)
	}
	// RETURNING promises no order.
	slices.SortFunc(out, func(a, b storage.OutboxMessage) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// claimStatement claims up to $2 messages due at $1, leasing them until
// $3. A sending row was due when it was claimed, so its next_attempt_at is
// at or before its claimed_until: bounding the walk of outbox_due by
// next_attempt_at misses none whose lease ran out.
var claimStatement = `WITH due AS (
		SELECT id FROM outbox
		WHERE status IN ('pending', 'sending') AND next_attempt_at <= $1
			AND (status = 'pending' OR claimed_until <= $1)
		ORDER BY next_attempt_at, id
		LIMIT $2
		FOR UPDATE SKIP LOCKED
	)
	UPDATE outbox SET status = 'sending', attempts = attempts + 1, claims = claims + 1, claimed_until = $3, updated_at = $1
	FROM due WHERE outbox.id = due.id
	RETURNING ` + prefixed("outbox.", outboxColumns)

// MarkSent marks a message sent and erases its payload.
func (s outboxRepo) MarkSent(ctx context.Context, id storage.OutboxID, claim int, at time.Time) (storage.OutboxMessage, error) {
	return s.settle(ctx, "marking outbox message sent", id, claim,
		`status = 'sent', sent_at = $3, payload = NULL, updated_at = $3`, at)
}

// Reschedule makes a message pending again, due at next.
func (s outboxRepo) Reschedule(ctx context.Context, id storage.OutboxID, claim int, next time.Time, lastErr string, at time.Time) (storage.OutboxMessage, error) {
	return s.settle(ctx, "rescheduling outbox message", id, claim,
		`status = 'pending', next_attempt_at = $3, last_error = $4, updated_at = $5`, next, lastErr, at)
}

// MarkFailed marks a message failed.
func (s outboxRepo) MarkFailed(ctx context.Context, id storage.OutboxID, claim int, lastErr string, at time.Time) (storage.OutboxMessage, error) {
	return s.settle(ctx, "marking outbox message failed", id, claim,
		`status = 'failed', last_error = $3, updated_at = $4`, lastErr, at)
}

// Release hands a message back uncounted.
func (s outboxRepo) Release(ctx context.Context, id storage.OutboxID, claim int, at time.Time) (storage.OutboxMessage, error) {
	return s.settle(ctx, "releasing outbox message", id, claim,
		`status = 'pending', attempts = attempts - 1, updated_at = $3`, at)
}

// settle applies set, which ends the lease, to a message sending under
// claim, in one conditional UPDATE; set's parameters start at $3. The
// check and the write are one statement, so a worker whose lease ran out
// cannot settle the message another claim took over, whatever the
// isolation. ErrConflict when the message is not sending under that
// claim, ErrNotFound when there is none.
func (s outboxRepo) settle(ctx context.Context, op string, id storage.OutboxID, claim int, set string, a ...any) (storage.OutboxMessage, error) {
	op += " " + string(id)
	if err := s.t.writable(op); err != nil {
		return storage.OutboxMessage{}, err
	}
	m, err := scanOutbox(s.t.tx.QueryRow(ctx, `UPDATE outbox SET `+set+`, claimed_until = NULL
		WHERE id = $1 AND status = 'sending' AND claims = $2
		RETURNING `+outboxColumns, append([]any{string(id), claim}, a...)...))
	if err == nil {
		return m, nil
	}
	return storage.OutboxMessage{}, s.missed(ctx, op, id, err, fmt.Sprintf("not sending under claim %d", claim))
}

// missed classifies a conditional UPDATE that returned no row: ErrNotFound
// when the message does not exist, ErrConflict (saying why) when it does.
func (s outboxRepo) missed(ctx context.Context, op string, id storage.OutboxID, err error, why string) error {
	if !errors.Is(err, pgx.ErrNoRows) {
		return s.t.fail(op, err, nil)
	}
	var one int
	if err := s.t.tx.QueryRow(ctx, `SELECT 1 FROM outbox WHERE id = $1`, string(id)).Scan(&one); err != nil {
		return s.t.fail(op, err, nil) // ErrNotFound for no row
	}
	return fmt.Errorf("postgres: %s: %s: %w", op, why, storage.ErrConflict)
}

// Retry makes a failed message pending again.
func (s outboxRepo) Retry(ctx context.Context, id storage.OutboxID, at time.Time) (storage.OutboxMessage, error) {
	op := "retrying outbox message " + string(id)
	if err := s.t.writable(op); err != nil {
		return storage.OutboxMessage{}, err
	}
	m, err := scanOutbox(s.t.tx.QueryRow(ctx, `UPDATE outbox
		SET status = 'pending', attempts = 0, next_attempt_at = $1, updated_at = $1
		WHERE id = $2 AND status = 'failed'
		RETURNING `+outboxColumns, at, string(id)))
	if err == nil {
		return m, nil
	}
	return storage.OutboxMessage{}, s.missed(ctx, op, id, err, "not failed")
}

// EraseExpiredPayloads erases the payload of failed messages whose link
// expired at or before now.
func (s outboxRepo) EraseExpiredPayloads(ctx context.Context, now time.Time) (int, error) {
	const op = "erasing expired outbox payloads"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	tag, err := s.t.tx.Exec(ctx, `UPDATE outbox SET payload = NULL
		WHERE status = 'failed' AND payload IS NOT NULL AND expires_at <= $1`, now)
	if err != nil {
		return 0, s.t.fail(op, err, nil)
	}
	return int(tag.RowsAffected()), nil
}

// List returns one page of messages matching f, ordered by ID.
func (s outboxRepo) List(ctx context.Context, f storage.OutboxFilter, p storage.Page) (storage.List[storage.OutboxMessage], error) {
	const op = "listing outbox messages"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[storage.OutboxMessage]{}, fmt.Errorf("postgres: %s: %w", op, err)
	}
	var a args
	var q strings.Builder
	q.WriteString(`SELECT ` + outboxColumns + ` FROM outbox WHERE id > ` + a.add(after))
	if f.Status != "" {
		q.WriteString(` AND status = ` + a.add(string(f.Status)))
	}
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ` + a.add(string(f.CustomerID)))
	}
	q.WriteString(` ORDER BY id LIMIT ` + a.add(limit+1))
	return queryList(ctx, s.t, op, q.String(), a, limit, scanOutbox,
		func(m storage.OutboxMessage) string { return string(m.ID) })
}

const outboxColumns = `id, kind, recipient, customer_id, payload, status, attempts, claims,
	next_attempt_at, claimed_until, last_error, created_at, updated_at, sent_at, expires_at`

func scanOutbox(s scanner) (storage.OutboxMessage, error) {
	var (
		m                      storage.OutboxMessage
		cus                    *string
		claimed, sent, expires *time.Time
	)
	err := s.Scan(&m.ID, &m.Kind, &m.Recipient, &cus, &m.Payload, &m.Status, &m.Attempts, &m.Claims,
		&m.NextAttemptAt, &claimed, &m.LastError, &m.CreatedAt, &m.UpdatedAt, &sent, &expires)
	if err != nil {
		return storage.OutboxMessage{}, err
	}
	m.CustomerID = customer.ID(orEmpty(cus))
	if len(m.Payload) == 0 {
		m.Payload = nil
	}
	m.ClaimedUntil, m.SentAt, m.ExpiresAt = orZero(claimed), orZero(sent), orZero(expires)
	return m, nil
}

// prefixed qualifies each column of a column list with prefix ("p.").
func prefixed(prefix, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = prefix + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}
