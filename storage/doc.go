// Package storage owns the contract between portalkit's use cases and its
// backends: Store, Repos, one repository interface per aggregate, the errors
// a backend returns, and keyset paging.
//
// A backend stores and finds; it holds no business rules and no
// authorization. Every use case runs in one transaction:
//
//	err := store.InTx(ctx, func(r storage.Repos) error {
//		c, err := r.Customers().Get(ctx, id)
//		...
//	})
//
// Values go in and come out by value: a returned value never aliases what the
// backend holds, and changing it changes nothing until it is written back.
//
// Times keep at least microsecond precision and come back in UTC
// (Location() == time.UTC), whatever zone they were stored in. Package
// portal truncates times to microseconds before storing them, so a value
// reads back equal to what was written.
//
// The backend is one SQL implementation of every repository,
// storage/sqlstore, spoken to SQLite (storage/sqlite, the embedded default)
// and PostgreSQL (storage/postgres) through a small dialect each;
// storage/storagetest is the conformance suite both engines pass, and any
// third backend must.
package storage
