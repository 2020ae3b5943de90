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
// emptying a few small tables through the open write connection costs a
// statement per table.
var emptyStores struct {
	mu     sync.Mutex
	free   []*sqlite.Store
	tables []string // children before parents; read once
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

// emptyStore deletes every row of every table of s but goose's, children
// before parents, in one transaction on its write connection.
func emptyStore(s *sqlite.Store) error {
	ctx := context.Background()
	write, _ := s.DB()
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	es := &emptyStores
	es.mu.Lock()
	tables := es.tables
	es.mu.Unlock()
	if tables == nil {
		if tables, err = childrenFirst(ctx, tx); err != nil {
			_ = tx.Rollback()
			return err
		}
		es.mu.Lock()
		es.tables = tables
		es.mu.Unlock()
	}
	// A full-text index (FTS5, its shadow tables not listed) is emptied
	// by its own command.
	for _, q := range []string{`INSERT INTO record_text (record_text) VALUES ('delete-all')`} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	for _, tb := range tables {
		if _, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM %q`, tb)); err != nil {
			_ = tx.Rollback()
			return fmt.Errorf("%s: %w", tb, err)
		}
	}
	return tx.Commit()
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
