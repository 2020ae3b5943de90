package portal

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/portalkit/portalkit/customer"
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
	// provider holds Config.MailOverrides: the provider's own texts.
	provider map[mailer.Kind]map[string]mailer.Override
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
	// BatchSize is how many messages one pass claims at most; default 100,
	// at most MaxOutboxBatchSize. A pass that finds a full batch is
	// followed by the next at once, so a backlog drains batch after batch.
	BatchSize int
	// Concurrency is how many messages a pass sends at once; default 8.
	// Each sender takes the next message of the batch as soon as it is
	// done with one, so a slow mail server holds up one sender, not the
	// pass. Messages of one batch may leave in any order; with 1 they
	// leave one after the other, oldest first.
	Concurrency int
	// SendTimeout bounds the sending of one message; default 30 seconds.
	// A message in hand is finished even when the worker is stopped, so it
	// also bounds how long stopping may take.
	SendTimeout time.Duration
	// Lease is how long claimed messages stay reserved for their worker.
	// A worker that dies leaves them to be claimed again once it runs out,
	// so it must be longer than a pass can take when every message takes
	// the whole SendTimeout: more than SendTimeout × (BatchSize +
	// Concurrency − 1) / Concurrency, which is BatchSize × SendTimeout for
	// one sender. Default 10 minutes, or twice that bound when it is
	// longer (with one sender and the other defaults: 100 minutes).
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

// Defaults and bounds of OutboxOptions.
const (
	DefaultOutboxBatchSize   = 100
	DefaultOutboxConcurrency = 8
	DefaultOutboxSendTimeout = 30 * time.Second
	DefaultOutboxLease       = 10 * time.Minute
	DefaultOutboxMaxAttempts = 10
	DefaultOutboxBaseDelay   = 30 * time.Second
	DefaultOutboxMaxDelay    = time.Hour
	DefaultOutboxPoll        = time.Second
	MaxOutboxBatchSize       = 1000
)

// normalize fills in the defaults and checks o (retryPolicy.normalize).
func (o OutboxOptions) normalize() (OutboxOptions, error) {
	rp, err := o.policy().normalize(retryDefaults{
		BatchSize: DefaultOutboxBatchSize, Concurrency: DefaultOutboxConcurrency, MaxAttempts: DefaultOutboxMaxAttempts,
		Timeout: DefaultOutboxSendTimeout, BaseDelay: DefaultOutboxBaseDelay, MaxDelay: DefaultOutboxMaxDelay,
		timeoutField: "send_timeout",
	})
	o.BatchSize, o.Concurrency, o.SendTimeout, o.Lease, o.MaxAttempts = rp.BatchSize, rp.Concurrency, rp.Timeout, rp.Lease, rp.MaxAttempts
	o.BaseDelay, o.MaxDelay, o.Jitter, o.PollInterval = rp.BaseDelay, rp.MaxDelay, rp.Jitter, rp.PollInterval
	return o, err
}

// policy is o's retry policy.
func (o OutboxOptions) policy() retryPolicy {
	return retryPolicy{
		BatchSize: o.BatchSize, Concurrency: o.Concurrency, Timeout: o.SendTimeout, Lease: o.Lease, MaxAttempts: o.MaxAttempts,
		BaseDelay: o.BaseDelay, MaxDelay: o.MaxDelay, Jitter: o.Jitter, PollInterval: o.PollInterval,
	}
}

// Validate checks o as DeliverOutbox and RunOutbox do, with the defaults
// in place of zero fields, so that a program can refuse bad settings
// before it starts a worker. It returns a portalerr Invalid error with a
// violation per bad field: batch_size, concurrency, max_attempts,
// send_timeout, lease, base_delay, max_delay or poll_interval.
func (o OutboxOptions) Validate() error {
	_, err := o.normalize()
	return err
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
	// ended or the store failed.
	Released int
}

var errNoMailer = errors.New("portal: no Config.Mailer: mail stays in the outbox")

// DeliverOutbox is one pass of the outbox worker: it claims up to
// BatchSize due messages and sends them, Concurrency at a time. It renders
// each (the customer's override of the template for the recipient's
// locale, else the default) and sends it through Config.Mailer, then marks
// it sent; a temporary failure makes it due again after a backoff, and a
// permanent one (mailer.IsPermanent, such as a 5xx reply) or the last of
// MaxAttempts marks it failed, for staff to see (ListMail) and retry
// (RetryMail). The marks of messages that finish close together are
// stored in one transaction. It needs no principal.
//
// When ctx ends during a pass, the messages in hand are still sent and
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

// outgoing is a claimed message on its way through a pass.
type outgoing struct {
	m outbox.Message
	n Notification
	// giveUp says why the message fails without being sent.
	giveUp error
	// override is the customer's override it is rendered with.
	override mailer.Override
	// brand is the customer's look it is rendered with; nil for the
	// provider's.
	brand *Branding
	// Filled in by the sender:
	sendErr error
	at      time.Time // when the attempt ended
	// Filled in when the outcome is stored:
	next   time.Time     // when a message that failed temporarily is due again
	status outbox.Status // "" when its lease was lost
}

// deliverOutbox is one pass: claim, read the overrides the batch needs,
// send with opts.Concurrency senders, and store the outcomes as they come
// in, a group per transaction, while the senders go on.
func (p *Portal) deliverOutbox(ctx context.Context, opts OutboxOptions) (OutboxReport, error) {
	if err := ctx.Err(); err != nil {
		return OutboxReport{}, fmt.Errorf("portal: claiming mail: %w", err)
	}
	// The claim runs to its end even when ctx ends meanwhile: a claim that
	// committed while its caller stopped waiting for the answer would hold
	// its messages until the lease ran out (ten minutes by default). The
	// rest of the pass sees ctx and hands them back untried.
	claim := context.WithoutCancel(ctx)
	var batch []outbox.Message
	err := p.store.InTx(claim, func(r storage.Repos) error {
		var err error
		batch, err = r.Outbox().Claim(claim, p.timestamp(), opts.BatchSize, opts.Lease)
		return err
	})
	if err != nil {
		return OutboxReport{}, fmt.Errorf("portal: claiming mail: %w", err)
	}
	rep := OutboxReport{Claimed: len(batch)}
	if len(batch) == 0 {
		return rep, nil
	}
	// The bookkeeping of messages that left must be kept whatever ctx does.
	keep := context.WithoutCancel(ctx)
	out, err := p.prepareMail(keep, batch, opts)
	if err != nil {
		n, rerr := p.releaseMail(keep, batch)
		p.delivered.released.Add(int64(n))
		rep.Released = n
		return rep, errors.Join(err, rerr)
	}

	var (
		next   atomic.Int64 // the index of the next message to send
		failed atomic.Bool  // the store failed or a sender panicked: take no more
		wg     sync.WaitGroup
		done   = make(chan *outgoing, len(out))
		// panicked is what a sender's Mailer panicked with, raised again
		// once the rest of the pass is settled.
		panicked atomic.Pointer[any]
	)
	for range min(opts.Concurrency, len(out)) {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					// The message in hand stays claimed until its lease
					// runs out, as when the process dies.
					panicked.CompareAndSwap(nil, &v)
					failed.Store(true)
				}
			}()
			for ctx.Err() == nil && !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(out) {
					return
				}
				p.sendMail(keep, opts, out[i])
				done <- out[i]
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	// Store outcomes as they arrive: each transaction takes every outcome
	// that came in while the one before it ran.
	var storeErr error
	group := make([]*outgoing, 0, len(out))
	for o := range done {
		group = append(group[:0], o)
	more:
		for {
			select {
			case o, ok := <-done:
				if !ok {
					break more
				}
				group = append(group, o)
			default:
				break more
			}
		}
		if err := p.settleMail(keep, opts, group); err != nil {
			// Their marks are lost: they go again once the lease runs out.
			failed.Store(true)
			storeErr = cmp.Or(storeErr, err)
			continue
		}
		for _, o := range group {
			p.reportMail(keep, o, &rep)
		}
	}
	if taken := min(int(next.Load()), len(out)); taken < len(out) {
		rest := make([]outbox.Message, 0, len(out)-taken)
		for _, o := range out[taken:] {
			rest = append(rest, o.m)
		}
		n, err := p.releaseMail(keep, rest)
		p.delivered.released.Add(int64(n))
		rep.Released += n
		storeErr = cmp.Or(storeErr, err)
	}
	if v := panicked.Load(); v != nil {
		panic(*v)
	}
	return rep, storeErr
}

// overrideKey names a customer's override of one kind of mail in one
// locale.
type overrideKey struct {
	customer customer.ID
	kind     NotificationKind
	locale   string
}

// prepareMail decodes the payloads of a claimed batch and reads, in one
// transaction, the overrides its messages are rendered with and the
// branding of the customers they are about. An error means that the store
// failed.
func (p *Portal) prepareMail(ctx context.Context, batch []outbox.Message, opts OutboxOptions) ([]*outgoing, error) {
	out := make([]*outgoing, len(batch))
	keys := map[overrideKey]mailer.Override{}
	brands := map[customer.ID]*Branding{}
	for i, m := range batch {
		o := &outgoing{m: m}
		if err := json.Unmarshal(m.Payload, &o.n); err != nil {
			o.giveUp = fmt.Errorf("reading the message: %w", err)
		} else if m.Attempts > opts.MaxAttempts {
			// Claimed again and again without an outcome: workers died with
			// it in hand. Whether it left is unknown; sending it once more
			// is not worth another crash.
			o.giveUp = fmt.Errorf("gave up after %d attempts that ended without an outcome", m.Attempts-1)
		} else if k, ok := p.overrideKey(o.n); ok {
			keys[k] = mailer.Override{}
			brands[k.customer] = nil
		}
		out[i] = o
	}
	if len(keys) > 0 {
		err := p.read(ctx, func(r storage.Repos) error {
			for k := range keys {
				mt, err := r.MailTemplates().Get(ctx, k.customer, string(k.kind), k.locale)
				switch {
				case errors.Is(err, storage.ErrNotFound):
				case err != nil:
					return err
				default:
					keys[k] = mailer.Override{Subject: mt.Subject, Text: mt.Text, HTML: mt.HTML}
				}
			}
			// The branding as it is now, not as it was when the message
			// was written: a link on a host name given up meanwhile would
			// lead nowhere.
			for cid := range brands {
				c, err := r.Customers().Get(ctx, cid)
				switch {
				case errors.Is(err, storage.ErrNotFound):
				case err != nil:
					return err
				default:
					if b := p.brandingOf(c); b.CustomerID != "" {
						brands[cid] = &b
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("portal: reading mail template overrides and branding: %w", err)
		}
	}
	for _, o := range out {
		if k, ok := p.overrideKey(o.n); ok && o.giveUp == nil {
			o.override = keys[k]
			o.brand = brands[k.customer]
		}
		if o.override.IsZero() && o.giveUp == nil {
			o.override = p.mail.provider[mailer.Kind(o.n.Kind)][p.mail.templates.Locale(o.n.Locale)]
		}
	}
	return out, nil
}

// overrideKey returns the override n is rendered with, if it may have one.
func (p *Portal) overrideKey(n Notification) (overrideKey, bool) {
	if n.CustomerID == "" || n.Kind == "" {
		return overrideKey{}, false
	}
	return overrideKey{n.CustomerID, n.Kind, p.mail.templates.Locale(n.Locale)}, true
}

// sendMail renders o's message and sends it, unless it is to fail
// unsent, and notes the outcome in o. ctx must outlive the worker's: the
// message in hand is finished.
func (p *Portal) sendMail(ctx context.Context, opts OutboxOptions, o *outgoing) {
	if o.giveUp == nil {
		msg, err := p.renderMail(ctx, o.m, o.n, o.override, o.brand)
		if err != nil {
			o.giveUp = err
		} else {
			sctx, cancel := context.WithTimeout(ctx, opts.SendTimeout)
			o.sendErr = p.mail.mailer.Send(sctx, msg)
			cancel()
		}
	}
	o.at = p.timestamp()
}

// settleMail stores the outcomes of group in one transaction: each
// message is marked sent, failed, or due again after a backoff. A message
// whose lease ran out is left to the claim that took it over (status "").
// An error means that the store failed and none was stored.
func (p *Portal) settleMail(ctx context.Context, opts OutboxOptions, group []*outgoing) error {
	for _, o := range group {
		// The backoff is drawn once, not again when the transaction runs
		// again.
		if o.giveUp == nil && o.sendErr != nil && !mailer.IsPermanent(o.sendErr) && o.m.Attempts < opts.MaxAttempts {
			o.next = o.at.Add(opts.backoff(o.m.Attempts))
		}
	}
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		box := r.Outbox()
		for _, o := range group {
			m := o.m
			var err error
			switch {
			case o.giveUp != nil:
				o.status = outbox.Failed
				_, err = box.MarkFailed(ctx, m.ID, m.Claims, clip(o.giveUp.Error()), o.at)
			case o.sendErr == nil:
				o.status = outbox.Sent
				_, err = box.MarkSent(ctx, m.ID, m.Claims, o.at)
			case mailer.IsPermanent(o.sendErr):
				o.status = outbox.Failed
				_, err = box.MarkFailed(ctx, m.ID, m.Claims, clip(o.sendErr.Error()), o.at)
			case m.Attempts >= opts.MaxAttempts:
				o.status = outbox.Failed
				_, err = box.MarkFailed(ctx, m.ID, m.Claims,
					clip(fmt.Sprintf("gave up after %d attempts: %v", m.Attempts, o.sendErr)), o.at)
			default:
				o.status = outbox.Pending
				_, err = box.Reschedule(ctx, m.ID, m.Claims, o.next, clip(o.sendErr.Error()), o.at)
			}
			switch {
			case errors.Is(err, storage.ErrConflict):
				// Its lease ran out before it was settled; another worker
				// has claimed it and may send it again.
				o.status = ""
			case err != nil:
				return err
			}
		}
		return nil
	})
	if err != nil {
		for _, o := range group {
			p.log.ErrorContext(ctx, "portal: settling mail", "message_id", o.m.ID, "kind", o.m.Kind,
				"attempt", o.m.Attempts, "err", err)
		}
		return fmt.Errorf("portal: settling mail: %w", err)
	}
	return nil
}

// reportMail logs and counts the stored outcome of o.
func (p *Portal) reportMail(ctx context.Context, o *outgoing, rep *OutboxReport) {
	log := p.log.With("message_id", o.m.ID, "kind", o.m.Kind, "attempt", o.m.Attempts)
	switch o.status {
	case outbox.Sent:
		rep.Sent++
		p.delivered.sent.Add(1)
		log.DebugContext(ctx, "portal: mail sent", "to", o.m.Recipient)
	case outbox.Pending:
		rep.Retried++
		p.delivered.retried.Add(1)
		log.WarnContext(ctx, "portal: mail failed; trying again later", "to", o.m.Recipient, "err", o.sendErr)
	case outbox.Failed:
		rep.Failed++
		p.delivered.failed.Add(1)
		log.ErrorContext(ctx, "portal: mail failed for good", "to", o.m.Recipient, "err", errors.Join(o.giveUp, o.sendErr))
	default:
		log.WarnContext(ctx, "portal: mail outlived its lease; it may be sent twice")
	}
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

// renderMail turns claimed message m, about notification n, into mail,
// rendered with the override o, or with the default when o is zero or
// fails with this message's data, and with the customer's look b (nil:
// the provider's). An error means that the message cannot be rendered,
// ever.
func (p *Portal) renderMail(ctx context.Context, m outbox.Message, n Notification, o mailer.Override, b *Branding) (mailer.Message, error) {
	t := p.mail.templates
	kind := mailer.Kind(n.Kind)
	if b != nil {
		bt, err := t.WithBranding(b.mailBranding())
		if err != nil {
			// The customer's branding passed customer.Branding.Validate,
			// whose rules are stricter; the provider's look still works.
			p.log.WarnContext(ctx, "portal: a customer's branding does not render; sending the provider's",
				"message_id", m.ID, "customer", n.CustomerID, "err", err)
		} else {
			t = bt
		}
	}
	locale := t.Locale(n.Locale)
	data := mailer.Data{
		To: n.To, Token: n.Token, ExpiresAt: n.ExpiresAt,
		CustomerID: string(n.CustomerID), CustomerName: n.CustomerName,
		Role: string(n.Role), Message: n.Message, Invitee: n.Invitee,
		OrderID: n.OrderID, OrderNumber: n.OrderNumber, Reason: n.Reason,
		TicketID: n.TicketID, TicketNumber: n.TicketNumber, TicketSubject: n.TicketSubject, TicketStatus: n.TicketStatus,
		WebhookEndpointID: n.EndpointID, WebhookURL: n.EndpointURL,
		RecordID: n.RecordID, RecordTitle: n.RecordTitle, RecordChanges: n.RecordChanges, Approved: n.Approved,
	}
	if n.StaffRole != "" {
		data.Role = string(n.StaffRole)
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
// until ctx ends, then returns nil once the messages in hand are settled.
// It passes again at once after a full batch, so that a backlog drains as
// fast as the senders go, when a use case of this Portal enqueues mail,
// and otherwise every PollInterval. Any number of workers may run, in this
// process or others on the same store: each message is claimed by one at
// a time. A pass that fails (the store is down) is logged and tried again
// at the next poll. RunOutbox returns an error only for bad options or a
// Portal without a Mailer. OutboxStats tells whether it keeps up.
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

// outboxCounts count the messages a Portal's outbox workers settled.
type outboxCounts struct {
	sent, retried, failed, released atomic.Int64
}

// OutboxStats is how the outbox is doing, for monitoring: how much mail
// waits and how late it is, as the store has it (shared by every worker
// on it), and what this Portal's workers have done since New.
type OutboxStats struct {
	// Pending is how many messages wait for their first or their next
	// attempt, due or not.
	Pending int
	// Sending is how many messages workers hold: being sent, or left by a
	// worker that died, until their lease runs out.
	Sending int
	// OldestPendingAge is how long the message that has waited longest
	// since it became due has waited: for a message not tried yet, its
	// age; for one that failed before, the time since its backoff ended;
	// for one left by a dead worker, the time since its lease ran out.
	// Zero when none is due. It grows when the workers fall behind or do
	// not run, and stays low while a message merely waits out its backoff.
	OldestPendingAge time.Duration
	// Sent, Retried, Failed and Released count the messages this Portal's
	// workers marked sent, made due again after a temporary failure,
	// marked failed for good, and handed back untried.
	Sent, Retried, Failed, Released int64
}

// OutboxStats returns the state of the outbox, with Config.Now as the
// present, from one cheap statement (storage.OutboxRepo.Stats) in a
// read-only transaction. It needs no principal: it is for the operator's
// monitoring, and says nothing about any customer. When the store fails it
// returns the error together with this Portal's counts (Sent, Retried,
// Failed, Released), which need no store.
func (p *Portal) OutboxStats(ctx context.Context) (OutboxStats, error) {
	out := OutboxStats{
		Sent: p.delivered.sent.Load(), Retried: p.delivered.retried.Load(),
		Failed: p.delivered.failed.Load(), Released: p.delivered.released.Load(),
	}
	var err error
	out.Pending, out.Sending, out.OldestPendingAge, err = p.queueStats(ctx, "outbox", func(r storage.Repos) (storage.OutboxStats, error) {
		return r.Outbox().Stats(ctx)
	})
	return out, err
}

// queueStats reads the state of a queue (the outbox's or the webhook
// deliveries') with stats, in a read-only transaction: how many rows wait,
// how many workers hold, and how long the oldest due row has waited, with
// Config.Now as the present.
func (p *Portal) queueStats(ctx context.Context, queue string, stats func(storage.Repos) (storage.OutboxStats, error)) (pending, sending int, oldest time.Duration, err error) {
	var st storage.OutboxStats
	err = p.read(ctx, func(r storage.Repos) error {
		var err error
		st, err = stats(r)
		return err
	})
	if err != nil {
		return 0, 0, 0, fmt.Errorf("portal: reading %s stats: %w", queue, err)
	}
	if !st.FirstDue.IsZero() {
		oldest = max(0, p.timestamp().Sub(st.FirstDue))
	}
	return st.Pending, st.Sending, oldest, nil
}
