package postgres

import (
	"database/sql"

	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/sqlstore"
)

// WithIsolation sets the isolation level of InTx, so tests can show what a
// weaker one than SERIALIZABLE lets through.
func WithIsolation(l sql.IsolationLevel) Option {
	return func(c *config) { c.isolation = l }
}

// TxOf returns the transaction behind the repos of an InTx or ReadTx.
func TxOf(r storage.Repos) *sql.Tx { return sqlstore.Tx(r) }

// ClaimStatement is the statement of OutboxRepo.Claim on PostgreSQL, with
// its parameters numbered: $1 is now, $2 the limit, $3 the end of the lease.
var ClaimStatement = sqlstore.ClaimSQL(dialect(config{}))
