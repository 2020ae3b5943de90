package main

import (
	"bytes"
	"context"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
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
		benchData.fx, benchData.err = seed(context.Background(), benchData.db,
			dataSize{Customers: 200, UsersPerCustomer: 2, Products: 200, Orders: 20_000, ItemsPerCustomer: 1})
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
