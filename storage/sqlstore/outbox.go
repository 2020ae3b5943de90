package sqlstore

import "github.com/portalkit/portalkit/storage"

// Not ported yet: the repositories below are filled in from storage/sqlite and storage/postgres.

func (t *txn) Outbox() storage.OutboxRepo { panic("sqlstore: Outbox not ported yet") }
