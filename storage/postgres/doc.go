// Package postgres owns portalkit's scale-out storage backend: a
// storage.Store on a PostgreSQL database, through github.com/jackc/pgx/v5
// and its pool, with its schema and migrations. Several processes (server
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
// ignoring case, external reference, token hashes, idempotency keys) is a
// constraint or unique index, and every list has an index that serves its
// filter in ID order. Driver errors are classified by SQLSTATE, never by
// message: a unique violation (23505) is storage.ErrAlreadyExists, a
// foreign key violation (23503) is storage.ErrNotFound or ErrConflict as
// the operation's contract says, and text PostgreSQL cannot store (a NUL
// byte) is portalerr.Invalid.
//
// Customer search is ILIKE on name, contact e-mail and external reference,
// answered by a trigram (pg_trgm) GIN index. The first migration creates
// the extension if it can; where it is unavailable, or the role may not
// create it, the migration goes on without the index and searches scan.
// Creating the extension later does not add the index.
package postgres
