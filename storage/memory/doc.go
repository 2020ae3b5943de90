// Package memory owns portalkit's in-memory storage backend: a
// storage.Store that keeps everything in maps, for unit tests and examples.
//
// It enforces what a database would: unique keys (IDs, e-mail addresses,
// external references, site names within a customer, one membership per user
// and customer, the token hash of each kind of token) and references (a
// membership needs its user, customer and sites; a site needs its customer; a
// sub-customer needs its parent; a site named by a membership cannot be
// deleted; an invitation needs its customer, a login link or password its
// user, an access link its membership and customer, a session its user and
// membership). Deleting a membership deletes its sessions and access links,
// as ON DELETE CASCADE would. MarkAccepted and Consume check and write under
// the transaction's lock, so each succeeds once. It passes storagetest.Run.
//
// One sync.RWMutex serialises transactions: InTx holds the write lock and
// ReadTx the read lock, so a ReadTx sees one snapshot and no update is lost.
// InTx records an undo action for every change and replays them in reverse
// when fn fails or panics, so committing costs nothing and rolling back costs
// what fn changed. fn must not start another transaction on the same Store:
// it would wait for the lock its caller holds.
//
// Values are copied going in and coming out, slices included, so nothing a
// caller holds aliases what the store holds. Times are stored in UTC.
package memory
