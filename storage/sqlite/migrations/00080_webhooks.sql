-- +goose Up
-- Webhook endpoints and their deliveries. A delivery is the webhooks'
-- outbox row and, once settled, the delivery log: one row per event and
-- subscribed endpoint, written in the transaction of the change, claimed
-- and settled by delivery workers as the mail outbox's rows are.

CREATE TABLE webhook_endpoints (
    id              TEXT NOT NULL PRIMARY KEY,
    url             TEXT NOT NULL,
    description     TEXT NOT NULL,
    -- A JSON array of event types.
    event_types     TEXT NOT NULL,
    -- No foreign key: an endpoint limited to a customer that is gone
    -- receives nothing.
    customer_id     TEXT,
    enabled         INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    disabled_reason TEXT NOT NULL,
    secret          TEXT NOT NULL,
    previous_secret TEXT NOT NULL,
    previous_until  TEXT,
    failing_since   TEXT,
    version         INTEGER NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX webhook_endpoints_enabled ON webhook_endpoints (enabled, id);

CREATE TABLE webhook_deliveries (
    id              TEXT NOT NULL PRIMARY KEY,
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    customer_id     TEXT,
    body            BLOB NOT NULL,
    replay_of       TEXT,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    claims          INTEGER NOT NULL CHECK (claims >= 0),
    next_attempt_at TEXT NOT NULL,
    claimed_until   TEXT,
    response_code   INTEGER NOT NULL,
    response_body   TEXT NOT NULL,
    latency_us      INTEGER NOT NULL,
    last_error      TEXT NOT NULL,
    attempted_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    delivered_at    TEXT,
    CHECK ((status = 'sending') = (claimed_until IS NOT NULL))
) STRICT, WITHOUT ROWID;

-- The claim, as the outbox's: due rows in (next_attempt_at, id) order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at, id);
CREATE INDEX webhook_deliveries_status_claimed_until ON webhook_deliveries (status, claimed_until);
-- The delivery log of one endpoint, newest first, and its time ranges.
CREATE INDEX webhook_deliveries_endpoint_id ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_endpoint_created ON webhook_deliveries (endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_event_id ON webhook_deliveries (event_id);
-- Retention: settled deliveries by age.
CREATE INDEX webhook_deliveries_settled_created ON webhook_deliveries (created_at) WHERE status IN ('sent', 'failed');

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
