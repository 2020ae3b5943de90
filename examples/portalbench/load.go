package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"
)

// request is one HTTP request a scenario sends.
type request struct {
	method string
	path   string
	body   []byte
	// token is the bearer token, "" for none.
	token string
	// idempotencyKey, when set, goes into the Idempotency-Key header.
	idempotencyKey string
}

// scenario is one kind of request, sent in a closed loop.
type scenario struct {
	name string
	// conn returns the request source of one connection: each call of the
	// function it returns builds that connection's next request, given the
	// status of the previous answer (0 for the first request).
	conn func(rnd *rand.Rand) func(prev int) request
	// ok says whether a response status is the expected one.
	ok func(status int) bool
	// mustRefuse marks a scenario whose every 2xx answer is a failure of
	// isolation: the run fails when one is seen.
	mustRefuse bool
}

// loadResult is what one scenario measured against one server.
type loadResult struct {
	Requests   int     `json:"requests"`
	RPS        float64 `json:"rps"`
	P50ms      float64 `json:"p50_ms"`
	P95ms      float64 `json:"p95_ms"`
	P99ms      float64 `json:"p99_ms"`
	Unexpected int     `json:"unexpected"`
	// Leaked counts 2xx answers to a scenario that must be refused.
	Leaked int `json:"leaked"`
	// Errors counts transport errors (connection refused, reset, ...).
	Errors int `json:"errors"`
	// Statuses counts unexpected answers by status, for the report.
	Statuses map[int]int `json:"unexpected_statuses,omitempty"`
}

// loadOptions say how hard and how long to drive a server.
type loadOptions struct {
	conns    int
	warmup   time.Duration
	duration time.Duration
	seed     uint64
}

// runLoad drives base with sc from o.conns concurrent keep-alive
// connections, each sending its next request as soon as the previous answer
// is read (a closed loop), for o.warmup and then o.duration; only answers to
// requests sent within the measured window count.
func runLoad(ctx context.Context, base string, sc scenario, o loadOptions) loadResult {
	tr := &http.Transport{
		MaxIdleConns:        o.conns,
		MaxIdleConnsPerHost: o.conns,
		MaxConnsPerHost:     o.conns,
		IdleConnTimeout:     time.Minute,
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}

	start := time.Now()
	from := start.Add(o.warmup)
	until := from.Add(o.duration)
	ctx, cancel := context.WithDeadline(ctx, until)
	defer cancel()

	type tally struct {
		lat                        []time.Duration
		unexpected, leaked, errors int
		statuses                   map[int]int
	}
	tallies := make([]tally, o.conns)
	var wg sync.WaitGroup
	for i := range o.conns {
		wg.Go(func() {
			t := &tallies[i]
			t.statuses = map[int]int{}
			next := sc.conn(rand.New(rand.NewPCG(o.seed, uint64(i))))
			status := 0
			for ctx.Err() == nil {
				rq := next(status)
				sent := time.Now()
				var err error
				status, err = do(ctx, client, base, rq)
				took := time.Since(sent)
				if sent.Before(from) || sent.Add(took).After(until) {
					continue
				}
				if err != nil {
					if ctx.Err() == nil {
						t.errors++
					}
					continue
				}
				t.lat = append(t.lat, took)
				if sc.mustRefuse && status >= 200 && status < 300 {
					t.leaked++
				}
				if !sc.ok(status) {
					t.unexpected++
					t.statuses[status]++
				}
			}
		})
	}
	wg.Wait()

	var r loadResult
	var lat []time.Duration
	for _, t := range tallies {
		lat = append(lat, t.lat...)
		r.Unexpected += t.unexpected
		r.Leaked += t.leaked
		r.Errors += t.errors
		for s, n := range t.statuses {
			if r.Statuses == nil {
				r.Statuses = map[int]int{}
			}
			r.Statuses[s] += n
		}
	}
	slices.Sort(lat)
	r.Requests = len(lat)
	r.RPS = float64(len(lat)) / o.duration.Seconds()
	r.P50ms = ms(percentile(lat, 0.50))
	r.P95ms = ms(percentile(lat, 0.95))
	r.P99ms = ms(percentile(lat, 0.99))
	return r
}

// do sends rq and reads the whole answer, so the connection is reused.
func do(ctx context.Context, c *http.Client, base string, rq request) (int, error) {
	var body io.Reader
	if rq.body != nil {
		body = bytes.NewReader(rq.body)
	}
	req, err := http.NewRequestWithContext(ctx, rq.method, base+rq.path, body)
	if err != nil {
		return 0, err
	}
	if rq.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if rq.token != "" {
		req.Header.Set("Authorization", "Bearer "+rq.token)
	}
	if rq.idempotencyKey != "" {
		req.Header.Set("Idempotency-Key", rq.idempotencyKey)
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if err != nil {
		return 0, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, nil
}

// percentile returns the q-quantile of sorted (nearest rank).
func percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
