package sqlite

import "database/sql/driver"

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
