package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"

	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/webui"
)

// The benchmarks serve the view, list and place scenarios' requests one at
// a time, in process and without a network, to portalkit's handler and to
// the floor's over one seeded SQLite file: the server's own cost per
// request, without the load generator and the scheduler noise of a closed
// loop. Compare the two in one run:
//
//	go test ./examples/portalbench -run '^$' -bench . -benchmem -count 5

var benchData struct {
	once sync.Once
	db   string
	fx   *fixture
	err  error
}

// benchFixture seeds one database for every benchmark of the run.
func benchFixture(b *testing.B) (string, *fixture) {
	b.Helper()
	benchData.once.Do(func() {
		// TestMain removes it once the benchmarks have run.
		dir, err := os.MkdirTemp("", "portalbench-bench-")
		if err != nil {
			benchData.err = err
			return
		}
		benchData.db = filepath.Join(dir, "bench.db")
		size := dataSize{Customers: 200, UsersPerCustomer: 2, Products: 200, Orders: 20_000, ItemsPerCustomer: 1}
		// PORTALBENCH_ORDERS=100000 seeds portalbench's own size: 1,000
		// customers and that many orders.
		if n, err := strconv.Atoi(os.Getenv("PORTALBENCH_ORDERS")); err == nil && n > 0 {
			size.Customers, size.Orders = 1000, n
		}
		benchData.fx, benchData.err = seed(context.Background(), benchData.db, size)
	})
	if benchData.err != nil {
		b.Fatal(benchData.err)
	}
	return benchData.db, benchData.fx
}

func BenchmarkServe(b *testing.B) {
	db, fx := benchFixture(b)
	for _, name := range []string{"view", "list", "place"} {
		for _, kind := range []string{"floor", "portalkit"} {
			b.Run(name+"/"+kind, func(b *testing.B) {
				open := portalkitHandler
				if kind == "floor" {
					open = floorHandler
				}
				h, cleanup, err := open(b.Context(), db)
				if err != nil {
					b.Fatal(err)
				}
				b.Cleanup(func() { _ = cleanup() })
				next := fx.scenario(name, kind).conn(rand.New(rand.NewPCG(1, 2)))
				sc := fx.scenario(name, kind)
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					rq := next(i)
					i++
					req := httptest.NewRequestWithContext(b.Context(), rq.method, rq.path, bytes.NewReader(rq.body))
					req.Header.Set("Authorization", "Bearer "+rq.token)
					req.Header.Set("Content-Type", "application/json")
					if rq.idempotencyKey != "" {
						req.Header.Set("Idempotency-Key", rq.idempotencyKey)
					}
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if !sc.ok(w.Code) {
						b.Fatalf("%s %s: %d %s", rq.method, rq.path, w.Code, w.Body)
					}
				}
			})
		}
	}
}

// BenchmarkOrderListPage renders the web UI's order list (25 orders) for a
// random user, beside the API's list of the same 25 from the same Portal:
// the page's cost over the API's is the ratio of the two.
func BenchmarkOrderListPage(b *testing.B) {
	db, fx := benchFixture(b)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	p, cleanup, err := openPortal(b.Context(), db, log)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cleanup() })
	handlers := map[string]http.Handler{"api": httpapi.NewHandler(p, httpapi.WithLogger(log)), "page": webui.New(p, webui.WithLogger(log))}
	for _, kind := range []string{"api", "page"} {
		b.Run(kind, func(b *testing.B) {
			rnd := rand.New(rand.NewPCG(1, 2))
			h := handlers[kind]
			b.ReportAllocs()
			for b.Loop() {
				c, tok := fx.user(rnd)
				req := httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/v1/customers/"+string(c.id)+"/orders?limit=25", nil)
				req.Header.Set("Authorization", "Bearer "+tok)
				if kind == "page" {
					req = httptest.NewRequestWithContext(b.Context(), http.MethodGet, "/orders", nil)
					req.AddCookie(&http.Cookie{Name: "portalkit_session", Value: tok})
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", req.URL, w.Code, w.Body)
				}
			}
		})
	}
}
