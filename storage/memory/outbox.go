package memory

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/portalkit/portalkit/storage"
)

type outboxRepo struct{ t *tx }

func (r outboxRepo) Enqueue(_ context.Context, m storage.OutboxMessage) error {
	if err := r.t.writable("enqueueing outbox message"); err != nil {
		return err
	}
	if _, ok := r.t.s.outbox[m.ID]; ok {
		return fmt.Errorf("memory: enqueueing outbox message %s: %w", m.ID, storage.ErrAlreadyExists)
	}
	put(r.t, r.t.s.outbox, m.ID, cloneOutbox(m))
	return nil
}

func (r outboxRepo) Get(_ context.Context, id storage.OutboxID) (storage.OutboxMessage, error) {
	m, ok := r.t.s.outbox[id]
	if !ok {
		return storage.OutboxMessage{}, fmt.Errorf("memory: getting outbox message %s: %w", id, storage.ErrNotFound)
	}
	return cloneOutbox(m), nil
}

func (r outboxRepo) Claim(_ context.Context, now time.Time, limit int, lease time.Duration) ([]storage.OutboxMessage, error) {
	const op = "claiming outbox messages"
	if err := r.t.writable(op); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, fmt.Errorf("memory: %s: limit %d: %w", op, limit, errBadLimit)
	}
	var due []storage.OutboxMessage
	for _, m := range r.t.s.outbox {
		if outboxDue(m, now) {
			due = append(due, m)
		}
	}
	slices.SortFunc(due, compareOutbox)
	due = due[:min(len(due), limit)]
	out := make([]storage.OutboxMessage, len(due))
	for i, m := range due {
		m.Status = storage.OutboxSending
		m.Attempts++
		m.Claims++
		m.ClaimedUntil = now.Add(lease)
		m.UpdatedAt = now
		m = cloneOutbox(m)
		put(r.t, r.t.s.outbox, m.ID, m)
		out[i] = cloneOutbox(m)
	}
	return out, nil
}

var errBadLimit = errors.New("must be positive")

// outboxDue reports whether Claim takes m at now.
func outboxDue(m storage.OutboxMessage, now time.Time) bool {
	switch m.Status {
	case storage.OutboxPending:
		return !m.NextAttemptAt.After(now)
	case storage.OutboxSending:
		return !m.ClaimedUntil.After(now)
	}
	return false
}

// compareOutbox orders messages as Claim hands them out.
func compareOutbox(a, b storage.OutboxMessage) int {
	if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

func (r outboxRepo) MarkSent(_ context.Context, id storage.OutboxID, claim int, at time.Time) (storage.OutboxMessage, error) {
	return r.settle("marking outbox message sent", id, claim, func(m *storage.OutboxMessage) {
		m.Status = storage.OutboxSent
		m.SentAt = at
		m.Payload = nil
		m.UpdatedAt = at
	})
}

func (r outboxRepo) Reschedule(_ context.Context, id storage.OutboxID, claim int, next time.Time, lastErr string, at time.Time) (storage.OutboxMessage, error) {
	return r.settle("rescheduling outbox message", id, claim, func(m *storage.OutboxMessage) {
		m.Status = storage.OutboxPending
		m.NextAttemptAt = next
		m.LastError = lastErr
		m.UpdatedAt = at
	})
}

func (r outboxRepo) MarkFailed(_ context.Context, id storage.OutboxID, claim int, lastErr string, at time.Time) (storage.OutboxMessage, error) {
	return r.settle("marking outbox message failed", id, claim, func(m *storage.OutboxMessage) {
		m.Status = storage.OutboxFailed
		m.LastError = lastErr
		m.UpdatedAt = at
	})
}

func (r outboxRepo) Release(_ context.Context, id storage.OutboxID, claim int, at time.Time) (storage.OutboxMessage, error) {
	return r.settle("releasing outbox message", id, claim, func(m *storage.OutboxMessage) {
		m.Status = storage.OutboxPending
		m.Attempts--
		m.UpdatedAt = at
	})
}

// settle changes a message that is sending under claim, ending its lease.
func (r outboxRepo) settle(op string, id storage.OutboxID, claim int, change func(*storage.OutboxMessage)) (storage.OutboxMessage, error) {
	if err := r.t.writable(op); err != nil {
		return storage.OutboxMessage{}, err
	}
	m, ok := r.t.s.outbox[id]
	switch {
	case !ok:
		return storage.OutboxMessage{}, fmt.Errorf("memory: %s %s: %w", op, id, storage.ErrNotFound)
	case m.Status != storage.OutboxSending || m.Claims != claim:
		return storage.OutboxMessage{}, fmt.Errorf("memory: %s %s: not sending under claim %d: %w", op, id, claim, storage.ErrConflict)
	}
	m = cloneOutbox(m)
	change(&m)
	m.ClaimedUntil = time.Time{}
	m = cloneOutbox(m)
	put(r.t, r.t.s.outbox, id, m)
	return cloneOutbox(m), nil
}

func (r outboxRepo) Retry(_ context.Context, id storage.OutboxID, at time.Time) (storage.OutboxMessage, error) {
	const op = "retrying outbox message"
	if err := r.t.writable(op); err != nil {
		return storage.OutboxMessage{}, err
	}
	m, ok := r.t.s.outbox[id]
	switch {
	case !ok:
		return storage.OutboxMessage{}, fmt.Errorf("memory: %s %s: %w", op, id, storage.ErrNotFound)
	case m.Status != storage.OutboxFailed:
		return storage.OutboxMessage{}, fmt.Errorf("memory: %s %s: not failed: %w", op, id, storage.ErrConflict)
	}
	m = cloneOutbox(m)
	m.Status = storage.OutboxPending
	m.Attempts = 0
	m.NextAttemptAt = at
	m.UpdatedAt = at
	m = cloneOutbox(m)
	put(r.t, r.t.s.outbox, id, m)
	return cloneOutbox(m), nil
}

func (r outboxRepo) EraseExpiredPayloads(_ context.Context, now time.Time) (int, error) {
	if err := r.t.writable("erasing expired outbox payloads"); err != nil {
		return 0, err
	}
	n := 0
	for id, m := range r.t.s.outbox {
		if m.Status != storage.OutboxFailed || m.Payload == nil || m.ExpiresAt.IsZero() || m.ExpiresAt.After(now) {
			continue
		}
		m = cloneOutbox(m)
		m.Payload = nil
		put(r.t, r.t.s.outbox, id, m)
		n++
	}
	return n, nil
}

func (r outboxRepo) List(_ context.Context, f storage.OutboxFilter, p storage.Page) (storage.List[storage.OutboxMessage], error) {
	keep := func(m storage.OutboxMessage) bool {
		return (f.Status == "" || m.Status == f.Status) &&
			(f.CustomerID == "" || m.CustomerID == f.CustomerID)
	}
	l, err := list(r.t.s.outbox, p, keep, cloneOutbox)
	if err != nil {
		return l, fmt.Errorf("memory: listing outbox messages: %w", err)
	}
	return l, nil
}

// cloneOutbox returns a copy of m that shares no memory with it, with times
// in UTC and an empty payload as nil.
func cloneOutbox(m storage.OutboxMessage) storage.OutboxMessage {
	if len(m.Payload) == 0 {
		m.Payload = nil
	} else {
		m.Payload = bytes.Clone(m.Payload)
	}
	m.NextAttemptAt = m.NextAttemptAt.UTC()
	m.ClaimedUntil = m.ClaimedUntil.UTC()
	m.CreatedAt = m.CreatedAt.UTC()
	m.UpdatedAt = m.UpdatedAt.UTC()
	m.SentAt = m.SentAt.UTC()
	m.ExpiresAt = m.ExpiresAt.UTC()
	return m
}
