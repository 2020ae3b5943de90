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

// outboxSendTimeout is the outbox worker's send timeout: the SMTP
// client's, and a second to notice it.
const outboxSendTimeout = smtpSendTimeout + time.Second

// tokenTap is the portal's Mailer: it hands every message on to next
// (the SMTP server with --smtp-url, else the log, links and their tokens
// included) and, only while the demo seeding asks for it (tap), catches
// the token of the link sent to one address, so that the demo can print an
// invitation's link. Outside a tap it keeps nothing: the server's ordinary
// mail leaves no token in memory.
type tokenTap struct {
	next mailer.Mailer
	mu   sync.Mutex
	// tokens holds, during a tap, the token last sent to each address
	// asked for; nil otherwise.
	tokens map[string]string
}

// Send sends msg through next and, during a tap for one of its
// recipients, keeps the token of its link.
func (t *tokenTap) Send(ctx context.Context, msg mailer.Message) error {
	t.mu.Lock()
	if t.tokens != nil {
		t.catch(msg)
	}
	t.mu.Unlock()
	return t.next.Send(ctx, msg)
}

// catch keeps the token of msg's first link with one, for the recipients
// tapped. t.mu is held.
func (t *tokenTap) catch(msg mailer.Message) {
	for _, l := range msg.Links() {
		u, err := url.Parse(l)
		if err != nil || u.Query().Get("token") == "" {
			continue
		}
		for _, to := range msg.To {
			if _, ok := t.tokens[to]; ok {
				t.tokens[to] = u.Query().Get("token")
			}
		}
		return
	}
}

// tap runs fn, which sends mail, and returns the token of the last link
// sent to the address meanwhile; it forgets it before it returns. It is
// an error when fn fails or sent the address no link.
func (t *tokenTap) tap(to string, fn func() error) (string, error) {
	t.mu.Lock()
	t.tokens = map[string]string{to: ""}
	t.mu.Unlock()
	err := fn()
	t.mu.Lock()
	token := t.tokens[to]
	t.tokens = nil
	t.mu.Unlock()
	if err != nil {
		return "", err
	}
	if token == "" {
		return "", fmt.Errorf("no mail with a link to %s", to)
	}
	return token, nil
}

// newMailer returns the Mailer the configuration asks for: SMTP with
// --smtp-url, else the log.
func newMailer(cfg config, log *slog.Logger) *tokenTap {
	if cfg.smtp != nil {
		return &tokenTap{next: cfg.smtp}
	}
	return &tokenTap{next: mailer.NewLog(log)}
}
