package sqlite

import (
	"context"
	"fmt"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

type mailTemplateRepo struct{ r *repos }

// Put inserts or replaces the override in one statement; the key decides
// which, so two concurrent puts cannot both insert. ErrNotFound when the
// customer does not exist.
func (s mailTemplateRepo) Put(ctx context.Context, t storage.MailTemplate) (storage.MailTemplate, error) {
	const op = "putting mail template"
	if err := s.r.writable(op); err != nil {
		return storage.MailTemplate{}, err
	}
	out, err := scanMailTemplate(s.r.tx.QueryRowContext(ctx, `INSERT INTO mail_templates (`+mailTemplateColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (customer_id, kind, locale) DO UPDATE SET
			subject = excluded.subject, text_body = excluded.text_body, html_body = excluded.html_body,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at
		RETURNING `+mailTemplateColumns,
		string(t.CustomerID), t.Kind, t.Locale, t.Subject, t.Text, t.HTML, t.UpdatedBy,
		formatTime(t.CreatedAt), formatTime(t.UpdatedAt)))
	if err != nil {
		return storage.MailTemplate{}, dbError(op, err, storage.ErrNotFound)
	}
	return out, nil
}

// Get returns the override, or ErrNotFound.
func (s mailTemplateRepo) Get(ctx context.Context, cid customer.ID, kind, locale string) (storage.MailTemplate, error) {
	t, err := scanMailTemplate(s.r.tx.QueryRowContext(ctx,
		`SELECT `+mailTemplateColumns+` FROM mail_templates WHERE customer_id = ? AND kind = ? AND locale = ?`,
		string(cid), kind, locale))
	if err != nil {
		return storage.MailTemplate{}, dbError(fmt.Sprintf("getting mail template %s/%s", kind, locale), err, nil)
	}
	return t, nil
}

// Delete removes the override, or returns ErrNotFound.
func (s mailTemplateRepo) Delete(ctx context.Context, cid customer.ID, kind, locale string) error {
	op := fmt.Sprintf("deleting mail template %s/%s", kind, locale)
	if err := s.r.writable(op); err != nil {
		return err
	}
	res, err := s.r.tx.ExecContext(ctx,
		`DELETE FROM mail_templates WHERE customer_id = ? AND kind = ? AND locale = ?`, string(cid), kind, locale)
	n, err := rowsAffected(op, res, err, nil)
	if err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, storage.ErrNotFound)
	}
	return nil
}

// List returns the customer's overrides by kind and locale.
func (s mailTemplateRepo) List(ctx context.Context, cid customer.ID) ([]storage.MailTemplate, error) {
	const op = "listing mail templates"
	rows, err := s.r.tx.QueryContext(ctx,
		`SELECT `+mailTemplateColumns+` FROM mail_templates WHERE customer_id = ? ORDER BY kind, locale`, string(cid))
	if err != nil {
		return nil, dbError(op, err, nil)
	}
	defer rows.Close()
	var out []storage.MailTemplate
	for rows.Next() {
		t, err := scanMailTemplate(rows)
		if err != nil {
			return nil, dbError(op, err, nil)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(op, err, nil)
	}
	return out, nil
}

const mailTemplateColumns = `customer_id, kind, locale, subject, text_body, html_body, updated_by, created_at, updated_at`

func scanMailTemplate(s scanner) (storage.MailTemplate, error) {
	var (
		t                storage.MailTemplate
		created, updated string
	)
	err := s.Scan(&t.CustomerID, &t.Kind, &t.Locale, &t.Subject, &t.Text, &t.HTML, &t.UpdatedBy, &created, &updated)
	if err != nil {
		return storage.MailTemplate{}, err
	}
	if t.CreatedAt, err = parseTime(created); err != nil {
		return storage.MailTemplate{}, err
	}
	if t.UpdatedAt, err = parseTime(updated); err != nil {
		return storage.MailTemplate{}, err
	}
	return t, nil
}
