package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

var _ storage.Store = (*Store)(nil)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL backend. It is safe for concurrent use, and
// several Stores (in several processes) may share one database.
type Store struct {
	pool      *pgxpool.Pool
	isolation pgx.TxIsoLevel // of InTx
	attempts  int            // of InTx, at most
}

// Option changes how Open sets up a Store.
type Option func(*config)

type config struct {
	attempts  int
	isolation pgx.TxIsoLevel
}

// DefaultTxAttempts is how many times InTx runs a transaction that fails to
// serialize before it gives up.
const DefaultTxAttempts = 20

// WithTxAttempts sets how many times InTx runs a transaction that fails to
// serialize (or is chosen as a deadlock's victim) before it returns
// storage.ErrConflict. The default is DefaultTxAttempts; 1 never retries.
func WithTxAttempts(n int) Option {
	return func(c *config) { c.attempts = n }
}

// Open connects to the PostgreSQL database that url names, applies the
// pending migrations and returns a Store. url is a URL
// ("postgres://user:pass@host:5432/db?sslmode=disable"; postgresql:// too)
// or a key=value DSN, with any parameter pgx understands: pool_max_conns
// sizes the pool, and other parameters, such as search_path, become
// session settings of every connection. The tables live in the first schema
// on the search_path. ctx bounds connecting and migrating, including the
// wait for another process that is migrating the same schema.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg := config{attempts: DefaultTxAttempts, isolation: pgx.Serializable}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.attempts < 1 {
		return nil, errors.New("postgres: opening: a transaction needs at least one attempt")
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: opening: %w", err)
	}
	pcfg.AfterConnect = func(_ context.Context, c *pgx.Conn) error {
		// Times come back in UTC, as the storage contract says, whatever
		// the session's TimeZone.
		c.TypeMap().RegisterType(&pgtype.Type{
			Name: "timestamptz", OID: pgtype.TimestamptzOID,
			Codec: &pgtype.TimestamptzCodec{ScanLocation: time.UTC},
		})
		return nil
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: opening: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: opening: %w", ctxErr(ctx, err))
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool, isolation: cfg.isolation, attempts: cfg.attempts}, nil
}

// migrate applies the embedded migrations that the schema has not seen yet,
// holding a session advisory lock meanwhile, so that of several processes
// opening one database at once one migrates and the others wait and then
// find nothing to do. The lock is the schema's own: stores on different
// schemas of one database (tests, or several portals) do not wait for each
// other.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	var schema *string
	if err := pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("postgres: migrating: %w", ctxErr(ctx, err))
	}
	if schema == nil {
		return errors.New("postgres: migrating: no schema on the search_path exists")
	}
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	// goose polls the lock; once a second keeps replicas that start
	// together quick, for up to ten minutes.
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(lockID(*schema)), lock.WithLockTimeout(1, 600))
	if err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker))
	if err != nil {
		return fmt.Errorf("postgres: migrating: %w", err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("postgres: migrating schema %s: %w", *schema, ctxErr(ctx, err))
	}
	return nil
}

// lockID is the advisory lock key under which the schema is migrated.
func lockID(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("portalkit migrations\x00" + schema))
	return int64(h.Sum64())
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("postgres: pinging: %w", ctxErr(ctx, err))
	}
	return nil
}

// Close closes the pool's connections. It waits until the connections in
// use are released.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// ctxErr returns ctx's cause when ctx has ended, which is why err happened,
// and err otherwise.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	}
	return err
}

// storedTime returns t as it reads back: in UTC, truncated to the
// microsecond (pgx truncates, and PostgreSQL keeps microseconds), so Update
// returns what it wrote.
func storedTime(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTime stores the zero time as NULL: an optional time that is unset.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// orZero reads a column written by nullTime; NULL is the zero time.
func orZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}

// nullString stores an empty string as NULL, so UNIQUE and FOREIGN KEY
// constraints ignore it.
func nullString[S ~string](s S) any {
	if s == "" {
		return nil
	}
	return string(s)
}

// orEmpty reads a column written by nullString; NULL is "".
func orEmpty(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// texts converts typed IDs to the []string a text[] parameter takes.
func texts[S ~string](ids []S) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

// typed converts a text[] column to typed IDs; an empty array is nil.
func typed[S ~string](ss []string) []S {
	if len(ss) == 0 {
		return nil
	}
	out := make([]S, len(ss))
	for i, s := range ss {
		out[i] = S(s)
	}
	return out
}

// SQLSTATE codes the store classifies
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
	codeReadOnlyTransaction  = "25006"
	codeCharacterNotInRepert = "22021" // e.g. a NUL byte in text
	codeUntranslatableChar   = "22P05"
)

// retryable reports whether err says that the transaction failed to
// serialize or was a deadlock's victim: running it again may succeed.
func retryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == codeSerializationFailure || e.Code == codeDeadlockDetected)
}

// dbError wraps err from the operation op, mapping what PostgreSQL reports
// to the storage errors by SQLSTATE: a missing row and (with fkErr set to
// storage.ErrNotFound) a missing referenced row are ErrNotFound, a unique
// violation is ErrAlreadyExists, a serialization failure or deadlock is
// ErrConflict (once InTx has run out of attempts), and text PostgreSQL
// cannot store (a NUL byte) is Invalid. fkErr says what a foreign key
// violation means for this statement; nil leaves it internal.
func dbError(op string, err error, fkErr error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	var sentinel error
	var e *pgconn.PgError
	if errors.As(err, &e) {
		switch e.Code {
		case codeUniqueViolation:
			sentinel = storage.ErrAlreadyExists
		case codeForeignKeyViolation:
			sentinel = fkErr
		case codeSerializationFailure, codeDeadlockDetected:
			sentinel = storage.ErrConflict
		case codeReadOnlyTransaction:
			// ReadTx is READ ONLY; the repos refuse writes first.
			sentinel = storage.ErrReadOnly
		case codeCharacterNotInRepert, codeUntranslatableChar:
			sentinel = &portalerr.Error{Code: portalerr.Invalid, Message: "text holds a character the database cannot store"}
		}
	}
	if sentinel == nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return fmt.Errorf("postgres: %s: %w: %w", op, sentinel, err)
}

// scanner is a pgx.Row or pgx.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// args collects the parameters of a statement being built and names each
// by its placeholder.
type args []any

// add appends v and returns its placeholder, "$n".
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// normalize checks p as storage.Page.Normalize does and returns the ID to
// start after. A cursor that decodes to bytes no ID has (invalid UTF-8, or
// NUL, which text cannot hold) is Invalid too: PostgreSQL would refuse it
// as a parameter.
func normalize(p storage.Page) (after string, limit int, err error) {
	after, limit, err = p.Normalize()
	if err != nil {
		return "", 0, err
	}
	if !utf8.ValidString(after) || strings.ContainsRune(after, 0) {
		return "", 0, portalerr.Invalidf("cursor", "is not a cursor returned by this list")
	}
	return after, limit, nil
}

// likePattern returns an ILIKE pattern matching s anywhere. Backslash is
// LIKE's default escape character in PostgreSQL.
func likePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(s) + "%"
}
