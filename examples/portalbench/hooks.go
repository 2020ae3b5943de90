package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"time"

	"github.com/portalkit/portalkit/webhook"
)

// hookScenario is the place scenario with one webhook endpoint
// subscribed to orders: its figures against place's say what publishing
// costs the request, and the lag says whether delivery keeps up.
const hookScenario = "place-hooked"

// hookResult is what the webhook side of hookScenario measured.
type hookResult struct {
	// Delivered counts the distinct events the receiver got, warm-up
	// included; Repeats the deliveries of an event it had already.
	Delivered int `json:"delivered"`
	Repeats   int `json:"repeats"`
	// Lag is from an event's timestamp (its transaction) to its arrival
	// at the receiver, over the events of the measured window.
	LagP50ms float64 `json:"lag_p50_ms"`
	LagP99ms float64 `json:"lag_p99_ms"`
	LagMaxms float64 `json:"lag_max_ms"`
	// DrainS is how long after the load stopped the last delivery
	// arrived: the backlog it left.
	DrainS float64 `json:"drain_s"`
}

// hookReceiver is the endpoint: it verifies each delivery and notes when
// its event arrived.
type hookReceiver struct {
	srv     *httptest.Server
	secret  string
	mu      sync.Mutex
	seen    map[string]bool
	lags    []arrival
	bad     int
	repeats int
}

type arrival struct {
	at  time.Time
	lag time.Duration
}

func newHookReceiver() *hookReceiver {
	h := &hookReceiver{seen: map[string]bool{}}
	h.srv = httptest.NewServer(http.HandlerFunc(h.serve))
	return h
}

func (h *hookReceiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil || webhook.Verify(h.secret, r.Header, body) != nil {
		h.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var ev webhook.Event
	if err := json.Unmarshal(body, &ev); err != nil {
		h.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	id := r.Header.Get(webhook.HeaderID)
	if h.seen[id] {
		h.repeats++
	} else {
		h.seen[id] = true
		h.lags = append(h.lags, arrival{at: now, lag: now.Sub(ev.Timestamp)})
	}
	w.WriteHeader(http.StatusNoContent)
}

// registerHook registers rc as an endpoint for order.submitted on the
// portalkit server at base, as the bench's staff key, and returns its ID.
func registerHook(ctx context.Context, base, staffToken string, rc *hookReceiver) (string, error) {
	body, _ := json.Marshal(map[string]any{"url": rc.srv.URL, "event_types": []string{string(webhook.OrderSubmitted)}})
	var out struct {
		Endpoint struct {
			ID string `json:"id"`
		} `json:"endpoint"`
		Secret string `json:"secret"`
	}
	if err := call(ctx, http.MethodPost, base+"/v1/webhooks/endpoints", staffToken, body, http.StatusCreated, &out); err != nil {
		return "", fmt.Errorf("registering the webhook endpoint: %w", err)
	}
	rc.mu.Lock()
	rc.secret = out.Secret
	rc.mu.Unlock()
	return out.Endpoint.ID, nil
}

// drainHook waits until the endpoint has no pending delivery (at most a
// minute), then deletes it, and sums up what rc got; began and ended are
// the measured window.
func drainHook(ctx context.Context, base, staffToken, id string, rc *hookReceiver, began, ended time.Time) (hookResult, error) {
	deadline := time.Now().Add(time.Minute)
	for {
		var page struct {
			Items []json.RawMessage `json:"items"`
		}
		if err := call(ctx, http.MethodGet, base+"/v1/webhooks/endpoints/"+id+"/deliveries?status=pending&limit=1", staffToken, nil, http.StatusOK, &page); err != nil {
			return hookResult{}, err
		}
		sending := page.Items
		if len(sending) == 0 {
			if err := call(ctx, http.MethodGet, base+"/v1/webhooks/endpoints/"+id+"/deliveries?status=sending&limit=1", staffToken, nil, http.StatusOK, &page); err != nil {
				return hookResult{}, err
			}
			sending = page.Items
		}
		if len(sending) == 0 {
			break
		}
		if time.Now().After(deadline) {
			return hookResult{}, fmt.Errorf("webhook deliveries still pending a minute after the load")
		}
		time.Sleep(50 * time.Millisecond)
	}
	var failed struct {
		Items []json.RawMessage `json:"items"`
	}
	if err := call(ctx, http.MethodGet, base+"/v1/webhooks/endpoints/"+id+"/deliveries?status=failed&limit=1", staffToken, nil, http.StatusOK, &failed); err != nil {
		return hookResult{}, err
	}
	if err := call(ctx, http.MethodDelete, base+"/v1/webhooks/endpoints/"+id, staffToken, nil, http.StatusNoContent, nil); err != nil {
		return hookResult{}, err
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(failed.Items) > 0 || rc.bad > 0 {
		return hookResult{}, fmt.Errorf("webhook deliveries failed (%d failed, %d refused by the receiver)", len(failed.Items), rc.bad)
	}
	res := hookResult{Delivered: len(rc.seen), Repeats: rc.repeats}
	var lags []time.Duration
	last := ended
	for _, a := range rc.lags {
		sent := a.at.Add(-a.lag)
		if !sent.Before(began) && sent.Before(ended) {
			lags = append(lags, a.lag)
		}
		if a.at.After(last) {
			last = a.at
		}
	}
	res.DrainS = last.Sub(ended).Seconds()
	if len(lags) > 0 {
		slices.Sort(lags)
		q := func(p float64) float64 { return float64(lags[int(p*float64(len(lags)-1))]) / 1e6 }
		res.LagP50ms, res.LagP99ms, res.LagMaxms = q(0.5), q(0.99), float64(lags[len(lags)-1])/1e6
	}
	return res, nil
}

// call sends one JSON request and decodes the answer into out (nil: none).
func call(ctx context.Context, method, url, token string, body []byte, want int, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		return fmt.Errorf("%s %s: %d %s", method, url, res.StatusCode, b)
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
