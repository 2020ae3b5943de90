package postgres_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

const lease = 5 * time.Minute

func newMessage(i int) outbox.Message {
	return outbox.Message{
		ID: outbox.ID(fmt.Sprintf("out_%05d", i)), Kind: "invitation", Recipient: fmt.Sprintf("user%d@example.com", i),
		Payload: []byte(`{"token":"pi_secret"}`), Status: outbox.Pending, NextAttemptAt: t0, CreatedAt: t0, UpdatedAt: t0,
	}
}

// enqueueMessages stores messages 0..n-1, all due at t0.
func enqueueMessages(t *testing.T, s *postgres.Store, n int) {
	t.Helper()
	ctx := t.Context()
	require.NoError(t, s.InTx(ctx, func(r storage.Repos) error {
		for i := range n {
			if err := r.Outbox().Enqueue(ctx, newMessage(i)); err != nil {
				return err
			}
		}
		return nil
	}))
}

// TestClaimManyClaimers has many workers, on a pool with a connection for
// each, claim three messages at a time and mark each sent, until nothing
// is left: every message is handed out exactly once. A claim that is the
// first statement of its transaction runs READ COMMITTED, and none ever
// fails to serialize (fn runs once per InTx); one that follows a read
// stays SERIALIZABLE, where concurrent claims do fail and run again, and
// is just as exact.
func TestClaimManyClaimers(t *testing.T) {
	for _, tc := range []struct {
		name     string
		workers  int
		readBack bool // read a message before claiming
		// attempts, if set, is the store's WithTxAttempts. Serializable
		// claimers fail each other on most runs (three or four runs of fn
		// per claim with eight), so on a machine with few cores one of
		// them can exhaust DefaultTxAttempts: contention, which is not
		// what this test is about.
		attempts int
	}{
		{name: "claim first, read committed", workers: 24},
		{name: "claim after a read, serializable", workers: 8, readBack: true, attempts: 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			var opts []postgres.Option
			if tc.attempts > 0 {
				opts = append(opts, postgres.WithTxAttempts(tc.attempts))
			}
			s := openStore(t, postgrestest.MigratedURL(t)+fmt.Sprintf("&pool_max_conns=%d", tc.workers+1), opts...)
			const n = 300
			enqueueMessages(t, s, n)

			var (
				mu          sync.Mutex
				seen        = map[outbox.ID]int{}
				calls, runs atomic.Int32
				wg, ready   sync.WaitGroup
			)
			ready.Add(tc.workers)
			for range tc.workers {
				wg.Go(func() {
					ready.Done()
					ready.Wait() // all start together
					for {
						var batch []outbox.Message
						calls.Add(1)
						err := s.InTx(ctx, func(r storage.Repos) error {
							runs.Add(1)
							if tc.readBack {
								if _, err := r.Outbox().Get(ctx, newMessage(0).ID); err != nil {
									return err
								}
							}
							var err error
							batch, err = r.Outbox().Claim(ctx, t0, 3, lease)
							return err
						})
						if !assert.NoError(t, err) || len(batch) == 0 {
							return
						}
						mu.Lock()
						for _, m := range batch {
							seen[m.ID]++
						}
						mu.Unlock()
						for _, m := range batch {
							err := s.InTx(ctx, func(r storage.Repos) error {
								_, err := r.Outbox().MarkSent(ctx, m.ID, m.Claims, t0)
								return err
							})
							assert.NoError(t, err, "marking %s sent", m.ID)
						}
					}
				})
			}
			wg.Wait()

			assert.Len(t, seen, n, "every message was claimed")
			for id, k := range seen {
				assert.Equal(t, 1, k, "%s was claimed %d times", id, k)
			}
			if !tc.readBack {
				assert.Equal(t, calls.Load(), runs.Load(), "no claim failed to serialize")
			}
			t.Logf("%d claims, %d runs of fn", calls.Load(), runs.Load())
			require.NoError(t, s.InTx(ctx, func(r storage.Repos) error {
				again, err := r.Outbox().Claim(ctx, t0.Add(365*24*time.Hour), n, lease)
				assert.Empty(t, again, "all were sent")
				return err
			}))
		})
	}
}

// TestClaimFirstSealsTransaction checks that a claim that lowered its
// transaction to READ COMMITTED is all the transaction does: a statement
// after it fails, and the transaction rolls back. A claim after another
// statement leaves the transaction SERIALIZABLE and open.
func TestClaimFirstSealsTransaction(t *testing.T) {
	ctx := t.Context()
	s := postgrestest.Open(t)
	enqueueMessages(t, s, 2)

	var claimed []outbox.Message
	err := s.InTx(ctx, func(r storage.Repos) error {
		var err error
		if claimed, err = r.Outbox().Claim(ctx, t0, 1, lease); err != nil {
			return err
		}
		return r.Outbox().Enqueue(ctx, newMessage(2))
	})
	assert.Equal(t, portalerr.Internal, portalerr.CodeOf(err), "a misuse, not a conflict to retry: %v", err)
	assert.Len(t, claimed, 1, "the claim itself ran")

	var mode string
	require.NoError(t, s.InTx(ctx, func(r storage.Repos) error {
		if _, err := r.Outbox().Get(ctx, newMessage(0).ID); err != nil {
			return err
		}
		var err error
		if claimed, err = r.Outbox().Claim(ctx, t0, 1, lease); err != nil {
			return err
		}
		if err := postgres.TxOf(r).QueryRowContext(ctx, `SELECT current_setting('transaction_isolation')`).Scan(&mode); err != nil {
			return err
		}
		return r.Outbox().Enqueue(ctx, newMessage(2))
	}))
	assert.Equal(t, "serializable", mode)
	require.Len(t, claimed, 1)
	assert.Equal(t, newMessage(0).ID, claimed[0].ID, "the first claim was rolled back: the oldest is due again")

	require.NoError(t, s.ReadTx(ctx, func(r storage.Repos) error {
		got, err := r.Outbox().Get(ctx, newMessage(1).ID)
		require.NoError(t, err)
		assert.Equal(t, outbox.Pending, got.Status)
		_, err = r.Outbox().Get(ctx, newMessage(2).ID)
		return err
	}))
}

// TestClaimWalksDueIndex checks that Claim's statement can find due rows
// through the partial index outbox_due, so sent and failed rows are never
// read (on a table this small PostgreSQL would rather scan, so scans are
// switched off).
func TestClaimWalksDueIndex(t *testing.T) {
	ctx := t.Context()
	url := postgrestest.URL(t)
	openStore(t, url)
	conn := connect(t, url)
	_, err := conn.Exec(ctx, `SET enable_seqscan = off`)
	require.NoError(t, err)
	rows, err := conn.Query(ctx, `EXPLAIN `+postgres.ClaimStatement, t0, 10, t0.Add(lease))
	require.NoError(t, err)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	assert.Contains(t, fmt.Sprint(lines), "outbox_due")
}
