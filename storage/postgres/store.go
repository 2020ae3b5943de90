package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/portalkit/portalkit/storage/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Store is the PostgreSQL backend: the shared SQL store on a PostgreSQL
// database. It is safe for concurrent use, and several Stores (in several
// processes) may share one database.
type Store = sqlstore.Store

// Option changes how Open sets up a Store.
type Option func(*config)

type config struct {
	attempts  int
	isolation sql.IsolationLevel
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

// dialect is how the shared store speaks PostgreSQL.
func dialect(cfg config) *sqlstore.Dialect {
	return &sqlstore.Dialect{
		Name:                 "postgres",
		NumberedPlaceholders: true,
		ILike:                "ILIKE",
		SkipLocked:           " FOR UPDATE SKIP LOCKED",
		Classify:             classify,
		TxAttempts:           cfg.attempts,
		WriteTx:              sql.TxOptions{Isolation: cfg.isolation},
		ReadTx:               sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		ClaimIsolation:       `SET TRANSACTION ISOLATION LEVEL READ COMMITTED`,
		PlanEach:             pgx.QueryExecModeExec,
		OrderNumber:          `SELECT nextval('order_number')`,
		TicketNumber:         `SELECT nextval('ticket_number')`,
	}
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
	cfg := config{attempts: DefaultTxAttempts, isolation: sql.LevelSerializable}
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
	db := stdlib.OpenDBFromPool(pool)
	// database/sql must not open more connections than pgxpool has: one
	// beyond would wait inside pgxpool for a connection that an idle
	// database/sql connection holds, forever.
	db.SetMaxOpenConns(int(pcfg.MaxConns))
	db.SetMaxIdleConns(int(pcfg.MaxConns))
	return sqlstore.New(sqlstore.Config{Write: db, Read: db, Dialect: dialect(cfg),
		OnClose: func() error { pool.Close(); return nil }}), nil
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

// ctxErr returns ctx's cause when ctx has ended, which is why err happened,
// and err otherwise.
func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
		return fmt.Errorf("%w (%w)", context.Cause(ctx), err)
	}
	return err
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

// classify sorts PostgreSQL's errors by SQLSTATE.
func classify(err error) sqlstore.ErrorKind {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return sqlstore.KindOther
	}
	switch e.Code {
	case codeUniqueViolation:
		return sqlstore.KindUnique
	case codeForeignKeyViolation:
		return sqlstore.KindForeignKey
	case codeSerializationFailure, codeDeadlockDetected:
		return sqlstore.KindRetry
	case codeReadOnlyTransaction:
		// ReadTx is READ ONLY; the repos refuse writes first.
		return sqlstore.KindReadOnly
	case codeCharacterNotInRepert, codeUntranslatableChar:
		return sqlstore.KindBadText
	}
	return sqlstore.KindOther
}
