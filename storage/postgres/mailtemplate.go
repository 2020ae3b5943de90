package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type mailTemplateRepo struct{ t *txn }

// Put inserts or replaces the override in one statement; the primary key
// decides which, so two concurrent puts cannot both insert. ErrNotFound
// when the customer does not exist.
func (s mailTemplateRepo) Put(ctx context.Context, t storage.MailTemplate) (storage.MailTemplate, error) {
	const op = "putting mail template"
	if err := s.t.writable(op); err != nil {
		return storage.MailTemplate{}, err
	}
	out, err := scanMailTemplate(s.t.tx.QueryRow(ctx, `INSERT INTO mail_templates (`+mailTemplateColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (customer_id, kind, locale) DO UPDATE SET
			subject = excluded.subject, text_body = excluded.text_body, html_body = excluded.html_body,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at
		RETURNING `+mailTemplateColumns,
		string(t.CustomerID), t.Kind, t.Locale, t.Subject, t.Text, t.HTML, t.UpdatedBy, t.CreatedAt, t.UpdatedAt))
	if err != nil {
		return storage.MailTemplate{}, s.t.fail(op, err, storage.ErrNotFound)
	}
	return out, nil
}

// Get returns the override, or ErrNotFound.
func (s mailTemplateRepo) Get(ctx context.Context, cid customer.ID, kind, locale string) (storage.MailTemplate, error) {
	t, err := scanMailTemplate(s.t.tx.QueryRow(ctx,
		`SELECT `+mailTemplateColumns+` FROM mail_templates WHERE customer_id = $1 AND kind = $2 AND locale = $3`,
		string(cid), kind, locale))
	if err != nil {
		return storage.MailTemplate{}, s.t.fail(fmt.Sprintf("getting mail template %s/%s", kind, locale), err, nil)
	}
	return t, nil
}

// Delete removes the override, or returns ErrNotFound.
func (s mailTemplateRepo) Delete(ctx context.Context, cid customer.ID, kind, locale string) error {
	op := fmt.Sprintf("deleting mail template %s/%s", kind, locale)
	if err := s.t.writable(op); err != nil {
		return err
	}
	n, err := execCount(ctx, s.t, op,
		`DELETE FROM mail_templates WHERE customer_id = $1 AND kind = $2 AND locale = $3`, nil, string(cid), kind, locale)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("postgres: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// List returns the customer's overrides by kind and locale, walking the
// primary key.
func (s mailTemplateRepo) List(ctx context.Context, cid customer.ID) ([]storage.MailTemplate, error) {
	const op = "listing mail templates"
	rows, err := s.t.tx.Query(ctx,
		`SELECT `+mailTemplateColumns+` FROM mail_templates WHERE customer_id = $1 ORDER BY kind, locale`, string(cid))
	if err != nil {
		return nil, s.t.fail(op, err, nil)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (storage.MailTemplate, error) { return scanMailTemplate(row) })
	if err != nil {
		return nil, s.t.fail(op, err, nil)
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

const mailTemplateColumns = `customer_id, kind, locale, subject, text_body, html_body, updated_by, created_at, updated_at`

func scanMailTemplate(s scanner) (storage.MailTemplate, error) {
	var t storage.MailTemplate
	err := s.Scan(&t.CustomerID, &t.Kind, &t.Locale, &t.Subject, &t.Text, &t.HTML, &t.UpdatedBy, &t.CreatedAt, &t.UpdatedAt)
	return t, err
}
