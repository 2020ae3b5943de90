package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/portalkit/portalkit/storage/postgres"
)

// EnvURL names the environment variable that holds the URL of the
// PostgreSQL server tests use ("postgres://postgres@127.0.0.1:5432/test").
// The role must be allowed to create schemas in that database.
const EnvURL = "PORTALKIT_TEST_POSTGRES_URL"

// Enabled reports whether EnvURL is set, so tests that use this package
// run rather than skip.
func Enabled() bool { return os.Getenv(EnvURL) != "" }

// URL creates a new, empty schema and returns EnvURL with that schema as
// its search_path: a Store opened on it keeps its tables there. The schema
// is dropped, with everything in it, when t ends. URL skips t when EnvURL
// is unset, and fails it when the server cannot be reached.
func URL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(EnvURL + " is unset: no PostgreSQL to test against")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("postgrestest: connecting to %s: %v", EnvURL, err)
	}
	defer conn.Close(ctx)
	if err := sharedTrigram(ctx, conn); err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "test_" + hex.EncodeToString(b)
	// Claimed before it exists, so another process's sweep never takes it.
	if err := keeper.hold(ctx, base, schema); err != nil {
		t.Fatalf("postgrestest: %v", err)
	}
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("postgrestest: creating schema: %v", err)
	}
	url := withSearchPath(t, base, schema)
	t.Cleanup(func() {
		if !schemas.adopted(url) && !shared.adopted(url) {
			drop(t, base, schema)
		}
	})
	return url
}

// Open opens a Store on an empty, migrated schema, closed when t ends.
//
// Migrating a schema takes the better part of a second, and a conformance
// run opens hundreds of stores, so Open reuses schemas within the process:
// when t ends, its schema is emptied (every table truncated, then the rows
// the migrations seeded put back) and handed to the next Open. A schema
// that cannot be emptied is dropped instead. Tests that need a schema the
// migrations have not touched use URL.
func Open(t testing.TB, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	s, sc := open(t, opts...)
	t.Cleanup(func() {
		_ = s.Close()
		if sc != nil {
			schemas.give(t, sc)
		}
	})
	return s
}

// MigratedURL is URL on a migrated schema rather than an empty one: for
// tests that open stores of their own, with parameters or options of
// their own, and do not test migrating. The schema is one of Open's, or a
// new one migrated; when t ends, after the stores opened on it are
// closed, it is emptied and goes back to Open's pool.
func MigratedURL(t testing.TB) string {
	t.Helper()
	sc := schemas.take()
	if sc == nil {
		var s *postgres.Store
		s, sc = open(t)
		_ = s.Close()
		if sc == nil {
			t.Fatalf("postgrestest: a migrated schema cannot be reused")
		}
	}
	t.Cleanup(func() { schemas.give(t, sc) })
	return sc.url
}

// OpenShared is Open for suites whose tests neither close the store nor
// need options, such as storagetest's: when t ends, the Store stays open
// and its schema is emptied as Open's are, and the next OpenShared of the
// process gets both, without connecting and checking the migrations
// again. The caller must not close the Store.
func OpenShared(t testing.TB) *postgres.Store {
	t.Helper()
	st := shared.take()
	if st == nil {
		s, sc := open(t)
		if sc == nil {
			t.Cleanup(func() { _ = s.Close() })
			return s
		}
		st = &sharedStore{sc: sc, s: s}
	}
	t.Cleanup(func() { shared.give(t, st) })
	return st.s
}

// open opens a Store on an empty, migrated schema: one from the pool, or
// a new one, which t's end drops unless it was put in a pool meanwhile.
// It returns the schema to put back in a pool, or nil where the schema
// cannot be reused.
func open(t testing.TB, opts ...postgres.Option) (*postgres.Store, *reusable) {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		t.Skip(EnvURL + " is unset: no PostgreSQL to test against")
	}
	sc := schemas.take()
	if sc == nil {
		url := URL(t) // a fresh schema, dropped when t ends
		s, err := postgres.Open(context.Background(), url, opts...)
		if err != nil {
			t.Fatalf("postgrestest: opening store: %v", err)
		}
		// Cleanups run last-registered first: the caller's, which puts
		// the schema in a pool, runs before URL's drops it.
		sc, err = newReusable(base, url)
		if err != nil {
			t.Logf("postgrestest: schema not reusable: %v", err)
			return s, nil
		}
		return s, sc
	}
	s, err := postgres.Open(context.Background(), sc.url, opts...)
	if err != nil {
		dropSchema(t, sc)
		t.Fatalf("postgrestest: opening store: %v", err)
	}
	return s, sc
}

// sharedStore is a Store that OpenShared hands out again, with its schema.
type sharedStore struct {
	sc *reusable
	s  *postgres.Store
}

// shared holds the stores waiting for their next OpenShared. A store
// whose schema cannot be emptied is closed and its schema dropped.
var shared = freeList[*sharedStore]{
	schema: func(st *sharedStore) *reusable { return st.sc },
	discard: func(t testing.TB, st *sharedStore) {
		_ = st.s.Close()
		dropSchema(t, st.sc)
	},
}

// reusable is a migrated schema Open can empty and hand out again.
type reusable struct {
	base, url, schema string
	tables            []string // every table but goose's, referring ones first
	seeds             []string // statements that put the seeded rows and the sequences back
}

// newReusable records what the migrations left in the schema of url: its
// tables, and the rows they seeded, as INSERT statements.
func newReusable(base, url string) (*reusable, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = $1 AND table_type = 'BASE TABLE' AND table_name <> 'goose_db_version'
		ORDER BY table_name`, schema)
	if err != nil {
		return nil, err
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	tables, err = referringFirst(ctx, conn, schema, tables)
	if err != nil {
		return nil, err
	}
	r := &reusable{base: base, url: url, schema: schema, tables: tables}
	for _, tb := range tables {
		// Each seeded row as an INSERT of its JSON image, so that any
		// column types come back as they were.
		rows, err := conn.Query(ctx, `SELECT format('INSERT INTO %I.%I SELECT * FROM json_populate_record(NULL::%I.%I, %L)',
				$2::text, $1::text, $2::text, $1::text, row_to_json(t)::text)
			FROM `+pgx.Identifier{tb}.Sanitize()+` AS t`, tb, schema)
		if err != nil {
			return nil, err
		}
		ins, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return nil, err
		}
		r.seeds = append(r.seeds, ins...)
	}
	// And each sequence back where the migrations left it.
	rows, err = conn.Query(ctx, `SELECT sequence_name FROM information_schema.sequences WHERE sequence_schema = $1`, schema)
	if err != nil {
		return nil, err
	}
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, err
	}
	for _, seq := range seqs {
		name := pgx.Identifier{schema, seq}.Sanitize()
		var set string
		err := conn.QueryRow(ctx, `SELECT format('SELECT setval(%L, %s, %L)', $1::text, last_value, is_called) FROM `+name, name).Scan(&set)
		if err != nil {
			return nil, err
		}
		r.seeds = append(r.seeds, set)
	}
	return r, nil
}

// referringFirst orders tables so that each comes before the tables its
// foreign keys refer to: deleting in that order never leaves a reference
// dangling.
func referringFirst(ctx context.Context, conn *pgx.Conn, schema string, tables []string) ([]string, error) {
	rows, err := conn.Query(ctx, `SELECT c.relname, p.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid
		JOIN pg_namespace n ON n.oid = k.connamespace
		WHERE k.contype = 'f' AND n.nspname = $1 AND k.conrelid <> k.confrelid`, schema)
	if err != nil {
		return nil, err
	}
	referredBy := map[string]map[string]bool{} // parent → its children
	for rows.Next() {
		var child, parent string
		if err := rows.Scan(&child, &parent); err != nil {
			return nil, err
		}
		if referredBy[parent] == nil {
			referredBy[parent] = map[string]bool{}
		}
		referredBy[parent][child] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	done := map[string]bool{}
	for len(out) < len(tables) {
		progress := false
		for _, tb := range tables {
			if done[tb] {
				continue
			}
			ready := true
			for child := range referredBy[tb] {
				if !done[child] {
					ready = false
				}
			}
			if ready {
				out, done[tb], progress = append(out, tb), true, true
			}
		}
		if !progress {
			return nil, errors.New("the foreign keys between the tables form a cycle")
		}
	}
	return out, nil
}

// schemas holds the schemas waiting for their next test. A schema that
// cannot be emptied is dropped.
var schemas = freeList[*reusable]{
	schema:  func(sc *reusable) *reusable { return sc },
	discard: dropSchema,
}

// freeList holds what waits to be handed out again after a test: emptied
// schemas, or open stores with theirs.
type freeList[T any] struct {
	mu      sync.Mutex
	free    []T
	schema  func(T) *reusable   // the schema of an entry
	discard func(testing.TB, T) // gets rid of an entry that cannot be emptied
}

// take returns the entry put back last, or the zero T when there is none.
func (l *freeList[T]) take() T {
	l.mu.Lock()
	defer l.mu.Unlock()
	var v T
	if n := len(l.free); n > 0 {
		v, l.free = l.free[n-1], l.free[:n-1]
	}
	return v
}

// give empties v's schema and puts v back in the list, or discards v when
// its schema cannot be emptied.
func (l *freeList[T]) give(t testing.TB, v T) {
	sc := l.schema(v)
	if err := empty(sc); err != nil {
		t.Logf("postgrestest: emptying schema %s: %v; dropping it", sc.schema, err)
		l.discard(t, v)
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.free = append(l.free, v)
}

// adopted reports whether the list keeps the schema of url, so that the
// test that created it must not drop it.
func (l *freeList[T]) adopted(url string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, v := range l.free {
		if l.schema(v).url == url {
			return true
		}
	}
	return false
}

// empty deletes every row of sc's tables and puts back the rows the
// migrations seeded, in one transaction.
func empty(sc *reusable) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// DELETE, not TRUNCATE: on tables this small it is some fifty times
	// faster, as TRUNCATE makes new files for every table. The keeper's
	// connection runs it, rather than a new one per test.
	b := &pgx.Batch{}
	for _, tb := range sc.tables {
		b.Queue(`DELETE FROM ` + pgx.Identifier{sc.schema, tb}.Sanitize())
	}
	for _, q := range sc.seeds {
		b.Queue(q)
	}
	return keeper.batch(ctx, b)
}

// dropSchema drops sc's schema.
func dropSchema(t testing.TB, sc *reusable) { drop(t, sc.base, sc.schema) }

var trigram sync.Once

// sharedTrigram installs pg_trgm in the public schema once, if it is not
// installed yet: a migration on a test schema would otherwise install it
// into that schema, and dropping the schema would drop the extension and,
// with it, the search indexes of every other test's schema. Where the
// extension is unavailable, the migrations go on without it.
func sharedTrigram(ctx context.Context, conn *pgx.Conn) error {
	var err error
	trigram.Do(func() {
		_, err = conn.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`)
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			// Unavailable, not ours to create (the migrations cope), or
			// installed by another test process at the same moment.
			err = nil
		}
	})
	return err
}

// withSearchPath returns base with search_path set to schema, as a
// parameter that pgx sends as a session setting.
func withSearchPath(t testing.TB, base, schema string) string {
	t.Helper()
	if strings.Contains(base, "://") {
		u, err := url.Parse(base)
		if err != nil {
			t.Fatalf("postgrestest: %s is not a URL: %v", EnvURL, err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		// Tests need no durability: commits that do not wait for the WAL
		// to reach the disk make a suite several times faster.
		q.Set("synchronous_commit", "off")
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " search_path=" + schema + " synchronous_commit=off"
}

// drop drops the schema and everything in it.
func drop(t testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("postgrestest: dropping schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+schema+` CASCADE`); err != nil {
		t.Errorf("postgrestest: dropping schema %s: %v", schema, err)
		return
	}
	keeper.release(ctx, schema)
}

// keeper holds, on one connection that lives as long as the process, a
// session advisory lock on every schema the process created. The pool's
// schemas outlive their tests and are never dropped by them; when the
// process ends, its connection goes and with it the locks, and the next
// process to create a schema sweeps the test schemas nobody holds.
var keeper keeperT

type keeperT struct {
	mu   sync.Mutex
	conn *pgx.Conn
}

// lockKey is the advisory lock key of a test schema.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("postgrestest\x00" + schema))
	return int64(h.Sum64())
}

// hold takes the lock of schema, connecting (and sweeping) first if
// needed.
func (k *keeperT) hold(ctx context.Context, base, schema string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conn == nil {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			return fmt.Errorf("connecting the schema keeper: %w", err)
		}
		k.conn = conn
		if _, err := conn.Exec(ctx, `SET synchronous_commit = off`); err != nil {
			return fmt.Errorf("connecting the schema keeper: %w", err)
		}
		if err := k.sweep(ctx); err != nil {
			return fmt.Errorf("sweeping abandoned test schemas: %w", err)
		}
	}
	_, err := k.conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, lockKey(schema))
	return err
}

// batch runs b on the keeper's connection, in one transaction.
func (k *keeperT) batch(ctx context.Context, b *pgx.Batch) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conn == nil {
		return errors.New("no keeper connection")
	}
	return k.conn.SendBatch(ctx, b).Close()
}

// release lets go of the lock of a dropped schema.
func (k *keeperT) release(ctx context.Context, schema string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.conn != nil {
		_, _ = k.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, lockKey(schema))
	}
}

// sweep drops the test schemas whose lock nobody holds: their process
// ended without dropping them.
func (k *keeperT) sweep(ctx context.Context) error {
	rows, err := k.conn.Query(ctx, `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'test\_%'`)
	if err != nil {
		return err
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return err
	}
	for _, n := range names {
		var free bool
		if err := k.conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, lockKey(n)).Scan(&free); err != nil {
			return err
		}
		if !free {
			continue
		}
		if _, err := k.conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{n}.Sanitize()+` CASCADE`); err != nil {
			return err
		}
		if _, err := k.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, lockKey(n)); err != nil {
			return err
		}
	}
	return nil
}
