package storage

import (
	"context"

	"github.com/portalkit/portalkit/customer"
)

// MailTemplateRepo stores the customers' template overrides.
type MailTemplateRepo interface {
	// Put stores t, replacing the override with the same key; a
	// replacement keeps the CreatedAt stored first. It returns what it
	// stored. ErrNotFound when the customer does not exist.
	Put(ctx context.Context, t customer.MailTemplate) (customer.MailTemplate, error)
	// Get returns the override of the customer for kind and locale, or
	// ErrNotFound.
	Get(ctx context.Context, cid customer.ID, kind, locale string) (customer.MailTemplate, error)
	// Delete removes the override, or returns ErrNotFound.
	Delete(ctx context.Context, cid customer.ID, kind, locale string) error
	// List returns all the customer's overrides, ordered by kind and
	// locale. There are at most as many as kinds times locales, so the
	// list is not paged.
	List(ctx context.Context, cid customer.ID) ([]customer.MailTemplate, error)
}
