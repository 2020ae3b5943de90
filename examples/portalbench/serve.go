package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // served only when PORTALBENCH_PPROF names an address
	"os"
	"time"
)

// serve is `portalbench serve --kind K --db D --addr A`: one server under
// test, in a process of its own. It prints listeningPrefix and its address
// once it accepts connections, and serves until ctx ends.
func serve(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("portalbench serve", flag.ContinueOnError)
	kind := fs.String("kind", "portalkit", "portalkit, floor or ceiling")
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	db := fs.String("db", "", "database the seed wrote")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var (
		h       http.Handler
		cleanup func() error
		err     error
	)
	switch *kind {
	case "portalkit":
		h, cleanup, err = portalkitHandler(ctx, *db)
	case "floor":
		h, cleanup, err = floorHandler(ctx, *db)
	case "ceiling":
		h, cleanup = ceilingHandler(), func() error { return nil }
	default:
		return fmt.Errorf("--kind %q: want portalkit, floor or ceiling", *kind)
	}
	if err != nil {
		return err
	}
	defer func() { _ = cleanup() }()

	if a := os.Getenv("PORTALBENCH_PPROF"); a != "" && *kind == "portalkit" {
		// For profiling a run: go tool pprof http://$PORTALBENCH_PPROF/debug/pprof/profile?seconds=10
		go func() { _ = http.ListenAndServe(a, http.DefaultServeMux) }()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(slog.New(slog.NewTextHandler(io.Discard, nil)).Handler(), slog.LevelError),
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	fmt.Fprintf(stdout, "%s%s\n", listeningPrefix, ln.Addr())
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// ceilingHandler answers every request with one small constant JSON body:
// the most net/http on this machine serves, with no work behind it.
func ceilingHandler() http.Handler {
	body := []byte(`{"id":"ord_0","status":"confirmed"}` + "\n")
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}
