package postgres

import (
	"github.com/jackc/pgx/v5"

	"github.com/portalkit/portalkit/storage"
)

// WithIsolation sets the isolation level of InTx, so tests can show what a
// weaker one than SERIALIZABLE lets through.
func WithIsolation(l pgx.TxIsoLevel) Option {
	return func(c *config) { c.isolation = l }
}

// TxOf returns the pgx transaction behind the repos of an InTx or ReadTx.
func TxOf(r storage.Repos) pgx.Tx { return r.(*txn).tx }

// ClaimStatement is the statement of OutboxRepo.Claim: $1 now, $2 limit,
// $3 the lease's end.
var ClaimStatement = claimStatement
