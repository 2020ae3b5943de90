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

	"github.com/portalkit/portalkit/storage"
)

var _ storage.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the SQLite backend. It is safe for concurrent use.
type Store struct {
	write *sql.DB // one connection; transactions begin IMMEDIATE
	read  *sql.DB // several query_only connections, for ReadTx
}

// Option changes how Open sets up a Store.
type Option func(*config)

type config struct {
	busyTimeout time.Duration
	readConns   int
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

// Open opens (creating it if needed) the SQLite database named by dsn,
// applies the pending migrations and returns a Store. dsn is a file path
// ("data/portal.db") or a "file:" URI ("file:data/portal.db?mode=rwc");
// see the package documentation for the parameters Open adds. In-memory
// databases are refused: use storage/memory. ctx bounds the migrations.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	cfg := config{busyTimeout: 10 * time.Second, readConns: max(4, runtime.GOMAXPROCS(0))}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.readConns < 1 {
		return nil, errors.New("sqlite: opening: read pool needs at least one connection")
	}
	if isMemory(dsn) {
		return nil, fmt.Errorf("sqlite: opening %q: in-memory databases are not supported (the read and write pools would see different databases); use storage/memory", dsn)
	}

	pragmas := []string{
		// busy_timeout first, so the pragmas after it wait rather than fail.
		"busy_timeout(" + strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10) + ")",
		"journal_mode(WAL)",
		"foreign_keys(1)",
		"synchronous(NORMAL)",
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
	return &Store{write: write, read: read}, nil
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

// Ping reports whether both connection pools can reach the database.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.write.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: pinging write pool: %w", err)
	}
	if err := s.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlite: pinging read pool: %w", err)
	}
	return nil
}

// Close closes both connection pools. It waits for nothing: transactions
// still running fail.
func (s *Store) Close() error {
	return errors.Join(s.read.Close(), s.write.Close())
}

// timeLayout stores times as fixed-width UTC text with microseconds, so
// they sort as strings and read back exactly (to the microsecond).
const timeLayout = "2006-01-02T15:04:05.000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// storedTime returns t as it reads back after formatTime: in UTC,
// truncated to the microsecond, so Update returns what it wrote.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("sqlite: reading time %q: %w", s, err)
	}
	return t, nil
}

// nullTime stores the zero time as NULL: an optional time that is unset.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return formatTime(t)
}

// parseNullTime reads a column written by nullTime; NULL is the zero time.
func parseNullTime(s sql.NullString) (time.Time, error) {
	if !s.Valid {
		return time.Time{}, nil
	}
	return parseTime(s.String)
}

// nullString stores an empty string as NULL, so UNIQUE and FOREIGN KEY
// constraints ignore it.
func nullString[S ~string](s S) any {
	if s == "" {
		return nil
	}
	return string(s)
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// dbError wraps err from the operation op, mapping what SQLite reports to
// the storage errors by result code: a missing row and (with fkErr set to
// storage.ErrNotFound) a missing parent are ErrNotFound, a unique or
// primary key violation is ErrAlreadyExists. fkErr says what a foreign key
// violation means for this statement; nil leaves it internal.
func dbError(op string, err error, fkErr error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	var sentinel error
	var e *sqlite.Error
	if errors.As(err, &e) {
		switch e.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			sentinel = storage.ErrAlreadyExists
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			sentinel = fkErr
		case sqlite3.SQLITE_READONLY:
			// query_only on the read pool; the repos refuse writes first.
			sentinel = storage.ErrReadOnly
		}
	}
	if sentinel == nil {
		return fmt.Errorf("sqlite: %s: %w", op, err)
	}
	return fmt.Errorf("sqlite: %s: %w: %w", op, sentinel, err)
}

// queryList runs q, which selects at most limit+1 rows ordered by ID, and
// returns them as one page: the rows up to limit and the cursor after them.
func queryList[T any](ctx context.Context, tx *sql.Tx, op, q string, args []any, limit int,
	scan func(scanner) (T, error), id func(T) string) (storage.List[T], error) {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return storage.List[T]{}, dbError(op, err, nil)
	}
	defer rows.Close()
	var items []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return storage.List[T]{}, dbError(op, err, nil)
		}
		items = append(items, v)
	}
	if err := rows.Err(); err != nil {
		return storage.List[T]{}, dbError(op, err, nil)
	}
	items, next := storage.Trim(items, limit, id)
	return storage.List[T]{Items: items, NextCursor: next}, nil
}

// rowsAffected returns how many rows the write changed; fkErr is as for
// dbError.
func rowsAffected(op string, res sql.Result, err error, fkErr error) (int, error) {
	if err != nil {
		return 0, dbError(op, err, fkErr)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, dbError(op, err, nil)
	}
	return int(n), nil
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n == 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// likePattern returns a LIKE pattern (for ESCAPE '\') matching s anywhere.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
