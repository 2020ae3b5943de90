package mailer

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strconv"
	"strings"

	"github.com/portalkit/portalkit/portalerr"
)

// Mailer delivers e-mail.
type Mailer interface {
	// Send delivers msg, or returns why it could not. An invalid msg is a
	// portalerr Invalid error; IsPermanent tells a caller whether trying
	// again can help. Send honours ctx's deadline and cancellation.
	Send(ctx context.Context, msg Message) error
}

// Func adapts a function to Mailer.
type Func func(ctx context.Context, msg Message) error

// Send calls f.
func (f Func) Send(ctx context.Context, msg Message) error { return f(ctx, msg) }

// Message is one e-mail. Addresses are RFC 5322 addresses, with or without
// a display name ("Portal <portal@example.com>").
type Message struct {
	From    string
	To      []string
	ReplyTo string // optional
	Subject string
	// Text and HTML are the two bodies; at least one is required. With
	// both, the message is multipart/alternative.
	Text string
	HTML string
	// Headers are extra header fields such as "X-Portalkit-Kind". They may
	// not replace the fields Message sets itself (From, To, Subject, …).
	Headers map[string]string
	// MessageID is the Message-ID without angle brackets, such as
	// "out_0190c3a4@portal.example.com". The caller sets a stable one so
	// that a retried message carries the same ID and receivers can spot the
	// duplicate; empty lets the Mailer make one up.
	MessageID string
}

// reservedHeaders are set from Message's fields or by the MIME writer.
var reservedHeaders = map[string]bool{
	"from": true, "to": true, "cc": true, "bcc": true, "reply-to": true, "subject": true,
	"message-id": true, "date": true, "mime-version": true, "content-type": true,
	"content-transfer-encoding": true, "sender": true, "return-path": true,
}

// Validate reports what is wrong with m as a portalerr Invalid error with
// one violation per bad field, or nil.
func (m Message) Validate() error {
	var v []portalerr.FieldViolation
	bad := func(field, msg string) { v = append(v, portalerr.FieldViolation{Field: field, Message: msg}) }
	checkAddr := func(field, addr string) {
		if _, err := mail.ParseAddress(addr); err != nil {
			bad(field, "is not an e-mail address")
		}
	}
	if m.From == "" {
		bad("from", "is required")
	} else {
		checkAddr("from", m.From)
	}
	if len(m.To) == 0 {
		bad("to", "needs at least one recipient")
	}
	for i, to := range m.To {
		checkAddr("to["+strconv.Itoa(i)+"]", to)
	}
	if m.ReplyTo != "" {
		checkAddr("reply_to", m.ReplyTo)
	}
	switch {
	case strings.TrimSpace(m.Subject) == "":
		bad("subject", "is required")
	case strings.ContainsAny(m.Subject, "\r\n"):
		bad("subject", "must be one line")
	}
	if m.Text == "" && m.HTML == "" {
		bad("text", "a text or an HTML body is required")
	}
	for name, value := range m.Headers {
		field := "headers[" + name + "]"
		switch {
		case !validHeaderName(name):
			bad(field, "is not a valid header name")
		case reservedHeaders[strings.ToLower(name)]:
			bad(field, "is set from the message's fields")
		case strings.ContainsAny(value, "\r\n"):
			bad(field, "must be one line")
		}
	}
	if m.MessageID != "" && !validMessageID(m.MessageID) {
		bad("message_id", `must look like "id@domain", without angle brackets or spaces`)
	}
	return portalerr.InvalidFields(v...)
}

// validHeaderName reports whether name is an RFC 5322 field name: printable
// ASCII without colon or space.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if r <= ' ' || r > '~' || r == ':' {
			return false
		}
	}
	return true
}

func validMessageID(id string) bool {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r > '~' || r == '<' || r == '>' {
			return false
		}
	}
	return true
}

// SendError is a failed delivery. Every error the SMTP Mailer's Send
// returns is a *SendError; its cause stays reachable through errors.Is and
// errors.As (a context.DeadlineExceeded, a portalerr Invalid, …).
type SendError struct {
	// Permanent reports that sending the same message again will fail
	// again: the server refused it with a 5xx reply, or it is invalid.
	Permanent bool
	// Code is the SMTP reply code, such as 550 or 451, or 0 when the
	// failure was not a reply (network error, timeout, invalid message).
	Code int
	Err  error
}

// Error implements error.
func (e *SendError) Error() string {
	kind := "temporary"
	if e.Permanent {
		kind = "permanent"
	}
	if e.Code != 0 {
		return fmt.Sprintf("mailer: %s failure (SMTP %d): %v", kind, e.Code, e.Err)
	}
	return fmt.Sprintf("mailer: %s failure: %v", kind, e.Err)
}

// Unwrap returns the cause.
func (e *SendError) Unwrap() error { return e.Err }

// IsPermanent reports whether err says that a message can never be
// delivered as it is, so that retrying is pointless: a *SendError marked
// Permanent, or a portalerr Invalid error (an invalid Message) from any
// Mailer. Everything else, including nil, is not permanent.
func IsPermanent(err error) bool {
	if se, ok := errors.AsType[*SendError](err); ok {
		return se.Permanent
	}
	return errors.Is(err, portalerr.ErrInvalid)
}
