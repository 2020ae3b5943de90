// Command webhookreceiver is an example receiver of portalkit's webhooks:
// it checks each delivery's signature with webhook.Verify, drops repeats
// by webhook-id (delivery is at least once), and logs the event.
//
//	go run ./examples/webhookreceiver --addr 127.0.0.1:9090 --secret whsec_…
//
// The secret is the one the console showed when the endpoint was created
// (or PORTALKIT_WEBHOOK_SECRET). During a rotation a delivery carries a
// signature per secret, so the receiver works with the old secret until
// it is given the new one.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/portalkit/portalkit/webhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:9090", "address to listen on")
	secret := flag.String("secret", os.Getenv("PORTALKIT_WEBHOOK_SECRET"), "the endpoint's signing secret (whsec_…)")
	flag.Parse()
	if _, err := webhook.ParseSecret(*secret); err != nil {
		fmt.Fprintln(os.Stderr, "webhookreceiver: --secret:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	srv := &http.Server{
		Addr:              *addr,
		Handler:           newReceiver(*secret, log),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
	}
	log.Info("webhookreceiver: listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil {
		log.Error("webhookreceiver", "err", err)
		os.Exit(1)
	}
}

// receiver verifies deliveries and remembers the IDs it has handled. A
// real receiver keeps them with its own data, in the transaction that
// handles the event, so that a repeat after a crash is dropped too.
type receiver struct {
	secret string
	log    *slog.Logger
	mu     sync.Mutex
	seen   map[string]bool
}

func newReceiver(secret string, log *slog.Logger) *receiver {
	return &receiver{secret: secret, log: log, seen: map[string]bool{}}
}

// event is the part of a delivery's body this receiver reads.
type event struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	CustomerID string          `json:"customer_id"`
	Data       json.RawMessage `json:"data"`
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	// Verify the body exactly as it came, before parsing it.
	if err := webhook.Verify(rc.secret, r.Header, body); err != nil {
		status := http.StatusUnauthorized
		if errors.Is(err, webhook.ErrMissingHeaders) {
			status = http.StatusBadRequest
		}
		rc.log.Warn("webhookreceiver: refused", "err", err)
		http.Error(w, err.Error(), status)
		return
	}
	id := r.Header.Get(webhook.HeaderID)
	rc.mu.Lock()
	repeat := rc.seen[id]
	rc.seen[id] = true
	rc.mu.Unlock()
	if repeat {
		rc.log.Info("webhookreceiver: repeat dropped", "id", id)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var ev event
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "not an event", http.StatusBadRequest)
		return
	}
	rc.log.Info("webhookreceiver: event", "id", ev.ID, "type", ev.Type, "customer", ev.CustomerID, "data", string(ev.Data))
	w.WriteHeader(http.StatusNoContent)
}
