package mailer_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portalerr"
)

func TestMessageValidate(t *testing.T) {
	require.NoError(t, testMessage().Validate())

	tests := []struct {
		name   string
		change func(*mailer.Message)
		fields []string
	}{
		{"no from", func(m *mailer.Message) { m.From = "" }, []string{"from"}},
		{"bad from", func(m *mailer.Message) { m.From = "portal" }, []string{"from"}},
		{"no recipient", func(m *mailer.Message) { m.To = nil }, []string{"to"}},
		{"bad recipient", func(m *mailer.Message) { m.To = []string{"a@example.com", "nope"} }, []string{"to[1]"}},
		{"bad reply-to", func(m *mailer.Message) { m.ReplyTo = "x" }, []string{"reply_to"}},
		{"no subject", func(m *mailer.Message) { m.Subject = " " }, []string{"subject"}},
		{"subject injects a header", func(m *mailer.Message) { m.Subject = "Hi\r\nBcc: x@example.com" }, []string{"subject"}},
		{"no body", func(m *mailer.Message) { m.Text, m.HTML = "", "" }, []string{"text"}},
		{"reserved header", func(m *mailer.Message) { m.Headers = map[string]string{"bcc": "x@example.com"} }, []string{"headers[bcc]"}},
		{"bad header name", func(m *mailer.Message) { m.Headers = map[string]string{"X Kind": "a"} }, []string{"headers[X Kind]"}},
		{"header value injects", func(m *mailer.Message) { m.Headers = map[string]string{"X-Kind": "a\nBcc: x"} }, []string{"headers[X-Kind]"}},
		{"message-id in brackets", func(m *mailer.Message) { m.MessageID = "<a@b>" }, []string{"message_id"}},
		{"message-id without domain", func(m *mailer.Message) { m.MessageID = "abc" }, []string{"message_id"}},
		{"several", func(m *mailer.Message) { m.From, m.To = "", nil }, []string{"from", "to"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage()
			tt.change(&m)
			err := m.Validate()
			require.ErrorIs(t, err, portalerr.ErrInvalid)
			var fields []string
			for _, f := range portalerr.FieldsOf(err) {
				fields = append(fields, f.Field)
			}
			assert.Equal(t, tt.fields, fields)
		})
	}

	m := testMessage()
	m.HTML, m.MessageID, m.ReplyTo, m.Headers = "", "", "", nil
	assert.NoError(t, m.Validate(), "text only, no optional fields")
}

func TestIsPermanent(t *testing.T) {
	tests := []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("connection reset"), false},
		{&mailer.SendError{Code: 451, Err: errors.New("try later")}, false},
		{&mailer.SendError{Permanent: true, Code: 550, Err: errors.New("no such user")}, true},
		{fmt.Errorf("outbox: send: %w", &mailer.SendError{Permanent: true, Code: 554, Err: errors.New("spam")}), true},
		{portalerr.Invalidf("to", "is required"), true},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, mailer.IsPermanent(tt.err), "IsPermanent(%v)", tt.err)
	}
}

func TestMessageLinks(t *testing.T) {
	m := mailer.Message{
		Text: "Accept: https://p.example/accept?token=a.\nAgain (https://p.example/accept?token=a) or http://p.example/help, please.",
		HTML: `<a href="https://ignored.example">x</a>`,
	}
	assert.Equal(t, []string{"https://p.example/accept?token=a", "http://p.example/help"}, m.Links())

	m = mailer.Message{HTML: `<a href="https://p.example/x?a=1&amp;b=2">go</a>`}
	assert.Equal(t, []string{"https://p.example/x?a=1&b=2"}, m.Links(), "HTML only: from the HTML, unescaped")
}

func TestLogWritesMessageWithLinks(t *testing.T) {
	var buf bytes.Buffer
	m := mailer.NewLog(slog.New(slog.NewJSONHandler(&buf, nil)))

	require.NoError(t, m.Send(t.Context(), testMessage()))

	var rec struct {
		Msg       string   `json:"msg"`
		To        []string `json:"to"`
		Subject   string   `json:"subject"`
		MessageID string   `json:"message_id"`
		Links     []string `json:"links"`
	}
	require.NoError(t, json.Unmarshal(buf.Bytes(), &rec), buf.String())
	assert.Equal(t, "mailer: message", rec.Msg)
	assert.Equal(t, []string{"jane.doe@example.com"}, rec.To)
	assert.Equal(t, "Einladung für Müller & Söhne", rec.Subject)
	assert.Equal(t, "out_0190c3a4@portal.acme.example", rec.MessageID)
	assert.Equal(t, []string{"https://portal.acme.example/accept?token=pk_abc"}, rec.Links)

	invalid := testMessage()
	invalid.To = nil
	assert.ErrorIs(t, m.Send(t.Context(), invalid), portalerr.ErrInvalid)
}
