package memory

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/storage"
)

// mailTemplateKey is an override's key, as a primary key would make it.
type mailTemplateKey struct {
	customer     customer.ID
	kind, locale string
}

type mailTemplateRepo struct{ t *tx }

func (r mailTemplateRepo) Put(_ context.Context, t storage.MailTemplate) (storage.MailTemplate, error) {
	const op = "putting mail template"
	if err := r.t.writable(op); err != nil {
		return storage.MailTemplate{}, err
	}
	if _, ok := r.t.s.customers[t.CustomerID]; !ok {
		return storage.MailTemplate{}, fmt.Errorf("memory: %s: customer %s: %w", op, t.CustomerID, storage.ErrNotFound)
	}
	k := mailTemplateKey{t.CustomerID, t.Kind, t.Locale}
	if old, ok := r.t.s.mailTemplates[k]; ok {
		t.CreatedAt = old.CreatedAt
	}
	t = cloneMailTemplate(t)
	put(r.t, r.t.s.mailTemplates, k, t)
	return t, nil
}

func (r mailTemplateRepo) Get(_ context.Context, cid customer.ID, kind, locale string) (storage.MailTemplate, error) {
	t, ok := r.t.s.mailTemplates[mailTemplateKey{cid, kind, locale}]
	if !ok {
		return storage.MailTemplate{}, fmt.Errorf("memory: getting mail template %s/%s: %w", kind, locale, storage.ErrNotFound)
	}
	return t, nil
}

func (r mailTemplateRepo) Delete(_ context.Context, cid customer.ID, kind, locale string) error {
	const op = "deleting mail template"
	if err := r.t.writable(op); err != nil {
		return err
	}
	k := mailTemplateKey{cid, kind, locale}
	if _, ok := r.t.s.mailTemplates[k]; !ok {
		return fmt.Errorf("memory: %s %s/%s: %w", op, kind, locale, storage.ErrNotFound)
	}
	remove(r.t, r.t.s.mailTemplates, k)
	return nil
}

func (r mailTemplateRepo) List(_ context.Context, cid customer.ID) ([]storage.MailTemplate, error) {
	var out []storage.MailTemplate
	for k, t := range r.t.s.mailTemplates {
		if k.customer == cid {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b storage.MailTemplate) int {
		return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Locale, b.Locale))
	})
	return out, nil
}

// cloneMailTemplate returns t with its times in UTC.
func cloneMailTemplate(t storage.MailTemplate) storage.MailTemplate {
	t.CreatedAt = t.CreatedAt.UTC()
	t.UpdatedAt = t.UpdatedAt.UTC()
	return t
}
