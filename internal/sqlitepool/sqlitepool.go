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
// When a test ends, those tables, and every table referring to one of them
// (deleting a parent's rows would cascade to them), are emptied and filled
// again from the file, attached to that connection; full-text (FTS5)
// tables, which read their content from those, are rebuilt. A copy that cannot be
// put back, or whose connection lost its triggers, is closed.
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

// reset puts back the tables written since the last reset, and those
// referring to them, in one transaction on s's write connection.
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
	tables, err := p.written(ctx, conn)
	if err != nil || len(tables) == 0 {
		return err
	}
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
	// A full-text index (FTS5, external content) has no triggers to
	// track it; it follows the tables it reads, which are put back now.
	vs, err := tx.QueryContext(ctx, `SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'virtual'`)
	if err != nil {
		return err
	}
	var virtual []string
	for vs.Next() {
		var name string
		if err := vs.Scan(&name); err != nil {
			vs.Close()
			return err
		}
		virtual = append(virtual, name)
	}
	if err := vs.Close(); err != nil {
		return err
	}
	for _, v := range virtual {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main.%[1]q (%[1]q) VALUES ('rebuild')`, v)); err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM temp.%q`, written)); err != nil {
		return err
	}
	return tx.Commit()
}

// written returns the tables (parents first) that the log names, and
// every table with rows in the file that refers to one of them, however
// indirectly: deleting the parent's rows would cascade to those rows, or
// fail on them. A table without rows in the file needs no such care: any
// row it has now was inserted since, and the log names it.
func (p *Pool) written(ctx context.Context, conn *sql.Conn) ([]string, error) {
	tables, parents, err := p.tables(ctx, conn)
	if err != nil {
		return nil, err
	}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT name FROM temp.%q`, written))
	if err != nil {
		return nil, err
	}
	var todo []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		todo = append(todo, name)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	children := map[string][]string{}
	for child, ps := range parents {
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
	return slices.DeleteFunc(slices.Clone(tables), func(name string) bool { return !reset[name] }), nil
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
		sc.rows = map[string]bool{}
		for _, n := range names {
			var any bool
			if sc.err = conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM tpl.%q)`, n)).Scan(&any); sc.err != nil {
				return
			}
			sc.rows[n] = any
		}
	})
	return sc.tables, sc.parents, sc.err
}

// writeConn returns s's one write connection.
func writeConn(ctx context.Context, s *sqlite.Store) (*sql.Conn, error) {
	write, _ := s.DB()
	return write.Conn(ctx)
}
