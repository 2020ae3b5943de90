package sqlitepool_test

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// TestTakeGivesBackTheFile builds a fixture, has a test change a copy of
// it (deleting a member and renaming the customer, which rows of other
// tables refer to, adding a site, deleting a site and inserting it again,
// which cascades to the member's site limit, and, in the second round,
// swapping two users' unique e-mail addresses) and checks that the next
// test gets the same copy with every table as the file has it: row by row,
// and table by table where the swap makes writing rows back fail.
func TestTakeGivesBackTheFile(t *testing.T) {
	ctx := t.Context()
	clock := &portaltest.Clock{}
	st := portaltest.Store(t)
	p := portaltest.New(t, clock, func(c *portal.Config) { c.Store = st })
	owner := portaltest.Owner(ctx)
	c, err := p.CreateCustomer(owner, portal.CreateCustomerParams{Name: "Acme"})
	require.NoError(t, err)
	site, err := p.CreateSite(owner, c.ID, portal.SiteParams{Name: "HQ"})
	require.NoError(t, err)
	_, err = p.AddMember(owner, c.ID, portal.AddMemberParams{Email: "ada@acme.example", Name: "Ada", Role: customer.RoleAdmin})
	require.NoError(t, err)
	m, err := p.AddMember(owner, c.ID, portal.AddMemberParams{Email: "bob@acme.example", Name: "Bob", Role: customer.RoleViewer, SiteIDs: []customer.SiteID{site.ID}})
	require.NoError(t, err)
	_, err = p.Invite(owner, c.ID, portal.InviteParams{Email: "cy@acme.example", Role: customer.RoleViewer})
	require.NoError(t, err)
	task, err := p.CreateRecord(owner, c.ID, portal.RecordParams{Type: record.TypeTask, Values: map[string]string{"title": "Paint the fence", "status": "open"}})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "fixture.db")
	require.NoError(t, sqlite.Backup(ctx, st.(*sqlite.Store), path))

	for _, swap := range []bool{false, true} {
		t.Run(fmt.Sprintf("swap=%t", swap), func(t *testing.T) {
			pool := sqlitepool.New(path)
			defer pool.Close()
			var first *sqlite.Store
			t.Run("changes", func(t *testing.T) {
				first = pool.Take(t)
				q := portaltest.New(t, clock, func(c *portal.Config) { c.Store = first; c.IDs = portal.SequenceAfter(1000) })
				_, err := q.CreateSite(owner, c.ID, portal.SiteParams{Name: "Plant 2"})
				require.NoError(t, err)
				require.NoError(t, q.RemoveMember(owner, c.ID, m.Membership.ID))
				// Rows of other tables refer to the customer: they are put back too.
				name := "Acme AG"
				_, err = q.UpdateCustomer(owner, c.ID, portal.UpdateCustomerParams{Version: c.Version, Name: &name})
				require.NoError(t, err)
				_, err = q.GetMember(owner, c.ID, m.Membership.ID)
				require.Error(t, err, "the member is gone")
				// The record's text, in its full-text index too.
				_, err = q.UpdateRecord(owner, c.ID, task.ID, portal.UpdateRecordParams{Version: task.Version, Values: map[string]string{"title": "Mend the roof"}})
				require.NoError(t, err)
				_, err = q.CreateRecord(owner, c.ID, portal.RecordParams{Type: record.TypeTask, Values: map[string]string{"title": "Mend the gate", "status": "open"}})
				require.NoError(t, err)
				l, err := q.AllRecords(owner, portal.AllRecordsParams{ListRecordsParams: portal.ListRecordsParams{Q: "mend"}})
				require.NoError(t, err)
				require.Len(t, l.Items, 2)
				// An upsert twice, as the stores take numbers: the triggers must
				// not make its second run conflict.
				write, _ := first.DB()
				// Two users swap their unique addresses: writing one row back
				// alone would collide with the other, so the pool must fall back
				// to putting whole tables back.
				var swaps []string
				if swap {
					swaps = []string{
						`UPDATE users SET email = 'swap@acme.example' WHERE email = 'ada@acme.example'`,
						`UPDATE users SET email = 'ada@acme.example' WHERE email = 'bob@acme.example'`,
						`UPDATE users SET email = 'bob@acme.example' WHERE email = 'swap@acme.example'`,
					}
				}
				for _, q := range swaps {
					res, err := write.ExecContext(t.Context(), q)
					require.NoError(t, err)
					n, err := res.RowsAffected()
					require.NoError(t, err)
					require.EqualValues(t, 1, n, q)
				}
				for range 2 {
					_, err = write.ExecContext(t.Context(), `INSERT INTO counters (name, value) VALUES ('n', 1)
						ON CONFLICT (name) DO UPDATE SET value = counters.value + 1`)
					require.NoError(t, err)
				}
			})
			t.Run("gets it back", func(t *testing.T) {
				s := pool.Take(t)
				require.Same(t, first, s, "the copy the last test left")
				write, _ := s.DB()
				conn, err := write.Conn(ctx)
				require.NoError(t, err)
				defer conn.Close()
				// Tables, not the full-text index and its shadow tables, whose
				// bytes a rebuild lays out its own way: it is searched below.
				rows, err := conn.QueryContext(ctx, `SELECT name FROM pragma_table_list WHERE schema = 'tpl' AND type = 'table' AND name NOT LIKE 'sqlite_%'`)
				require.NoError(t, err)
				var tables []string
				for rows.Next() {
					var name string
					require.NoError(t, rows.Scan(&name))
					tables = append(tables, name)
				}
				require.NoError(t, rows.Close())
				require.Contains(t, tables, "membership_sites")
				for _, table := range tables {
					var n int
					require.NoError(t, conn.QueryRowContext(ctx, fmt.Sprintf(
						`SELECT count(*) FROM (SELECT * FROM main.%[1]q EXCEPT SELECT * FROM tpl.%[1]q
							UNION ALL SELECT * FROM (SELECT * FROM tpl.%[1]q EXCEPT SELECT * FROM main.%[1]q))`, table)).Scan(&n))
					assert.Zero(t, n, "%s as the file has it", table)
				}
				var sites int
				require.NoError(t, conn.QueryRowContext(ctx, `SELECT count(*) FROM membership_sites`).Scan(&sites))
				assert.Equal(t, 1, sites, "the member's site limit is back")
				q := portaltest.New(t, clock, func(c *portal.Config) { c.Store = s; c.IDs = portal.SequenceAfter(2000) })
				search := func(text string) []record.ID {
					l, err := q.AllRecords(owner, portal.AllRecordsParams{ListRecordsParams: portal.ListRecordsParams{Q: text}})
					require.NoError(t, err)
					var ids []record.ID
					for _, r := range l.Items {
						ids = append(ids, r.ID)
					}
					return ids
				}
				assert.Equal(t, []record.ID{task.ID}, search("fence"), "the full-text index is the file's again")
				assert.Empty(t, search("mend"))
			})
		})
	}
}

// TestWrites counts the rows a copy wrote in transactions that committed:
// reads and a transaction rolled back count nothing.
func TestWrites(t *testing.T) {
	ctx := t.Context()
	st := portaltest.Store(t)
	path := filepath.Join(t.TempDir(), "fixture.db")
	require.NoError(t, sqlite.Backup(ctx, st.(*sqlite.Store), path))
	pool := sqlitepool.New(path)
	defer pool.Close()
	s := pool.Take(t)
	write, _ := s.DB()
	count := func() (int64, []string) {
		t.Helper()
		n, tables, err := sqlitepool.Writes(ctx, s)
		require.NoError(t, err)
		return n, tables
	}
	n0, tables := count()
	assert.Empty(t, tables)

	var rows int
	require.NoError(t, write.QueryRowContext(ctx, `SELECT count(*) FROM counters`).Scan(&rows))
	n, _ := count()
	assert.Equal(t, n0, n, "a read writes nothing")

	tx, err := write.BeginTx(ctx, nil)
	require.NoError(t, err)
	_, err = tx.ExecContext(ctx, `INSERT INTO counters (name, value) VALUES ('a', 1), ('b', 1)`)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	n, tables = count()
	assert.Equal(t, n0, n, "a transaction rolled back writes nothing")
	assert.Empty(t, tables)

	_, err = write.ExecContext(ctx, `INSERT INTO counters (name, value) VALUES ('a', 1), ('b', 1)`)
	require.NoError(t, err)
	_, err = write.ExecContext(ctx, `UPDATE counters SET value = value + 1 WHERE name = 'a'`)
	require.NoError(t, err)
	n, tables = count()
	assert.Equal(t, n0+3, n, "two rows inserted and one changed")
	assert.Equal(t, []string{"counters"}, tables)

	_, _, err = sqlitepool.Writes(ctx, st.(*sqlite.Store))
	assert.Error(t, err, "a store that is not a copy from a pool")
}

// TestEmpty takes a store from an Empty, writes to it, and checks that
// the next test gets the same copy, migrated and empty again, and that
// Close removes the database file.
func TestEmpty(t *testing.T) {
	var e sqlitepool.Empty
	var first *sqlite.Store
	t.Run("writes", func(t *testing.T) {
		first = e.Take(t)
		write, _ := first.DB()
		_, err := write.ExecContext(t.Context(), `INSERT INTO counters (name, value) VALUES ('a', 1)`)
		require.NoError(t, err)
	})
	t.Run("finds it empty", func(t *testing.T) {
		s := e.Take(t)
		assert.Same(t, first, s, "the copy the first test finished with")
		write, _ := s.DB()
		var rows int
		require.NoError(t, write.QueryRowContext(t.Context(), `SELECT count(*) FROM counters`).Scan(&rows))
		assert.Zero(t, rows)
	})
	dir := sqlitepool.EmptyDir(&e)
	require.FileExists(t, filepath.Join(dir, "empty.db"))
	e.Close()
	assert.NoDirExists(t, dir, "Close removes the database")
}
