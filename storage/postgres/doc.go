// Package postgres owns portalkit's scale-out storage backend: the shared
// SQL store (storage/sqlstore) on a PostgreSQL database, through
// github.com/jackc/pgx/v5's pool and its database/sql adapter, with
// PostgreSQL's schema, migrations and dialect. Several processes (server
// replicas) may share one database.
//
//	store, err := postgres.Open(ctx, "postgres://portal:secret@db.internal:5432/portal")
//	if err != nil { ... }
//	defer store.Close()
//
// # Transactions
//
// InTx runs SERIALIZABLE: a use case that checks a rule by reading and then
// writes (a customer keeps an active admin, say) keeps it however many
// transactions run at once, as it does on SQLite, whose writers take turns.
// PostgreSQL enforces that by failing a transaction that cannot be
// serialized (SQLSTATE 40001) and by ending deadlocks (40P01); InTx then
// rolls back, waits a jittered few milliseconds (growing to at most 100ms)
// and runs fn again, up to WithTxAttempts times (DefaultTxAttempts), after
// which it returns storage.ErrConflict. fn may therefore run more than once.
// ReadTx runs REPEATABLE READ, READ ONLY: one snapshot, no waiting, and
// writes refused with storage.ErrReadOnly by the repositories and by the
// server.
//
// One statement runs lower. Outbox workers of several replicas claim due
// messages with FOR UPDATE SKIP LOCKED; under SERIALIZABLE, claims running
// at once fail each other (about half of them with two workers), though
// none took a row another had. So a Claim that is the first statement of
// its InTx, as in portal's worker, lowers the transaction to READ
// COMMITTED, where its one conditional UPDATE is exact on its own (a row
// changed by another claim is checked again at its newest version), and
// seals it: any further statement in that transaction fails. Nothing else
// ever runs below SERIALIZABLE; a Claim after other statements stays
// SERIALIZABLE.
//
// Order numbers come from a sequence (nextval), which never makes one
// placement wait for another: numbers increase in the order they are
// taken, and one of a rolled-back transaction is skipped. They once came
// from a counters row, which held placements in line from NextNumber to
// commit; under SERIALIZABLE the waiting placement then failed to
// serialize and ran again, and 16 concurrent clients ran out of retries.
//
// # Schema
//
// Migrations are SQL files embedded from migrations/, numbered as
// storage/sqlite's, and applied with goose when Open runs, under a session
// advisory lock keyed by the schema: of several processes opening one
// database at once, one migrates and the others wait, then find nothing to
// do. Tables live in the first schema on the connection's search_path (add
// search_path=… to the URL to choose another).
//
// Times are timestamptz and come back in UTC, to the microsecond; an
// optional time left at the zero time.Time is NULL. IDs are text in the "C"
// collation, so keyset paging orders them byte by byte whatever the
// database's locale. Every uniqueness rule (IDs, e-mail and site name
// ignoring case, external reference, token hashes, idempotency keys, SKU
// ignoring ASCII case, one offer per customer and product, order number,
// serial number within a customer) is a constraint or unique index, and
// every list has an index that serves its filter in ID order. Driver
// errors are classified by SQLSTATE, never by message: a unique violation
// (23505) is storage.ErrAlreadyExists, a foreign key violation (23503) is
// storage.ErrNotFound or ErrConflict as the operation's contract says, and
// text PostgreSQL cannot store (a NUL byte) is portalerr.Invalid.
//
// Customer search is ILIKE on name, contact e-mail and external reference,
// and product search on SKU and name, each answered by a trigram (pg_trgm)
// GIN index. The first migration creates the extension if it can; where it
// is unavailable, or the role may not create it, the migrations go on
// without the indexes and searches scan. Creating the extension later does
// not add them. The text of records (staff's search across customers) has
// trigram indexes too (migration 00100, which tries to create the
// extension again: it is trusted since PostgreSQL 13, so a role with
// CREATE on the database may); a search within one customer's records
// reads that customer's records through its index instead, which the
// planner, misjudging LIKE's selectivity, would not choose.
package postgres
