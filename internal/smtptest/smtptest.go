// Package smtptest owns an SMTP server for tests, built on
// github.com/emersion/go-smtp: it runs in the test process on 127.0.0.1,
// keeps every message it accepts, and lets a test refuse, stall or
// authenticate commands, stop the server and start it again on the same
// address. Mail code is tested against a real SMTP conversation with it,
// rather than against a fake of the client.
package smtptest

import (
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/stretchr/testify/require"
)

// Message is one message as the server accepted it.
type Message struct {
	// User is who authenticated, "" without AUTH.
	User string
	From string
	To   []string
	Data []byte
}

// Server is an SMTP server in the test process. Its fields configure it;
// set them in Start's configure function, before it serves. The function
// fields, when set, answer the matching command: an error refuses it (an
// *smtp.SMTPError sets the reply code), nil accepts it. They run on the
// server's goroutines.
type Server struct {
	// Addr is the server's host:port, set by Start and kept by Restart.
	Addr string

	OnRcpt func(to string) error
	OnData func(data []byte) error
	// OnAuth checks credentials; with it, the server offers AUTH PLAIN.
	OnAuth func(user, pass string) error
	// RequireAuth refuses MAIL before a successful AUTH.
	RequireAuth bool
	// TLS, when set, is offered with STARTTLS, or from the first byte
	// with ImplicitTLS.
	TLS         *tls.Config
	ImplicitTLS bool

	mu   sync.Mutex
	msgs []Message
	srv  *smtp.Server
	l    net.Listener
	done chan struct{} // closed when the running server's Serve returns
}

// Start starts a Server on a free port of 127.0.0.1, configured by
// configure (nil for the defaults: accept everything). It stops when the
// test ends.
func Start(t testing.TB, configure func(*Server)) *Server {
	t.Helper()
	s := &Server{}
	if configure != nil {
		configure(s)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.Addr = l.Addr().String()
	s.serve(l)
	t.Cleanup(s.Stop)
	return s
}

func (s *Server) serve(l net.Listener) {
	if s.ImplicitTLS {
		l = tls.NewListener(l, s.TLS)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) {
		return &session{s: s}, nil
	}))
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLSConfig = s.TLS
	done := make(chan struct{})
	s.mu.Lock()
	s.srv, s.l, s.done = srv, l, done
	s.mu.Unlock()
	go func() {
		defer close(done)
		_ = srv.Serve(l)
	}()
}

// Stop shuts the server down, as a mail server that goes away: its
// address refuses connections until Restart. Stopping a stopped server
// does nothing.
func (s *Server) Stop() {
	s.mu.Lock()
	srv, l, done := s.srv, s.l, s.done
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	// Closing the listener too stops a Serve that has not registered it
	// with the server yet.
	_ = srv.Close()
	_ = l.Close()
	<-done
}

// Restart starts a stopped server again on its address.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	l, err := net.Listen("tcp", s.Addr)
	require.NoError(t, err, "listening on %s again", s.Addr)
	s.serve(l)
}

// URL is the server's address as an smtp:// URL without TLS, for
// mailer.NewSMTP.
func (s *Server) URL() string { return "smtp://" + s.Addr + "?tls=none" }

// Messages returns the messages the server accepted, oldest first.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type session struct {
	s    *Server
	user string
	from string
	to   []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.OnAuth == nil {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if err := ss.s.OnAuth(user, pass); err != nil {
			return err
		}
		ss.user = user
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.RequireAuth && ss.user == "" {
		return smtp.ErrAuthRequired
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if ss.s.OnRcpt != nil {
		if err := ss.s.OnRcpt(to); err != nil {
			return err
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if ss.s.OnData != nil {
		if err := ss.s.OnData(data); err != nil {
			return err
		}
	}
	ss.s.mu.Lock()
	defer ss.s.mu.Unlock()
	ss.s.msgs = append(ss.s.msgs, Message{User: ss.user, From: ss.from, To: ss.to, Data: data})
	return nil
}

func (ss *session) Reset()        { ss.from, ss.to = "", nil }
func (ss *session) Logout() error { return nil }

// Reply returns the error a hook answers with to send code, such as 550
// or 451, with an enhanced status code derived from it.
func Reply(code int, message string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: message}
}

// Parsed is a received multipart/alternative message, decoded.
type Parsed struct {
	Header  mail.Header
	Subject string // decoded from its encoded words
	// Parts holds each part's decoded body by media type: "text/plain",
	// "text/html".
	Parts map[string]string
}

// Parse reads data as a multipart/alternative message, failing the test
// when it is not one.
func Parse(t testing.TB, data []byte) Parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	require.NoError(t, err)
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	require.NoError(t, err)
	mediaType, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/alternative", mediaType)
	out := Parsed{Header: msg.Header, Subject: subject, Parts: map[string]string{}}
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
		out.Parts[ct] = string(body)
	}
	return out
}
