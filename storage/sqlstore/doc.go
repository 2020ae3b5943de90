// Package sqlstore owns portalkit's one SQL implementation of every
// storage repository, shared by SQLite (storage/sqlite) and PostgreSQL
// (storage/postgres): each query is written once, over database/sql, with ?
// placeholders, and a Dialect per engine says the little that differs
// (numbered placeholders, ILIKE, FOR UPDATE SKIP LOCKED, how driver errors
// classify, the retry of serialization failures, a statement that lowers
// an outbox claim's isolation). Embedders open a store through the engine
// packages; New is for those packages.
//
// # Shape
//
// An aggregate is a table (table.go): its columns, the values of a row and
// where a row scans to. From it come the insert, the read by key, the
// delete and the versioned read-modify-write of every Update, compare and
// set on the version column (update); crud gives a repository its Create,
// Get and Update from its table. A repository file holds the table, the
// repository's lists and lookups, and nothing engine-specific.
//
// Values cross in forms both engines take: times as fixed-width UTC text
// (ts, read back by tcol; SQLite keeps the text, which sorts as the
// instants do, and PostgreSQL parses it into timestamptz), JSON as text
// (jsonText, jcol), nullable text as NULL (nullString, scol). Domain rules
// that statements must apply (an invitation is usable, a login link
// unused, an outbox message due) are owned by their domain types and
// written in SQL once each, next to a comment naming the method they
// mirror.
//
// # Transactions
//
// InTx runs fn in the dialect's write transaction (SQLite: BEGIN IMMEDIATE
// on the one write connection; PostgreSQL: SERIALIZABLE, retried with a
// jittered backoff while it fails to serialize); ReadTx in a read-only
// snapshot. Tx gives code of one's own the *sql.Tx of a transaction, to
// run statements of its own in it.
package sqlstore
