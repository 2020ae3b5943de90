package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlite"
	"github.com/portalkit/portalkit/storage/storagetest"
)

// TestConformance runs the suite on stores from OpenTemp: each a copy of
// one migrated database, as Open would leave a new file, without
// migrating hundreds of times (Open itself is tested in sqlite_test.go).
// A case's store is emptied when the case ends and handed to a later case
// (emptyStores), as postgrestest does with its schemas.
func TestConformance(t *testing.T) {
	storagetest.RunParallel(t, func(t *testing.T) storage.Store {
		return takeEmptyStore(t)
	})
}

// emptyStores holds temporary stores that earlier cases finished with,
// every table emptied. Opening a store costs each of its connections a
// parse of the schema, most of a conformance case's CPU under -race;
// emptying the few tables a case wrote through the open write connection
// costs a statement per table.
var emptyStores struct {
	mu     sync.Mutex
	free   []*sqlite.Store
	tables []string // children before parents; read once
	probe  string   // names the tables that hold rows; built once
}

// takeEmptyStore returns an empty store for t: one a finished case left,
// emptied, or a new one from OpenTemp. When t ends, the store is emptied
// and kept for the next case; one that cannot be emptied is closed.
func takeEmptyStore(t *testing.T) *sqlite.Store {
	t.Helper()
	es := &emptyStores
	es.mu.Lock()
	var s *sqlite.Store
	if n := len(es.free); n > 0 {
		s, es.free = es.free[n-1], es.free[:n-1]
	}
	es.mu.Unlock()
	if s == nil {
		var err error
		s, err = sqlite.OpenTemp(t.Context())
		require.NoError(t, err)
	}
	t.Cleanup(func() {
		if err := emptyStore(s); err != nil {
			t.Logf("emptying the store: %v; closing it", err)
			_ = s.Close()
			return
		}
		es.mu.Lock()
		es.free = append(es.free, s)
		es.mu.Unlock()
	})
	return s
}

// recordText is the full-text index (FTS5, external content), emptied by
// its own command; its shadow table recordTextIdx has a row for every
// segment the index holds, so it is empty exactly when the index is.
const recordText, recordTextIdx = "record_text", "record_text_idx"

// emptyStore deletes every row of every table of s but goose's, children
// before parents, in one transaction on its write connection. One query
// names the tables that hold rows (a case writes few of some sixty), and
// only those are emptied: deleting from an empty table that others refer
// to still opens a cursor on each of them, for the foreign keys.
func emptyStore(s *sqlite.Store) error {
	ctx := context.Background()
	write, _ := s.DB()
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	es := &emptyStores
	es.mu.Lock()
	tables, probe := es.tables, es.probe
	es.mu.Unlock()
	if tables == nil {
		if tables, err = childrenFirst(ctx, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		probe = probeQuery(tables)
		es.mu.Lock()
		es.tables, es.probe = tables, probe
		es.mu.Unlock()
	}
	full, err := nonEmpty(ctx, tx, probe)
	if err != nil {
		_ = tx.Rollback()
		return err
	}
	if full[recordText] {
		q := `INSERT INTO record_text (record_text) VALUES ('delete-all')`
		if _, err := tx.ExecContext(ctx, q); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	for _, tb := range tables {
		if !full[tb] {
			continue
		}
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %q`, tb)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: %w", tb, err)
		}
	}
	return tx.Commit()
}

// probeQuery returns a query naming those of tables that hold a row, and
// recordText when its index holds a segment.
func probeQuery(tables []string) string {
	parts := []string{fmt.Sprintf(`SELECT '%s' WHERE EXISTS (SELECT 1 FROM %q)`, recordText, recordTextIdx)}
	for _, tb := range tables {
		if tb == recordText {
			continue // its rows are the records'; its index is probed above
		}
		parts = append(parts, fmt.Sprintf(`SELECT '%s' WHERE EXISTS (SELECT 1 FROM %q)`, tb, tb))
	}
	return strings.Join(parts, " UNION ALL ")
}

// nonEmpty runs probe and returns the names it returns.
func nonEmpty(ctx context.Context, tx *sql.Tx, probe string) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, probe)
	if err != nil {
		return nil, err
	}
	full := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		full[name] = true
	}
	return full, rows.Close()
}

// childrenFirst returns the tables of the database (but goose's,
// SQLite's own, and the shadow tables of virtual ones), each before the
// tables its foreign keys refer to.
func childrenFirst(ctx context.Context, tx *sql.Tx) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT t.name, coalesce(group_concat(f."table"), '')
		FROM pragma_table_list AS t LEFT JOIN pragma_foreign_key_list(t.name) AS f
		WHERE t.schema = 'main' AND t.type = 'table' AND t.name NOT LIKE 'sqlite_%' AND t.name <> 'goose_db_version'
		GROUP BY t.name ORDER BY t.name`)
	if err != nil {
		return nil, err
	}
	parents := map[string][]string{}
	var names []string
	for rows.Next() {
		var name, to string
		if err := rows.Scan(&name, &to); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, name)
		if to != "" {
			parents[name] = strings.Split(to, ",")
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var order []string // parents first
	done := map[string]bool{}
	var visit func(string)
	visit = func(n string) {
		if done[n] {
			return
		}
		done[n] = true
		for _, p := range parents[n] {
			visit(p)
		}
		order = append(order, n)
	}
	for _, n := range names {
		visit(n)
	}
	slices.Reverse(order)
	return order, nil
}

// TestMain closes the stores the conformance cases left, which removes
// their files.
func TestMain(m *testing.M) {
	code := m.Run()
	for _, s := range emptyStores.free {
		_ = s.Close()
	}
	os.Exit(code)
}
