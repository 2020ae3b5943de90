package portal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

// ID prefixes of webhooks.
const (
	PrefixWebhookEndpoint = "wep"
	PrefixWebhookEvent    = "wev"
	PrefixWebhookDelivery = "wdl"
)

// WebhookConfig configures webhooks (Config.Webhooks). The zero value
// delivers only to https URLs on public addresses.
type WebhookConfig struct {
	// AllowHTTP lets endpoints use plain http URLs; by default only https
	// is accepted, so that events are not sent in the clear.
	AllowHTTP bool
	// AllowPrivateAddresses lets endpoints reach loopback, private and
	// link-local addresses (webhook.Blocked), as a test receiver on the
	// same machine or an ERP in the provider's own network needs. Off,
	// such URLs are refused when registered, and every delivery's
	// connection is refused if the name resolves to one then (DNS
	// rebinding): the server never calls into its own network for
	// whoever may register an endpoint.
	AllowPrivateAddresses bool
	// Data turns the object of an event (a customer.Customer, an
	// orders.Order, a Member, a ticket.Ticket, an invite.Invitation, an
	// identity.StaffMember, …: whatever the change recorded) into the form
	// its data takes in the delivered JSON. httpapi.EventData gives the
	// form the HTTP API shows, as openapi.yaml documents it; the reference
	// server uses it. It must leave secrets out. Default: the domain
	// value's own JSON encoding less every field named for a secret.
	Data func(v any) (any, error)
	// Transport carries deliveries; default NewWebhookTransport, which
	// refuses blocked addresses unless AllowPrivateAddresses. A transport
	// given here (an egress proxy, say) must guard against SSRF itself.
	Transport http.RoundTripper
	// LookupIP resolves a host name when an endpoint is registered;
	// default net.DefaultResolver.LookupNetIP for "ip".
	LookupIP func(ctx context.Context, host string) ([]netip.Addr, error)
}

// webhookSetup is the Portal's webhook configuration, defaults filled in.
type webhookSetup struct {
	cfg    WebhookConfig
	client *http.Client
	wake   chan struct{}
	// sealed reports that sealStoredSecrets found nothing left in clear.
	sealed *atomic.Bool
}

func newWebhookSetup(cfg WebhookConfig) webhookSetup {
	if cfg.Transport == nil {
		cfg.Transport = NewWebhookTransport(cfg.AllowPrivateAddresses)
	}
	if cfg.LookupIP == nil {
		cfg.LookupIP = func(ctx context.Context, host string) ([]netip.Addr, error) {
			return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		}
	}
	return webhookSetup{
		cfg: cfg,
		client: &http.Client{
			Transport: cfg.Transport,
			// A redirect is a failure, as the specification advises: the
			// endpoint's URL should be updated instead, and following one
			// could lead anywhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		wake:   make(chan struct{}, 1),
		sealed: &atomic.Bool{},
	}
}

// NewWebhookTransport returns the transport deliveries go through by
// default: no proxy from the environment, bounded connection set-up, and
// unless allowPrivate a dialer that refuses loopback, private and
// link-local addresses (webhook.DialControl) after resolving the name.
func NewWebhookTransport(allowPrivate bool) *http.Transport {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	if !allowPrivate {
		d.Control = webhook.DialControl
	}
	return &http.Transport{
		DialContext:           d.DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 30 * time.Second,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
	}
}

func errWebhookEndpointNotFound(id webhook.EndpointID) error {
	return portalerr.New(portalerr.NotFound, "webhook endpoint %s not found", id)
}

func errWebhookDeliveryNotFound(id webhook.DeliveryID) error {
	return portalerr.New(portalerr.NotFound, "webhook delivery %s not found", id)
}

// publish announces a change; use cases do not call it but recordChanges,
// which records the change's audit event and publishes its webhook event
// (announce), so that nothing is audited unannounced. In the use case's
// transaction r, it writes the event of type typ about
// customer cid, whose data is obj as Config.Webhooks.Data shapes it, as
// one pending delivery for every enabled endpoint that receives it
// (webhook.Endpoint.Receives). The deliveries leave once r commits,
// through the webhook workers (RunWebhooks), and never if it rolls back.
// Without endpoints that receive the event, it writes nothing.
//
// One row per subscribed endpoint, not one per event fanned out later:
// each endpoint's delivery has its own attempts, backoff, outcome and
// log, a slow or failing endpoint holds up no other, and which endpoints
// receive an event is decided once, as their subscriptions stood when it
// happened.
func (p *Portal) publish(ctx context.Context, r storage.Repos, typ webhook.Type, cid customer.ID, obj any) error {
	eps, err := enabledEndpoints(ctx, r)
	if err != nil {
		return fmt.Errorf("portal: publishing %s: %w", typ, err)
	}
	var to []webhook.EndpointID
	for _, e := range eps {
		if e.Receives(typ, cid) {
			to = append(to, e.ID)
		}
	}
	if len(to) == 0 {
		return nil
	}
	now := p.timestamp()
	data, err := p.eventData(obj)
	if err != nil {
		return fmt.Errorf("portal: publishing %s: %w", typ, err)
	}
	ev := webhook.Event{ID: webhook.EventID(p.ids.NewID(PrefixWebhookEvent)), Type: typ, Timestamp: now, CustomerID: cid, Data: data}
	body, err := ev.Body()
	if err != nil {
		return fmt.Errorf("portal: publishing %s: %w", typ, err)
	}
	for _, id := range to {
		d := webhook.Delivery{
			ID: webhook.DeliveryID(p.ids.NewID(PrefixWebhookDelivery)), EndpointID: id, EventID: ev.ID, Type: typ,
			CustomerID: cid, Body: body, Status: outbox.Pending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
		}
		if err := r.Webhooks().EnqueueDelivery(ctx, d); err != nil {
			return fmt.Errorf("portal: publishing %s: %w", typ, err)
		}
	}
	markHooked(r)
	return nil
}

// markHooked notes that the transaction r wrote webhook deliveries, so
// that p.write wakes the webhook workers once it commits.
func markHooked(r storage.Repos) {
	if w, ok := r.(*writeTx); ok {
		w.hooked = true
	}
}

// enabledEndpoints reads the enabled endpoints once per transaction.
func enabledEndpoints(ctx context.Context, r storage.Repos) ([]webhook.Endpoint, error) {
	w, ok := r.(*writeTx)
	if ok && w.endpoints != nil {
		return *w.endpoints, nil
	}
	eps, err := r.Webhooks().EnabledEndpoints(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		w.endpoints = &eps
	}
	return eps, nil
}

// forgetEndpoints drops the transaction's view of the endpoints after a
// use case changed them.
func forgetEndpoints(r storage.Repos) {
	if w, ok := r.(*writeTx); ok {
		w.endpoints = nil
	}
}

// eventData encodes obj as Config.Webhooks.Data shapes it. Without Data,
// it is obj's own JSON encoding less every field named for a secret
// (secretField), at any depth: domain values carry token and password
// hashes and signing secrets that no receiver may see.
func (p *Portal) eventData(obj any) (json.RawMessage, error) {
	if p.hooks.cfg.Data != nil {
		v, err := p.hooks.cfg.Data(obj)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	return json.Marshal(withoutSecrets(v))
}

// withoutSecrets drops the fields of decoded JSON v named for a secret.
func withoutSecrets(v any) any {
	switch o := v.(type) {
	case map[string]any:
		for k, x := range o {
			if secretField(k) {
				delete(o, k)
				continue
			}
			o[k] = withoutSecrets(x)
		}
	case []any:
		for i, x := range o {
			o[i] = withoutSecrets(x)
		}
	}
	return v
}

// secretField reports whether a field named name holds a secret or what
// checks one: a token, a password, a signing or client secret, a hash.
func secretField(name string) bool {
	n := strings.ToLower(name)
	for _, w := range []string{"secret", "token", "password", "hash"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// wakeWebhooks tells a waiting RunWebhooks of this Portal to pass now.
func (p *Portal) wakeWebhooks() {
	select {
	case p.hooks.wake <- struct{}{}:
	default:
	}
}

// WebhookEndpoint is an endpoint as staff see it: without its secrets.
type WebhookEndpoint struct {
	webhook.Endpoint
	// Rotating reports that the previous secret still signs, until
	// PreviousUntil.
	Rotating bool
}

func endpointView(e webhook.Endpoint, now time.Time) WebhookEndpoint {
	rotating := e.PreviousSecret != "" && now.Before(e.PreviousUntil)
	e.Secret, e.PreviousSecret = "", ""
	if !rotating {
		e.PreviousUntil = time.Time{}
	}
	return WebhookEndpoint{Endpoint: e, Rotating: rotating}
}

// WebhookEndpointSecret is an endpoint with its new signing secret, shown
// once: when it is created and when its secret is rotated.
type WebhookEndpointSecret struct {
	WebhookEndpoint
	Secret string
}

// CreateWebhookEndpointParams register an endpoint.
type CreateWebhookEndpointParams struct {
	URL         string         `json:"url" validate:"required,max=2000"`
	Description string         `json:"description" validate:"max=500"`
	EventTypes  []webhook.Type `json:"event_types" validate:"required,min=1,max=200"`
	// CustomerID limits the endpoint to one customer's events; empty
	// receives all.
	CustomerID customer.ID `json:"customer_id" validate:"max=100"`
	// Disabled registers the endpoint switched off.
	Disabled bool `json:"disabled"`
}

// CreateWebhookEndpoint registers an endpoint and returns it with its
// signing secret, which is shown this once. Staff admins may call it
// (ActWebhookManage). Invalid for a bad URL (not https unless
// Config.Webhooks.AllowHTTP; resolving to a blocked address unless
// AllowPrivateAddresses), unknown event types or an unknown customer;
// FailedPrecondition when webhook.MaxEndpoints exist. Recorded in the
// audit log, as are changes, rotations and deletions of endpoints.
func (p *Portal) CreateWebhookEndpoint(ctx context.Context, params CreateWebhookEndpointParams) (WebhookEndpointSecret, error) {
	params.URL = strings.TrimSpace(params.URL)
	if err := validStruct(params); err != nil {
		return WebhookEndpointSecret{}, err
	}
	now := p.timestamp()
	e := webhook.Endpoint{
		ID: webhook.EndpointID(p.ids.NewID(PrefixWebhookEndpoint)), URL: params.URL, Description: strings.TrimSpace(params.Description),
		Types: params.EventTypes, CustomerID: params.CustomerID, Enabled: !params.Disabled,
		Secret: webhook.NewSecret(), Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := e.Validate(p.hooks.cfg.AllowHTTP); err != nil {
		return WebhookEndpointSecret{}, err
	}
	if err := p.mayManageWebhooks(ctx); err != nil {
		return WebhookEndpointSecret{}, err
	}
	if err := p.checkEndpointHost(ctx, e.URL); err != nil {
		return WebhookEndpointSecret{}, err
	}
	plain := e.Secret
	var err error
	if e.Secret, err = p.sealEndpointSecret(ctx, e.ID, plain); err != nil {
		return WebhookEndpointSecret{}, err
	}
	var out WebhookEndpointSecret
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActWebhookManage, "", "")
		if err != nil {
			return err
		}
		if err := p.checkEndpointCustomer(ctx, r, e.CustomerID); err != nil {
			return err
		}
		n, err := r.Webhooks().CountEndpoints(ctx)
		if err != nil {
			return err
		}
		if n >= webhook.MaxEndpoints {
			return portalerr.New(portalerr.FailedPrecondition, "there are %d webhook endpoints already, the most there may be; delete one first", n)
		}
		if err := r.Webhooks().CreateEndpoint(ctx, e); err != nil {
			return err
		}
		forgetEndpoints(r)
		out = WebhookEndpointSecret{WebhookEndpoint: endpointView(e, now), Secret: plain}
		return p.record(ctx, r, a.who.Actor(), "webhook_endpoint.created", e.CustomerID, string(e.ID), out.WebhookEndpoint)
	})
	return out, err
}

// mayManageWebhooks authorizes the caller for ActWebhookManage in a read
// transaction of its own: before a URL's host is resolved, which may take
// seconds and must not happen for callers who may not register endpoints,
// nor inside a write transaction (SQLite's one writer would wait for it).
func (p *Portal) mayManageWebhooks(ctx context.Context) error {
	return p.read(ctx, func(r storage.Repos) error {
		_, err := p.authorize(ctx, r, ActWebhookManage, "", "")
		return err
	})
}

// checkEndpointHost refuses a URL whose host is, or resolves to, a
// blocked address, unless private addresses are allowed. A name that does
// not resolve now is accepted: deliveries check where it leads each time.
func (p *Portal) checkEndpointHost(ctx context.Context, raw string) error {
	if p.hooks.cfg.AllowPrivateAddresses {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return portalerr.Invalidf("url", "is not a URL")
	}
	host := u.Hostname()
	var addrs []netip.Addr
	if a, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{a}
	} else {
		lctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		addrs, _ = p.hooks.cfg.LookupIP(lctx, host)
		cancel()
	}
	for _, a := range addrs {
		if webhook.Blocked(a) {
			return portalerr.Invalidf("url", "leads to %s, a loopback, private or link-local address; this server does not deliver there", a)
		}
	}
	return nil
}

func (p *Portal) checkEndpointCustomer(ctx context.Context, r storage.Repos, cid customer.ID) error {
	if cid == "" {
		return nil
	}
	if _, err := r.Customers().Get(ctx, cid); err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return portalerr.Invalidf("customer_id", "names no customer")
		}
		return err
	}
	return nil
}

// ListWebhookEndpointsParams page the endpoints.
type ListWebhookEndpointsParams struct {
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

func (p ListWebhookEndpointsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListWebhookEndpoints lists the endpoints, oldest first, without their
// secrets. Staff agents and up may call it (ActWebhookRead).
func (p *Portal) ListWebhookEndpoints(ctx context.Context, params ListWebhookEndpointsParams) (List[WebhookEndpoint], error) {
	if err := validStruct(params); err != nil {
		return List[WebhookEndpoint]{}, err
	}
	lc, page, err := p.openList(ctx, "webhook_endpoints", "", params)
	if err != nil {
		return List[WebhookEndpoint]{}, err
	}
	var out List[WebhookEndpoint]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActWebhookRead, "", ""); err != nil {
			return err
		}
		l, err := r.Webhooks().Endpoints(ctx, page)
		if err != nil {
			return err
		}
		now := p.timestamp()
		out.NextCursor = l.NextCursor
		for _, e := range l.Items {
			out.Items = append(out.Items, endpointView(e, now))
		}
		return nil
	})
	return sealed(ctx, lc, out, err)
}

// GetWebhookEndpoint returns an endpoint without its secrets. Staff agents
// and up may call it (ActWebhookRead).
func (p *Portal) GetWebhookEndpoint(ctx context.Context, id webhook.EndpointID) (WebhookEndpoint, error) {
	var out WebhookEndpoint
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActWebhookRead, "", ""); err != nil {
			return err
		}
		e, err := r.Webhooks().Endpoint(ctx, id)
		if err != nil {
			return notFoundAs(err, errWebhookEndpointNotFound(id))
		}
		out = endpointView(e, p.timestamp())
		return nil
	})
	return out, err
}

// UpdateWebhookEndpointParams change an endpoint; nil fields stay.
type UpdateWebhookEndpointParams struct {
	// Version, when not zero, must be the endpoint's stored version.
	Version     int64          `json:"version" validate:"min=0"`
	URL         *string        `json:"url" validate:"omitnil,required,max=2000"`
	Description *string        `json:"description" validate:"omitnil,max=500"`
	EventTypes  []webhook.Type `json:"event_types" validate:"omitempty,max=200"`
	CustomerID  *customer.ID   `json:"customer_id" validate:"omitnil,max=100"`
	// Enabled switches the endpoint on or off. Switching it on forgets
	// its failures and why it was disabled.
	Enabled *bool `json:"enabled"`
}

// UpdateWebhookEndpoint changes an endpoint. Staff admins may call it
// (ActWebhookManage). Deliveries already written keep going to it;
// a disabled endpoint's pending deliveries fail (replay them once it is
// enabled again). Invalid as for CreateWebhookEndpoint; Conflict for a
// stale Version.
func (p *Portal) UpdateWebhookEndpoint(ctx context.Context, id webhook.EndpointID, params UpdateWebhookEndpointParams) (WebhookEndpoint, error) {
	if params.URL != nil {
		u := strings.TrimSpace(*params.URL)
		params.URL = &u
	}
	if err := validStruct(params); err != nil {
		return WebhookEndpoint{}, err
	}
	if params.URL != nil {
		if err := p.mayManageWebhooks(ctx); err != nil {
			return WebhookEndpoint{}, err
		}
		if err := p.checkEndpointHost(ctx, *params.URL); err != nil {
			return WebhookEndpoint{}, err
		}
	}
	var out WebhookEndpoint
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActWebhookManage, "", "")
		if err != nil {
			return err
		}
		if params.CustomerID != nil {
			if err := p.checkEndpointCustomer(ctx, r, *params.CustomerID); err != nil {
				return err
			}
		}
		now := p.timestamp()
		e, err := r.Webhooks().UpdateEndpoint(ctx, id, func(e *webhook.Endpoint) error {
			if params.Version != 0 {
				if err := checkVersion("webhook endpoint", e.Version, params.Version); err != nil {
					return err
				}
			}
			setIf(&e.URL, params.URL)
			if params.Description != nil {
				e.Description = strings.TrimSpace(*params.Description)
			}
			if params.EventTypes != nil {
				e.Types = slices.Clone(params.EventTypes)
			}
			setIf(&e.CustomerID, params.CustomerID)
			if params.Enabled != nil {
				if *params.Enabled {
					e.Enable()
				} else {
					e.Disable("disabled by staff")
				}
			}
			e.UpdatedAt = now
			return e.Validate(p.hooks.cfg.AllowHTTP)
		})
		if err != nil {
			return notFoundAs(err, errWebhookEndpointNotFound(id))
		}
		forgetEndpoints(r)
		out = endpointView(e, now)
		return p.record(ctx, r, a.who.Actor(), "webhook_endpoint.updated", e.CustomerID, string(e.ID), out)
	})
	return out, err
}

// RotateWebhookSecretParams rotate an endpoint's secret.
type RotateWebhookSecretParams struct {
	// Overlap is how long the old secret keeps signing beside the new
	// one, at most webhook.MaxOverlap; zero ends it at once (for a
	// secret that leaked).
	Overlap time.Duration `json:"overlap"`
}

// RotateWebhookSecret gives an endpoint a new signing secret, returned
// this once. For Overlap, every delivery carries a signature with each of
// the two secrets, so the receiver can switch at its pace. Staff admins
// may call it (ActWebhookManage).
func (p *Portal) RotateWebhookSecret(ctx context.Context, id webhook.EndpointID, params RotateWebhookSecretParams) (WebhookEndpointSecret, error) {
	// Authorized before the secret is sealed, which may load the key.
	if err := p.mayManageWebhooks(ctx); err != nil {
		return WebhookEndpointSecret{}, err
	}
	secret := webhook.NewSecret()
	sealed, err := p.sealEndpointSecret(ctx, id, secret)
	if err != nil {
		return WebhookEndpointSecret{}, err
	}
	var out WebhookEndpointSecret
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActWebhookManage, "", "")
		if err != nil {
			return err
		}
		now := p.timestamp()
		e, err := r.Webhooks().UpdateEndpoint(ctx, id, func(e *webhook.Endpoint) error {
			e.UpdatedAt = now
			if err := e.Rotate(secret, now, params.Overlap); err != nil {
				return err
			}
			e.Secret = sealed
			return nil
		})
		if err != nil {
			return notFoundAs(err, errWebhookEndpointNotFound(id))
		}
		forgetEndpoints(r)
		out = WebhookEndpointSecret{WebhookEndpoint: endpointView(e, now), Secret: secret}
		return p.record(ctx, r, a.who.Actor(), "webhook_endpoint.secret_rotated", e.CustomerID, string(e.ID), out.WebhookEndpoint)
	})
	return out, err
}

// DeleteWebhookEndpoint deletes an endpoint with its delivery log; its
// pending deliveries are never sent. Staff admins may call it
// (ActWebhookManage).
func (p *Portal) DeleteWebhookEndpoint(ctx context.Context, id webhook.EndpointID) error {
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActWebhookManage, "", "")
		if err != nil {
			return err
		}
		gone, err := r.Webhooks().Endpoint(ctx, id)
		if err == nil {
			err = r.Webhooks().DeleteEndpoint(ctx, id)
		}
		if err != nil {
			return notFoundAs(err, errWebhookEndpointNotFound(id))
		}
		forgetEndpoints(r)
		return p.record(ctx, r, a.who.Actor(), "webhook_endpoint.deleted", gone.CustomerID, string(id), endpointView(gone, p.timestamp()))
	})
}

// ListWebhookDeliveriesParams filter and page an endpoint's delivery log.
type ListWebhookDeliveriesParams struct {
	Status  outbox.Status   `json:"status" validate:"omitempty,oneof=pending sending sent failed"`
	EventID webhook.EventID `json:"event_id" validate:"max=100"`
	Cursor  string          `json:"cursor" validate:"max=200"`
	Limit   int             `json:"limit" validate:"min=0,max=100"`
}

func (p ListWebhookDeliveriesParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListWebhookDeliveries lists an endpoint's deliveries, newest first:
// their status, attempts, the last attempt's response code, latency and
// the first KiB of the answer. Staff agents and up may call it
// (ActWebhookRead). NotFound for an unknown endpoint.
func (p *Portal) ListWebhookDeliveries(ctx context.Context, id webhook.EndpointID, params ListWebhookDeliveriesParams) (List[webhook.Delivery], error) {
	if err := validStruct(params); err != nil {
		return List[webhook.Delivery]{}, err
	}
	lc, page, err := p.openList(ctx, "webhook_deliveries", customer.ID(id), params)
	if err != nil {
		return List[webhook.Delivery]{}, err
	}
	var out List[webhook.Delivery]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActWebhookRead, "", ""); err != nil {
			return err
		}
		if _, err := r.Webhooks().Endpoint(ctx, id); err != nil {
			return notFoundAs(err, errWebhookEndpointNotFound(id))
		}
		var err error
		out, err = listPage(r.Webhooks().Deliveries(ctx, storage.DeliveryFilter{EndpointID: id, Status: params.Status, EventID: params.EventID}, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// GetWebhookDelivery returns one delivery with its body. Staff agents
// and up may call it (ActWebhookRead).
func (p *Portal) GetWebhookDelivery(ctx context.Context, id webhook.DeliveryID) (webhook.Delivery, error) {
	var out webhook.Delivery
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActWebhookRead, "", ""); err != nil {
			return err
		}
		var err error
		out, err = r.Webhooks().Delivery(ctx, id)
		return notFoundAs(err, errWebhookDeliveryNotFound(id))
	})
	return out, err
}

// ReplayWebhookDelivery sends a delivery's event to its endpoint again, as
// a new delivery with the same body and webhook-id (receivers that drop
// repeats by webhook-id drop it too). Staff admins may call it
// (ActWebhookManage). FailedPrecondition while the delivery is still
// pending or sending, or the endpoint is disabled.
func (p *Portal) ReplayWebhookDelivery(ctx context.Context, id webhook.DeliveryID) (webhook.Delivery, error) {
	var out webhook.Delivery
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActWebhookManage, "", "")
		if err != nil {
			return err
		}
		d, err := r.Webhooks().Delivery(ctx, id)
		if err != nil {
			return notFoundAs(err, errWebhookDeliveryNotFound(id))
		}
		if d.Status == outbox.Pending || d.Status == outbox.Sending {
			return portalerr.New(portalerr.FailedPrecondition, "webhook delivery %s is still %s; it is sent without a replay", id, d.Status)
		}
		if err := enabledEndpoint(ctx, r, d.EndpointID); err != nil {
			return err
		}
		out = d.Replay(webhook.DeliveryID(p.ids.NewID(PrefixWebhookDelivery)), p.timestamp())
		if err := r.Webhooks().EnqueueDelivery(ctx, out); err != nil {
			return err
		}
		markHooked(r)
		return p.recordChanges(ctx, r, a.who.Actor(), "webhook_delivery.replayed", d.CustomerID, string(id),
			[]audit.Change{{Field: "replay_id", After: string(out.ID)}}, out)
	})
	return out, err
}

func enabledEndpoint(ctx context.Context, r storage.Repos, id webhook.EndpointID) error {
	_, err := enabledEndpointOf(ctx, r, id)
	return err
}

// enabledEndpointOf returns endpoint id; FailedPrecondition when it is
// disabled.
func enabledEndpointOf(ctx context.Context, r storage.Repos, id webhook.EndpointID) (webhook.Endpoint, error) {
	e, err := r.Webhooks().Endpoint(ctx, id)
	if err != nil {
		return webhook.Endpoint{}, notFoundAs(err, errWebhookEndpointNotFound(id))
	}
	if !e.Enabled {
		return webhook.Endpoint{}, portalerr.New(portalerr.FailedPrecondition, "webhook endpoint %s is disabled; enable it first", id)
	}
	return e, nil
}

// MaxReplay bounds how many deliveries one ReplayWebhookDeliveries sends.
const MaxReplay = 1000

// ReplayWebhookDeliveriesParams name a time range of an endpoint's log.
type ReplayWebhookDeliveriesParams struct {
	From time.Time `json:"from" validate:"required"`
	To   time.Time `json:"to" validate:"required"`
}

// ReplayWebhookDeliveries sends again, as new deliveries, every event
// delivered (or not) to an endpoint in [From, To): the first delivery of
// each, replays left out, at most MaxReplay, oldest first; it returns how
// many it wrote. Staff admins may call it (ActWebhookManage). Invalid when
// From is not before To; FailedPrecondition when the range holds more
// than MaxReplay (narrow it) or the endpoint is disabled.
func (p *Portal) ReplayWebhookDeliveries(ctx context.Context, id webhook.EndpointID, params ReplayWebhookDeliveriesParams) (int, error) {
	if err := validStruct(params); err != nil {
		return 0, err
	}
	if !params.From.Before(params.To) {
		return 0, portalerr.Invalidf("to", "must be after from")
	}
	n := 0
	err := p.write(ctx, func(r storage.Repos) error {
		n = 0
		a, err := p.authorize(ctx, r, ActWebhookManage, "", "")
		if err != nil {
			return err
		}
		ep, err := enabledEndpointOf(ctx, r, id)
		if err != nil {
			return err
		}
		ds, err := r.Webhooks().DeliveriesBetween(ctx, id, params.From, params.To, MaxReplay+1)
		if err != nil {
			return err
		}
		if len(ds) > MaxReplay {
			return portalerr.New(portalerr.FailedPrecondition, "the range holds more than %d deliveries; replay a shorter one", MaxReplay)
		}
		now := p.timestamp()
		for _, d := range ds {
			if err := r.Webhooks().EnqueueDelivery(ctx, d.Replay(webhook.DeliveryID(p.ids.NewID(PrefixWebhookDelivery)), now)); err != nil {
				return err
			}
			n++
		}
		if n == 0 {
			return nil
		}
		markHooked(r)
		return p.recordChanges(ctx, r, a.who.Actor(), "webhook_endpoint.deliveries_replayed", ep.CustomerID, string(id),
			[]audit.Change{{Field: "replayed", After: strconv.Itoa(n)}}, endpointView(ep, now))
	})
	return n, err
}
