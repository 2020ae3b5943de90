package postgrestest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+schema); err != nil {
		t.Fatalf("postgrestest: creating schema: %v", err)
	}
	t.Cleanup(func() { drop(t, base, schema) })
	return withSearchPath(t, base, schema)
}

// Open opens a Store on a fresh schema (see URL), closed when t ends.
func Open(t testing.TB, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), URL(t), opts...)
	if err != nil {
		t.Fatalf("postgrestest: opening store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

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
		u.RawQuery = q.Encode()
		return u.String()
	}
	return base + " search_path=" + schema
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
	if _, err := conn.Exec(ctx, `DROP SCHEMA `+schema+` CASCADE`); err != nil {
		t.Errorf("postgrestest: dropping schema %s: %v", schema, err)
	}
}
