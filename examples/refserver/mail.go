package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
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
	// smtpSendTimeout bounds one message, and so how long a shutdown waits
	// for the message in hand.
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

// outboxOptions are the reference server's outbox worker settings: the
// defaults, with a send timeout to match the SMTP client's.
var outboxOptions = portal.OutboxOptions{SendTimeout: smtpSendTimeout + time.Second}

// tokenTap is the portal's Mailer: it keeps the token of the last link
// sent to each address, so that the demo can print an invitation's link,
// and hands every message on to next: the SMTP server with --smtp-url,
// else the log, links and their tokens included.
type tokenTap struct {
	next   mailer.Mailer
	mu     sync.Mutex
	tokens map[string]string
}

// Send remembers the token of msg's link and sends msg through next.
func (t *tokenTap) Send(ctx context.Context, msg mailer.Message) error {
	for _, l := range msg.Links() {
		u, err := url.Parse(l)
		if err != nil || u.Query().Get("token") == "" {
			continue
		}
		t.mu.Lock()
		if t.tokens == nil {
			t.tokens = map[string]string{}
		}
		for _, to := range msg.To {
			t.tokens[to] = u.Query().Get("token")
		}
		t.mu.Unlock()
		break
	}
	return t.next.Send(ctx, msg)
}

// lastToken returns the token last sent to email.
func (t *tokenTap) lastToken(email string) string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.tokens[email]
}

// newMailer returns the Mailer the configuration asks for: SMTP with
// --smtp-url, else the log.
func newMailer(cfg config, log *slog.Logger) *tokenTap {
	if cfg.smtp != nil {
		return &tokenTap{next: cfg.smtp}
	}
	return &tokenTap{next: mailer.NewLog(log)}
}
