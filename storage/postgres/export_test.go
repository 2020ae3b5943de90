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
