package sqlstore

import "github.com/portalkit/portalkit/storage"

// Not ported yet: the repositories below are filled in from storage/sqlite and storage/postgres.

func (t *txn) Invitations() storage.InvitationRepo { panic("sqlstore: Invitations not ported yet") }
func (t *txn) LoginLinks() storage.LoginLinkRepo   { panic("sqlstore: LoginLinks not ported yet") }
func (t *txn) AccessLinks() storage.AccessLinkRepo { panic("sqlstore: AccessLinks not ported yet") }
