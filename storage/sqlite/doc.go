// Package sqlite owns portalkit's embedded storage backend: the shared SQL
// store (storage/sqlstore) on one SQLite database file, through the
// pure-Go driver modernc.org/sqlite (no cgo), with SQLite's schema,
// migrations, connection setup and dialect. OpenTemp and OpenTempFrom give
// throwaway databases for tests and examples; Backup copies a live one.
//
//	store, err := sqlite.Open(ctx, "data/portal.db")
//	if err != nil { ... }
//	defer store.Close()
//
// # Connections
//
// Open keeps two database/sql pools on the same file. The write pool has one
// connection and begins every transaction with BEGIN IMMEDIATE, so InTx
// callers queue in Go instead of racing for SQLite's write lock, and a write
// transaction never fails halfway with SQLITE_BUSY. The read pool has
// several connections with PRAGMA query_only and serves ReadTx; in WAL mode
// readers see a consistent snapshot and neither wait for nor block the
// writer.
//
// Every connection keeps the statements it runs prepared, up to 256 query
// texts, least recently used out first, so a query is parsed once per
// connection rather than on every call. A query run again while its own
// rows are still open on that connection gets a statement of its own.
//
// # DSN
//
// The dsn given to Open is a file path ("data/portal.db") or an SQLite URI
// ("file:data/portal.db?mode=rwc"). Open appends, as driver parameters that
// every pooled connection applies when it connects:
//
//	_pragma=busy_timeout(10000)   (WithBusyTimeout; applied first)
//	_pragma=journal_mode(WAL)
//	_pragma=foreign_keys(1)
//	_pragma=synchronous(NORMAL)
//	_txlock=immediate             (write pool only)
//	_pragma=query_only(1)         (read pool only)
//
// Further driver parameters in dsn (another _pragma such as cache_size(-20000),
// _time_format, ...) are kept. In-memory databases are refused, because the
// two pools would open two different databases: OpenTemp gives a throwaway
// database for tests and examples instead.
//
// # Schema
//
// Migrations are SQL files embedded from migrations/ and applied with goose
// on the write pool when Open runs; a database that is up to date is left
// alone. Tables are STRICT and keyed by the text IDs. Times are stored as
// fixed-width UTC text with microsecond precision, so a time read back is
// the one written truncated to the microsecond, in UTC; an optional time
// left at the zero time.Time is NULL and reads back as the zero time.
// Uniqueness (IDs, e-mail, external reference, site name within a customer,
// token hashes, SKU, order number, serial number within a customer) and
// references are database constraints, and their
// violations are reported as storage.ErrAlreadyExists, storage.ErrNotFound
// or storage.ErrConflict by SQLite's extended result codes. Single-use tokens (accepting an
// invitation, consuming a login link) are spent by one conditional UPDATE
// ... RETURNING, so two concurrent uses cannot both succeed; so are an
// order's transitions and a stock item's moves, conditional on the status
// they start from. Order numbers come from a counter row taken in the
// placing transaction. Outbox workers claim due messages the same way,
// inside the one write transaction, so no two claims return the same
// message.
//
// Text comparisons that the contract calls case-insensitive (user e-mail,
// site names, customer search) fold ASCII letters only, as SQLite's NOCASE
// and LIKE do.
//
// A search of records' text across customers (staff's) goes through an
// FTS5 table with the trigram tokenizer (record_text, migration 00100),
// kept up to date by triggers on records, which answers LIKE '%…%' from
// its index; a search text with a LIKE wildcard or shorter than three
// characters, and a search within one customer's records, read the
// records instead.
package sqlite
