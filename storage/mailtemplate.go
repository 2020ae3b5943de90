package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
)

// MailTemplate is a customer's override of one kind of message in one
// locale: its subject, text body or HTML body, each a template that
// replaces the default when not empty. The portal checks the templates
// before it stores them; a backend stores them as given.
type MailTemplate struct {
	// CustomerID, Kind and Locale are the override's key.
	CustomerID customer.ID
	Kind       string // a mailer.Kind, such as "invitation"
	Locale     string // a supported locale, such as "de"
	Subject    string
	Text       string
	HTML       string
	// UpdatedBy names who saved it last, as identity.Principal.Actor does.
	UpdatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MailTemplateRepo stores the customers' template overrides.
type MailTemplateRepo interface {
	// Put stores t, replacing the override with the same key; a
	// replacement keeps the CreatedAt stored first. It returns what it
	// stored. ErrNotFound when the customer does not exist.
	Put(ctx context.Context, t MailTemplate) (MailTemplate, error)
	// Get returns the override of the customer for kind and locale, or
	// ErrNotFound.
	Get(ctx context.Context, cid customer.ID, kind, locale string) (MailTemplate, error)
	// Delete removes the override, or returns ErrNotFound.
	Delete(ctx context.Context, cid customer.ID, kind, locale string) error
	// List returns all the customer's overrides, ordered by kind and
	// locale. There are at most as many as kinds times locales, so the
	// list is not paged.
	List(ctx context.Context, cid customer.ID) ([]MailTemplate, error)
}
