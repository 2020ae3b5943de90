package sqlstore

import "github.com/portalkit/portalkit/storage"

// Not ported yet: the repositories below are filled in from storage/sqlite and storage/postgres.

func (t *txn) Idempotency() storage.IdempotencyRepo { panic("sqlstore: Idempotency not ported yet") }
