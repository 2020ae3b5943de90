package sqlstore

import (
	"context"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type mailTemplateRepo struct{ t *txn }

func (t *txn) MailTemplates() storage.MailTemplateRepo { return mailTemplateRepo{t} }

// mailTemplates' key is (customer_id, kind, locale): the table's get,
// update and list, which take the first column as the key, are not used.
var mailTemplates = newTable(table[customer.MailTemplate]{
	name: "mail_templates", noun: "mail template",
	columns: []string{"customer_id", "kind", "locale", "subject", "text_body", "html_body", "updated_by",
		"created_at", "updated_at"},
	values: func(m *customer.MailTemplate) []any {
		return []any{string(m.CustomerID), m.Kind, m.Locale, m.Subject, m.Text, m.HTML, m.UpdatedBy,
			ts(m.CreatedAt), ts(m.UpdatedAt)}
	},
	dest: func(m *customer.MailTemplate) []any {
		return []any{&m.CustomerID, &m.Kind, &m.Locale, &m.Subject, &m.Text, &m.HTML, &m.UpdatedBy,
			tcol(&m.CreatedAt), tcol(&m.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// putMailTemplateSQL inserts an override or replaces the one with the same
// key, keeping its creation time, and returns what it stored.
var putMailTemplateSQL = upsertSQL(mailTemplates, []string{"customer_id", "kind", "locale"}, "created_at") +
	` RETURNING ` + mailTemplates.cols

const mailTemplateKey = `customer_id = ? AND kind = ? AND locale = ?`

// Put inserts or replaces the override in one statement; the key decides
// which, so two concurrent puts cannot both insert. ErrNotFound when the
// customer does not exist.
func (s mailTemplateRepo) Put(ctx context.Context, m customer.MailTemplate) (customer.MailTemplate, error) {
	op := "putting mail template " + m.Kind + "/" + m.Locale
	if err := s.t.writable(op); err != nil {
		return customer.MailTemplate{}, err
	}
	out, err := mailTemplates.scan(s.t.queryRow(ctx, putMailTemplateSQL, mailTemplates.values(&m)...))
	if err != nil {
		return customer.MailTemplate{}, s.t.dbError(op, err, mailTemplates.fkErr)
	}
	return out, nil
}

// Get returns the override, or ErrNotFound.
func (s mailTemplateRepo) Get(ctx context.Context, cid customer.ID, kind, locale string) (customer.MailTemplate, error) {
	return mailTemplates.getWhere(ctx, s.t, "getting mail template "+kind+"/"+locale, mailTemplateKey,
		string(cid), kind, locale)
}

// Delete removes the override, or returns ErrNotFound.
func (s mailTemplateRepo) Delete(ctx context.Context, cid customer.ID, kind, locale string) error {
	return deleteOne(ctx, s.t, "deleting mail template "+kind+"/"+locale, nil,
		`DELETE FROM mail_templates WHERE `+mailTemplateKey, string(cid), kind, locale)
}

// List returns the customer's overrides by kind and locale, walking the
// primary key; nil when there are none.
func (s mailTemplateRepo) List(ctx context.Context, cid customer.ID) ([]customer.MailTemplate, error) {
	out, err := queryAll(ctx, s.t, "listing mail templates",
		mailTemplates.selectSQL+` WHERE customer_id = ? ORDER BY kind, locale`, []any{string(cid)}, 0, mailTemplates.scan)
	if err != nil || len(out) == 0 {
		return nil, err
	}
	return out, nil
}
