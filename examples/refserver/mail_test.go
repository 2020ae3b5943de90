package main

import (
	"errors"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/internal/smtptest"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/mailer/mailertest"
)

// TestRunMailsInvitation starts the real server with --smtp-url and
// follows the invitation a new customer's first user gets by mail.
func TestRunMailsInvitation(t *testing.T) {
	t.Parallel()
	const password = "s3cr3t:pw"
	ts := smtptest.Start(t, func(ts *smtptest.Server) {
		ts.RequireAuth = true
		ts.OnAuth = func(user, pass string) error {
			if user != "portal" || pass != password {
				return errors.New("bad credentials")
			}
			return nil
		}
	})
	addr := ts.Addr
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

	// The outbox worker sends it after the request: wait until the server
	// has stored it (at most 30s). A signal from OnData would come too
	// early, before the server stores what the hook accepted.
	require.Eventually(t, func() bool { return len(ts.Messages()) > 0 }, 30*time.Second, 5*time.Millisecond,
		"no message within 30s:\n%s", s.output())
	msgs := ts.Messages()
	require.Len(t, msgs, 1)
	m := msgs[0]
	assert.Equal(t, "portal", m.User)
	assert.Equal(t, "portal@acme.example", m.From)
	assert.Equal(t, []string{"ada@acme.example"}, m.To)
	parsed := smtptest.Parse(t, m.Data)
	header, subject, bodies := parsed.Header, parsed.Subject, parsed.Parts
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

// The tap keeps a token only while the demo asks for one: the server's
// ordinary mail, sent before, after or to someone else, leaves no token
// in memory.
func TestTokenTapKeepsTokensOnlyWhileTapping(t *testing.T) {
	t.Parallel()
	rec := &mailertest.Recorder{}
	tap := &tokenTap{next: rec}
	link := func(to, token string) mailer.Message {
		return mailer.Message{From: "portal@acme.example", To: []string{to}, Subject: "Sign in",
			Text: "Sign in: https://portal.acme.example/login?token=" + token}
	}
	ctx := t.Context()
	require.NoError(t, tap.Send(ctx, link("ada@acme.example", "pl_before")))
	assert.Empty(t, tap.tokens, "nothing kept in normal operation")

	token, err := tap.tap("otto@globex.example", func() error {
		if err := tap.Send(ctx, link("ada@acme.example", "pl_other")); err != nil {
			return err
		}
		return tap.Send(ctx, link("otto@globex.example", "pi_otto"))
	})
	require.NoError(t, err)
	assert.Equal(t, "pi_otto", token)
	assert.Empty(t, tap.tokens, "nothing kept after the tap")

	require.NoError(t, tap.Send(ctx, link("otto@globex.example", "pl_after")))
	assert.Empty(t, tap.tokens, "nothing kept after the tap")
	assert.Equal(t, 4, rec.TotalSent(), "every message is handed on")

	_, err = tap.tap("otto@globex.example", func() error { return nil })
	assert.Error(t, err, "no mail with a link to the address")
}
