package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"sync"
	"time"

	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// Mail defaults.
const (
	defaultMailFrom = "portalkit@localhost"
	// productName brands the messages the reference server sends.
	productName = "portalkit"
	// smtpSendTimeout bounds one message. Mail goes out inside the request
	// that caused it, so it stays well under the HTTP write timeout.
	smtpSendTimeout = 15 * time.Second
)

// newSMTP checks --smtp-url and returns its Mailer. Its errors never
// contain the password.
func newSMTP(rawURL string) (*mailer.SMTP, error) {
	m, err := mailer.NewSMTP(rawURL, mailer.WithSendTimeout(smtpSendTimeout))
	if err != nil {
		if pe, ok := errors.AsType[*portalerr.Error](err); ok && len(pe.Fields) == 1 {
			return nil, fmt.Errorf("--smtp-url: %s", pe.Fields[0].Message)
		}
		return nil, fmt.Errorf("--smtp-url: %w", err)
	}
	return m, nil
}

// checkMailFrom checks --mail-from: an RFC 5322 address, with or without
// a display name.
func checkMailFrom(from string) error {
	if _, err := mail.ParseAddress(from); err != nil {
		return fmt.Errorf("--mail-from %q: want an e-mail address such as %s or \"Portal <portal@example.com>\"", from, defaultMailFrom)
	}
	return nil
}

// smtpNotifier is the portal.Notifier of a reference server with
// --smtp-url: it renders each notification with mailer's default
// templates and sends it through the SMTP server.
//
// It sends synchronously, inside the request that caused the message: a
// slow SMTP server slows that request (by at most smtpSendTimeout), and a
// message that fails is not tried again; portal logs the error, and an
// invitation can be resent. The durable outbox, which retries, arrives
// with the mail issue.
type smtpNotifier struct {
	mailer    mailer.Mailer
	templates *mailer.Templates
	from      string
}

// newSMTPNotifier returns a notifier that sends from from through m, with
// links on publicURL.
func newSMTPNotifier(m mailer.Mailer, from, publicURL string) (*smtpNotifier, error) {
	t, err := mailer.NewTemplates(mailer.TemplateConfig{
		Branding: mailer.Branding{ProductName: productName, PublicBaseURL: publicURL},
	})
	if err != nil {
		return nil, fmt.Errorf("mail templates: %w", err)
	}
	return &smtpNotifier{mailer: m, templates: t, from: from}, nil
}

// Notify renders n and sends it. portal's notification kinds are mailer's
// kinds by name.
func (s *smtpNotifier) Notify(ctx context.Context, n portal.Notification) error {
	c, err := s.templates.Render(mailer.Kind(n.Kind), n.Locale, mailer.Data{
		To:           n.To,
		Token:        n.Token,
		ExpiresAt:    n.ExpiresAt,
		CustomerID:   string(n.CustomerID),
		CustomerName: n.CustomerName,
		Role:         string(n.Role),
		Message:      n.Message,
		Invitee:      n.Subject,
		OrderID:      n.OrderID,
		OrderNumber:  n.OrderNumber,
		Reason:       n.Reason,
	}, mailer.Override{})
	if err != nil {
		return fmt.Errorf("rendering %s: %w", n.Kind, err)
	}
	return s.mailer.Send(ctx, mailer.Message{
		From:      s.from,
		To:        []string{n.To},
		Subject:   c.Subject,
		Text:      c.Text,
		HTML:      c.HTML,
		Headers:   map[string]string{"X-Portalkit-Kind": string(n.Kind)},
		MessageID: rand.Text() + "@portalkit",
	})
}

// outbox is the Notifier the portal gets. It keeps the last token sent to
// each address, so that the demo can print it, and hands each message to
// send: the SMTP notifier with --smtp-url. Until send is set, and without
// --smtp-url, it logs every message with its token instead.
type outbox struct {
	log *slog.Logger
	// send is set, if at all, before the server takes requests.
	send   portal.Notifier
	mu     sync.Mutex
	tokens map[string]string
}

// Notify remembers n's token, if it has one, and sends n, or logs it,
// token included.
func (o *outbox) Notify(ctx context.Context, n portal.Notification) error {
	if n.Token != "" {
		o.mu.Lock()
		if o.tokens == nil {
			o.tokens = map[string]string{}
		}
		o.tokens[n.To] = n.Token
		o.mu.Unlock()
	}
	if o.send != nil {
		return o.send.Notify(ctx, n)
	}
	return portal.LogNotifier(o.log).Notify(ctx, n)
}

// lastToken returns the token last sent to email.
func (o *outbox) lastToken(email string) string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.tokens[email]
}
