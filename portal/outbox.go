package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// PrefixOutbox is the prefix of outbox message IDs.
const PrefixOutbox = "out"

// mailSetup is what the outbox worker renders and sends with.
type mailSetup struct {
	mailer    mailer.Mailer // nil: mail waits in the outbox
	templates *mailer.Templates
	from      string
	replyTo   string
	// domain is the right-hand side of Message-IDs: the host of the
	// public base URL.
	domain string
}

// placeholderURL stands in for Branding.PublicBaseURL without a Mailer, so
// that template overrides can still be checked and previewed.
const placeholderURL = "http://localhost"

func newMailSetup(cfg Config) (mailSetup, error) {
	b := cfg.Branding
	if strings.TrimSpace(b.ProductName) == "" {
		b.ProductName = "portalkit"
	}
	if b.PublicBaseURL == "" {
		if cfg.Mailer != nil {
			return mailSetup{}, portalerr.Invalidf("branding.public_base_url", "is required with a Mailer: the links in the mail are built on it")
		}
		b.PublicBaseURL = placeholderURL
	}
	t, err := mailer.NewTemplates(mailer.TemplateConfig{Branding: b, DefaultLocale: cfg.DefaultLocale})
	if err != nil {
		return mailSetup{}, fmt.Errorf("portal: mail templates: %w", err)
	}
	u, err := url.Parse(b.PublicBaseURL)
	if err != nil { // NewTemplates checked it
		return mailSetup{}, fmt.Errorf("portal: mail templates: %w", err)
	}
	s := mailSetup{mailer: cfg.Mailer, templates: t, from: cfg.MailFrom, replyTo: b.SupportEmail, domain: u.Hostname()}
	if s.domain == "" { // "http://:8080"
		s.domain = "localhost"
	}
	if s.from == "" {
		s.from = "noreply@" + s.domain
	}
	if _, err := mail.ParseAddress(s.from); err != nil {
		return mailSetup{}, portalerr.Invalidf("mail_from", "is not an e-mail address")
	}
	return s, nil
}

// OutboxOptions tune the outbox worker. Zero fields take the defaults.
type OutboxOptions struct {
	// BatchSize is how many messages one pass claims at most; default 10.
	BatchSize int
	// SendTimeout bounds the sending of one message; default 30 seconds.
	// A message in hand is finished even when the worker is stopped, so it
	// also bounds how long stopping may take.
	SendTimeout time.Duration
	// Lease is how long claimed messages stay reserved for their worker.
	// A worker that dies leaves them to be claimed again once it runs out,
	// so it must be longer than a pass can take: more than BatchSize times
	// SendTimeout. Default 10 minutes.
	Lease time.Duration
	// MaxAttempts is how often a message is tried before it fails for
	// good, when every attempt fails temporarily; default 10.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the backoff after a temporary failure:
	// after attempt n the message waits a random time between zero and
	// min(MaxDelay, BaseDelay·2ⁿ⁻¹) ("full jitter", so that messages that
	// failed together spread out). Defaults 30 seconds and 1 hour.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// Jitter returns a random duration between 0 and d, inclusive;
	// default uniform from math/rand/v2. Tests make it deterministic.
	Jitter func(d time.Duration) time.Duration
	// PollInterval is how often RunOutbox looks for due messages when no
	// use case of this Portal has woken it; default 1 second.
	PollInterval time.Duration
}

// Defaults of OutboxOptions.
const (
	DefaultOutboxBatchSize   = 10
	DefaultOutboxSendTimeout = 30 * time.Second
	DefaultOutboxLease       = 10 * time.Minute
	DefaultOutboxMaxAttempts = 10
	DefaultOutboxBaseDelay   = 30 * time.Second
	DefaultOutboxMaxDelay    = time.Hour
	DefaultOutboxPoll        = time.Second
)

// normalize fills in the defaults and checks o.
func (o OutboxOptions) normalize() (OutboxOptions, error) {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if o.BatchSize == 0 {
		o.BatchSize = DefaultOutboxBatchSize
	}
	if o.MaxAttempts == 0 {
		o.MaxAttempts = DefaultOutboxMaxAttempts
	}
	def(&o.SendTimeout, DefaultOutboxSendTimeout)
	def(&o.Lease, DefaultOutboxLease)
	def(&o.BaseDelay, DefaultOutboxBaseDelay)
	def(&o.MaxDelay, DefaultOutboxMaxDelay)
	def(&o.PollInterval, DefaultOutboxPoll)
	if o.Jitter == nil {
		o.Jitter = func(d time.Duration) time.Duration { return rand.N(d + 1) }
	}
	var v []portalerr.FieldViolation
	bad := func(field, msg string) { v = append(v, portalerr.FieldViolation{Field: field, Message: msg}) }
	batchOK := o.BatchSize >= 1 && o.BatchSize <= storage.MaxLimit
	if !batchOK {
		bad("batch_size", fmt.Sprintf("must be between 1 and %d", storage.MaxLimit))
	}
	if o.MaxAttempts < 1 {
		bad("max_attempts", "must be at least 1")
	}
	for _, d := range []struct {
		field string
		d     time.Duration
	}{
		{"send_timeout", o.SendTimeout}, {"lease", o.Lease}, {"base_delay", o.BaseDelay},
		{"max_delay", o.MaxDelay}, {"poll_interval", o.PollInterval},
	} {
		if d.d < 0 {
			bad(d.field, "must be positive")
		}
	}
	if o.MaxDelay < o.BaseDelay {
		bad("max_delay", "must be at least base_delay")
	}
	if batchOK && o.Lease <= time.Duration(o.BatchSize)*o.SendTimeout {
		bad("lease", "must be longer than batch_size times send_timeout, or a slow pass loses its messages to another worker")
	}
	return o, portalerr.InvalidFields(v...)
}

// backoff returns how long a message waits after its attempt-th attempt
// failed: a jittered share of BaseDelay doubled per attempt, capped at
// MaxDelay.
func (o OutboxOptions) backoff(attempt int) time.Duration {
	d := o.BaseDelay
	for i := 1; i < attempt && d < o.MaxDelay; i++ {
		if d > o.MaxDelay/2 {
			d = o.MaxDelay
			break
		}
		d *= 2
	}
	d = min(d, o.MaxDelay)
	return max(0, min(o.Jitter(d), d))
}

// OutboxReport is what one pass of the outbox worker did.
type OutboxReport struct {
	// Claimed is how many due messages the pass took; fewer than the batch
	// size means none was left due.
	Claimed int
	Sent    int
	// Retried is how many failed temporarily and wait for another attempt.
	Retried int
	// Failed is how many failed for good: refused by the server, not
	// renderable, or out of attempts.
	Failed int
	// Released is how many the pass handed back untried because its ctx
	// ended.
	Released int
}

var errNoMailer = errors.New("portal: no Config.Mailer: mail stays in the outbox")

// DeliverOutbox is one pass of the outbox worker: it claims up to
// BatchSize due messages and, one after the other, renders each (the
// customer's override of the template for the recipient's locale, else
// the default) and sends it through Config.Mailer, then marks it sent;
// a temporary failure makes it due again after a backoff, and a
// permanent one (mailer.IsPermanent, such as a 5xx reply) or the last of
// MaxAttempts marks it failed, for staff to see (ListMail) and retry
// (RetryMail). It needs no principal.
//
// When ctx ends during a pass, the message in hand is still sent and
// marked (bounded by SendTimeout), and the rest are released untried, so
// stopping a worker loses nothing. Delivery is at least once: a process
// that dies after the mail server accepted a message but before its mark
// is stored sends it again once the lease runs out, with the same
// Message-ID (the outbox ID at the public host), by which receivers can
// tell the duplicate.
//
// It returns an Invalid error for bad options, an error without a Mailer,
// and storage errors; a message that fails is not an error of the pass.
func (p *Portal) DeliverOutbox(ctx context.Context, opts OutboxOptions) (OutboxReport, error) {
	opts, err := opts.normalize()
	if err != nil {
		return OutboxReport{}, err
	}
	if p.mail.mailer == nil {
		return OutboxReport{}, errNoMailer
	}
	return p.deliverOutbox(ctx, opts)
}

func (p *Portal) deliverOutbox(ctx context.Context, opts OutboxOptions) (OutboxReport, error) {
	var batch []outbox.Message
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		var err error
		batch, err = r.Outbox().Claim(ctx, p.timestamp(), opts.BatchSize, opts.Lease)
		return err
	})
	if err != nil {
		return OutboxReport{}, fmt.Errorf("portal: claiming mail: %w", err)
	}
	rep := OutboxReport{Claimed: len(batch)}
	// The bookkeeping of a message that left must be kept whatever ctx does.
	keep := context.WithoutCancel(ctx)
	for i, m := range batch {
		if ctx.Err() != nil {
			n, err := p.releaseMail(keep, batch[i:])
			rep.Released += n
			return rep, err
		}
		outcome, err := p.deliverMail(ctx, opts, m)
		if err != nil {
			// The store failed: the rest of the batch waits for the lease.
			return rep, err
		}
		switch outcome {
		case outbox.Sent:
			rep.Sent++
		case outbox.Pending:
			rep.Retried++
		case outbox.Failed:
			rep.Failed++
		}
	}
	return rep, nil
}

// releaseMail hands claimed messages back untried.
func (p *Portal) releaseMail(ctx context.Context, ms []outbox.Message) (int, error) {
	n := 0
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		n = 0
		for _, m := range ms {
			_, err := r.Outbox().Release(ctx, m.ID, m.Claims, p.timestamp())
			switch {
			case errors.Is(err, storage.ErrConflict):
				// Its lease ran out and another worker has it.
			case err != nil:
				return err
			default:
				n++
			}
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("portal: releasing mail: %w", err)
	}
	return n, nil
}

// maxErrorLen bounds the error kept with a message.
const maxErrorLen = 1000

// deliverMail sends one claimed message and settles it. It returns the
// status it settled the message in ("" when its lease was lost), and an
// error only when the store failed.
func (p *Portal) deliverMail(ctx context.Context, opts OutboxOptions, m outbox.Message) (outbox.Status, error) {
	keep := context.WithoutCancel(ctx)
	log := p.log.With("message_id", m.ID, "kind", m.Kind, "attempt", m.Attempts)
	// giveUp says why the message fails without being sent.
	var giveUp, sendErr error
	var n Notification
	if err := json.Unmarshal(m.Payload, &n); err != nil {
		giveUp = fmt.Errorf("reading the message: %w", err)
	}
	o, err := p.override(keep, n)
	if err != nil {
		// The store failed; the lease brings the message back.
		return "", err
	}
	msg, err := p.renderMail(keep, m, n, o)
	switch {
	case giveUp != nil:
	case err != nil:
		giveUp = err
	case m.Attempts > opts.MaxAttempts:
		// Claimed again and again without an outcome: workers died with it
		// in hand. Whether it left is unknown; sending it once more is not
		// worth another crash.
		giveUp = fmt.Errorf("gave up after %d attempts that ended without an outcome", m.Attempts-1)
	default:
		sctx, cancel := context.WithTimeout(keep, opts.SendTimeout)
		sendErr = p.mail.mailer.Send(sctx, msg)
		cancel()
	}

	now := p.timestamp()
	var status outbox.Status
	werr := p.store.InTx(keep, func(r storage.Repos) error {
		box := r.Outbox()
		switch {
		case giveUp != nil:
			status = outbox.Failed
			_, err = box.MarkFailed(keep, m.ID, m.Claims, clip(giveUp.Error()), now)
		case sendErr == nil:
			status = outbox.Sent
			_, err = box.MarkSent(keep, m.ID, m.Claims, now)
		case mailer.IsPermanent(sendErr):
			status = outbox.Failed
			_, err = box.MarkFailed(keep, m.ID, m.Claims, clip(sendErr.Error()), now)
		case m.Attempts >= opts.MaxAttempts:
			status = outbox.Failed
			_, err = box.MarkFailed(keep, m.ID, m.Claims,
				clip(fmt.Sprintf("gave up after %d attempts: %v", m.Attempts, sendErr)), now)
		default:
			status = outbox.Pending
			_, err = box.Reschedule(keep, m.ID, m.Claims, now.Add(opts.backoff(m.Attempts)), clip(sendErr.Error()), now)
		}
		if errors.Is(err, storage.ErrConflict) {
			return nil // reported below
		}
		return err
	})
	switch {
	case werr != nil:
		log.ErrorContext(keep, "portal: settling mail", "outcome", status, "err", werr)
		return "", fmt.Errorf("portal: settling mail %s: %w", m.ID, werr)
	case errors.Is(err, storage.ErrConflict):
		// Its lease ran out before it was settled; another worker has
		// claimed it and may send it again.
		log.WarnContext(keep, "portal: mail outlived its lease; it may be sent twice", "outcome", status)
		return "", nil
	}
	switch status {
	case outbox.Sent:
		log.DebugContext(keep, "portal: mail sent", "to", m.Recipient)
	case outbox.Pending:
		log.WarnContext(keep, "portal: mail failed; trying again later", "to", m.Recipient, "err", sendErr)
	case outbox.Failed:
		log.ErrorContext(keep, "portal: mail failed for good", "to", m.Recipient, "err", errors.Join(giveUp, sendErr))
	}
	return status, nil
}

// clip shortens an error for storage, at a character boundary.
func clip(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	cut := maxErrorLen
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// override returns the customer's override of the template of n's kind
// for n's locale; the zero Override when there is none.
func (p *Portal) override(ctx context.Context, n Notification) (mailer.Override, error) {
	if n.CustomerID == "" || n.Kind == "" {
		return mailer.Override{}, nil
	}
	var o mailer.Override
	err := p.read(ctx, func(r storage.Repos) error {
		mt, err := r.MailTemplates().Get(ctx, n.CustomerID, string(n.Kind), p.mail.templates.Locale(n.Locale))
		if err != nil {
			return err
		}
		o = mailer.Override{Subject: mt.Subject, Text: mt.Text, HTML: mt.HTML}
		return nil
	})
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return mailer.Override{}, fmt.Errorf("portal: reading a mail template override: %w", err)
	}
	return o, nil
}

// renderMail turns claimed message m, about notification n, into mail,
// rendered with the override o, or with the default when o is zero or
// fails with this message's data. An error means that the message cannot
// be rendered, ever.
func (p *Portal) renderMail(ctx context.Context, m outbox.Message, n Notification, o mailer.Override) (mailer.Message, error) {
	t := p.mail.templates
	kind := mailer.Kind(n.Kind)
	locale := t.Locale(n.Locale)
	data := mailer.Data{
		To: n.To, Token: n.Token, ExpiresAt: n.ExpiresAt,
		CustomerID: string(n.CustomerID), CustomerName: n.CustomerName,
		Role: string(n.Role), Message: n.Message, Invitee: n.Invitee,
		OrderID: n.OrderID, OrderNumber: n.OrderNumber, Reason: n.Reason,
	}
	c, err := t.Render(kind, locale, data, o)
	if err != nil && !o.IsZero() {
		p.log.WarnContext(ctx, "portal: a mail template override fails; sending the default",
			"message_id", m.ID, "customer", n.CustomerID, "kind", kind, "locale", locale, "err", err)
		c, err = t.Render(kind, locale, data, mailer.Override{})
	}
	if err != nil {
		return mailer.Message{}, fmt.Errorf("rendering %s: %w", kind, err)
	}
	return mailer.Message{
		From:      p.mail.from,
		To:        []string{m.Recipient},
		ReplyTo:   p.mail.replyTo,
		Subject:   c.Subject,
		Text:      c.Text,
		HTML:      c.HTML,
		Headers:   map[string]string{"X-Portalkit-Kind": m.Kind},
		MessageID: string(m.ID) + "@" + p.mail.domain,
	}, nil
}

// RunOutbox is the outbox worker: it delivers due messages (DeliverOutbox)
// until ctx ends, then returns nil once the message in hand is settled.
// It passes again at once after a full batch, when a use case of this
// Portal enqueues mail, and otherwise every PollInterval. Any number of
// workers may run, in this process or others on the same store: each
// message is claimed by one at a time. A pass that fails (the store is
// down) is logged and tried again at the next poll. RunOutbox returns an
// error only for bad options or a Portal without a Mailer.
func (p *Portal) RunOutbox(ctx context.Context, opts OutboxOptions) error {
	opts, err := opts.normalize()
	if err != nil {
		return err
	}
	if p.mail.mailer == nil {
		return errNoMailer
	}
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
		case <-p.wake:
		}
		for ctx.Err() == nil {
			rep, err := p.deliverOutbox(ctx, opts)
			if err != nil {
				if ctx.Err() == nil {
					p.log.ErrorContext(ctx, "portal: delivering mail", "err", err)
				}
				break
			}
			if rep.Claimed < opts.BatchSize {
				break
			}
		}
		poll.Reset(opts.PollInterval)
	}
}

// wakeOutbox tells a waiting RunOutbox of this Portal to pass now.
func (p *Portal) wakeOutbox() {
	select {
	case p.wake <- struct{}{}:
	default: // a wake-up is pending already
	}
}
