package sqlite_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/portalkit/portalkit/storage/sqlite"
)

// openCacheConn returns the one connection of a pool from sqlite.OpenPool
// that keeps up to cacheSize statements, on a fresh database whose table t
// holds the rows 1 "a" to 5 "e". Closing the pool at the end of the test
// finalizes the cached statements and must not fail.
func openCacheConn(t *testing.T, cacheSize int) *sql.Conn {
	t.Helper()
	ctx := t.Context()
	db, err := sqlite.OpenPool(filepath.Join(t.TempDir(), "cache.db")+"?_pragma=busy_timeout(10000)", cacheSize)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, conn.Close()) })
	_, err = conn.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT`)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd'), (5, 'e')`)
	require.NoError(t, err)
	return conn
}

// cached returns the query texts conn keeps prepared, most recently used
// first, and the driver statement of each.
func cached(t *testing.T, conn *sql.Conn) (queries []string, stmts []driver.Stmt) {
	t.Helper()
	require.NoError(t, conn.Raw(func(dc any) error {
		queries, stmts = sqlite.CachedStatements(dc)
		return nil
	}))
	return queries, stmts
}

// cachedStmt returns the statement conn keeps for query, or nil.
func cachedStmt(t *testing.T, conn *sql.Conn, query string) driver.Stmt {
	t.Helper()
	queries, stmts := cached(t, conn)
	for i, q := range queries {
		if q == query {
			return stmts[i]
		}
	}
	return nil
}

// names runs query, which selects id and name, and returns the names.
func names(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]string, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		got = append(got, name)
	}
	return got, rows.Err()
}

func TestStmtCacheReusesStatements(t *testing.T) {
	cases := []struct {
		name  string
		query string
		run   func(ctx context.Context, conn *sql.Conn, query string) error
	}{
		{"exec", `UPDATE t SET name = name WHERE id = ?`, func(ctx context.Context, conn *sql.Conn, query string) error {
			res, err := conn.ExecContext(ctx, query, 3)
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			if err == nil && n != 1 {
				err = fmt.Errorf("%d rows affected", n)
			}
			return err
		}},
		{"query", `SELECT id, name FROM t WHERE id >= ? ORDER BY id`, func(ctx context.Context, conn *sql.Conn, query string) error {
			got, err := names(ctx, conn, query, 4)
			if err == nil && !assert.Equal(t, []string{"d", "e"}, got) {
				err = fmt.Errorf("got %q", got)
			}
			return err
		}},
		{"query row", `SELECT name FROM t WHERE id = ?`, func(ctx context.Context, conn *sql.Conn, query string) error {
			var name string
			err := conn.QueryRowContext(ctx, query, 2).Scan(&name)
			if err == nil && name != "b" {
				err = fmt.Errorf("got %q", name)
			}
			return err
		}},
		{"no rows", `SELECT id FROM t WHERE name = ?`, func(ctx context.Context, conn *sql.Conn, query string) error {
			var id int
			if err := conn.QueryRowContext(ctx, query, "zz").Scan(&id); err != sql.ErrNoRows {
				return fmt.Errorf("got %v, want sql.ErrNoRows", err)
			}
			return nil
		}},
		{"read-only transaction", `SELECT count(*) FROM t WHERE name < ?`, func(ctx context.Context, conn *sql.Conn, query string) error {
			tx, err := conn.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			var n int
			err = tx.QueryRowContext(ctx, query, "c").Scan(&n)
			if err == nil && n != 2 {
				err = fmt.Errorf("counted %d", n)
			}
			return err
		}},
		{"write transaction", `INSERT INTO t (name) VALUES (?) RETURNING id`, func(ctx context.Context, conn *sql.Conn, query string) error {
			tx, err := conn.BeginTx(ctx, nil)
			if err != nil {
				return err
			}
			defer func() { _ = tx.Rollback() }()
			var id int
			if err := tx.QueryRowContext(ctx, query, "f").Scan(&id); err != nil {
				return err
			}
			if id != 6 {
				return fmt.Errorf("inserted id %d", id)
			}
			return nil // rolled back, so the next run inserts id 6 again
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			conn := openCacheConn(t, 256)
			require.NoError(t, tc.run(ctx, conn, tc.query))
			first := cachedStmt(t, conn, tc.query)
			require.NotNil(t, first, "the statement is cached after its first run")
			for range 3 {
				require.NoError(t, tc.run(ctx, conn, tc.query))
			}
			queries, _ := cached(t, conn)
			assert.Equal(t, 1, strings.Count(strings.Join(queries, "\x00"), tc.query), "cached once")
			assert.Same(t, first, cachedStmt(t, conn, tc.query), "later runs reuse the first statement")
		})
	}
}

// TestStmtCacheNestedSameQuery runs a query inside the loop over its own
// rows, on the same connection: the inner runs cannot use the statement the
// outer rows are reading from, and each must see its own results.
func TestStmtCacheNestedSameQuery(t *testing.T) {
	ctx := t.Context()
	conn := openCacheConn(t, 256)
	const q = `SELECT id, name FROM t WHERE id > ? ORDER BY id`
	_, err := names(ctx, conn, q, 0)
	require.NoError(t, err)
	stmt := cachedStmt(t, conn, q)
	require.NotNil(t, stmt)

	tx, err := conn.BeginTx(ctx, nil)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback() }()
	rows, err := tx.QueryContext(ctx, q, 0)
	require.NoError(t, err)
	var outer []string
	inner := map[string][]string{}
	for rows.Next() {
		var id int
		var name string
		require.NoError(t, rows.Scan(&id, &name))
		outer = append(outer, name)
		got, err := names(ctx, tx, q, id)
		require.NoError(t, err)
		inner[name] = got
		// And one level deeper, while both are open.
		if id == 1 {
			got, err := names(ctx, tx, q, 3)
			require.NoError(t, err)
			assert.Equal(t, []string{"d", "e"}, got)
		}
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	require.NoError(t, tx.Commit())

	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, outer)
	assert.Equal(t, map[string][]string{
		"a": {"b", "c", "d", "e"},
		"b": {"c", "d", "e"},
		"c": {"d", "e"},
		"d": {"e"},
		"e": nil,
	}, inner)
	queries, _ := cached(t, conn)
	assert.Equal(t, 1, strings.Count(strings.Join(queries, "\x00"), q), "the inner statements were not cached")
	assert.Same(t, stmt, cachedStmt(t, conn, q), "the outer query ran on the cached statement")
	got, err := names(ctx, conn, q, 4)
	require.NoError(t, err)
	assert.Equal(t, []string{"e"}, got, "the cached statement is free again")
}

// TestStmtCacheIsBounded runs IN-lists of every length, each a query text
// of its own: the cache keeps the most recently used and finalizes the
// rest, also one whose rows are still open, once they close.
func TestStmtCacheIsBounded(t *testing.T) {
	ctx := t.Context()
	conn := openCacheConn(t, 3)
	in := func(n int) (string, []any) {
		args := make([]any, n)
		for i := range args {
			args[i] = i + 1
		}
		return `SELECT id, name FROM t WHERE id IN (?` + strings.Repeat(", ?", n-1) + `) ORDER BY id`, args
	}
	all := []string{"a", "b", "c", "d", "e"}
	for n := 1; n <= 8; n++ {
		q, args := in(n)
		got, err := names(ctx, conn, q, args...)
		require.NoError(t, err)
		assert.Equal(t, all[:min(n, 5)], got, "IN-list of %d", n)
	}
	queries, _ := cached(t, conn)
	q8, args8 := in(8)
	q7, _ := in(7)
	q6, _ := in(6)
	assert.Equal(t, []string{q8, q7, q6}, queries, "the three most recent")

	// q8's rows are open while three other texts push it out.
	rows, err := conn.QueryContext(ctx, q8, args8...)
	require.NoError(t, err)
	require.True(t, rows.Next())
	for n := 1; n <= 3; n++ {
		q, args := in(n)
		_, err := names(ctx, conn, q, args...)
		require.NoError(t, err)
	}
	assert.Nil(t, cachedStmt(t, conn, q8), "evicted while in use")
	var got []string
	for ok := true; ok; ok = rows.Next() {
		var id int
		var name string
		require.NoError(t, rows.Scan(&id, &name))
		got = append(got, name)
	}
	require.NoError(t, rows.Err())
	require.NoError(t, rows.Close())
	assert.Equal(t, all, got, "the evicted statement's rows read to the end")

	got, err = names(ctx, conn, q8, args8...)
	require.NoError(t, err)
	assert.Equal(t, all, got)
	queries, _ = cached(t, conn)
	assert.Len(t, queries, 3)
	assert.Equal(t, q8, queries[0], "cached again")
}

// TestStmtCacheKeepsDriverErrors shows that a failure on a cached statement
// comes through as the driver's *sqlite.Error with its extended code, every
// time, and leaves the statement usable; a statement that does not prepare
// is not cached.
func TestStmtCacheKeepsDriverErrors(t *testing.T) {
	const insert = `INSERT INTO t (id, name) VALUES (?, ?)`
	cases := []struct {
		name     string
		query    string
		returns  bool // run as a query, whose first step fails
		bad, ok  []any
		wantCode int
	}{
		{"unique by exec", insert, false, []any{10, "a"}, []any{10, "j"}, sqlite3.SQLITE_CONSTRAINT_UNIQUE},
		{"primary key by exec", insert, false, []any{1, "z"}, []any{11, "k"}, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY},
		{"unique by query", insert + ` RETURNING id`, true, []any{10, "a"}, []any{10, "j"}, sqlite3.SQLITE_CONSTRAINT_UNIQUE},
		{"syntax", `SELEC id FROM t WHERE id = ?`, true, []any{1}, nil, sqlite3.SQLITE_ERROR},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx := t.Context()
			conn := openCacheConn(t, 256)
			run := func(args []any) error {
				if !tc.returns {
					_, err := conn.ExecContext(ctx, tc.query, args...)
					return err
				}
				var id int
				return conn.QueryRowContext(ctx, tc.query, args...).Scan(&id)
			}
			for range 2 {
				err := run(tc.bad)
				var serr *msqlite.Error
				if assert.ErrorAs(t, err, &serr) {
					assert.Equal(t, tc.wantCode, serr.Code())
				}
			}
			if tc.ok == nil {
				assert.Nil(t, cachedStmt(t, conn, tc.query), "not cached")
				return
			}
			stmt := cachedStmt(t, conn, tc.query)
			require.NotNil(t, stmt)
			require.NoError(t, run(tc.ok), "the statement runs again after failing")
			assert.Same(t, stmt, cachedStmt(t, conn, tc.query))
			var name string
			require.NoError(t, conn.QueryRowContext(ctx, `SELECT name FROM t WHERE id = ?`, tc.ok[0]).Scan(&name))
			assert.Equal(t, tc.ok[1], name)
		})
	}
}

// TestStmtCacheColumnTypes shows the rows keep the driver's column types.
func TestStmtCacheColumnTypes(t *testing.T) {
	ctx := t.Context()
	conn := openCacheConn(t, 256)
	rows, err := conn.QueryContext(ctx, `SELECT id, name FROM t`)
	require.NoError(t, err)
	defer rows.Close()
	types, err := rows.ColumnTypes()
	require.NoError(t, err)
	require.Len(t, types, 2)
	assert.Equal(t, "INTEGER", types[0].DatabaseTypeName())
	assert.Equal(t, "TEXT", types[1].DatabaseTypeName())
	assert.Equal(t, "int64", types[0].ScanType().String())
}
