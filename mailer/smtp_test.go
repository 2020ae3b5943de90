package mailer_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/internal/smtptest"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portalerr"
)

func newSMTP(t *testing.T, rawURL string, opts ...mailer.SMTPOption) *mailer.SMTP {
	t.Helper()
	m, err := mailer.NewSMTP(rawURL, opts...)
	require.NoError(t, err)
	return m
}

func testMessage() mailer.Message {
	return mailer.Message{
		From:      "Acme Portal <portal@acme.example>",
		To:        []string{"jane.doe@example.com"},
		ReplyTo:   "support@acme.example",
		Subject:   "Einladung für Müller & Söhne",
		Text:      "Accept here:\nhttps://portal.acme.example/accept?token=pk_abc\n",
		HTML:      `<p>Accept <a href="https://portal.acme.example/accept?token=pk_abc">here</a>.</p>`,
		Headers:   map[string]string{"X-Portalkit-Kind": "invitation"},
		MessageID: "out_0190c3a4@portal.acme.example",
	}
}

func TestSMTPDeliversMultipartMessage(t *testing.T) {
	ts := smtptest.Start(t, nil)
	m := newSMTP(t, "smtp://"+ts.Addr+"?tls=none")

	require.NoError(t, m.Send(t.Context(), testMessage()))

	msgs := ts.Messages()
	require.Len(t, msgs, 1)
	got := msgs[0]
	assert.Equal(t, "portal@acme.example", got.From)
	assert.Equal(t, []string{"jane.doe@example.com"}, got.To)

	parsed := smtptest.Parse(t, got.Data)
	header, bodies := parsed.Header, parsed.Parts
	assert.Equal(t, "Einladung für Müller & Söhne", parsed.Subject)
	assert.Equal(t, "<out_0190c3a4@portal.acme.example>", header.Get("Message-Id"))
	assert.Equal(t, "invitation", header.Get("X-Portalkit-Kind"))
	assert.Contains(t, header.Get("Reply-To"), "support@acme.example")
	to, err := header.AddressList("To")
	require.NoError(t, err)
	require.Len(t, to, 1)
	assert.Equal(t, "jane.doe@example.com", to[0].Address)

	require.Len(t, bodies, 2)
	assert.Contains(t, bodies["text/plain"], "https://portal.acme.example/accept?token=pk_abc")
	assert.Contains(t, bodies["text/html"], `<a href="https://portal.acme.example/accept?token=pk_abc">here</a>`)
}

// selfSigned returns a server configuration with a certificate for
// 127.0.0.1 and a client configuration that trusts it.
func selfSigned(t *testing.T) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	cert, err := x509.ParseCertificate(der)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	return server, &tls.Config{RootCAs: pool}
}

func TestSMTPEncrypts(t *testing.T) {
	serverTLS, clientTLS := selfSigned(t)
	tests := []struct {
		name     string
		implicit bool
		scheme   string
	}{
		{"STARTTLS", false, "smtp://"},
		{"implicit TLS", true, "smtps://"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var gotPass string
			ts := smtptest.Start(t, func(ts *smtptest.Server) {
				ts.TLS, ts.ImplicitTLS = serverTLS, tt.implicit
				ts.OnAuth = func(_, pass string) error {
					gotPass = pass
					return nil
				}
			})
			m := newSMTP(t, tt.scheme+"user:secret@"+ts.Addr, mailer.WithTLSConfig(clientTLS))

			require.NoError(t, m.Send(t.Context(), testMessage()))
			assert.Len(t, ts.Messages(), 1)
			assert.Equal(t, "secret", gotPass)
		})
	}

	t.Run("STARTTLS required", func(t *testing.T) {
		ts := smtptest.Start(t, nil) // offers no STARTTLS
		m := newSMTP(t, "smtp://"+ts.Addr, mailer.WithTLSConfig(clientTLS))

		err := m.Send(t.Context(), testMessage())

		require.Error(t, err)
		assert.False(t, mailer.IsPermanent(err))
		assert.Empty(t, ts.Messages())
	})
}

func TestSMTPAuthenticates(t *testing.T) {
	var gotUser, gotPass string
	ts := smtptest.Start(t, func(ts *smtptest.Server) {
		ts.OnAuth = func(user, pass string) error {
			gotUser, gotPass = user, pass
			return nil
		}
	})
	u := url.URL{Scheme: "smtp", Host: ts.Addr, User: url.UserPassword("postmaster@acme.example", "p@ss:w/rd"), RawQuery: "tls=none"}
	m := newSMTP(t, u.String())

	require.NoError(t, m.Send(t.Context(), testMessage()))
	assert.Equal(t, "postmaster@acme.example", gotUser)
	assert.Equal(t, "p@ss:w/rd", gotPass)
	assert.Len(t, ts.Messages(), 1)
}

func TestSMTPClassifiesReplies(t *testing.T) {
	reply := func(code int, enhanced smtp.EnhancedCode) error {
		return &smtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: "test says no"}
	}
	tests := []struct {
		name      string
		configure func(*smtptest.Server)
		permanent bool
		code      int
	}{
		{"550 to RCPT", func(ts *smtptest.Server) {
			ts.OnRcpt = func(string) error { return reply(550, smtp.EnhancedCode{5, 1, 1}) }
		}, true, 550},
		{"554 to DATA", func(ts *smtptest.Server) {
			ts.OnData = func([]byte) error { return reply(554, smtp.EnhancedCode{5, 6, 0}) }
		}, true, 554},
		{"451 to DATA", func(ts *smtptest.Server) {
			ts.OnData = func([]byte) error { return reply(451, smtp.EnhancedCode{4, 3, 0}) }
		}, false, 451},
		{"450 to RCPT", func(ts *smtptest.Server) {
			ts.OnRcpt = func(string) error { return reply(450, smtp.EnhancedCode{4, 2, 0}) }
		}, false, 450},
		// A refused login is about the server's configuration, not the
		// message: it goes through once that is fixed.
		{"535 to AUTH", func(ts *smtptest.Server) {
			ts.OnAuth = func(string, string) error { return reply(535, smtp.EnhancedCode{5, 7, 8}) }
		}, false, 535},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := smtptest.Start(t, tt.configure)
			creds := ""
			if ts.OnAuth != nil {
				creds = "user:secret@"
			}
			m := newSMTP(t, "smtp://"+creds+ts.Addr+"?tls=none")

			err := m.Send(t.Context(), testMessage())

			require.Error(t, err)
			assert.Equal(t, tt.permanent, mailer.IsPermanent(err), "IsPermanent(%v)", err)
			se, ok := errors.AsType[*mailer.SendError](err)
			require.True(t, ok, "want a *mailer.SendError, got %T", err)
			assert.Equal(t, tt.code, se.Code)
			assert.NotContains(t, err.Error(), "secret")
			assert.Empty(t, ts.Messages())
		})
	}
}

func TestSMTPServerDownIsTemporary(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	m := newSMTP(t, "smtp://"+addr+"?tls=none")

	err = m.Send(t.Context(), testMessage())

	require.Error(t, err)
	assert.False(t, mailer.IsPermanent(err))
	se, ok := errors.AsType[*mailer.SendError](err)
	require.True(t, ok)
	assert.Zero(t, se.Code)
}

// silentServer accepts connections and never says anything, like a
// server that hangs; it returns its address.
func silentServer(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return l.Addr().String()
}

func TestSMTPHonoursContextDeadline(t *testing.T) {
	m := newSMTP(t, "smtp://"+silentServer(t)+"?tls=none")
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()

	err := m.Send(ctx, testMessage())

	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, mailer.IsPermanent(err))
}

func TestSMTPHonoursSendTimeout(t *testing.T) {
	m := newSMTP(t, "smtp://"+silentServer(t)+"?tls=none", mailer.WithSendTimeout(100*time.Millisecond))

	err := m.Send(t.Context(), testMessage())

	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.False(t, mailer.IsPermanent(err))
}

// A server that stalls in the middle of the conversation is cut off by
// the context too, not only one that never answers.
func TestSMTPCancelStopsConversationInProgress(t *testing.T) {
	inData := make(chan struct{})
	release := make(chan struct{})
	ts := smtptest.Start(t, func(ts *smtptest.Server) {
		ts.OnData = func([]byte) error {
			close(inData)
			<-release
			return nil
		}
	})
	t.Cleanup(func() { close(release) })
	m := newSMTP(t, "smtp://"+ts.Addr+"?tls=none")
	ctx, cancel := context.WithCancel(t.Context())
	go func() {
		<-inData
		cancel()
	}()

	err := m.Send(ctx, testMessage())

	require.Error(t, err)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, mailer.IsPermanent(err))
}

func TestSMTPRefusesInvalidMessage(t *testing.T) {
	ts := smtptest.Start(t, nil)
	m := newSMTP(t, "smtp://"+ts.Addr+"?tls=none")
	msg := testMessage()
	msg.To = nil

	err := m.Send(t.Context(), msg)

	assert.True(t, mailer.IsPermanent(err))
	assert.ErrorIs(t, err, portalerr.ErrInvalid)
	assert.Equal(t, "to", portalerr.FieldsOf(err)[0].Field)
	assert.Empty(t, ts.Messages())
}

func TestNewSMTP(t *testing.T) {
	valid := []struct{ url, want string }{
		{"smtp://mail.example.com", "smtp://mail.example.com:587?tls=starttls"},
		{"smtp://user:pw@mail.example.com:2525?tls=starttls", "smtp://user@mail.example.com:2525?tls=starttls"},
		{"smtps://user:pw@mail.example.com", "smtps://user@mail.example.com:465"},
		{"smtp://localhost?tls=none", "smtp://localhost:25?tls=none"},
		{"smtp://u%40x:p%2Fw@mail.example.com:587?auth=PLAIN", "smtp://u%40x@mail.example.com:587?tls=starttls"},
	}
	for _, tt := range valid {
		t.Run(tt.url, func(t *testing.T) {
			m, err := mailer.NewSMTP(tt.url)
			require.NoError(t, err)
			assert.Equal(t, tt.want, m.String())
			assert.NotContains(t, fmt.Sprint(m), "pw")
		})
	}

	invalid := []string{
		"http://mail.example.com",
		"smtp://",
		"smtp://mail.example.com?tls=maybe",
		"smtps://mail.example.com?tls=none",
		"smtp://mail.example.com:99999",
		"smtp://mail.example.com/path",
		"smtp://mail.example.com?timeout=5s",
		"smtp://mail.example.com?auth=magic",
		"smtp://mail.example.com?auth=plain",
		"smtp://user:s3cret@mail example.com",
	}
	for _, raw := range invalid {
		t.Run(raw, func(t *testing.T) {
			_, err := mailer.NewSMTP(raw)
			require.Error(t, err)
			assert.ErrorIs(t, err, portalerr.ErrInvalid)
			assert.Equal(t, "smtp_url", portalerr.FieldsOf(err)[0].Field)
			assert.NotContains(t, err.Error(), "s3cret")
		})
	}

	_, err := mailer.NewSMTP("smtp://mail.example.com", mailer.WithSendTimeout(0))
	assert.ErrorIs(t, err, portalerr.ErrInvalid)
}

func ExampleNewSMTP() {
	m, err := mailer.NewSMTP("smtp://portal%40acme.example:secret@mail.acme.example:587?tls=starttls",
		mailer.WithSendTimeout(30*time.Second))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m)
	// Output: smtp://portal%40acme.example@mail.acme.example:587?tls=starttls
}
