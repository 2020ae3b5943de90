package sqlitepool

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/portalkit/portalkit/storage/sqlite"
)

// Empty hands out copies of an empty, migrated database, which it makes
// the first time a test asks for one: a test's copy has the rows it wrote
// put back when the test ends and is kept for a later test, which saves
// that test opening connections and preparing statements anew. The zero
// Empty is ready to use; Close, once the tests are done, removes its file.
type Empty struct {
	once sync.Once
	dir  string
	pool *Pool
	err  error
}

// Take returns an empty store, which an earlier test may have used and
// emptied again. It fails tb when the empty database cannot be made.
func (e *Empty) Take(tb testing.TB) *sqlite.Store {
	tb.Helper()
	e.once.Do(e.build)
	if e.err != nil {
		tb.Fatalf("sqlitepool: making the empty database: %v", e.err)
	}
	return e.pool.Take(tb)
}

// build migrates a temporary store and backs it up into a file of its own.
func (e *Empty) build() {
	ctx := context.Background()
	if e.dir, e.err = os.MkdirTemp("", "portalkit-empty-"); e.err != nil {
		return
	}
	s, err := sqlite.OpenTemp(ctx)
	if err != nil {
		e.err = err
		return
	}
	defer s.Close()
	path := filepath.Join(e.dir, "empty.db")
	if e.err = sqlite.Backup(ctx, s, path); e.err == nil {
		e.pool = New(path)
	}
}

// Close closes the copies Take handed out and removes the file. Call it
// when no test uses a copy any more, as from TestMain.
func (e *Empty) Close() {
	if e.pool != nil {
		e.pool.Close()
	}
	if e.dir != "" {
		_ = os.RemoveAll(e.dir)
	}
}
