package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portalkit/portalkit/storage/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite backend: the shared SQL store on a SQLite database.
// It is safe for concurrent use.
type Store = sqlstore.Store

// Option changes how Open sets up a Store.
type Option func(*config)

type config struct {
	busyTimeout time.Duration
	readConns   int
	synchronous string
	onClose     func() error
	// noRecordText searches records' text by LIKE on the records (tests
	// and benchmarks: the index's baseline).
	noRecordText bool
}

// WithBusyTimeout sets how long a connection waits for a lock another
// process holds before failing with SQLITE_BUSY. The default is 10s.
func WithBusyTimeout(d time.Duration) Option {
	return func(c *config) { c.busyTimeout = d }
}

// WithReadConns sets the size of the read pool that serves ReadTx. The
// default is max(4, GOMAXPROCS).
func WithReadConns(n int) Option {
	return func(c *config) { c.readConns = n }
}

// dialect is how the shared store speaks SQLite.
func dialect() *sqlstore.Dialect {
	return &sqlstore.Dialect{
		Name:     "sqlite",
		ILike:    "LIKE",
		Classify: classify,
		// One writer: transactions never fail to serialize.
		TxAttempts: 1,
		ReadTx:     sql.TxOptions{ReadOnly: true},
		RecordText: "record_text",
	}
}

// classify sorts SQLite's errors by extended result code.
func classify(err error) sqlstore.ErrorKind {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return sqlstore.KindOther
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.KindUnique
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.KindForeignKey
	case sqlite3.SQLITE_READONLY:
		// query_only on the read pool; the repos refuse writes first.
		return sqlstore.KindReadOnly
	}
	return sqlstore.KindOther
}

// Open opens (creating it if needed) the SQLite database named by dsn,
// applies the pending migrations and returns a Store. dsn is a file path
// ("data/portal.db") or a "file:" URI ("file:data/portal.db?mode=rwc");
// see the package documentation for the parameters Open adds. In-memory
// databases are refused (the read and write pools would see different
// databases): use OpenTemp for a throwaway database. ctx bounds the
// migrations.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := config{busyTimeout: 10 * time.Second, readConns: max(4, runtime.GOMAXPROCS(0)), synchronous: "NORMAL"}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.readConns < 1 {
		return nil, errors.New("sqlite: opening: read pool needs at least one connection")
	}
	if isMemory(dsn) {
		return nil, fmt.Errorf("sqlite: opening %q: in-memory databases are not supported (the read and write pools would see different databases); use sqlite.OpenTemp", dsn)
	}

	pragmas := []string{
		// busy_timeout first, so the pragmas after it wait rather than fail.
		"busy_timeout(" + strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10) + ")",
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(" + cfg.synchronous + ")",
	}
	write, err := openPool(withParams(dsn, pragmas, "_txlock", "immediate"), stmtCacheSize)
	if err != nil {
		return nil, fmt.Errorf("sqlite: opening write pool: %w", err)
	}
	// One writer: SQLite allows one write transaction at a time, and waiting
	// in database/sql's queue is cheaper and fairer than busy-looping.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, err
	}

	read, err := openPool(withParams(dsn, append(pragmas, "query_only(1)")), stmtCacheSize)
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: opening read pool: %w", err)
	}
	read.SetMaxOpenConns(cfg.readConns)
	read.SetMaxIdleConns(cfg.readConns)
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(0)
	if err := read.PingContext(ctx); err != nil {
		read.Close()
		write.Close()
		return nil, fmt.Errorf("sqlite: opening read pool: %w", err)
	}
	d := dialect()
	if cfg.noRecordText {
		d.RecordText = ""
	}
	return sqlstore.New(sqlstore.Config{Write: write, Read: read, Dialect: d, OnClose: cfg.onClose}), nil
}

// openPool returns a pool of connections to dsn that keep up to cacheSize
// statements prepared each (see stmtConn). Like sql.Open, it connects to
// nothing yet.
func openPool(dsn string, cacheSize int) (*sql.DB, error) {
	c, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(stmtCacheConnector{Connector: c, size: cacheSize}), nil
}

// migrate applies the embedded migrations that db has not seen yet.
func migrate(ctx context.Context, db *sql.DB) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("sqlite: migrating: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("sqlite: migrating: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("sqlite: migrating: %w", err)
	}
	return nil
}

// withParams appends the driver parameters to dsn: each pragma as a
// _pragma parameter (so every pooled connection runs it) and kv as pairs.
func withParams(dsn string, pragmas []string, kv ...string) string {
	q := make(url.Values)
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	return dsn + sep + q.Encode()
}

func isMemory(dsn string) bool {
	name, query, _ := strings.Cut(dsn, "?")
	name = strings.TrimPrefix(name, "file:")
	if name == "" || name == ":memory:" {
		return true
	}
	q, _ := url.ParseQuery(query)
	return q.Get("mode") == "memory"
}
