package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"

	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/webhook"
)

type webhookRepo struct{ t *txn }

func (t *txn) Webhooks() storage.WebhookRepo { return webhookRepo{t} }

var webhookEndpoints = newTable(table[webhook.Endpoint]{
	name: "webhook_endpoints", noun: "webhook endpoint",
	columns: []string{"id", "url", "description", "event_types", "customer_id", "enabled", "disabled_reason",
		"secret", "previous_secret", "previous_until", "failing_since", "version", "created_at", "updated_at"},
	values: func(e *webhook.Endpoint) []any {
		types := e.Types
		if types == nil {
			types = []webhook.Type{}
		}
		return []any{string(e.ID), e.URL, e.Description, jsonValue{types}, nullString(e.CustomerID), e.Enabled, e.DisabledReason,
			e.Secret, e.PreviousSecret, nullTS(e.PreviousUntil), nullTS(e.FailingSince), e.Version, ts(e.CreatedAt), ts(e.UpdatedAt)}
	},
	dest: func(e *webhook.Endpoint) []any {
		return []any{&e.ID, &e.URL, &e.Description, jcol(&e.Types), scol(&e.CustomerID), &e.Enabled, &e.DisabledReason,
			&e.Secret, &e.PreviousSecret, tcol(&e.PreviousUntil), tcol(&e.FailingSince), &e.Version, tcol(&e.CreatedAt), tcol(&e.UpdatedAt)}
	},
	version: func(e *webhook.Endpoint) *int64 { return &e.Version },
	keep: func(old webhook.Endpoint, e *webhook.Endpoint) {
		e.ID, e.CreatedAt = old.ID, old.CreatedAt
		e.PreviousUntil, e.FailingSince, e.UpdatedAt = storedTime(e.PreviousUntil), storedTime(e.FailingSince), storedTime(e.UpdatedAt)
		e.Types = slices.Clone(e.Types)
	},
})

var webhookDeliveries = newTable(table[webhook.Delivery]{
	name: "webhook_deliveries", noun: "webhook delivery",
	columns: []string{"id", "endpoint_id", "event_id", "event_type", "customer_id", "body", "replay_of",
		"status", "attempts", "claims", "next_attempt_at", "claimed_until",
		"response_code", "response_body", "latency_us", "last_error", "attempted_at",
		"created_at", "updated_at", "delivered_at"},
	values: func(d *webhook.Delivery) []any {
		body := d.Body
		if body == nil {
			body = []byte{}
		}
		return []any{string(d.ID), string(d.EndpointID), string(d.EventID), string(d.Type), nullString(d.CustomerID), body, nullString(d.ReplayOf),
			string(d.Status), d.Attempts, d.Claims, ts(d.NextAttemptAt), nullTS(d.ClaimedUntil),
			d.ResponseCode, d.ResponseBody, d.Latency.Microseconds(), d.LastError, nullTS(d.AttemptedAt),
			ts(d.CreatedAt), ts(d.UpdatedAt), nullTS(d.DeliveredAt)}
	},
	dest: func(d *webhook.Delivery) []any {
		return []any{&d.ID, &d.EndpointID, &d.EventID, &d.Type, scol(&d.CustomerID), &d.Body, scol(&d.ReplayOf),
			&d.Status, &d.Attempts, &d.Claims, tcol(&d.NextAttemptAt), tcol(&d.ClaimedUntil),
			&d.ResponseCode, &d.ResponseBody, latencyCol{&d.Latency}, &d.LastError, tcol(&d.AttemptedAt),
			tcol(&d.CreatedAt), tcol(&d.UpdatedAt), tcol(&d.DeliveredAt)}
	},
	fkErr: storage.ErrNotFound,
})

// latencyCol scans microseconds into a Duration.
type latencyCol struct{ p *time.Duration }

func (c latencyCol) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	*c.p = time.Duration(n.Int64) * time.Microsecond
	return nil
}

// CreateEndpoint stores e.
func (s webhookRepo) CreateEndpoint(ctx context.Context, e webhook.Endpoint) error {
	return webhookEndpoints.insert(ctx, s.t, &e)
}

// Endpoint returns the endpoint with the given ID, or ErrNotFound.
func (s webhookRepo) Endpoint(ctx context.Context, id webhook.EndpointID) (webhook.Endpoint, error) {
	return webhookEndpoints.get(ctx, s.t, string(id))
}

// UpdateEndpoint is the versioned read-modify-write of an endpoint.
func (s webhookRepo) UpdateEndpoint(ctx context.Context, id webhook.EndpointID, fn func(*webhook.Endpoint) error) (webhook.Endpoint, error) {
	return webhookEndpoints.update(ctx, s.t, string(id), fn)
}

// DeleteEndpoint deletes an endpoint; its deliveries go with it (ON
// DELETE CASCADE).
func (s webhookRepo) DeleteEndpoint(ctx context.Context, id webhook.EndpointID) error {
	return webhookEndpoints.delete(ctx, s.t, string(id), nil)
}

// Endpoints lists endpoints by ID.
func (s webhookRepo) Endpoints(ctx context.Context, p storage.Page) (storage.List[webhook.Endpoint], error) {
	return webhookEndpoints.list(ctx, s.t, "listing webhook endpoints", p, "", nil,
		func(e webhook.Endpoint) string { return string(e.ID) })
}

// EnabledEndpoints returns every enabled endpoint.
func (s webhookRepo) EnabledEndpoints(ctx context.Context) ([]webhook.Endpoint, error) {
	return queryAll(ctx, s.t, "listing enabled webhook endpoints",
		webhookEndpoints.selectSQL+` WHERE enabled ORDER BY id LIMIT ?`, []any{webhook.MaxEndpoints + 1}, 4, webhookEndpoints.scan)
}

// CountEndpoints counts the endpoints.
func (s webhookRepo) CountEndpoints(ctx context.Context) (int, error) {
	var n int
	if err := s.t.queryRow(ctx, `SELECT COUNT(*) FROM webhook_endpoints`).Scan(&n); err != nil {
		return 0, s.t.dbError("counting webhook endpoints", err, nil)
	}
	return n, nil
}

// EnqueueDelivery stores d.
func (s webhookRepo) EnqueueDelivery(ctx context.Context, d webhook.Delivery) error {
	return webhookDeliveries.insert(ctx, s.t, &d)
}

// Delivery returns the delivery with the given ID, or ErrNotFound.
func (s webhookRepo) Delivery(ctx context.Context, id webhook.DeliveryID) (webhook.Delivery, error) {
	return webhookDeliveries.get(ctx, s.t, string(id))
}

// deliveryDue is webhook.Delivery.Due in SQL, outboxDue's rule.
func deliveryDue(now string) string {
	return `status IN ('pending', 'sending') AND next_attempt_at <= ` + now +
		` AND (status = 'pending' OR claimed_until <= ` + now + `)`
}

// ClaimDeliveries leases due deliveries in one UPDATE … RETURNING, as
// outboxRepo.Claim does (read its comment for the isolation it lowers to
// on PostgreSQL, and why that is safe).
func (s webhookRepo) ClaimDeliveries(ctx context.Context, now time.Time, limit int, lease time.Duration) ([]webhook.Delivery, error) {
	const op = "claiming webhook deliveries"
	t := s.t
	if err := t.writable(op); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, fmt.Errorf("%s: %s: limit %d must be positive", t.d.Name, op, limit)
	}
	if lease < 0 {
		return nil, fmt.Errorf("%s: %s: lease %s must not be negative", t.d.Name, op, lease)
	}
	if t.statements == 0 && t.d.ClaimIsolation != "" && t.d.WriteTx.Isolation != sql.LevelReadCommitted {
		if _, err := t.exec(ctx, op, nil, t.d.ClaimIsolation); err != nil {
			return nil, err
		}
		defer func() { t.sealed = "a webhook delivery claim lowered the transaction's isolation" }()
	}
	at := ts(now)
	q := `WITH due AS (
		SELECT id AS due_id FROM webhook_deliveries WHERE ` + deliveryDue("?") + `
		ORDER BY next_attempt_at, id LIMIT ?` + t.d.SkipLocked + `
	)
	UPDATE webhook_deliveries SET status = 'sending', attempts = attempts + 1, claims = claims + 1,
		claimed_until = ?, updated_at = ?
	FROM due WHERE id = due_id
	RETURNING ` + webhookDeliveries.cols
	out, err := queryAll(ctx, t, op, q, []any{at, at, limit, ts(now.Add(lease)), at}, limit, webhookDeliveries.scan)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b webhook.Delivery) int {
		return cmp.Or(a.NextAttemptAt.Compare(b.NextAttemptAt), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// SettleDelivery stores an attempt's outcome under claim, in one
// conditional UPDATE, as outboxRepo.settle does.
func (s webhookRepo) SettleDelivery(ctx context.Context, d webhook.Delivery, claim int, release bool) (webhook.Delivery, error) {
	op := "settling webhook delivery " + string(d.ID)
	if err := s.t.writable(op); err != nil {
		return webhook.Delivery{}, err
	}
	switch d.Status {
	case outbox.Pending, outbox.Sent, outbox.Failed:
	default:
		return webhook.Delivery{}, fmt.Errorf("%s: %s: status %q is not an outcome", s.t.d.Name, op, d.Status)
	}
	back := 0
	if release {
		back = 1
	}
	return updateIf(ctx, s.t, webhookDeliveries, op, string(d.ID), fmt.Sprintf("not sending under claim %d", claim),
		`UPDATE webhook_deliveries SET status = ?, attempts = attempts - ?, next_attempt_at = ?, claimed_until = NULL,
			response_code = ?, response_body = ?, latency_us = ?, last_error = ?, attempted_at = ?,
			updated_at = ?, delivered_at = ?
		WHERE id = ? AND status = 'sending' AND claims = ?
		RETURNING `+webhookDeliveries.cols,
		string(d.Status), back, ts(d.NextAttemptAt), d.ResponseCode, d.ResponseBody, d.Latency.Microseconds(), d.LastError,
		nullTS(d.AttemptedAt), ts(d.UpdatedAt), nullTS(d.DeliveredAt), string(d.ID), claim)
}

// Deliveries lists deliveries newest first.
func (s webhookRepo) Deliveries(ctx context.Context, f storage.DeliveryFilter, p storage.Page) (storage.List[webhook.Delivery], error) {
	const op = "listing webhook deliveries"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[webhook.Delivery]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	var w conds
	if after != "" {
		w.and(`id < ?`, []any{after})
	}
	if f.EndpointID != "" {
		w.eq(`endpoint_id`, string(f.EndpointID))
	}
	if f.Status != "" {
		w.eq(`status`, string(f.Status))
	}
	if f.EventID != "" {
		w.eq(`event_id`, string(f.EventID))
	}
	q := webhookDeliveries.selectSQL
	if len(w.where) > 0 {
		q += ` WHERE ` + w.String()
	}
	q += ` ORDER BY id DESC LIMIT ?`
	return queryList(ctx, s.t, op, q, append(w.args, limit+1), limit, webhookDeliveries.scan,
		func(d webhook.Delivery) string { return string(d.ID) })
}

// DeliveriesBetween returns an endpoint's first deliveries in a time
// range, oldest first, without replays.
func (s webhookRepo) DeliveriesBetween(ctx context.Context, id webhook.EndpointID, from, to time.Time, limit int) ([]webhook.Delivery, error) {
	return queryAll(ctx, s.t, "listing webhook deliveries in a time range",
		webhookDeliveries.selectSQL+` WHERE endpoint_id = ? AND created_at >= ? AND created_at < ? AND replay_of IS NULL
		ORDER BY created_at, id LIMIT ?`, []any{string(id), ts(from), ts(to), limit}, min(limit, 64), webhookDeliveries.scan)
}

// DeleteSettledDeliveries deletes old settled deliveries, through the
// index on (created_at) of the settled ones.
func (s webhookRepo) DeleteSettledDeliveries(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting settled webhook deliveries"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM webhook_deliveries
		WHERE status IN ('sent', 'failed') AND created_at < ?`, ts(before))
	return int(n), err
}

// DeliveryStats counts the unsettled deliveries and finds the earliest
// due time, as outboxRepo.Stats does.
func (s webhookRepo) DeliveryStats(ctx context.Context) (storage.OutboxStats, error) {
	var (
		st              storage.OutboxStats
		pending, leased time.Time
	)
	err := s.t.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'),
		(SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'sending'),
		(SELECT MIN(next_attempt_at) FROM webhook_deliveries WHERE status = 'pending'),
		(SELECT MIN(claimed_until) FROM webhook_deliveries WHERE status = 'sending')`).Scan(&st.Pending, &st.Sending, tcol(&pending), tcol(&leased))
	if err != nil {
		return storage.OutboxStats{}, s.t.dbError("reading webhook delivery stats", err, nil)
	}
	st.FirstDue = pending
	if !leased.IsZero() && (st.FirstDue.IsZero() || leased.Before(st.FirstDue)) {
		st.FirstDue = leased
	}
	return st, nil
}
