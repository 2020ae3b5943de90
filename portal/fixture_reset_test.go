package portal_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/portal"
)

// writtenLog is the temporary table, on a fixture store's write connection
// only, where triggers note each table a statement wrote to (trackWrites).
const writtenLog = "portalkit_test_written"

// writtenTables returns the tables of all (each after its parents) that a
// reset must put back on conn: when conn tracks its writes, those written
// since the last reset and every table that refers to one of them, however
// indirectly (deleting a parent's rows would cascade to them); else all of
// them. tracked reports which.
func writtenTables(ctx context.Context, conn *sql.Conn, all []string, parents map[string][]string) (tables []string, tracked bool, err error) {
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM temp.sqlite_schema WHERE type = 'table' AND name = ?`, writtenLog).Scan(&n); err != nil {
		return nil, false, err
	}
	if n == 0 {
		return all, false, nil
	}
	rows, err := conn.QueryContext(ctx, fmt.Sprintf(`SELECT name FROM temp.%q`, writtenLog))
	if err != nil {
		return nil, false, err
	}
	reset := map[string]bool{}
	var todo []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, false, err
		}
		todo = append(todo, name)
	}
	if err := rows.Close(); err != nil {
		return nil, false, err
	}
	children := map[string][]string{}
	for child, ps := range parents {
		for _, p := range ps {
			children[p] = append(children[p], child)
		}
	}
	for len(todo) > 0 {
		name := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if reset[name] {
			continue
		}
		reset[name] = true
		todo = append(todo, children[name]...)
	}
	for _, name := range all {
		if reset[name] {
			tables = append(tables, name)
		}
	}
	return tables, true, nil
}

// trackWrites empties the log of written tables in tx, the reset's
// transaction, when its connection keeps one (tracked), and else creates
// the log and a temporary trigger per table and kind of write that notes
// the table in it. Temporary triggers live on that one connection, the
// only one that writes: the database's schema and the other connections
// stay as they were. A connection the pool replaced has none and gets a
// full reset.
func trackWrites(ctx context.Context, tx *sql.Tx, tracked bool) error {
	if tracked {
		_, err := tx.ExecContext(ctx, fmt.Sprintf(`DELETE FROM temp.%q`, writtenLog))
		return err
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf(`CREATE TEMP TABLE %q (name TEXT PRIMARY KEY) WITHOUT ROWID`, writtenLog)); err != nil {
		return err
	}
	for _, table := range fixtureTables.tables {
		for _, event := range []string{"INSERT", "UPDATE", "DELETE"} {
			q := fmt.Sprintf(`CREATE TEMP TRIGGER %q AFTER %s ON main.%q BEGIN INSERT OR IGNORE INTO %q (name) VALUES ('%s'); END`,
				writtenLog+"_"+table+"_"+event, event, table, writtenLog, table)
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return fmt.Errorf("tracking writes to %s: %w", table, err)
			}
		}
	}
	return nil
}

// TestFixtureResetPutsBackTheTemplate writes to a copy of the authorization
// fixture, deleting a member whose rows other tables refer to, and checks
// that a reset of the tables the copy tracked as written leaves every table
// as the template has it.
func TestFixtureResetPutsBackTheTemplate(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := fixtureTemplate.path
	// The first reset of a copy puts back everything and starts tracking.
	require.NoError(t, resetFixtureStore(f.store, path))

	_, err := f.p.CreateSite(f.owner, f.a.c.ID, portal.SiteParams{Name: "Plant 9"})
	require.NoError(t, err)
	require.NoError(t, f.p.RemoveMember(f.owner, f.a.c.ID, f.a.target.ID))

	// The write connection, the one the template is attached to; held
	// only between resets, which need it.
	ctx := t.Context()
	write, _ := f.store.DB()
	var conn *sql.Conn
	hold := func() {
		t.Helper()
		var err error
		conn, err = write.Conn(ctx)
		require.NoError(t, err)
	}
	differ := func(table string) int {
		t.Helper()
		var n int
		require.NoError(t, conn.QueryRowContext(ctx, fmt.Sprintf(
			`SELECT count(*) FROM (SELECT * FROM main.%[1]q EXCEPT SELECT * FROM tpl.%[1]q
				UNION ALL SELECT * FROM (SELECT * FROM tpl.%[1]q EXCEPT SELECT * FROM main.%[1]q))`, table)).Scan(&n))
		return n
	}
	hold()
	tables, tracked, err := writtenTables(ctx, conn, fixtureTables.tables, fixtureTables.refs)
	require.NoError(t, err)
	require.True(t, tracked, "the write connection tracks what it writes")
	assert.Contains(t, tables, "sites")
	assert.Contains(t, tables, "memberships")
	assert.Contains(t, tables, "membership_sites", "a table referring to a written one is put back too")
	assert.Less(t, len(tables), len(fixtureTables.tables), "only what was written")
	assert.NotZero(t, differ("sites"))
	assert.NotZero(t, differ("memberships"))
	require.NoError(t, conn.Close())

	require.NoError(t, resetFixtureStore(f.store, path))
	hold()
	defer conn.Close()
	for _, table := range fixtureTables.tables {
		assert.Zero(t, differ(table), "%s as the template has it", table)
	}
	tables, tracked, err = writtenTables(ctx, conn, fixtureTables.tables, fixtureTables.refs)
	require.NoError(t, err)
	assert.True(t, tracked)
	assert.Empty(t, tables, "a reset leaves nothing to put back")
}
