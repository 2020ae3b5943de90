package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/mailer"
)

// smtpMessage is one message as the test SMTP server received it.
type smtpMessage struct {
	user string // who authenticated
	from string
	to   []string
	data []byte
}

// startSMTP starts an SMTP server without TLS on 127.0.0.1 that accepts
// user/pass with AUTH PLAIN and hands every message it receives to the
// returned channel. It returns its address.
func startSMTP(t *testing.T, user, pass string) (string, <-chan smtpMessage) {
	t.Helper()
	got := make(chan smtpMessage, 10)
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &smtpSession{user: user, pass: pass, got: got}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return l.Addr().String(), got
}

type smtpSession struct {
	user, pass string
	got        chan<- smtpMessage
	msg        smtpMessage
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.user || pass != s.pass {
			return errors.New("bad credentials")
		}
		s.msg.user = user
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if s.msg.user == "" {
		return smtp.ErrAuthRequired
	}
	s.msg.from = from
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.msg.to = append(s.msg.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.msg
	m.data = data
	s.got <- m
	return nil
}

func (s *smtpSession) Reset()        { s.msg = smtpMessage{user: s.msg.user} }
func (s *smtpSession) Logout() error { return nil }

// mailParts reads a received message: its header, its decoded subject and
// the decoded body of each part by content type.
func mailParts(t *testing.T, data []byte) (mail.Header, string, map[string]string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	bodies := map[string]string{}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart() // decodes quoted-printable itself
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		ct, _, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		require.NoError(t, err)
		var r io.Reader = p
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		body, err := io.ReadAll(r)
		require.NoError(t, err)
		bodies[ct] = string(body)
	}
	return msg.Header, subject, bodies
}

// TestRunMailsInvitation starts the real server with --smtp-url and
// follows the invitation a new customer's first user gets by mail.
func TestRunMailsInvitation(t *testing.T) {
	const password = "s3cr3t:pw"
	addr, got := startSMTP(t, "portal", password)
	smtpURL := (&url.URL{Scheme: "smtp", Host: addr, User: url.UserPassword("portal", password), RawQuery: "tls=none"}).String()
	s := start(t, t.TempDir(), "--smtp-url", smtpURL, "--mail-from", "Acme Portal <portal@acme.example>")
	require.NotEmpty(t, s.key, s.output())
	assert.Contains(t, s.output(), "Mail goes through smtp://portal@"+addr+"?tls=none")
	assert.NotContains(t, s.output(), password, "the SMTP password is never printed")

	staff, err := client.New(s.url, client.WithAPIKey(s.key))
	require.NoError(t, err)
	_, err = client.Check(staff.CreateCustomerWithResponse(t.Context(), nil, client.CreateCustomerRequest{
		Name:      "Acme GmbH",
		FirstUser: &client.FirstUser{Email: "ada@acme.example"},
	}))
	require.NoError(t, err)

	var m smtpMessage
	select {
	case m = <-got:
	case <-time.After(30 * time.Second):
		t.Fatalf("no message within 30s:\n%s", s.output())
	}
	assert.Equal(t, "portal", m.user)
	assert.Equal(t, "portal@acme.example", m.from)
	assert.Equal(t, []string{"ada@acme.example"}, m.to)
	header, subject, bodies := mailParts(t, m.data)
	to, err := header.AddressList("To")
	require.NoError(t, err)
	require.Len(t, to, 1)
	assert.Equal(t, "ada@acme.example", to[0].Address)
	from, err := header.AddressList("From")
	require.NoError(t, err)
	assert.Equal(t, []*mail.Address{{Name: "Acme Portal", Address: "portal@acme.example"}}, from)
	assert.Regexp(t, `^<out_[^@<>]+@127\.0\.0\.1>$`, header.Get("Message-Id"), "the outbox ID at the public host")
	assert.Equal(t, "invitation", header.Get("X-Portalkit-Kind"))
	assert.NotEmpty(t, strings.TrimSpace(subject))
	text, html := bodies["text/plain"], bodies["text/html"]
	require.NotEmpty(t, text, "a text part")
	require.NotEmpty(t, html, "an HTML part")

	// The link is on the server's public URL and carries the invitation token.
	var link string
	for _, l := range (mailer.Message{Text: text}).Links() {
		if strings.HasPrefix(l, s.url+"/accept?") {
			link = l
		}
	}
	require.NotEmpty(t, link, "an /accept link on %s in:\n%s", s.url, text)
	u, err := url.Parse(link)
	require.NoError(t, err)
	token := u.Query().Get("token")
	require.True(t, strings.HasPrefix(token, "pi_"), "an invitation token in %s", link)
	assert.Contains(t, html, token)
	assert.NotContains(t, s.output(), token, "with SMTP the token is mailed, not logged")

	name := "Ada"
	anon, err := client.New(s.url)
	require.NoError(t, err)
	in, err := anon.AcceptInvitationWithResponse(t.Context(), client.AcceptInvitationRequest{Token: token, Name: &name})
	require.NoError(t, err)
	require.Equal(t, 201, in.StatusCode(), string(in.Body))
	assert.NotEmpty(t, in.JSON201.Token)

	assert.NoError(t, s.shutdown(t))
}
