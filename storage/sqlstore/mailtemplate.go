package sqlstore

import "github.com/portalkit/portalkit/storage"

// Not ported yet: the repositories below are filled in from storage/sqlite and storage/postgres.

func (t *txn) MailTemplates() storage.MailTemplateRepo {
	panic("sqlstore: MailTemplates not ported yet")
}
