package sqlite

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
)

// stmtCacheSize bounds the statements each connection keeps prepared. The
// conformance suite, which tries every filter, runs some 200 distinct query
// texts besides the migrations' DDL, and at most 94 texts (DDL included) on
// one connection of one store; IN-lists add a text per length. A cached statement holds
// about 4.5 KiB of SQLite memory, so a full cache is about 1 MiB. What
// falls out is prepared again when it next runs.
const stmtCacheSize = 256

// stmtCacheConnector opens connections through the modernc driver and wraps
// each in a stmtConn, so the pools keep their statements prepared.
//
// modernc.org/sqlite's conn.QueryContext and ExecContext parse the SQL,
// run it once and finalize it; under load that parsing was about a third of
// the server's CPU. A statement prepared once and kept runs from its compiled
// form: modernc resets it after an Exec and when its rows close, rather than
// finalizing it.
type stmtCacheConnector struct {
	driver.Connector // modernc's; also provides Driver
	size             int
}

// Connect opens a modernc connection and wraps it.
func (c stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	inner, ok := dc.(innerConn)
	if !ok {
		_ = dc.Close()
		return nil, fmt.Errorf("sqlite: driver connection %T lacks the context methods the statement cache needs", dc)
	}
	return &stmtConn{inner: inner, size: c.size, stmts: make(map[string]*list.Element)}, nil
}

// innerConn is what stmtConn needs of a modernc connection and forwards.
type innerConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// innerStmt is what stmtConn needs of a modernc statement.
type innerStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// stmtConn is a driver connection that runs every query and exec on a
// prepared statement it keeps for the query text, up to size of them, least
// recently used out first.
//
// It implements driver.QueryerContext and driver.ExecerContext itself, on
// top of the cache, so database/sql hands it the SQL text and never
// prepares through it for a one-off call; PrepareContext, for callers that
// prepare explicitly and own the statement, goes straight to the driver.
// It does not implement driver.NamedValueChecker, as modernc's connection
// does not, so arguments are converted exactly as before.
//
// A statement can run only once at a time: SQLite keeps one cursor per
// statement. While a cached statement's rows are open, the same text on the
// same connection (a query inside a loop over the rows of that query) runs
// on a fresh statement that is finalized when it is done.
//
// There is no lock. database/sql uses a driver.Conn from one goroutine at a
// time and calls QueryContext, ExecContext, Close and Rows.Close with the
// connection's mutex held, which orders every access to the cache. Rows.Next
// runs without that mutex, so the rows wrapper touches no cache state there.
type stmtConn struct {
	inner innerConn
	size  int
	stmts map[string]*list.Element // query text → element of lru
	lru   list.List                // of *cachedStmt, most recently used first
}

// cachedStmt is a prepared statement and, while it is in the cache, its text.
type cachedStmt struct {
	innerStmt
	query  string
	cached bool // in stmts; else finalized when the call or rows using it end
	inUse  bool // rows of it are open, or it is executing
}

var (
	_ driver.Conn               = (*stmtConn)(nil)
	_ driver.ConnPrepareContext = (*stmtConn)(nil)
	_ driver.ConnBeginTx        = (*stmtConn)(nil)
	_ driver.QueryerContext     = (*stmtConn)(nil)
	_ driver.ExecerContext      = (*stmtConn)(nil)
	_ driver.Pinger             = (*stmtConn)(nil)
	_ driver.SessionResetter    = (*stmtConn)(nil)
	_ driver.Validator          = (*stmtConn)(nil)
)

// acquire returns a statement for query that no one else is running: the
// cached one, or a fresh one, which it caches when the text is not cached
// yet. Errors from preparing are the driver's, unchanged.
func (c *stmtConn) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	if e, ok := c.stmts[query]; ok {
		s := e.Value.(*cachedStmt)
		if !s.inUse {
			c.lru.MoveToFront(e)
			s.inUse = true
			return s, nil
		}
		// Its rows are open: run this one on a statement of its own.
		return c.prepare(ctx, query)
	}
	s, err := c.prepare(ctx, query)
	if err != nil {
		return nil, err
	}
	if c.size <= 0 {
		return s, nil
	}
	if c.lru.Len() >= c.size {
		c.evict(c.lru.Back())
	}
	s.cached = true
	c.stmts[query] = c.lru.PushFront(s)
	return s, nil
}

// prepare prepares an uncached statement for query.
func (c *stmtConn) prepare(ctx context.Context, query string) (*cachedStmt, error) {
	ds, err := c.inner.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	is, ok := ds.(innerStmt)
	if !ok {
		_ = ds.Close()
		return nil, fmt.Errorf("sqlite: driver statement %T lacks the context methods the statement cache needs", ds)
	}
	return &cachedStmt{innerStmt: is, query: query, inUse: true}, nil
}

// evict takes e out of the cache and finalizes its statement, or leaves that
// to release when the statement is running.
func (c *stmtConn) evict(e *list.Element) {
	s := c.lru.Remove(e).(*cachedStmt)
	delete(c.stmts, s.query)
	s.cached = false
	if !s.inUse {
		// A cached statement is reset after every use, and reset reported
		// its last failure to that use; finalizing it has nothing to say.
		_ = s.Close()
	}
}

// release ends a use of s: a cached statement is free again, another is
// finalized.
func (c *stmtConn) release(s *cachedStmt) error {
	s.inUse = false
	if s.cached {
		return nil
	}
	return s.Close()
}

// QueryContext runs query on a cached statement. Its rows free the statement
// for the next use when they close.
func (c *stmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	s, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := s.QueryContext(ctx, args)
	if err != nil {
		// modernc has reset the statement: it can run again.
		_ = c.release(s)
		return nil, err
	}
	return &stmtRows{Rows: rows, c: c, s: s}, nil
}

// ExecContext runs query on a cached statement, which modernc resets after
// the run.
func (c *stmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	s, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := s.ExecContext(ctx, args)
	if rerr := c.release(s); err == nil && rerr != nil {
		return nil, rerr
	}
	return res, err
}

// Prepare prepares a statement the caller owns, bypassing the cache.
func (c *stmtConn) Prepare(query string) (driver.Stmt, error) {
	return c.inner.Prepare(query)
}

// PrepareContext prepares a statement the caller owns, bypassing the cache.
func (c *stmtConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.PrepareContext(ctx, query)
}

// Begin is driver.Conn's; database/sql calls BeginTx.
func (c *stmtConn) Begin() (driver.Tx, error) {
	return c.inner.Begin()
}

// BeginTx begins a transaction as the driver does: BEGIN for a read-only
// one, else BEGIN with the DSN's _txlock mode (IMMEDIATE on the write pool).
func (c *stmtConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.BeginTx(ctx, opts)
}

// Ping pings through the driver.
func (c *stmtConn) Ping(ctx context.Context) error { return c.inner.Ping(ctx) }

// ResetSession reports, as the driver does, whether the connection can be
// used again.
func (c *stmtConn) ResetSession(ctx context.Context) error { return c.inner.ResetSession(ctx) }

// IsValid reports, as the driver does, whether the connection may go back
// to the pool.
func (c *stmtConn) IsValid() bool { return c.inner.IsValid() }

// Close finalizes every cached statement, then closes the connection: the
// driver frees its per-connection state on close, so no statement may
// outlive it.
func (c *stmtConn) Close() error {
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		s := e.Value.(*cachedStmt)
		s.cached = false
		errs = append(errs, s.Close())
	}
	c.lru.Init()
	clear(c.stmts)
	errs = append(errs, c.inner.Close())
	return errors.Join(errs...)
}

// stmtRows are the rows of a statement from the cache; closing them releases
// the statement. They forward the column type methods modernc's rows have.
type stmtRows struct {
	driver.Rows
	c *stmtConn
	s *cachedStmt
}

var (
	_ driver.RowsColumnTypeDatabaseTypeName = (*stmtRows)(nil)
	_ driver.RowsColumnTypeLength           = (*stmtRows)(nil)
	_ driver.RowsColumnTypeNullable         = (*stmtRows)(nil)
	_ driver.RowsColumnTypePrecisionScale   = (*stmtRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*stmtRows)(nil)
)

// Close closes the rows, which resets the statement, and releases it. The
// driver's error comes first and unchanged.
func (r *stmtRows) Close() error {
	err := r.Rows.Close()
	if rerr := r.c.release(r.s); err == nil {
		err = rerr
	}
	return err
}

func (r *stmtRows) ColumnTypeDatabaseTypeName(index int) string {
	if t, ok := r.Rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
		return t.ColumnTypeDatabaseTypeName(index)
	}
	return ""
}

func (r *stmtRows) ColumnTypeLength(index int) (int64, bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeLength); ok {
		return t.ColumnTypeLength(index)
	}
	return 0, false
}

func (r *stmtRows) ColumnTypeNullable(index int) (nullable, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypeNullable); ok {
		return t.ColumnTypeNullable(index)
	}
	return false, false
}

func (r *stmtRows) ColumnTypePrecisionScale(index int) (precision, scale int64, ok bool) {
	if t, ok := r.Rows.(driver.RowsColumnTypePrecisionScale); ok {
		return t.ColumnTypePrecisionScale(index)
	}
	return 0, 0, false
}

func (r *stmtRows) ColumnTypeScanType(index int) reflect.Type {
	if t, ok := r.Rows.(driver.RowsColumnTypeScanType); ok {
		return t.ColumnTypeScanType(index)
	}
	return reflect.TypeFor[any]()
}
