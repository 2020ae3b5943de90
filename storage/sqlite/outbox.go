package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type outboxRepo struct{ r *repos }

// Enqueue stores m. ErrAlreadyExists when the ID is taken.
func (s outboxRepo) Enqueue(ctx context.Context, m storage.OutboxMessage) error {
	op := "enqueueing outbox message " + string(m.ID)
	if err := s.r.writable(op); err != nil {
		return err
	}
	var payload any
	if len(m.Payload) > 0 {
		payload = m.Payload
	}
	_, err := s.r.tx.ExecContext(ctx,
		`INSERT INTO outbox (`+outboxColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(m.ID), m.Kind, m.Recipient, nullString(m.CustomerID), payload, string(m.Status), m.Attempts, m.Claims,
		formatTime(m.NextAttemptAt), nullTime(m.ClaimedUntil), m.LastError,
		formatTime(m.CreatedAt), formatTime(m.UpdatedAt), nullTime(m.SentAt), nullTime(m.ExpiresAt))
	return dbError(op, err, nil)
}

// Get returns the message with the given ID, or ErrNotFound.
func (s outboxRepo) Get(ctx context.Context, id storage.OutboxID) (storage.OutboxMessage, error) {
	m, err := scanOutbox(s.r.tx.QueryRowContext(ctx, `SELECT `+outboxColumns+` FROM outbox WHERE id = ?`, string(id)))
	if err != nil {
		return storage.OutboxMessage{}, dbError("getting outbox message "+string(id), err, nil)
	}
	return m, nil
}

// Claim leases up to limit due messages in one UPDATE … RETURNING. The
// write transaction holds SQLite's one write lock, so no other claim runs
// in between. The due rows are found through the indexes on status and
// time, so sent rows are never scanned.
func (s outboxRepo) Claim(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]storage.OutboxMessage, error) {
	const op = "claiming outbox messages"
	if err := s.r.writable(op); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, fmt.Errorf("sqlite: %s: limit %d must be positive", op, limit)
	}
	at := formatTime(now)
	rows, err := s.r.tx.QueryContext(ctx, `UPDATE outbox
		SET status = 'sending', attempts = attempts + 1, claims = claims + 1, claimed_until = ?, updated_at = ?
		WHERE id IN (
			SELECT id FROM (
				SELECT id, next_attempt_at FROM outbox WHERE status = 'pending' AND next_attempt_at <= ?
				UNION ALL
				SELECT id, next_attempt_at FROM outbox WHERE status = 'sending' AND claimed_until <= ?
			) ORDER BY next_attempt_at, id LIMIT ?)
		RETURNING `+outboxColumns,
		formatTime(now.Add(lease)), at, at, at, limit)
	if err != nil {
		return nil, dbError(op, err, nil)
	}
	defer rows.Close()
	var out []storage.OutboxMessage
	for rows.Next() {
		m, err := scanOutbox(rows)
		if err != nil {
			return nil, dbError(op, err, nil)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(op, err, nil)
	}
	// RETURNING promises no order.
	slices.SortFunc(out, func(a, b storage.OutboxMessage) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// MarkSent marks a message sent and erases its payload.
func (s outboxRepo) MarkSent(ctx context.Context, id storage.OutboxID, claim int, at time.Time) (storage.OutboxMessage, error) {
	return s.settle(ctx, "marking outbox message sent", id, claim,
		`status = 'sent', sent_at = ?, payload = NULL, updated_at = ?`, formatTime(at), formatTime(at))
}

// Reschedule makes a message pending again, due at next.
func (s outboxRepo) Reschedule(ctx context.Context, id storage.OutboxID, claim int, next time.Time, lastErr string, at time.Time) (storage.OutboxMessage, error) {
	return s.settle(ctx, "rescheduling outbox message", id, claim,
		`status = 'pending', next_attempt_at = ?, last_error = ?, updated_at = ?`, formatTime(next), lastErr, formatTime(at))
}

// MarkFailed marks a message failed.
func (s outboxRepo) MarkFailed(ctx context.Context, id storage.OutboxID, claim int, lastErr string, at time.Time) (storage.OutboxMessage, error) {
	return s.settle(ctx, "marking outbox message failed", id, claim,
		`status = 'failed', last_error = ?, updated_at = ?`, lastErr, formatTime(at))
}

// Release hands a message back uncounted.
func (s outboxRepo) Release(ctx context.Context, id storage.OutboxID, claim int, at time.Time) (storage.OutboxMessage, error) {
	return s.settle(ctx, "releasing outbox message", id, claim,
		`status = 'pending', attempts = attempts - 1, updated_at = ?`, formatTime(at))
}

// settle applies set, which ends the lease, to a message sending under
// claim, in one conditional UPDATE. ErrConflict when the message is not
// sending under that claim, ErrNotFound when there is none.
func (s outboxRepo) settle(ctx context.Context, op string, id storage.OutboxID, claim int, set string, args ...any) (storage.OutboxMessage, error) {
	op += " " + string(id)
	if err := s.r.writable(op); err != nil {
		return storage.OutboxMessage{}, err
	}
	args = append(args, string(id), claim)
	m, err := scanOutbox(s.r.tx.QueryRowContext(ctx, `UPDATE outbox SET `+set+`, claimed_until = NULL
		WHERE id = ? AND status = 'sending' AND claims = ?
		RETURNING `+outboxColumns, args...))
	if err == nil {
		return m, nil
	}
	return storage.OutboxMessage{}, s.missed(ctx, op, id, err, fmt.Sprintf("not sending under claim %d", claim))
}

// missed classifies a conditional UPDATE that returned no row: ErrNotFound
// when the message does not exist, ErrConflict (saying why) when it does.
func (s outboxRepo) missed(ctx context.Context, op string, id storage.OutboxID, err error, why string) error {
	if !errors.Is(err, sql.ErrNoRows) {
		return dbError(op, err, nil)
	}
	var one int
	if err := s.r.tx.QueryRowContext(ctx, `SELECT 1 FROM outbox WHERE id = ?`, string(id)).Scan(&one); err != nil {
		return dbError(op, err, nil) // ErrNotFound for no row
	}
	return fmt.Errorf("sqlite: %s: %s: %w", op, why, storage.ErrConflict)
}

// Retry makes a failed message pending again.
func (s outboxRepo) Retry(ctx context.Context, id storage.OutboxID, at time.Time) (storage.OutboxMessage, error) {
	op := "retrying outbox message " + string(id)
	if err := s.r.writable(op); err != nil {
		return storage.OutboxMessage{}, err
	}
	m, err := scanOutbox(s.r.tx.QueryRowContext(ctx, `UPDATE outbox
		SET status = 'pending', attempts = 0, next_attempt_at = ?, updated_at = ?
		WHERE id = ? AND status = 'failed'
		RETURNING `+outboxColumns, formatTime(at), formatTime(at), string(id)))
	if err == nil {
		return m, nil
	}
	return storage.OutboxMessage{}, s.missed(ctx, op, id, err, "not failed")
}

// EraseExpiredPayloads erases the payload of failed messages whose link
// expired at or before now. Fixed-width UTC text compares as time does.
func (s outboxRepo) EraseExpiredPayloads(ctx context.Context, now time.Time) (int, error) {
	const op = "erasing expired outbox payloads"
	if err := s.r.writable(op); err != nil {
		return 0, err
	}
	res, err := s.r.tx.ExecContext(ctx, `UPDATE outbox SET payload = NULL
		WHERE status = 'failed' AND payload IS NOT NULL AND expires_at <= ?`, formatTime(now))
	if err != nil {
		return 0, dbError(op, err, nil)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, dbError(op, err, nil)
	}
	return int(n), nil
}

// List returns one page of messages matching f, ordered by ID.
func (s outboxRepo) List(ctx context.Context, f storage.OutboxFilter, p storage.Page) (storage.List[storage.OutboxMessage], error) {
	const op = "listing outbox messages"
	after, limit, err := p.Normalize()
	if err != nil {
		return storage.List[storage.OutboxMessage]{}, fmt.Errorf("sqlite: %s: %w", op, err)
	}
	var q strings.Builder
	q.WriteString(`SELECT ` + outboxColumns + ` FROM outbox WHERE id > ?`)
	args := []any{after}
	if f.Status != "" {
		q.WriteString(` AND status = ?`)
		args = append(args, string(f.Status))
	}
	if f.CustomerID != "" {
		q.WriteString(` AND customer_id = ?`)
		args = append(args, string(f.CustomerID))
	}
	q.WriteString(` ORDER BY id LIMIT ?`)
	args = append(args, limit+1)
	return queryList(ctx, s.r.tx, op, q.String(), args, limit, scanOutbox,
		func(m storage.OutboxMessage) string { return string(m.ID) })
}

const outboxColumns = `id, kind, recipient, customer_id, payload, status, attempts, claims,
	next_attempt_at, claimed_until, last_error, created_at, updated_at, sent_at, expires_at`

func scanOutbox(s scanner) (storage.OutboxMessage, error) {
	var (
		m                      storage.OutboxMessage
		cus                    sql.NullString
		next, created, updated string
		claimed, sent, expires sql.NullString
	)
	err := s.Scan(&m.ID, &m.Kind, &m.Recipient, &cus, &m.Payload, &m.Status, &m.Attempts, &m.Claims,
		&next, &claimed, &m.LastError, &created, &updated, &sent, &expires)
	if err != nil {
		return storage.OutboxMessage{}, err
	}
	m.CustomerID = customer.ID(cus.String)
	if len(m.Payload) == 0 {
		m.Payload = nil
	}
	if m.NextAttemptAt, err = parseTime(next); err != nil {
		return storage.OutboxMessage{}, err
	}
	if m.ClaimedUntil, err = parseNullTime(claimed); err != nil {
		return storage.OutboxMessage{}, err
	}
	if m.CreatedAt, err = parseTime(created); err != nil {
		return storage.OutboxMessage{}, err
	}
	if m.UpdatedAt, err = parseTime(updated); err != nil {
		return storage.OutboxMessage{}, err
	}
	if m.SentAt, err = parseNullTime(sent); err != nil {
		return storage.OutboxMessage{}, err
	}
	if m.ExpiresAt, err = parseNullTime(expires); err != nil {
		return storage.OutboxMessage{}, err
	}
	return m, nil
}
