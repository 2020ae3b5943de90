package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/webhook"
)

// WebhookRepo stores webhook endpoints and their deliveries. Deliveries
// are the webhooks' outbox: written pending in the transaction of the
// change, one per subscribed endpoint, and claimed, leased and settled by
// delivery workers exactly as OutboxRepo's messages are (the same states,
// the same due rule, the same fencing by claim number: a settle under a
// claim that no longer holds the delivery changes nothing and returns
// ErrConflict).
type WebhookRepo interface {
	// CreateEndpoint stores e as given. ErrAlreadyExists when the ID is
	// taken. CustomerID is not checked: an endpoint limited to a customer
	// that is gone simply receives nothing.
	CreateEndpoint(ctx context.Context, e webhook.Endpoint) error
	// Endpoint returns the endpoint with the given ID, or ErrNotFound.
	Endpoint(ctx context.Context, id webhook.EndpointID) (webhook.Endpoint, error)
	// UpdateEndpoint reads the endpoint, lets fn change it and writes it
	// back with the next version (ID and CreatedAt stay); ErrConflict
	// when another transaction changed it first, ErrNotFound when there
	// is none; fn's error unchanged.
	UpdateEndpoint(ctx context.Context, id webhook.EndpointID, fn func(*webhook.Endpoint) error) (webhook.Endpoint, error)
	// DeleteEndpoint deletes the endpoint and its deliveries. ErrNotFound
	// when there is none.
	DeleteEndpoint(ctx context.Context, id webhook.EndpointID) error
	// Endpoints returns one page of endpoints, ordered by ID.
	Endpoints(ctx context.Context, p Page) (List[webhook.Endpoint], error)
	// EnabledEndpoints returns every enabled endpoint (at most
	// webhook.MaxEndpoints exist), ordered by ID: the candidates a change
	// publishes its events to.
	EnabledEndpoints(ctx context.Context) ([]webhook.Endpoint, error)
	// CountEndpoints returns how many endpoints exist.
	CountEndpoints(ctx context.Context) (int, error)

	// EnqueueDelivery stores d as given (callers set Status pending and
	// NextAttemptAt). ErrAlreadyExists when the ID is taken; ErrNotFound
	// when the endpoint does not exist.
	EnqueueDelivery(ctx context.Context, d webhook.Delivery) error
	// Delivery returns the delivery with the given ID, or ErrNotFound.
	Delivery(ctx context.Context, id webhook.DeliveryID) (webhook.Delivery, error)
	// ClaimDeliveries takes up to limit deliveries due at now
	// (webhook.Delivery.Due), oldest NextAttemptAt first, as
	// OutboxRepo.Claim takes messages: each is marked sending, leased
	// until now+lease, with Attempts and Claims one higher. limit must be
	// positive.
	ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]webhook.Delivery, error)
	// SettleDelivery stores the outcome of a delivery sending under claim:
	// d's Status (sent, pending or failed), NextAttemptAt, the last
	// attempt's ResponseCode, ResponseBody, Latency, LastError and
	// AttemptedAt, and DeliveredAt; the lease ends. Release is a settle to
	// pending that also gives the attempt back (release true: Attempts one
	// lower). It returns the delivery as stored.
	SettleDelivery(ctx context.Context, d webhook.Delivery, claim int, release bool) (webhook.Delivery, error)
	// Deliveries returns one page of deliveries matching f, newest first
	// (descending ID).
	Deliveries(ctx context.Context, f DeliveryFilter, p Page) (List[webhook.Delivery], error)
	// DeliveriesBetween returns the first deliveries to an endpoint
	// created in [from, to), oldest first, at most limit of them, leaving
	// out replays: what a replay of that time range sends again.
	DeliveriesBetween(ctx context.Context, id webhook.EndpointID, from, to time.Time, limit int) ([]webhook.Delivery, error)
	// DeliveryStats says how many deliveries wait and since when the
	// oldest is due, as OutboxRepo.Stats does for mail.
	DeliveryStats(ctx context.Context) (OutboxStats, error)
	// DeleteSettledDeliveries deletes the deliveries that were delivered
	// or failed and were written before `before`, and returns how many.
	// Pending and sending ones stay, however old.
	DeleteSettledDeliveries(ctx context.Context, before time.Time) (int, error)
}

// DeliveryFilter narrows a delivery list. Zero fields do not filter.
type DeliveryFilter struct {
	EndpointID webhook.EndpointID
	Status     outbox.Status
	EventID    webhook.EventID
}
