package httpapi_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/internal/sqlitepool"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/storage/sqlite"
)

// roleTemplate is the role fixture as built once per process: a copy of
// its database (sqlite.Backup), its values and how many IDs building it
// drew. Each row of TestRoleMatrix gets a server on a copy of its own, so
// that the rows run in parallel and each row's snapshots read the fixture
// and that row's own targets, not every row's before it.
var roleTemplate struct {
	once  sync.Once
	path  string
	f     roleFixture
	ids   int64
	pool  *sqlitepool.Pool // copies of the database at path
	first firstSnapshot
}

// copyRoleFixture returns the role fixture on a copy of the template's
// database (one a finished row put back, see sqlitepool), served by a portal of its own that draws IDs after
// the template's. The tokens are the template's: the sessions and keys
// they name are in the copy.
func copyRoleFixture(t *testing.T) *roleFixture {
	t.Helper()
	tp := &roleTemplate
	tp.once.Do(func() { buildRoleTemplate(t) })
	if tp.path == "" {
		t.Fatal("the role fixture could not be built (see the first test that tried)")
	}
	store := tp.pool.Take(t)
	f := tp.f
	f.env = newEnvOn(t, store, portal.SequenceAfter(tp.ids), tp.f.owner)
	f.notes.Err = bounce
	fp := &f
	fp.snap = fp.startMemo(t, &tp.first, func() map[string]any { return fp.takeSnapshot(t) })
	return fp
}

// buildRoleTemplate builds the fixture through the use cases and keeps a
// copy of its database in a directory that outlives t.
func buildRoleTemplate(t *testing.T) {
	ids := &portal.Sequence{}
	store := portaltest.Store(t)
	f := newRoleFixtureOn(t, newEnvOn(t, store, ids, ""))
	f.useKeys(t, f.tokens[rcOwner], f.tokens[rcStaffAdmin], f.tokens[rcAgent])
	dir, err := os.MkdirTemp("", "portalkit-roles-")
	require.NoError(t, err)
	path := filepath.Join(dir, "fixture.db")
	require.NoError(t, sqlite.Backup(t.Context(), store.(*sqlite.Store), path))
	roleTemplate.path, roleTemplate.f, roleTemplate.ids = path, *f, ids.Drawn()
	roleTemplate.pool = sqlitepool.New(path)
}
