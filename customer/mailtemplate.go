package customer

import "time"

// MailTemplate is a customer's override of one kind of message in one
// locale: its subject, text body or HTML body, each a template that
// replaces the default when not empty. The portal checks the templates
// before it stores them; storage stores them as given.
type MailTemplate struct {
	// CustomerID, Kind and Locale are the override's key.
	CustomerID ID
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
