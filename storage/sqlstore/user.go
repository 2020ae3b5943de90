package sqlstore

import "github.com/portalkit/portalkit/storage"

// Not ported yet: the repositories below are filled in from storage/sqlite and storage/postgres.

func (t *txn) Users() storage.UserRepo { panic("sqlstore: Users not ported yet") }
