package mailer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"net/url"
	"strconv"
	"strings"
	"time"

	mail "github.com/wneessen/go-mail"

	"github.com/portalkit/portalkit/portalerr"
)

// Default SMTP timeouts.
const (
	DefaultDialTimeout = 10 * time.Second
	DefaultSendTimeout = 60 * time.Second
)

// Connection security of an SMTP server.
const (
	securityStartTLS = "starttls" // plain connection upgraded with STARTTLS, which is required
	securityTLS      = "tls"      // implicit TLS from the first byte (smtps://)
	securityNone     = "none"     // no encryption, for local servers
)

// authTypes are the values of the auth URL parameter.
var authTypes = map[string]mail.SMTPAuthType{
	"plain":         mail.SMTPAuthPlain,
	"login":         mail.SMTPAuthLogin,
	"cram-md5":      mail.SMTPAuthCramMD5,
	"scram-sha-1":   mail.SMTPAuthSCRAMSHA1,
	"scram-sha-256": mail.SMTPAuthSCRAMSHA256,
	"xoauth2":       mail.SMTPAuthXOAUTH2,
}

// SMTP is a Mailer that delivers through an SMTP server. Every Send opens
// its own connection, so an SMTP is safe for concurrent use and recovers
// from a server restart without help.
type SMTP struct {
	host        string
	port        int
	security    string
	user, pass  string
	auth        mail.SMTPAuthType // "" with credentials: the strongest the server offers
	helo        string
	tlsConfig   *tls.Config
	dialTimeout time.Duration
	sendTimeout time.Duration
}

var _ Mailer = (*SMTP)(nil)

// SMTPOption configures an SMTP Mailer.
type SMTPOption func(*SMTP)

// WithDialTimeout limits how long connecting to the server (TCP and, for
// smtps, the TLS handshake) may take. Default DefaultDialTimeout.
func WithDialTimeout(d time.Duration) SMTPOption { return func(s *SMTP) { s.dialTimeout = d } }

// WithSendTimeout limits one whole Send, connecting included. A deadline
// on Send's ctx that comes sooner wins. Default DefaultSendTimeout.
func WithSendTimeout(d time.Duration) SMTPOption { return func(s *SMTP) { s.sendTimeout = d } }

// WithTLSConfig sets the TLS configuration for STARTTLS and smtps, for
// example to trust a private CA. ServerName defaults to the URL's host.
func WithTLSConfig(c *tls.Config) SMTPOption { return func(s *SMTP) { s.tlsConfig = c } }

// WithHELO sets the name the client introduces itself with. Default: the
// machine's host name.
func WithHELO(name string) SMTPOption { return func(s *SMTP) { s.helo = name } }

// NewSMTP returns a Mailer that delivers through the SMTP server rawURL names:
//
//	smtp://user:pass@host:587                 STARTTLS, required (the default for smtp://)
//	smtp://user:pass@host:587?tls=starttls    the same, spelled out
//	smtps://user:pass@host:465                implicit TLS
//	smtp://localhost:1025?tls=none            no encryption, for a local server
//
// The port defaults to 587 (STARTTLS), 465 (smtps) or 25 (tls=none). With a
// user name, the client authenticates with the strongest mechanism the
// server offers, or the one named by ?auth= (plain, login, cram-md5,
// scram-sha-1, scram-sha-256, xoauth2). PLAIN and LOGIN are refused on an
// unencrypted connection to anything but localhost. Percent-encode
// special characters in the user name and password.
//
// NewSMTP does not connect. A malformed URL is a portalerr Invalid error
// on the field "smtp_url"; its text never contains the password.
func NewSMTP(rawURL string, opts ...SMTPOption) (*SMTP, error) {
	invalid := func(format string, args ...any) error {
		return portalerr.Invalidf("smtp_url", format, args...)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error repeats the URL, password included: do not wrap it.
		return nil, invalid("is not a URL")
	}
	s := &SMTP{host: u.Hostname(), dialTimeout: DefaultDialTimeout, sendTimeout: DefaultSendTimeout}
	q := u.Query()
	for name := range q {
		if name != "tls" && name != "auth" {
			return nil, invalid("unknown parameter %q", name)
		}
	}
	switch u.Scheme {
	case "smtp":
		switch t := q.Get("tls"); t {
		case "", securityStartTLS:
			s.security, s.port = securityStartTLS, 587
		case securityNone:
			s.security, s.port = securityNone, 25
		default:
			return nil, invalid("tls=%q: want starttls or none", t)
		}
	case "smtps":
		if q.Has("tls") {
			return nil, invalid("tls= is for smtp:// URLs; smtps:// is always implicit TLS")
		}
		s.security, s.port = securityTLS, 465
	default:
		return nil, invalid("scheme must be smtp or smtps")
	}
	if s.host == "" {
		return nil, invalid("host is required")
	}
	if u.Path != "" && u.Path != "/" {
		return nil, invalid("must not have a path")
	}
	if p := u.Port(); p != "" {
		port, err := strconv.Atoi(p)
		if err != nil || port < 1 || port > 65535 {
			return nil, invalid("port %q is not a port number", p)
		}
		s.port = port
	}
	if u.User != nil {
		s.user = u.User.Username()
		s.pass, _ = u.User.Password()
	}
	if a := q.Get("auth"); a != "" {
		t, ok := authTypes[strings.ToLower(a)]
		if !ok {
			return nil, invalid("auth=%q is not a supported mechanism", a)
		}
		if s.user == "" {
			return nil, invalid("auth= needs a user name")
		}
		s.auth = t
	}
	for _, opt := range opts {
		opt(s)
	}
	if s.dialTimeout <= 0 || s.sendTimeout <= 0 {
		return nil, portalerr.New(portalerr.Invalid, "mailer: timeouts must be positive")
	}
	if s.tlsConfig == nil {
		s.tlsConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	} else {
		s.tlsConfig = s.tlsConfig.Clone()
	}
	if s.tlsConfig.ServerName == "" {
		s.tlsConfig.ServerName = s.host
	}
	return s, nil
}

// String describes the server for logs, without the password.
func (s *SMTP) String() string {
	u := url.URL{Scheme: "smtp", Host: net.JoinHostPort(s.host, strconv.Itoa(s.port))}
	if s.security == securityTLS {
		u.Scheme = "smtps"
	} else {
		u.RawQuery = "tls=" + s.security
	}
	if s.user != "" {
		u.User = url.User(s.user)
	}
	return u.String()
}

// Send delivers msg to the server. It returns nil once the server has
// accepted the message, even if closing the connection fails afterwards,
// so that a retrying caller does not send it twice. Every error is a
// *SendError:
//   - an invalid msg: Permanent, wrapping a portalerr Invalid error;
//   - a 5xx reply to the sender, a recipient or the data: Permanent;
//   - a 4xx reply, a network error, a timeout or a cancelled ctx (then
//     errors.Is(err, ctx.Err()) holds): temporary;
//   - any reply while greeting, starting TLS or authenticating: temporary
//     even if 5xx, because it is about the server or its configuration,
//     not this message, and the message goes through once that is fixed.
func (s *SMTP) Send(ctx context.Context, msg Message) error {
	if err := msg.Validate(); err != nil {
		return &SendError{Permanent: true, Err: err}
	}
	m, err := s.build(msg)
	if err != nil {
		return &SendError{Permanent: true, Err: err}
	}

	ctx, cancel := context.WithTimeout(ctx, s.sendTimeout)
	defer cancel()
	var cleanups []func()
	defer func() {
		for _, f := range cleanups {
			f()
		}
	}()
	dial := func(dialCtx context.Context, network, addr string) (net.Conn, error) {
		d := net.Dialer{Timeout: s.dialTimeout}
		c, err := d.DialContext(dialCtx, network, addr)
		if err != nil {
			return nil, err
		}
		// go-mail bounds each read and write by its own timeout but only
		// uses ctx to dial: closing the connection is what makes a
		// cancelled or expired ctx stop a conversation in progress.
		stop := context.AfterFunc(ctx, func() { _ = c.Close() })
		cleanups = append(cleanups, func() {
			stop()
			// go-mail leaves the connection open when the greeting or
			// authentication fails.
			_ = c.Close()
		})
		if s.security != securityTLS {
			return c, nil
		}
		tc := tls.Client(c, s.tlsConfig)
		if err := tc.HandshakeContext(dialCtx); err != nil {
			return nil, err
		}
		return tc, nil
	}

	client, err := mail.NewClient(s.host, s.clientOptions(dial)...)
	if err != nil {
		return &SendError{Err: fmt.Errorf("configure client: %w", err)}
	}
	err = client.DialAndSendWithContext(ctx, m)
	if m.IsDelivered() {
		return nil
	}
	if err == nil {
		return &SendError{Err: errors.New("server did not confirm delivery")}
	}
	return classify(ctx, err)
}

func (s *SMTP) clientOptions(dial mail.DialContextFunc) []mail.Option {
	opts := []mail.Option{
		mail.WithPort(s.port),
		mail.WithDialContextFunc(dial),
		// go-mail's deadline for each command is only a backstop: ctx, which
		// expires first, bounds the whole Send and makes the error say so.
		mail.WithTimeout(s.sendTimeout + time.Second),
		mail.WithTLSConfig(s.tlsConfig),
	}
	switch s.security {
	case securityTLS:
		// The dial function does the TLS handshake; WithSSL stops go-mail
		// from trying STARTTLS on top.
		opts = append(opts, mail.WithSSL())
	case securityStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case securityNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if s.helo != "" {
		opts = append(opts, mail.WithHELO(s.helo))
	}
	if s.user != "" {
		opts = append(opts, mail.WithUsername(s.user), mail.WithPassword(s.pass))
		if s.auth != "" {
			opts = append(opts, mail.WithSMTPAuth(s.auth))
		} else {
			opts = append(opts, mail.WithOpportunisticSMTPAuth(
				mail.SMTPAuthSCRAMSHA256, mail.SMTPAuthSCRAMSHA1, mail.SMTPAuthCramMD5,
				mail.SMTPAuthPlain, mail.SMTPAuthLogin))
		}
	}
	return opts
}

// build turns msg, already validated, into a go-mail message.
func (s *SMTP) build(msg Message) (*mail.Msg, error) {
	m := mail.NewMsg(mail.WithNoDefaultUserAgent())
	if err := m.From(msg.From); err != nil {
		return nil, portalerr.Invalidf("from", "%v", err)
	}
	if err := m.To(msg.To...); err != nil {
		return nil, portalerr.Invalidf("to", "%v", err)
	}
	if msg.ReplyTo != "" {
		if err := m.ReplyTo(msg.ReplyTo); err != nil {
			return nil, portalerr.Invalidf("reply_to", "%v", err)
		}
	}
	m.Subject(msg.Subject)
	if msg.MessageID != "" {
		m.SetMessageIDWithValue(msg.MessageID)
	}
	for name, value := range msg.Headers {
		m.SetGenHeader(mail.Header(textproto.CanonicalMIMEHeaderKey(name)), value)
	}
	switch {
	case msg.Text != "" && msg.HTML != "":
		m.SetBodyString(mail.TypeTextPlain, msg.Text)
		m.AddAlternativeString(mail.TypeTextHTML, msg.HTML)
	case msg.Text != "":
		m.SetBodyString(mail.TypeTextPlain, msg.Text)
	default:
		m.SetBodyString(mail.TypeTextHTML, msg.HTML)
	}
	return m, nil
}

// classify turns an error from go-mail into a *SendError.
func classify(ctx context.Context, err error) *SendError {
	if se, ok := errors.AsType[*mail.SendError](err); ok {
		code := se.ErrorCode()
		switch {
		case code >= 500 && code < 600:
			return &SendError{Permanent: true, Code: code, Err: err}
		case code >= 400 && code < 500:
			return &SendError{Code: code, Err: err}
		}
		switch se.Reason {
		case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
			// The message itself is unusable; no server will take it.
			return &SendError{Permanent: true, Err: err}
		}
	}
	ctxErr := ctx.Err()
	if d, ok := ctx.Deadline(); ok && ctxErr == nil && !time.Now().Before(d) {
		// The connection's deadline fired a moment before ctx's timer.
		ctxErr = context.DeadlineExceeded
	}
	if ctxErr != nil {
		return &SendError{Err: fmt.Errorf("%w: %w", ctxErr, err)}
	}
	var code int
	if te, ok := errors.AsType[*textproto.Error](err); ok {
		code = te.Code
	}
	return &SendError{Code: code, Err: err}
}
