// Package sqlitepool hands tests copies of one SQLite database file (a
// fixture that sqlite.Backup wrote), reusing copies that earlier tests
// finished with instead of opening new ones. Opening a copy costs every
// connection a parse of the schema and every statement a new prepare, most
// of what a test on a small fixture costs under -race; putting back the
// rows a test changed through the open write connection costs a statement
// or two per table it wrote.
//
// A copy's write connection, the only one that writes, logs the rows it
// writes with temporary triggers: they live on that connection alone, so
// the database's schema and the read connections stay as they were. For
// each table a temporary table holds the primary keys (or row IDs) of the
// rows a statement inserted, changed or deleted. When a test ends, only
// those rows are put back, from the file attached to that connection: the
// ones the file does not have are deleted, and the file's are written
// again in place, so the cost follows what a test wrote rather than the
// size of the tables it wrote to, and no parent's row is deleted, so
// nothing cascades to the rows that refer to it. Where that cannot be done
// (unique values two rows swapped, or a cascade reaching a row the logs do
// not name), the written tables and every table referring to one of them
// are emptied and filled again. Full-text (FTS5) tables, which read their
// content from those tables, are rebuilt when a table they read was put
// back. A copy that cannot be put back, or whose connection lost its
// triggers, is closed.
package sqlitepool

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/portalkit/portalkit/storage/sqlite"
)

// written is the temporary table where the triggers note each table a
// statement wrote to.
const written = "sqlitepool_written"

// writes is the temporary table whose one row counts the rows written on
// the copy's write connection in transactions that committed.
const writes = "sqlitepool_writes"

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
		reads   map[string][]string // the tables an external-content full-text table reads
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

// Writes returns how many rows s, a copy from a pool, has written in
// transactions that committed (a row written twice counts twice), and the
// tables written since the copy was last put back. A call that moved
// neither wrote nothing; one that began a transaction and rolled it back
// moved neither either, unlike SQLite's total_changes().
func Writes(ctx context.Context, s *sqlite.Store) (n int64, tables []string, err error) {
	conn, err := writeConn(ctx, s)
	if err != nil {
		return 0, nil, err
	}
	defer conn.Close()
	if err := conn.QueryRowContext(ctx, fmt.Sprintf(`SELECT n FROM temp.%q`, writes)).Scan(&n); err != nil {
		return 0, nil, fmt.Errorf("sqlitepool: the store is not a copy from a pool: %w", err)
	}
	tables, err = column(ctx, conn, fmt.Sprintf(`SELECT name FROM temp.%q ORDER BY name`, written))
	return n, tables, err
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
// logs of written tables and rows and the triggers that fill them: each
// table's log (keys) holds the primary keys (or row IDs) of the rows a
// statement inserted, changed or deleted.
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
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE %[1]q (n INTEGER NOT NULL); INSERT INTO %[1]q VALUES (0)`, writes)); err != nil {
		return err
	}
	for _, table := range tables {
		key := p.key(table)
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE %q (%s, PRIMARY KEY (%[2]s)) WITHOUT ROWID`,
			keys(table), strings.Join(keyColumns(key), ", "))); err != nil {
			return fmt.Errorf("tracking writes to %s: %w", table, err)
		}
		for _, event := range []string{"INSERT", "UPDATE", "DELETE"} {
			// Not INSERT OR IGNORE: an upsert's own conflict clause would
			// override it.
			var body strings.Builder
			fmt.Fprintf(&body, `INSERT INTO %[1]q (name) SELECT '%[2]s' WHERE NOT EXISTS (SELECT 1 FROM %[1]q WHERE name = '%[2]s');`, written, table)
			fmt.Fprintf(&body, ` UPDATE %q SET n = n + 1;`, writes)
			for _, row := range map[string][]string{"INSERT": {"NEW"}, "UPDATE": {"OLD", "NEW"}, "DELETE": {"OLD"}}[event] {
				var match []string
				for i, c := range key {
					match = append(match, fmt.Sprintf("k%d IS %s.%s", i+1, row, c))
				}
				fmt.Fprintf(&body, ` INSERT INTO %[1]q SELECT %[2]s WHERE NOT EXISTS (SELECT 1 FROM %[1]q WHERE %[3]s);`,
					keys(table), qualified(row, key), strings.Join(match, " AND "))
			}
			q := fmt.Sprintf(`CREATE TEMP TRIGGER %q AFTER %s ON main.%q BEGIN %s END`,
				written+"_"+table+"_"+event, event, table, body.String())
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("tracking writes to %s: %w", table, err)
			}
		}
	}
	return tx.Commit()
}

// key returns the columns, quoted, that name a row of the file's table: its
// primary key, or its row ID where it has none.
func (p *Pool) key(table string) []string {
	if k := p.schema.keys[table]; len(k) > 0 {
		return k
	}
	return []string{"rowid"}
}

// keys is the name of the temporary table that logs the keys of table's
// written rows.
func keys(table string) string { return "sqlitepool_keys_" + table }

// keyColumns names the columns of a log of keys: k1, k2, ….
func keyColumns(key []string) []string {
	cols := make([]string, len(key))
	for i := range key {
		cols[i] = fmt.Sprintf("k%d", i+1)
	}
	return cols
}

// qualified returns the columns, each prefixed with alias.
func qualified(alias string, cols []string) string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = alias + "." + c
	}
	return strings.Join(out, ", ")
}

// same returns the condition that rows a and b have the same key.
func same(a, b string, key []string) string {
	conds := make([]string, len(key))
	for i, c := range key {
		conds[i] = a + "." + c + " IS " + b + "." + c
	}
	return strings.Join(conds, " AND ")
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
	// A connection without the log (a new one) has lost the triggers too.
	logged, err := p.logged(ctx, conn)
	if err != nil {
		return fmt.Errorf("the write connection does not track its writes (a new connection?): %w", err)
	}
	if len(logged) == 0 {
		return nil
	}
	if err := p.putBackRows(ctx, conn, logged); err == nil {
		return nil
	}
	return p.putBackTables(ctx, conn, logged)
}

// putBackRows puts back the rows written since the last reset, which the
// logs of keys name, in the tables logged (parents first): children first,
// it deletes those of the rows the file does not have, which cascades only
// to rows written since; parents first, it writes those of the file's rows
// again, in place where the copy still has them. It fails, changing
// nothing, where a row cannot be written back (two rows swapped a unique
// value, say) or a statement reached a row the logs did not name (a
// cascade from a row deleted and inserted again under its key).
func (p *Pool) putBackRows(ctx context.Context, conn *sql.Conn, logged []string) error {
	sc := &p.schema
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() //nolint:errcheck // after Commit, a no-op
	count := fmt.Sprintf(`SELECT (SELECT count(*) FROM temp.%q)`, written)
	for _, tb := range logged {
		count += fmt.Sprintf(` + (SELECT count(*) FROM temp.%q)`, keys(tb))
	}
	var before, after int
	if err := tx.QueryRowContext(ctx, count).Scan(&before); err != nil {
		return err
	}
	for i := len(logged) - 1; i >= 0; i-- {
		tb := logged[i]
		q := fmt.Sprintf(`DELETE FROM main.%q`, tb)
		if sc.rows[tb] {
			key := p.key(tb)
			q = fmt.Sprintf(`DELETE FROM main.%[1]q AS m WHERE (%[2]s) IN (SELECT * FROM temp.%[3]q)
				AND NOT EXISTS (SELECT 1 FROM tpl.%[1]q AS o WHERE %[4]s)`,
				tb, qualified("m", key), keys(tb), same("o", "m", key))
		}
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", tb, err)
		}
	}
	for _, tb := range logged {
		if !sc.rows[tb] {
			continue
		}
		key := p.key(tb)
		var rest []string
		for _, c := range sc.columns[tb] {
			if !slices.Contains(key, c) {
				rest = append(rest, c)
			}
		}
		if len(rest) > 0 {
			q := fmt.Sprintf(`UPDATE main.%[1]q AS m SET (%[2]s) = (SELECT %[3]s FROM tpl.%[1]q AS o WHERE %[4]s)
				WHERE (%[5]s) IN (SELECT * FROM temp.%[6]q) AND EXISTS (SELECT 1 FROM tpl.%[1]q AS o WHERE %[4]s)`,
				tb, strings.Join(rest, ", "), qualified("o", rest), same("o", "m", key), qualified("m", key), keys(tb))
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("%s: %w", tb, err)
			}
		}
		cols := sc.columns[tb]
		if !slices.Contains(cols, key[0]) {
			cols = append(slices.Clone(key), cols...) // the row ID
		}
		q := fmt.Sprintf(`INSERT INTO main.%[1]q (%[2]s) SELECT %[3]s FROM tpl.%[1]q AS o
			WHERE (%[4]s) IN (SELECT * FROM temp.%[5]q) AND NOT EXISTS (SELECT 1 FROM main.%[1]q AS m WHERE %[6]s)`,
			tb, strings.Join(cols, ", "), qualified("o", cols), qualified("o", key), keys(tb), same("m", "o", key))
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", tb, err)
		}
	}
	if err := tx.QueryRowContext(ctx, count).Scan(&after); err != nil {
		return err
	}
	if after != before {
		return fmt.Errorf("putting rows back reached %d rows the logs did not name", after-before)
	}
	if err := p.finish(ctx, tx, logged); err != nil {
		return err
	}
	return tx.Commit()
}

// finish rebuilds the full-text tables that read one of the tables put
// back and empties the logs of those tables.
func (p *Pool) finish(ctx context.Context, tx *sql.Tx, tables []string) error {
	for _, v := range p.schema.virtual {
		from, known := p.schema.reads[v]
		if known && !slices.ContainsFunc(tables, func(tb string) bool { return slices.Contains(from, tb) }) {
			continue
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`INSERT INTO main.%[1]q (%[1]q) VALUES ('rebuild')`, v)); err != nil {
			return fmt.Errorf("%s: %w", v, err)
		}
	}
	for _, tb := range tables {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM temp.%q`, keys(tb))); err != nil {
			return err
		}
	}
	_, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM temp.%q`, written))
	return err
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
	if err := p.finish(ctx, tx, tables); err != nil {
		return err
	}
	return tx.Commit()
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
		if sc.virtual, sc.err = column(ctx, conn, `SELECT name FROM pragma_table_list WHERE schema = 'tpl' AND type = 'virtual' ORDER BY name`); sc.err != nil {
			return
		}
		sc.reads, sc.err = reads(ctx, conn, sc.virtual, names)
	})
	return sc.tables, sc.parents, sc.err
}

// word finds the names in a view's SQL.
var word = regexp.MustCompile(`\w+`)

// contentOption is the content option of an external-content FTS5 table.
var contentOption = regexp.MustCompile(`(?i)\bcontent\s*=\s*['"]?(\w+)`)

// reads returns, for each full-text table with external content, the
// tables its content table or view reads: a table whose name the view's
// definition holds as a word. A full-text table left out is rebuilt with
// every put-back.
func reads(ctx context.Context, conn *sql.Conn, virtual, tables []string) (map[string][]string, error) {
	out := map[string][]string{}
	for _, v := range virtual {
		var def string
		if err := conn.QueryRowContext(ctx, `SELECT sql FROM tpl.sqlite_schema WHERE name = ?`, v).Scan(&def); err != nil {
			return nil, err
		}
		m := contentOption.FindStringSubmatch(def)
		if m == nil || m[1] == "" {
			continue
		}
		var content string
		if err := conn.QueryRowContext(ctx, `SELECT coalesce((SELECT sql FROM tpl.sqlite_schema WHERE name = ? AND type = 'view'), '')`, m[1]).Scan(&content); err != nil {
			return nil, err
		}
		words := map[string]bool{}
		for _, w := range word.FindAllString(content, -1) {
			words[w] = true
		}
		from := []string{m[1]}
		for _, tb := range tables {
			if words[tb] {
				from = append(from, tb)
			}
		}
		out[v] = from
	}
	return out, nil
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
