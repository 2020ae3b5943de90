package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/storage"
)

var _ storage.AttemptCounter = (*Store)(nil)

// countAttemptSQL counts an attempt in one statement: it inserts the key's
// first window, or adds one to its current window, or, when that has
// ended, starts the next. The right-hand sides of SET read the row as it
// was, on both engines. Parameters: key, the end of a new window, now
// twice.
const countAttemptSQL = `INSERT INTO attempt_windows (key, attempts, ends_at) VALUES (?, 1, ?)
	ON CONFLICT (key) DO UPDATE SET
		attempts = CASE WHEN attempt_windows.ends_at <= ? THEN 1 ELSE attempt_windows.attempts + 1 END,
		ends_at = CASE WHEN attempt_windows.ends_at <= ? THEN excluded.ends_at ELSE attempt_windows.ends_at END
	RETURNING attempts, ends_at`

// CountAttempt counts an attempt at key (see storage.AttemptCounter). It
// is one statement on the write pool, in a transaction of its own rather
// than InTx's: on PostgreSQL that runs at the session's isolation, READ
// COMMITTED unless the server says otherwise, where concurrent upserts of
// one key wait for each other's row lock and each adds its one, instead of
// failing to serialize as SERIALIZABLE transactions would under a burst of
// attempts. Where the server's default is stricter and the statement fails
// to serialize anyway, it runs again, as InTx would. On SQLite it takes
// its turn at the one write connection.
func (s *Store) CountAttempt(ctx context.Context, key string, window time.Duration, now time.Time) (int, time.Time, error) {
	if window <= 0 {
		return 0, time.Time{}, fmt.Errorf("%s: counting an attempt: the window %v is not positive", s.d.Name, window)
	}
	var (
		n    int
		ends time.Time
	)
	err := s.autocommit(ctx, "counting an attempt", func() error {
		return s.write.QueryRowContext(ctx, s.d.bind(countAttemptSQL), key, ts(now.Add(window)), ts(now), ts(now)).Scan(&n, tcol(&ends))
	})
	if err != nil {
		return 0, time.Time{}, err
	}
	return n, ends, nil
}

// DeleteEndedWindows deletes the attempt windows that ended at or before
// now (see storage.AttemptCounter).
func (s *Store) DeleteEndedWindows(ctx context.Context, now time.Time) (int, error) {
	var n int64
	err := s.autocommit(ctx, "deleting ended attempt windows", func() error {
		res, err := s.write.ExecContext(ctx, s.d.bind(`DELETE FROM attempt_windows WHERE ends_at <= ?`), ts(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
}

// autocommit runs one statement, as fn sends it, in a transaction of its
// own, and runs it again after a jittered wait when it fails to serialize,
// up to the dialect's TxAttempts. Its error says what op was doing.
func (s *Store) autocommit(ctx context.Context, op string, fn func() error) error {
	wait := retryBase
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if s.d.Classify(err) != KindRetry || attempt >= s.d.TxAttempts {
			return fmt.Errorf("%s: %s: %w", s.d.Name, op, ctxErr(ctx, err))
		}
		if err := s.backoff(ctx, &wait); err != nil {
			return err
		}
	}
}
