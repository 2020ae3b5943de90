// Package sqlitepool hands tests copies of one SQLite database file (a
// fixture that sqlite.Backup wrote), reusing copies that earlier tests
// finished with instead of opening new ones. Opening a copy costs every
// connection a parse of the schema and every statement a new prepare, most
// of what a test on a small fixture costs under -race; putting back the
// rows a test changed through the open write connection costs a statement
// or two per table it wrote.
//
// A copy's write connection, the only one that writes, tracks the tables
// it writes with temporary triggers: they live on that connection alone,
// so the database's schema and the read connections stay as they were.
// When a test ends, the rows of those tables that the file does not have
// are deleted and the file's rows that differ or are missing are written
// again, from the file attached to that connection: the rows a test left
// as they were are not touched, and no parent's row is deleted, so nothing
// cascades to the tables that refer to it. Where that cannot be done (a
// table without a primary key, or unique values two rows swapped), the
// written tables and every table referring to one of them are emptied and
// filled again. Full-text (FTS5) tables, which read their content from
// those tables, are rebuilt then. A copy that cannot be put back, or whose
// connection lost its triggers, is closed.
package sqlitepool

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/portalkit/portalkit/storage/sqlite"
)

// written is the temporary table where the triggers note each table a
// statement wrote to.
const written = "sqlitepool_written"

// Pool hands out copies of the database file at a path. Safe for
// concurrent use.
type Pool struct {
	path string

	mu   sync.Mutex
	free []*sqlite.Store

	schema struct {
		once    sync.Once
		tables  []string            // parents first
		parents map[string][]string // each table's parents
		rows    map[string]bool     // whether the file has rows in a table
		columns map[string][]string // each table's columns, quoted
		keys    map[string][]string // each table's primary key columns, quoted; none for a rowid table
		virtual []string            // the full-text (virtual) tables
		err     error
	}
}

// New returns a pool of copies of the database file at path, which must
// stay as it is while the pool is used.
func New(path string) *Pool { return &Pool{path: path} }

// Take returns a store whose rows are the file's: a copy an earlier test
// finished with, put back, or a new one (sqlite.OpenTempFrom). When tb
// ends, the copy's rows are put back and it is kept for the next test. It
// fails tb when no copy can be had.
func (p *Pool) Take(tb testing.TB) *sqlite.Store {
	tb.Helper()
	s, err := p.take()
	if err != nil {
		tb.Fatalf("sqlitepool: %v", err)
	}
	tb.Cleanup(func() {
		if err := p.reset(s); err != nil {
			tb.Logf("sqlitepool: putting the copy back: %v; closing it", err)
			_ = s.Close()
			return
		}
		p.mu.Lock()
		p.free = append(p.free, s)
		p.mu.Unlock()
	})
	return s
}

// take returns a kept copy that nothing wrote to since it was put back, or
// a new one that tracks its writes.
func (p *Pool) take() (*sqlite.Store, error) {
	for {
		p.mu.Lock()
		var s *sqlite.Store
		if n := len(p.free); n > 0 {
			s, p.free = p.free[n-1], p.free[:n-1]
		}
		p.mu.Unlock()
		if s == nil {
			break
		}
		// A goroutine of an earlier test may have written after the reset.
		if err := p.reset(s); err == nil {
			return s, nil
		}
		_ = s.Close()
	}
	ctx := context.Background()
	s, err := sqlite.OpenTempFrom(ctx, p.path)
	if err != nil {
		return nil, err
	}
	if err := p.track(ctx, s); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes the copies the pool keeps, which removes their files.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, s := range p.free {
		_ = s.Close()
	}
	p.free = nil
}

// track attaches the file to s's write connection as "tpl" and creates the
// log of written tables and the triggers that fill it.
func (p *Pool) track(ctx context.Context, s *sqlite.Store) error {
	conn, err := writeConn(ctx, s)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `ATTACH DATABASE ? AS tpl`, "file:"+p.path+"?mode=ro"); err != nil {
		return err
	}
	tables, _, err := p.tables(ctx, conn)
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE %q (name TEXT PRIMARY KEY) WITHOUT ROWID`, written)); err != nil {
		return err
	}
	for _, table := range tables {
		for _, event := range []string{"INSERT", "UPDATE", "DELETE"} {
			q := fmt.Sprintf(`CREATE TEMP TRIGGER %[1]q AFTER %[2]s ON main.%[3]q BEGIN INSERT INTO %[4]q (name) SELECT '%[3]s' WHERE NOT EXISTS (SELECT 1 FROM %[4]q WHERE name = '%[3]s'); END`,
				written+"_"+table+"_"+event, event, table, written)
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("tracking writes to %s: %w", table, err)
			}
		}
	}
	return tx.Commit()
}

// reset puts back the tables written since the last reset, in one
// transaction on s's write connection: row by row where it can
// (putBackRows), else table by table (putBackTables).
func (p *Pool) reset(s *sqlite.Store) error {
	ctx := context.Background()
	conn, err := writeConn(ctx, s)
	if err != nil {
		return err
	}
	defer conn.Close()
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM temp.sqlite_schema WHERE type = 'table' AND name = ?`, written).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("the write connection does not track its writes (a new connection?)")
	}
	logged, err := p.logged(ctx, conn)
	if err != nil || len(logged) == 0 {
		return err
	}
	if err := p.putBackRows(ctx, conn, logged); err == nil {
		return nil
	}
	return p.putBackTables(ctx, conn, logged)
}

// putBackRows puts back the tables logged (parents first) row by row:
// children first, it deletes the rows the file does not have, which
// cascades only to rows inserted since; parents first, it writes again
// the file's rows that differ or are missing. It fails, changing nothing,
// where a table has no primary key or a row cannot be written back (two
// rows swapped a unique value, say).
func (p *Pool) putBackRows(ctx context.Context, conn *sql.Conn, logged []string) error {
	sc := &p.schema
	for _, tb := range logged {
		if len(sc.keys[tb]) == 0 {
			return fmt.Errorf("%s has no primary key", tb)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	for i := len(logged) - 1; i >= 0; i-- {
		tb := logged[i]
		q := fmt.Sprintf(`DELETE FROM main.%q`, tb)
		if sc.rows[tb] {
			key := strings.Join(sc.keys[tb], ", ")
			q = fmt.Sprintf(`DELETE FROM main.%[1]q WHERE (%[2]s) NOT IN (SELECT %[2]s FROM tpl.%[1]q)`, tb, key)
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", tb, err)
		}
	}
	for _, tb := range logged {
		if !sc.rows[tb] {
			continue
		}
		set := make([]string, len(sc.columns[tb]))
		for i, c := range sc.columns[tb] {
			set[i] = c + " = excluded." + c
		}
		q := fmt.Sprintf(`INSERT INTO main.%[1]q SELECT * FROM (SELECT * FROM tpl.%[1]q EXCEPT SELECT * FROM main.%[1]q) WHERE true
			ON CONFLICT (%[2]s) DO UPDATE SET %[3]s`, tb, strings.Join(sc.keys[tb], ", "), strings.Join(set, ", "))
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", tb, err)
		}
	}
	if err := rebuildFullText(ctx, tx, p.schema.virtual); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM temp.%q`, written)); err != nil {
		return err
	}
	return tx.Commit()
}

// putBackTables puts back the tables logged, and every table with rows in
// the file that refers to one of them, however indirectly (deleting the
// parent's rows would cascade to those rows, or fail on them), by
// emptying and filling each.
func (p *Pool) putBackTables(ctx context.Context, conn *sql.Conn, logged []string) error {
	tables := p.withChildren(logged)
	rows := p.schema.rows
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	// Foreign keys stay on (a pragma would make the connection prepare
	// every statement again): children are emptied first, parents filled
	// first.
	for i := len(tables) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM main.%q`, tables[i])); err != nil {
			return fmt.Errorf("%s: %w", tables[i], err)
		}
	}
	for _, tb := range tables {
		if !rows[tb] {
			continue
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main.%[1]q SELECT * FROM tpl.%[1]q`, tb)); err != nil {
			return fmt.Errorf("%s: %w", tb, err)
		}
	}
	if err := rebuildFullText(ctx, tx, p.schema.virtual); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM temp.%q`, written)); err != nil {
		return err
	}
	return tx.Commit()
}

// rebuildFullText rebuilds the database's full-text (FTS5, external
// content) tables from the tables they read, just put back: no trigger can
// track a virtual table's writes, and the pool leaves them and their
// shadow tables out.
func rebuildFullText(ctx context.Context, tx *sql.Tx, virtual []string) error {
	for _, v := range virtual {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main.%[1]q (%[1]q) VALUES ('rebuild')`, v)); err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
	}
	return nil
}

// logged returns the tables (parents first) that the log names.
func (p *Pool) logged(ctx context.Context, conn *sql.Conn) ([]string, error) {
	tables, _, err := p.tables(ctx, conn)
	if err != nil {
		return nil, err
	}
	names, err := column(ctx, conn, fmt.Sprintf(`SELECT name FROM temp.%q`, written))
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(slices.Clone(tables), func(name string) bool { return !slices.Contains(names, name) }), nil
}

// withChildren returns the tables logged (parents first) and every table
// with rows in the file that refers to one of them, however indirectly. A
// table without rows in the file needs no such care: any row it has now
// was inserted since, and the log names it.
func (p *Pool) withChildren(logged []string) []string {
	todo := slices.Clone(logged)
	children := map[string][]string{}
	for child, ps := range p.schema.parents {
		for _, parent := range ps {
			children[parent] = append(children[parent], child)
		}
	}
	reset := map[string]bool{}
	for len(todo) > 0 {
		name := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if !reset[name] {
			reset[name] = true
			for _, child := range children[name] {
				if p.schema.rows[child] {
					todo = append(todo, child)
				}
			}
		}
	}
	return slices.DeleteFunc(slices.Clone(p.schema.tables), func(name string) bool { return !reset[name] })
}

// tables returns the file's tables (but goose's, SQLite's own, and
// virtual tables with their shadow tables: see reset), each
// after the tables it refers to, and each table's parents; read once, with
// which tables have rows,
// through conn, which has the file attached as "tpl".
func (p *Pool) tables(ctx context.Context, conn *sql.Conn) ([]string, map[string][]string, error) {
	sc := &p.schema
	sc.once.Do(func() {
		rows, err := conn.QueryContext(ctx, `SELECT t.name, coalesce(group_concat(f."table"), '')
			FROM pragma_table_list AS t LEFT JOIN pragma_foreign_key_list(t.name, 'tpl') AS f
			WHERE t.schema = 'tpl' AND t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name <> 'goose_db_version'
			GROUP BY t.name ORDER BY t.name`)
		if err != nil {
			sc.err = err
			return
		}
		sc.parents = map[string][]string{}
		var names []string
		for rows.Next() {
			var name, to string
			if sc.err = rows.Scan(&name, &to); sc.err != nil {
				rows.Close()
				return
			}
			names = append(names, name)
			if to != "" {
				sc.parents[name] = strings.Split(to, ",")
			}
		}
		if sc.err = rows.Close(); sc.err != nil {
			return
		}
		done := map[string]bool{}
		var visit func(string)
		visit = func(n string) {
			if done[n] {
				return
			}
			done[n] = true
			for _, parent := range sc.parents[n] {
				if parent != n {
					visit(parent)
				}
			}
			sc.tables = append(sc.tables, n)
		}
		for _, n := range names {
			visit(n)
		}
		sc.rows, sc.columns, sc.keys = map[string]bool{}, map[string][]string{}, map[string][]string{}
		for _, n := range names {
			var any bool
			if sc.err = conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM tpl.%q)`, n)).Scan(&any); sc.err != nil {
				return
			}
			sc.rows[n] = any
			if sc.columns[n], sc.keys[n], sc.err = columns(ctx, conn, n); sc.err != nil {
				return
			}
		}
		sc.virtual, sc.err = column(ctx, conn, `SELECT name FROM pragma_table_list WHERE schema = 'tpl' AND type = 'virtual' ORDER BY name`)
	})
	return sc.tables, sc.parents, sc.err
}

// columns returns the columns of the file's table, quoted, and those of
// its primary key in the key's order (none for a table keyed by rowid).
func columns(ctx context.Context, conn *sql.Conn, table string) (cols, key []string, err error) {
	rows, err := conn.QueryContext(ctx, `SELECT name, pk FROM pragma_table_info(?, 'tpl') ORDER BY cid`, table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	byPos := map[int]string{}
	for rows.Next() {
		var name string
		var pk int
		if err := rows.Scan(&name, &pk); err != nil {
			return nil, nil, err
		}
		q := `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
		cols = append(cols, q)
		if pk > 0 {
			byPos[pk] = q
		}
	}
	for i := 1; i <= len(byPos); i++ {
		key = append(key, byPos[i])
	}
	return cols, key, rows.Err()
}

// column returns the one column of query's rows.
func column(ctx context.Context, conn *sql.Conn, query string) ([]string, error) {
	rows, err := conn.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		out = append(out, name)
	}
	return out, rows.Err()
}

// writeConn returns s's one write connection.
func writeConn(ctx context.Context, s *sqlite.Store) (*sql.Conn, error) {
	write, _ := s.DB()
	return write.Conn(ctx)
}
