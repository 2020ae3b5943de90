package portal

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

func errMailNotFound(id outbox.ID) error {
	return portalerr.New(portalerr.NotFound, "mail message %s not found", id)
}

// ListMailParams filter and page the outbox.
type ListMailParams struct {
	// Status keeps messages in this state: pending, sending, sent or failed.
	Status outbox.Status `json:"status" validate:"omitempty,oneof=pending sending sent failed"`
	// CustomerID keeps the messages about this customer.
	CustomerID customer.ID `json:"customer_id" validate:"max=100"`
	Cursor     string      `json:"cursor" validate:"max=200"`
	Limit      int         `json:"limit" validate:"min=0,max=100"`
}

// ListMail lists the outbox, oldest first: what is waiting, what left and
// what failed and why. Staff (agents and up) may call it; the outbox is
// provider-wide, so a customer user is refused whatever CustomerID says.
// The messages come without their Payload, which may hold a link's token.
func (p *Portal) ListMail(ctx context.Context, params ListMailParams) (List[outbox.Message], error) {
	if err := validStruct(params); err != nil {
		return List[outbox.Message]{}, err
	}
	lc, page, err := p.openList(ctx, "mail", "", params)
	if err != nil {
		return List[outbox.Message]{}, err
	}
	var out List[outbox.Message]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActMailRead, "", ""); err != nil {
			return err
		}
		var err error
		out, err = listPage(r.Outbox().List(ctx, storage.OutboxFilter{Status: params.Status, CustomerID: params.CustomerID}, page))
		return err
	})
	for i := range out.Items {
		out.Items[i].Payload = nil
	}
	return sealed(ctx, lc, out, err)
}

// RetryMail makes a failed message due again with a fresh set of attempts;
// the outbox worker sends it as it was written, so a link in it may have
// expired meanwhile (resend the invitation instead, or ask for a new login
// link). Staff (agents and up) may call it; it is recorded in the audit
// log. FailedPrecondition for a message that is not failed, or whose
// token PurgeExpired erased once its link expired.
func (p *Portal) RetryMail(ctx context.Context, id outbox.ID) (outbox.Message, error) {
	var out outbox.Message
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActMailRetry, "", "")
		if err != nil {
			return err
		}
		cur, err := r.Outbox().Get(ctx, id)
		if err != nil {
			return notFoundAs(err, errMailNotFound(id))
		}
		if cur.Status == outbox.Failed && cur.Payload == nil {
			return portalerr.New(portalerr.FailedPrecondition,
				"mail message %s cannot be retried: its link expired and its content was erased; resend the invitation or ask for a new link instead", id)
		}
		out, err = r.Outbox().Retry(ctx, id, p.timestamp())
		if errors.Is(err, storage.ErrConflict) {
			cur, gerr := r.Outbox().Get(ctx, id)
			if gerr != nil {
				return gerr
			}
			return portalerr.New(portalerr.FailedPrecondition, "mail message %s is %s; only failed messages are retried", id, cur.Status)
		}
		if err != nil {
			return notFoundAs(err, errMailNotFound(id))
		}
		markQueued(r)
		return p.record(ctx, r, a.who.Actor(), "mail.retried", out.CustomerID, string(id), out)
	})
	out.Payload = nil
	return out, err
}

// MailTemplateParams are an override of one kind of message: each part
// that is not empty replaces the default (see mailer.Override for the
// placeholders). Parts are templates of at most 64 KiB.
type MailTemplateParams struct {
	Subject string `json:"subject" validate:"max=65536"`
	Text    string `json:"text" validate:"max=65536"`
	HTML    string `json:"html" validate:"max=65536"`
}

func (m MailTemplateParams) override() mailer.Override {
	return mailer.Override{Subject: m.Subject, Text: m.Text, HTML: m.HTML}
}

// checkTemplateKey checks that kind and locale name a default template.
func checkTemplateKey(kind mailer.Kind, locale string) error {
	var v []portalerr.FieldViolation
	if !slices.Contains(mailer.Kinds(), kind) {
		v = append(v, portalerr.FieldViolation{Field: "kind", Message: fmt.Sprintf("must be one of %s", joinKinds(mailer.Kinds()))})
	}
	if !slices.Contains(mailer.Locales(), locale) {
		v = append(v, portalerr.FieldViolation{Field: "locale", Message: fmt.Sprintf("must be one of %s", strings.Join(mailer.Locales(), ", "))})
	}
	return portalerr.InvalidFields(v...)
}

func joinKinds(ks []mailer.Kind) string {
	s := make([]string, len(ks))
	for i, k := range ks {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}

// checkOverride checks the key and the override: each part must parse,
// keep to what mailer.Override allows, render with sample data in every
// locale within mailer.MaxRenderedLen and, for kinds whose purpose is a
// link, contain {{.Link}} in the text and HTML parts. The violations name
// "kind", "locale", "subject", "text" or "html". Callers authorize first:
// checking renders the override.
func (p *Portal) checkOverride(kind mailer.Kind, locale string, params MailTemplateParams) error {
	if err := mergeInvalid(checkTemplateKey(kind, locale), validStruct(params)); err != nil {
		return err
	}
	return p.mail.templates.Validate(kind, params.override())
}

func errTemplateNotFound(cid customer.ID, kind mailer.Kind, locale string) error {
	return portalerr.New(portalerr.NotFound, "customer %s has no override of the %s mail in %q", cid, kind, locale)
}

// ListMailTemplates lists a customer's template overrides by kind and
// locale. Staff (agents and up) may call it.
func (p *Portal) ListMailTemplates(ctx context.Context, cid customer.ID) ([]customer.MailTemplate, error) {
	var out []customer.MailTemplate
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActMailRead, cid, ""); err != nil {
			return err
		}
		if _, err := getCustomer(ctx, r, cid); err != nil {
			return err
		}
		var err error
		out, err = r.MailTemplates().List(ctx, cid)
		return err
	})
	return out, err
}

// GetMailTemplate returns a customer's override of the kind of message in
// the locale; NotFound when the customer uses the default. Staff (agents
// and up) may call it.
func (p *Portal) GetMailTemplate(ctx context.Context, cid customer.ID, kind mailer.Kind, locale string) (customer.MailTemplate, error) {
	if err := checkTemplateKey(kind, locale); err != nil {
		return customer.MailTemplate{}, err
	}
	var out customer.MailTemplate
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActMailRead, cid, ""); err != nil {
			return err
		}
		if _, err := getCustomer(ctx, r, cid); err != nil {
			return err
		}
		var err error
		out, err = r.MailTemplates().Get(ctx, cid, string(kind), locale)
		return notFoundAs(err, errTemplateNotFound(cid, kind, locale))
	})
	return out, err
}

// PutMailTemplate saves a customer's override of the kind of message in
// the locale, replacing the one before: the outbox worker renders the
// customer's messages of that kind to recipients of that locale with it.
// Staff admins and owners may call it; it is recorded in the audit log.
// An override that does not parse, does not render, or lacks the link
// ({{.Link}}) its kind needs is refused with Invalid naming "subject",
// "text" or "html"; one with no part at all with Invalid too (delete the
// override to go back to the defaults). Nothing is written then. The
// caller is authorized before the override is looked at.
func (p *Portal) PutMailTemplate(ctx context.Context, cid customer.ID, kind mailer.Kind, locale string, params MailTemplateParams) (customer.MailTemplate, error) {
	var out customer.MailTemplate
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActMailTemplate, cid, "")
		if err != nil {
			return err
		}
		// Rendering is bounded, so checking within the transaction holds
		// it only briefly.
		if err := p.checkOverride(kind, locale, params); err != nil {
			return err
		}
		if params.override().IsZero() {
			return portalerr.Invalidf("text", "an override needs a subject, a text or an HTML part; delete it to use the defaults")
		}
		if _, err := getCustomer(ctx, r, cid); err != nil {
			return err
		}
		now := p.timestamp()
		out, err = r.MailTemplates().Put(ctx, customer.MailTemplate{
			CustomerID: cid, Kind: string(kind), Locale: locale,
			Subject: params.Subject, Text: params.Text, HTML: params.HTML,
			UpdatedBy: a.who.Actor(), CreatedAt: now, UpdatedAt: now,
		})
		if err != nil {
			return err
		}
		return p.record(ctx, r, a.who.Actor(), "mail_template.saved", cid, templateObject(kind, locale), out)
	})
	return out, err
}

// DeleteMailTemplate removes a customer's override, so that its messages
// of that kind and locale use the defaults again. Staff admins and owners
// may call it; it is recorded in the audit log. NotFound when there is no
// such override.
func (p *Portal) DeleteMailTemplate(ctx context.Context, cid customer.ID, kind mailer.Kind, locale string) error {
	if err := checkTemplateKey(kind, locale); err != nil {
		return err
	}
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActMailTemplate, cid, "")
		if err != nil {
			return err
		}
		if _, err := getCustomer(ctx, r, cid); err != nil {
			return err
		}
		gone, err := r.MailTemplates().Get(ctx, cid, string(kind), locale)
		if err != nil {
			return notFoundAs(err, errTemplateNotFound(cid, kind, locale))
		}
		if err := r.MailTemplates().Delete(ctx, cid, string(kind), locale); err != nil {
			return notFoundAs(err, errTemplateNotFound(cid, kind, locale))
		}
		return p.record(ctx, r, a.who.Actor(), "mail_template.deleted", cid, templateObject(kind, locale), gone)
	})
}

// templateObject names an override in the audit log.
func templateObject(kind mailer.Kind, locale string) string {
	return "mail_template:" + string(kind) + "/" + locale
}

// PreviewMailTemplate renders the kind of message in the locale as the
// customer's people would get it with params as its override (empty parts
// keep the defaults), with sample data, the customer's name and its
// branding (links on its host name, while it is active): what staff
// look at before they save. It stores nothing. Staff (agents and up) may
// call it. Invalid as for PutMailTemplate, except that an empty override
// previews the defaults. The caller is authorized before the override is
// looked at.
func (p *Portal) PreviewMailTemplate(ctx context.Context, cid customer.ID, kind mailer.Kind, locale string, params MailTemplateParams) (mailer.Content, error) {
	var c customer.Customer
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActMailRead, cid, ""); err != nil {
			return err
		}
		if err := p.checkOverride(kind, locale, params); err != nil {
			return err
		}
		var err error
		c, err = getCustomer(ctx, r, cid)
		return err
	})
	if err != nil {
		return mailer.Content{}, err
	}
	data := mailer.SampleData(kind)
	data.CustomerID, data.CustomerName = string(c.ID), c.Name
	t := p.mail.templates
	if b := p.brandingOf(c); b.CustomerID != "" {
		if bt, err := t.WithBranding(b.mailBranding()); err == nil {
			t = bt
		}
	}
	return t.Render(kind, locale, data, params.override())
}
