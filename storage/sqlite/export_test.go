package sqlite

import (
	"context"
	"database/sql/driver"
	"os"
)

// OpenPool is openPool: a pool whose connections keep up to cacheSize
// statements prepared each.
var OpenPool = openPool

// CachedStatements returns what a connection of an OpenPool pool (the
// driver connection sql.Conn.Raw passes) keeps prepared: the query texts,
// most recently used first, and the driver statement of each.
func CachedStatements(dc any) (queries []string, stmts []driver.Stmt) {
	c := dc.(*stmtConn)
	for e := c.lru.Front(); e != nil; e = e.Next() {
		s := e.Value.(*cachedStmt)
		queries = append(queries, s.query)
		stmts = append(stmts, s.innerStmt)
	}
	return queries, stmts
}

// WithoutRecordText has the store search records' text by LIKE on the
// records, as before the FTS5 index (migration 00100): the index's
// baseline in the benchmarks.
func WithoutRecordText() Option { return func(c *config) { c.noRecordText = true } }

// WriteTemplate writes the migrated, empty database that OpenTemp copies
// to the file path: a database Open finds up to date, for tests of a file
// store that do not test migrating.
func WriteTemplate(ctx context.Context, path string) error {
	template.once.Do(func() { template.data, template.err = migrateTemplate(ctx) })
	if template.err != nil {
		return template.err
	}
	return os.WriteFile(path, template.data, 0o600)
}
