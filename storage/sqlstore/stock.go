package sqlstore

import "github.com/portalkit/portalkit/storage"

// Not ported yet: the repositories below are filled in from storage/sqlite and storage/postgres.

func (t *txn) Stock() storage.StockRepo { panic("sqlstore: Stock not ported yet") }
