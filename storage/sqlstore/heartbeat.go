package sqlstore

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/storage"
)

// Heartbeat commits a write transaction that counts a beat and records now
// in the heartbeat row, the way every use case writes (InTx: the one write
// connection and BEGIN IMMEDIATE on SQLite, SERIALIZABLE and retried on
// PostgreSQL), so that it fails when they would: a read-only database file
// or transaction, a full disk, a lock held too long. Replicas share the
// row; one whose beat collides with another's runs it again like any
// transaction that failed to serialize.
func (s *Store) Heartbeat(ctx context.Context, now time.Time) error {
	return s.InTx(ctx, func(r storage.Repos) error {
		_, err := r.(*txn).exec(ctx, "recording a heartbeat", nil, `INSERT INTO heartbeat (slot, beats, beat_at) VALUES (1, 1, ?)
			ON CONFLICT (slot) DO UPDATE SET beats = heartbeat.beats + 1, beat_at = excluded.beat_at`, ts(now))
		return err
	})
}
