package portal_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// BenchmarkDeliverOutbox measures how fast the outbox worker drains a
// backlog of order mail with the default OutboxOptions, as msgs/s: each
// iteration writes a backlog (untimed) and then passes (DeliverOutbox)
// until none is left, as RunOutbox does after a full batch. The mailer
// either does nothing, so that the worker's own cost shows, or takes 2ms
// per message, as a mail relay nearby would.
//
//	go test ./portal -run '^$' -bench DeliverOutbox -benchtime 5x
func BenchmarkDeliverOutbox(b *testing.B) {
	stores := map[string]func(testing.TB) storage.Store{"sqlite": portaltest.Store}
	if postgrestest.Enabled() {
		stores["postgres"] = func(tb testing.TB) storage.Store { return postgrestest.Open(tb) }
	}
	for name, newStore := range stores {
		for _, mc := range []struct {
			name    string
			delay   time.Duration
			backlog int
		}{
			{"mailer=noop", 0, 2000},
			{"mailer=2ms", 2 * time.Millisecond, 500},
		} {
			b.Run(name+"/"+mc.name, func(b *testing.B) {
				benchmarkDeliverOutbox(b, newStore(b), mc.delay, mc.backlog)
			})
		}
	}
}

func benchmarkDeliverOutbox(b *testing.B, store storage.Store, delay time.Duration, backlog int) {
	ctx := context.Background()
	clock := &portaltest.Clock{}
	p := portaltest.New(b, clock, func(c *portal.Config) {
		c.Store = store
		c.Logger = slog.New(slog.DiscardHandler)
		c.Mailer = mailer.Func(func(ctx context.Context, _ mailer.Message) error {
			if delay > 0 {
				time.Sleep(delay)
			}
			return ctx.Err()
		})
	})
	seq := 0
	sent := 0
	for b.Loop() {
		b.StopTimer()
		enqueueOrderMail(b, store, clock.Now(), &seq, backlog)
		b.StartTimer()
		for {
			rep, err := p.DeliverOutbox(ctx, portal.OutboxOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if rep.Failed+rep.Retried > 0 {
				b.Fatalf("not every message went: %+v", rep)
			}
			sent += rep.Sent
			if rep.Claimed == 0 {
				break
			}
		}
	}
	if sent != seq {
		b.Fatalf("sent %d of %d messages", sent, seq)
	}
	b.ReportMetric(float64(sent)/b.Elapsed().Seconds(), "msgs/s")
}

// enqueueOrderMail writes n "order submitted" messages due at now, as
// PlaceOrder would, in one transaction.
func enqueueOrderMail(tb testing.TB, store storage.Store, now time.Time, seq *int, n int) {
	tb.Helper()
	err := store.InTx(context.Background(), func(r storage.Repos) error {
		for range n {
			*seq++
			note := portal.Notification{
				Kind: portal.NotifyOrderSubmitted, To: fmt.Sprintf("buyer%d@acme.example", *seq%50),
				CustomerID: "cus_acme", CustomerName: "Acme",
				OrderID: fmt.Sprintf("ord_%08d", *seq), OrderNumber: fmt.Sprintf("A-%06d", *seq),
			}
			payload, err := json.Marshal(note)
			if err != nil {
				return err
			}
			err = r.Outbox().Enqueue(context.Background(), outbox.Message{
				ID: outbox.ID(fmt.Sprintf("out_bench%08d", *seq)), Kind: string(note.Kind), Recipient: note.To,
				CustomerID: note.CustomerID, Payload: payload, Status: outbox.Pending,
				NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
			})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatalf("enqueueing mail: %v", err)
	}
}
