package mailer

import (
	"context"
	"html"
	"log/slog"
	"regexp"
	"slices"
	"strings"
)

// Log is a Mailer that writes messages to a logger instead of sending them,
// for development and for a reference server without an SMTP server: the
// links a message carries are in the log, so an invitation can be accepted
// without a mailbox.
type Log struct {
	log *slog.Logger
}

var _ Mailer = (*Log)(nil)

// NewLog returns a Mailer that writes to log.
func NewLog(log *slog.Logger) *Log { return &Log{log: log} }

// Send logs msg at level Info with its recipients, subject, Message-ID and
// links, and its text body at level Debug. An invalid msg is a portalerr
// Invalid error, as with any Mailer.
func (l *Log) Send(ctx context.Context, msg Message) error {
	if err := msg.Validate(); err != nil {
		return err
	}
	l.log.InfoContext(ctx, "mailer: message",
		"to", msg.To, "subject", msg.Subject, "message_id", msg.MessageID, "links", msg.Links())
	l.log.DebugContext(ctx, "mailer: message text", "message_id", msg.MessageID, "text", msg.Text)
	return nil
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"']+`)

// Links returns the http and https links in the message, in order of
// appearance, without duplicates: those of the text body, or of the HTML
// body when there is no text.
func (m Message) Links() []string {
	body := m.Text
	if body == "" {
		body = m.HTML
	}
	var links []string
	for _, l := range linkRE.FindAllString(body, -1) {
		l = strings.TrimRight(l, ".,;:!?)")
		if m.Text == "" {
			l = html.UnescapeString(l)
		}
		if !slices.Contains(links, l) {
			links = append(links, l)
		}
	}
	return links
}
