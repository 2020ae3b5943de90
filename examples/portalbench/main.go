// Command portalbench is a load benchmark of portalkit's HTTP server that
// measures, in the same run and on the same data, this machine's floor: a
// minimal server doing the same work with hand-written SQL and no policy or
// validation, and a bare net/http handler as the HTTP ceiling. It quotes
// portalkit's figures as ratios of the floor's, because absolute figures
// from a shared machine say little.
//
//	go run ./examples/portalbench                       # default data and load, SQLite
//	go run ./examples/portalbench -duration 5s -orders 20000 -scenarios view,list
//
// It seeds a fresh database through the library (not HTTP, so seeding is
// quick), then for each server (portalkit, floor, ceiling) starts it as a
// child process (this binary, `portalbench serve`), and runs each scenario as
// a closed loop of -conns keep-alive connections for -warmup then -duration.
// It prints a table and writes the figures as JSON to -json. It exits 1 when
// a scenario that must be refused got a 2xx answer, or when any portalkit
// answer was unexpected.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx := signalContext()
	var err error
	if len(os.Args) > 1 && os.Args[1] == "serve" {
		err = serve(ctx, os.Args[2:], os.Stdout)
	} else {
		err = run(ctx, os.Args[1:], os.Stdout)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "portalbench:", err)
		os.Exit(1)
	}
}

// signalContext ends on SIGINT or SIGTERM.
func signalContext() context.Context {
	ctx, _ := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return ctx
}

// options are portalbench's flags.
type options struct {
	data      dataSize
	db        string
	load      loadOptions
	scenarios []string
	servers   []string
	jsonPath  string
}

// errFailed says the run measured something that must not happen.
var errFailed = errors.New("the run failed; see FAIL lines above")

func run(ctx context.Context, args []string, stdout io.Writer) error {
	_, err := bench(ctx, args, stdout)
	return err
}

// bench is run, returning the report too.
func bench(ctx context.Context, args []string, stdout io.Writer) (*report, error) {
	fs := flag.NewFlagSet("portalbench", flag.ContinueOnError)
	fs.SetOutput(stdout)
	var o options
	fs.IntVar(&o.data.Customers, "customers", 1000, "customers to seed, each with order authorization")
	fs.IntVar(&o.data.UsersPerCustomer, "users", 2, "users per customer, each with a session")
	fs.IntVar(&o.data.Products, "products", 200, "products in the global portfolio")
	fs.IntVar(&o.data.Orders, "orders", 100_000, "orders spread over the customers")
	fs.IntVar(&o.data.ItemsPerCustomer, "items", 4, "warehouse stock items per customer")
	fs.StringVar(&o.db, "db", "", "SQLite file to seed (default: a fresh file in a temporary directory), or a PostgreSQL URL of an empty database; the floor runs on SQLite only")
	fs.IntVar(&o.load.conns, "conns", 32, "concurrent keep-alive connections")
	fs.DurationVar(&o.load.warmup, "warmup", 3*time.Second, "warm-up before each measured window")
	fs.DurationVar(&o.load.duration, "duration", 20*time.Second, "measured window per scenario and server")
	fs.Uint64Var(&o.load.seed, "seed", 1, "random seed of the load")
	scen := fs.String("scenarios", strings.Join(scenarioNames, ","), "scenarios to run")
	srvs := fs.String("servers", "portalkit,floor,ceiling", "servers to run them against")
	fs.StringVar(&o.jsonPath, "json", "portalbench.json", "where to write the figures as JSON (\"\" for nowhere)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.scenarios = strings.Split(*scen, ",")
	o.servers = strings.Split(*srvs, ",")
	for _, s := range o.scenarios {
		if !slices.Contains(scenarioNames, s) {
			return nil, fmt.Errorf("-scenarios: unknown %q (have %s)", s, strings.Join(scenarioNames, ", "))
		}
	}
	for _, s := range o.servers {
		if !slices.Contains([]string{"portalkit", "floor", "ceiling"}, s) {
			return nil, fmt.Errorf("-servers: unknown %q (have portalkit, floor, ceiling)", s)
		}
	}
	if o.load.conns < 1 || o.load.duration <= 0 || o.load.warmup < 0 {
		return nil, errors.New("-conns must be at least 1 and -duration positive")
	}
	if isPostgres(o.db) && slices.Contains(o.servers, "floor") {
		// The floor is hand-written SQLite; on PostgreSQL portalkit is
		// compared with the ceiling only.
		o.servers = slices.DeleteFunc(o.servers, func(s string) bool { return s == "floor" })
		fmt.Fprintln(stdout, "PostgreSQL: the floor is SQLite's; running portalkit and the ceiling only")
	}
	if o.db != "" && !isPostgres(o.db) {
		if _, err := os.Stat(o.db); err == nil {
			return nil, fmt.Errorf("-db %s exists: portalbench seeds a fresh database; name a new file", o.db)
		}
	}
	if o.db == "" {
		dir, err := os.MkdirTemp("", "portalbench-")
		if err != nil {
			return nil, err
		}
		defer func() { _ = os.RemoveAll(dir) }()
		o.db = filepath.Join(dir, "bench.db")
	}

	rep := &report{
		Started: time.Now().UTC(),
		Machine: machine{CPUs: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH},
		Data:    o.data,
		Load:    loadDescriptor{Conns: o.load.conns, Warmup: o.load.warmup.Seconds(), Duration: o.load.duration.Seconds()},
	}
	fmt.Fprintf(stdout, "seeding %s: %d customers × %d users, %d products, %d orders, %d items per customer\n",
		o.db, o.data.Customers, o.data.UsersPerCustomer, o.data.Products, o.data.Orders, o.data.ItemsPerCustomer)
	began := time.Now()
	fx, err := seed(ctx, o.db, o.data)
	if err != nil {
		return nil, fmt.Errorf("seeding: %w", err)
	}
	fmt.Fprintf(stdout, "seeded in %s\n", time.Since(began).Round(time.Millisecond))

	// Every server runs from the start, and each scenario runs against
	// them one after the other, so that portalkit and its floor are
	// measured seconds apart on a machine whose load drifts. Portalkit goes
	// last: its outbox worker may still be sending the mail of a scenario
	// when the next one starts, and that must not slow the floor down.
	slices.SortStableFunc(o.servers, func(a, b string) int {
		return cmp.Compare(b2i(a == "portalkit"), b2i(b == "portalkit"))
	})
	running := make([]*server, 0, len(o.servers))
	defer func() {
		for _, srv := range running {
			_ = srv.stop()
		}
	}()
	for _, kind := range o.servers {
		srv, err := startServer(ctx, kind, "--db", o.db)
		if err != nil {
			return nil, err
		}
		running = append(running, srv)
	}
	for _, name := range o.scenarios {
		for _, srv := range running {
			if err := runScenario(ctx, srv, name, o, fx, rep, stdout); err != nil {
				return nil, err
			}
		}
	}
	fmt.Fprintln(stdout)
	rep.printTable(stdout)
	if o.jsonPath != "" {
		if err := rep.writeJSON(o.jsonPath); err != nil {
			return nil, err
		}
		fmt.Fprintf(stdout, "\nfigures written to %s\n", o.jsonPath)
	}
	if len(rep.Failures) > 0 {
		return rep, errFailed
	}
	return rep, nil
}

// b2i is 1 for true.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// runScenario runs scenario name against srv, when srv answers it, and
// adds its row to rep.
func runScenario(ctx context.Context, srv *server, name string, o options, fx *fixture, rep *report, stdout io.Writer) error {
	kind := srv.kind
	if !serves(kind, name) {
		return nil
	}
	pid := srv.cmd.Process.Pid
	sc := fx.scenario(name, kind)
	resetPeakRSS(pid)
	before, err := readUsage(pid)
	if err != nil {
		return err
	}
	var (
		hook   *hookReceiver
		hookID string
	)
	if name == hookScenario {
		hook = newHookReceiver()
		defer hook.srv.Close()
		if hookID, err = registerHook(ctx, srv.base, fx.staffToken, hook); err != nil {
			return err
		}
	}
	began := time.Now()
	res := runLoad(ctx, srv.base, sc, o.load)
	wall := time.Since(began)
	after, err := readUsage(pid)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r := row{
		Scenario:   name,
		Server:     kind,
		loadResult: res,
		CPUCores:   (after.cpu - before.cpu).Seconds() / wall.Seconds(),
		PeakRSSMiB: float64(after.peakRSS) / (1 << 20),
	}
	if hook != nil {
		// The measured window is the end of the run: warm-up came first.
		h, err := drainHook(ctx, srv.base, fx.staffToken, hookID, hook, began.Add(o.load.warmup), began.Add(wall))
		if err != nil {
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s on %s: %v", name, kind, err))
		} else {
			r.Webhooks = &h
			vs := "—"
			if p, ok := rep.find("place", kind); ok && p.RPS > 0 {
				vs = fmt.Sprintf("%.2f", res.RPS/p.RPS)
			}
			fmt.Fprintf(stdout, "%-10s %-9s webhooks: %d delivered, lag p50 %.1f ms, p99 %.1f ms, max %.1f ms, drained %.2f s after the load; req/s vs place %s\n",
				name, kind, h.Delivered, h.LagP50ms, h.LagP99ms, h.LagMaxms, h.DrainS, vs)
		}
	}
	rep.Rows = append(rep.Rows, r)
	fmt.Fprintf(stdout, "%-10s %-9s %8.0f req/s  p99 %6.2f ms  unexpected %d\n", name, kind, res.RPS, res.P99ms, res.Unexpected+res.Errors)
	if res.Leaked > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%s on %s: %d answers were 2xx and must have been refused", name, kind, res.Leaked))
	}
	if kind == "portalkit" && res.Unexpected+res.Errors > 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%s on %s: %d unexpected answers %v, %d transport errors", name, kind, res.Unexpected, res.Statuses, res.Errors))
	}
	if res.Requests == 0 {
		rep.Failures = append(rep.Failures, fmt.Sprintf("%s on %s: no answer in the measured window", name, kind))
	}
	return nil
}
