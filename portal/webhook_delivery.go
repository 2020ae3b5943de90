package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

// WebhookOptions tune the webhook delivery worker. Zero fields take the
// defaults.
type WebhookOptions struct {
	// BatchSize is how many deliveries one pass claims at most; default
	// 50, at most MaxOutboxBatchSize.
	BatchSize int
	// Concurrency is how many requests a pass has in flight; default 8.
	// Deliveries to one endpoint may therefore arrive in any order, and a
	// retry arrives after deliveries written later: receivers must not
	// rely on the order (each event carries its timestamp).
	Concurrency int
	// Timeout bounds one request, answer included; default 15 seconds
	// (the specification suggests 15 to 30). A request that times out is
	// tried again later.
	Timeout time.Duration
	// Lease is how long claimed deliveries stay reserved for their
	// worker; one that dies leaves them to be claimed again once it runs
	// out, and they are sent again with the same webhook-id. Default: 10
	// minutes, or twice the longest a pass can take when that is longer.
	Lease time.Duration
	// MaxAttempts is how often a delivery is tried before it fails for
	// good; default 20, which with the default delays spans about three
	// days.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the backoff after a failed attempt:
	// after attempt n the delivery waits between half and all of
	// min(MaxDelay, BaseDelay·2ⁿ⁻¹), or longer when the receiver asked
	// for it with Retry-After (up to a day). Defaults 5 seconds and 12
	// hours.
	BaseDelay time.Duration
	MaxDelay  time.Duration
	// DisableAfter is how long an endpoint may fail without one success
	// before the worker disables it and tells the staff owners and admins
	// by mail; default 72 hours.
	DisableAfter time.Duration
	// Jitter returns a random duration between 0 and d; default uniform.
	Jitter func(d time.Duration) time.Duration
	// PollInterval is how often RunWebhooks looks for due deliveries when
	// no use case of this Portal has woken it; default 1 second.
	PollInterval time.Duration
}

// Defaults of WebhookOptions.
const (
	DefaultWebhookBatchSize    = 50
	DefaultWebhookConcurrency  = 8
	DefaultWebhookTimeout      = 15 * time.Second
	DefaultWebhookMaxAttempts  = 20
	DefaultWebhookBaseDelay    = 5 * time.Second
	DefaultWebhookMaxDelay     = 12 * time.Hour
	DefaultWebhookDisableAfter = 72 * time.Hour
	// MaxRetryAfter bounds how long a receiver's Retry-After may hold a
	// delivery back.
	MaxRetryAfter = 24 * time.Hour
)

// normalize fills in the defaults and checks o: its retry policy as
// OutboxOptions.normalize checks the outbox's (retryPolicy), and DisableAfter.
func (o WebhookOptions) normalize() (WebhookOptions, error) {
	rp, err := retryPolicy{
		BatchSize: o.BatchSize, Concurrency: o.Concurrency, Timeout: o.Timeout, Lease: o.Lease, MaxAttempts: o.MaxAttempts,
		BaseDelay: o.BaseDelay, MaxDelay: o.MaxDelay, Jitter: o.Jitter, PollInterval: o.PollInterval,
	}.normalize(retryDefaults{
		BatchSize: DefaultWebhookBatchSize, Concurrency: DefaultWebhookConcurrency, MaxAttempts: DefaultWebhookMaxAttempts,
		Timeout: DefaultWebhookTimeout, BaseDelay: DefaultWebhookBaseDelay, MaxDelay: DefaultWebhookMaxDelay,
		timeoutField: "timeout",
	})
	o.BatchSize, o.Concurrency, o.Timeout, o.Lease, o.MaxAttempts = rp.BatchSize, rp.Concurrency, rp.Timeout, rp.Lease, rp.MaxAttempts
	o.BaseDelay, o.MaxDelay, o.Jitter, o.PollInterval = rp.BaseDelay, rp.MaxDelay, rp.Jitter, rp.PollInterval
	if o.DisableAfter == 0 {
		o.DisableAfter = DefaultWebhookDisableAfter
	}
	if o.DisableAfter < 0 {
		err = mergeInvalid(err, portalerr.Invalidf("disable_after", "must be positive"))
	}
	return o, err
}

// Validate checks o as DeliverWebhooks and RunWebhooks do.
func (o WebhookOptions) Validate() error {
	_, err := o.normalize()
	return err
}

// backoff is how long a delivery waits after its attempt-th attempt
// failed: between half and all of BaseDelay doubled per attempt, capped.
func (o WebhookOptions) backoff(attempt int) time.Duration {
	d := o.BaseDelay
	for i := 1; i < attempt && d < o.MaxDelay; i++ {
		d = min(2*d, o.MaxDelay)
	}
	d = min(d, o.MaxDelay)
	return d/2 + max(0, min(o.Jitter(d/2), d/2))
}

// WebhookReport is what one pass of the webhook worker did.
type WebhookReport struct {
	Claimed   int
	Delivered int
	// Retried failed and wait for another attempt.
	Retried int
	// Failed failed for good: refused by the receiver (a 3xx or 4xx other
	// than 429), to a disabled endpoint or a blocked address, or out of
	// attempts.
	Failed int
	// Released were handed back untried (the pass was stopped).
	Released int
}

// webhookCounts count what a Portal's webhook workers settled.
type webhookCounts struct {
	delivered, retried, failed, released atomic.Int64
}

// attempt is one delivery in the hands of a pass.
type attempt struct {
	d        webhook.Delivery
	claim    int
	endpoint *webhook.Endpoint // nil: gone
	// outcome
	code    int
	body    string
	latency time.Duration
	err     error // the request failed (no answer, or a blocked address)
	unsent  bool  // err says why the request was never made
	// retryAfter is what the receiver asked for; zero if nothing.
	retryAfter time.Duration
	at         time.Time
	status     outbox.Status // as stored; "" when the lease ran out
	disabled   bool          // this attempt disabled the endpoint
}

// DeliverWebhooks is one pass of the webhook worker: it claims up to
// BatchSize due deliveries and sends each to its endpoint, Concurrency at
// a time, as a POST of the event's JSON signed per the Standard Webhooks
// specification (webhook.Headers, with every secret that signs now). A 2xx
// answer marks the delivery delivered. A timeout, a failed connection, 429
// or a 5xx makes it due again after a backoff (honouring Retry-After)
// until MaxAttempts; any other answer, a blocked address or a disabled
// endpoint fails it at once, and 410 Gone also disables the endpoint.
// Staff can replay a failed delivery. The outcome, the response code, the
// latency and the first KiB of the answer are kept as the delivery log.
//
// Delivery is at least once: a worker that dies after sending and before
// settling leaves the delivery claimed until its lease runs out, and the
// next claim sends it again with the same webhook-id.
func (p *Portal) DeliverWebhooks(ctx context.Context, opts WebhookOptions) (WebhookReport, error) {
	opts, err := opts.normalize()
	if err != nil {
		return WebhookReport{}, err
	}
	return p.deliverWebhooks(ctx, opts)
}

func (p *Portal) deliverWebhooks(ctx context.Context, opts WebhookOptions) (WebhookReport, error) {
	if err := p.sealStoredSecrets(ctx); err != nil {
		return WebhookReport{}, err
	}
	var rep WebhookReport
	var batch []webhook.Delivery
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		var err error
		batch, err = r.Webhooks().ClaimDeliveries(ctx, p.timestamp(), opts.BatchSize, opts.Lease)
		return err
	})
	if err != nil {
		return rep, fmt.Errorf("portal: claiming webhook deliveries: %w", err)
	}
	rep.Claimed = len(batch)
	if len(batch) == 0 {
		return rep, nil
	}
	keep := context.WithoutCancel(ctx)
	out := make([]*attempt, len(batch))
	eps := map[webhook.EndpointID]*webhook.Endpoint{}
	err = p.read(keep, func(r storage.Repos) error {
		for i, d := range batch {
			out[i] = &attempt{d: d, claim: d.Claims}
			if _, ok := eps[d.EndpointID]; ok {
				continue
			}
			e, err := r.Webhooks().Endpoint(keep, d.EndpointID)
			switch {
			case errors.Is(err, storage.ErrNotFound):
				eps[d.EndpointID] = nil
			case err != nil:
				return err
			default:
				eps[d.EndpointID] = &e
			}
		}
		return nil
	})
	if err != nil {
		n := p.releaseWebhooks(keep, out)
		rep.Released = n
		return rep, fmt.Errorf("portal: reading webhook endpoints: %w", err)
	}
	for _, a := range out {
		a.endpoint = eps[a.d.EndpointID]
	}

	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		panicked atomic.Pointer[any]
		stop     atomic.Bool
		done     = make(chan *attempt, len(out))
	)
	for range min(opts.Concurrency, len(out)) {
		wg.Go(func() {
			defer func() {
				if v := recover(); v != nil {
					// The delivery in hand stays claimed until its lease
					// runs out, as when the process dies.
					panicked.CompareAndSwap(nil, &v)
					stop.Store(true)
				}
			}()
			for ctx.Err() == nil && !stop.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(out) {
					return
				}
				a := out[i]
				p.sendWebhook(keep, opts, a)
				done <- a
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	// Store outcomes as they arrive, each transaction taking every outcome
	// that came in while the one before it ran: on SQLite's one writer,
	// a transaction per delivery would compete with the use cases.
	group := make([]*attempt, 0, len(out))
	for a := range done {
		group = append(group[:0], a)
	more:
		for {
			select {
			case a, ok := <-done:
				if !ok {
					break more
				}
				group = append(group, a)
			default:
				break more
			}
		}
		if err := p.settleWebhooks(keep, opts, group); err != nil {
			// Their outcomes are lost: they go again once the lease runs out.
			p.log.ErrorContext(keep, "portal: settling webhook deliveries", "deliveries", len(group), "err", err)
			continue
		}
		for _, a := range group {
			p.reportWebhook(keep, a, &rep)
		}
	}
	if taken := min(int(next.Load()), len(out)); taken < len(out) && panicked.Load() == nil {
		rep.Released = p.releaseWebhooks(keep, out[taken:])
	}
	if v := panicked.Load(); v != nil {
		panic(*v)
	}
	return rep, nil
}

// sendWebhook makes one attempt of a's delivery and notes the outcome.
func (p *Portal) sendWebhook(ctx context.Context, opts WebhookOptions, a *attempt) {
	defer func() { a.at = p.timestamp() }()
	switch {
	case a.endpoint == nil:
		a.unsent, a.err = true, errors.New("the endpoint was deleted")
		return
	case !a.endpoint.Enabled:
		a.unsent, a.err = true, fmt.Errorf("the endpoint is disabled: %s", a.endpoint.DisabledReason)
		return
	case a.d.Attempts > opts.MaxAttempts:
		a.unsent, a.err = true, fmt.Errorf("gave up after %d attempts that ended without an outcome", a.d.Attempts-1)
		return
	}
	now := p.timestamp()
	secrets, err := p.endpointSecrets(ctx, *a.endpoint, now)
	if err != nil {
		a.unsent, a.err = true, err
		return
	}
	h, err := webhook.Headers(string(a.d.EventID), now, a.d.Body, secrets...)
	if err != nil {
		a.unsent, a.err = true, err
		return
	}
	rctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(rctx, http.MethodPost, a.endpoint.URL, bytes.NewReader(a.d.Body))
	if err != nil {
		a.unsent, a.err = true, err
		return
	}
	req.Header = h
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "portalkit-webhooks")
	start := time.Now()
	res, err := p.hooks.client.Do(req)
	if err != nil {
		a.latency, a.err = time.Since(start), err
		return
	}
	b, _ := io.ReadAll(io.LimitReader(res.Body, webhook.MaxResponseBody+4))
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10)) // let the connection be reused
	res.Body.Close()
	a.latency, a.code, a.body = time.Since(start), res.StatusCode, webhook.ClipBody(b)
	a.retryAfter = retryAfter(res.Header.Get("Retry-After"), now)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return min(time.Duration(s)*time.Second, MaxRetryAfter)
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return min(t.Sub(now), MaxRetryAfter)
	}
	return 0
}

// verdict is what an attempt's outcome means for its delivery.
type verdict int

const (
	delivered verdict = iota
	retry
	fail
	gone // fail, and disable the endpoint
)

func (a *attempt) verdict() verdict {
	switch {
	case a.endpoint == nil || !a.endpoint.Enabled:
		return fail
	case a.err != nil && errors.Is(a.err, webhook.ErrBlockedAddress):
		return fail
	case a.unsent:
		return fail // never sent: a bad request or too many attempts
	case a.err != nil:
		return retry // a timeout or a failed connection
	case a.code >= 200 && a.code < 300:
		return delivered
	case a.code == http.StatusGone:
		return gone
	case a.code == http.StatusTooManyRequests || a.code >= 500:
		return retry
	}
	return fail
}

// settleWebhooks stores the outcomes of group and their endpoints'
// failing clocks in one transaction; an endpoint failing for DisableAfter
// is disabled, and the staff owners and admins are told by mail in the
// same transaction. An error means the store failed and none was stored.
func (p *Portal) settleWebhooks(ctx context.Context, opts WebhookOptions, group []*attempt) error {
	ds := make([]webhook.Delivery, len(group))
	vs := make([]verdict, len(group))
	for i, a := range group {
		// The backoff is drawn once, not again when the transaction runs again.
		ds[i], vs[i] = outcome(opts, a)
	}
	return p.store.InTx(ctx, func(r storage.Repos) error {
		for i, a := range group {
			a.status, a.disabled = "", false
			_, err := r.Webhooks().SettleDelivery(ctx, ds[i], a.claim, false)
			switch {
			case errors.Is(err, storage.ErrConflict), errors.Is(err, storage.ErrNotFound):
				continue // its lease ran out and another claim has it, or the endpoint is gone
			case err != nil:
				return err
			}
			a.status = ds[i].Status
			if a.endpoint == nil || !a.endpoint.Enabled {
				continue
			}
			if err := p.noteEndpointHealth(ctx, r, opts, a, vs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

// outcome is the delivery as a's attempt leaves it, and what the attempt
// means.
func outcome(opts WebhookOptions, a *attempt) (webhook.Delivery, verdict) {
	v := a.verdict()
	d := a.d
	d.ResponseCode, d.ResponseBody, d.Latency, d.AttemptedAt, d.UpdatedAt = a.code, a.body, a.latency, a.at, a.at
	d.LastError = ""
	if a.err != nil {
		d.LastError = clip(a.err.Error())
	} else if v != delivered {
		d.LastError = fmt.Sprintf("the receiver answered %d %s", a.code, http.StatusText(a.code))
	}
	switch {
	case v == delivered:
		d.Status, d.DeliveredAt = outbox.Sent, a.at
	case v == retry && d.Attempts < opts.MaxAttempts:
		d.Status = outbox.Pending
		d.NextAttemptAt = a.at.Add(max(opts.backoff(d.Attempts), a.retryAfter))
	case v == retry:
		d.Status = outbox.Failed
		d.LastError = clip(fmt.Sprintf("gave up after %d attempts: %s", d.Attempts, d.LastError))
	default:
		d.Status = outbox.Failed
	}
	return d, v
}

// noteEndpointHealth runs the endpoint's failing clock after an attempt.
func (p *Portal) noteEndpointHealth(ctx context.Context, r storage.Repos, opts WebhookOptions, a *attempt, v verdict) error {
	var disabled *webhook.Endpoint
	_, err := r.Webhooks().UpdateEndpoint(ctx, a.d.EndpointID, func(e *webhook.Endpoint) error {
		if !e.Enabled {
			return errNoChange
		}
		switch v {
		case delivered:
			if e.FailingSince.IsZero() {
				return errNoChange
			}
			e.Succeeded()
		case gone:
			e.Disable("the receiver answered 410 Gone")
		default:
			if !e.FailingSince.IsZero() && !e.FailingFor(opts.DisableAfter, a.at) {
				return errNoChange
			}
			e.Failed(a.at)
			if e.FailingFor(opts.DisableAfter, a.at) {
				e.Disable(fmt.Sprintf("every delivery failed since %s", e.FailingSince.Format(time.RFC3339)))
			}
		}
		e.UpdatedAt = a.at
		if !e.Enabled {
			disabled = e
		}
		return nil
	})
	switch {
	case errors.Is(err, errNoChange), errors.Is(err, storage.ErrConflict), errors.Is(err, storage.ErrNotFound):
		// Unchanged, or another worker's attempt got there first.
		return nil
	case err != nil:
		return err
	}
	if disabled == nil {
		return nil
	}
	a.disabled = true
	return p.tellStaffEndpointDisabled(ctx, r, *disabled)
}

var errNoChange = errors.New("no change")

// tellStaffEndpointDisabled mails every active staff owner and admin that
// endpoint e was disabled.
func (p *Portal) tellStaffEndpointDisabled(ctx context.Context, r storage.Repos, e webhook.Endpoint) error {
	var ns []Notification
	for _, role := range []identity.StaffRole{identity.StaffOwner, identity.StaffAdmin} {
		l, err := r.Staff().List(ctx, storage.StaffFilter{Role: role, Status: identity.StaffActive}, storage.Page{Limit: storage.MaxLimit})
		if err != nil {
			return err
		}
		for _, m := range l.Items {
			ns = append(ns, Notification{Kind: NotifyWebhookDisabled, To: m.Email, EndpointID: string(e.ID), EndpointURL: e.URL, Reason: e.DisabledReason})
		}
	}
	return p.enqueue(ctx, r, ns...)
}

// reportWebhook logs and counts a's stored outcome.
func (p *Portal) reportWebhook(ctx context.Context, a *attempt, rep *WebhookReport) {
	log := p.log.With("delivery_id", a.d.ID, "event_id", a.d.EventID, "endpoint_id", a.d.EndpointID, "attempt", a.d.Attempts)
	switch a.status {
	case outbox.Sent:
		rep.Delivered++
		p.hooked.delivered.Add(1)
	case outbox.Pending:
		rep.Retried++
		p.hooked.retried.Add(1)
		log.WarnContext(ctx, "portal: webhook delivery failed; trying again later", "code", a.code, "err", a.err)
	case outbox.Failed:
		rep.Failed++
		p.hooked.failed.Add(1)
		log.ErrorContext(ctx, "portal: webhook delivery failed for good", "code", a.code, "err", a.err)
	default:
		log.WarnContext(ctx, "portal: webhook delivery outlived its lease; it may be sent twice")
	}
	if a.disabled {
		log.ErrorContext(ctx, "portal: webhook endpoint disabled; staff were told by mail")
	}
}

// releaseWebhooks hands claimed deliveries back untried.
func (p *Portal) releaseWebhooks(ctx context.Context, as []*attempt) int {
	n := 0
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		n = 0
		for _, a := range as {
			d := a.d
			d.Status, d.UpdatedAt = outbox.Pending, p.timestamp()
			_, err := r.Webhooks().SettleDelivery(ctx, d, a.claim, true)
			switch {
			case errors.Is(err, storage.ErrConflict), errors.Is(err, storage.ErrNotFound):
			case err != nil:
				return err
			default:
				n++
			}
		}
		return nil
	})
	if err != nil {
		p.log.ErrorContext(ctx, "portal: releasing webhook deliveries", "err", err)
		return 0
	}
	p.hooked.released.Add(int64(n))
	return n
}

// RunWebhooks is the webhook delivery worker: it delivers due deliveries
// (DeliverWebhooks) until ctx ends, then returns nil once the requests in
// hand are settled. It passes again at once after a full batch, when a use
// case of this Portal published an event, and otherwise every
// PollInterval. Any number of workers may run, in this process or others
// on the same store. A failing pass is logged and tried again at the next
// poll; RunWebhooks returns an error only for bad options.
func (p *Portal) RunWebhooks(ctx context.Context, opts WebhookOptions) error {
	opts, err := opts.normalize()
	if err != nil {
		return err
	}
	poll := time.NewTimer(0)
	defer poll.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-poll.C:
		case <-p.hooks.wake:
		}
		for ctx.Err() == nil {
			rep, err := p.deliverWebhooks(ctx, opts)
			if err != nil {
				if ctx.Err() == nil {
					p.log.ErrorContext(ctx, "portal: delivering webhooks", "err", err)
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

// WebhookStats is how webhook delivery is doing, as OutboxStats is for
// mail: what waits in the store, how late the oldest due delivery is, and
// what this Portal's workers did since New.
type WebhookStats struct {
	Pending, Sending int
	// OldestPendingAge is how long the delivery that has waited longest
	// since it became due has waited: the delivery lag.
	OldestPendingAge                     time.Duration
	Delivered, Retried, Failed, Released int64
}

// WebhookStats returns the state of webhook delivery, for monitoring. It
// needs no principal and says nothing about any customer.
func (p *Portal) WebhookStats(ctx context.Context) (WebhookStats, error) {
	out := WebhookStats{
		Delivered: p.hooked.delivered.Load(), Retried: p.hooked.retried.Load(),
		Failed: p.hooked.failed.Load(), Released: p.hooked.released.Load(),
	}
	var err error
	out.Pending, out.Sending, out.OldestPendingAge, err = p.queueStats(ctx, "webhook", func(r storage.Repos) (storage.OutboxStats, error) {
		return r.Webhooks().DeliveryStats(ctx)
	})
	return out, err
}

// DefaultWebhookRetention is how long PurgeWebhookDeliveries keeps
// settled deliveries when given no retention of its own.
const DefaultWebhookRetention = 30 * 24 * time.Hour

// PurgeWebhookDeliveries deletes the deliveries that were delivered or
// failed more than retention ago (DefaultWebhookRetention when zero) and
// returns how many: the delivery log keeps that long, and a replay of an
// older time range finds nothing. Pending deliveries stay, however old.
// Run it now and then (the reference server does, hourly, with
// PurgeExpired). It needs no principal: it is maintenance.
func (p *Portal) PurgeWebhookDeliveries(ctx context.Context, retention time.Duration) (int, error) {
	if retention == 0 {
		retention = DefaultWebhookRetention
	}
	if retention < 0 {
		return 0, portalerr.Invalidf("retention", "must be positive")
	}
	var n int
	err := p.write(ctx, func(r storage.Repos) error {
		var err error
		n, err = r.Webhooks().DeleteSettledDeliveries(ctx, p.timestamp().Add(-retention))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("portal: purging webhook deliveries: %w", err)
	}
	return n, nil
}
