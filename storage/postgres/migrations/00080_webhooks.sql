-- +goose Up
-- Webhook endpoints and their deliveries. A delivery is the webhooks'
-- outbox row and, once settled, the delivery log: one row per event and
-- subscribed endpoint, written in the transaction of the change, claimed
-- and settled by delivery workers as the mail outbox's rows are.

CREATE TABLE webhook_endpoints (
    id              text COLLATE "C" PRIMARY KEY,
    url             text NOT NULL,
    description     text NOT NULL,
    -- A JSON array of event types.
    event_types     jsonb NOT NULL,
    -- No foreign key: an endpoint limited to a customer that is gone
    -- receives nothing.
    customer_id     text COLLATE "C",
    enabled         boolean NOT NULL,
    disabled_reason text NOT NULL,
    secret          text NOT NULL,
    previous_secret text NOT NULL,
    previous_until  timestamptz,
    failing_since   timestamptz,
    version         bigint NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL
);

CREATE INDEX webhook_endpoints_enabled ON webhook_endpoints (id) WHERE enabled;

CREATE TABLE webhook_deliveries (
    id              text COLLATE "C" PRIMARY KEY,
    endpoint_id     text COLLATE "C" NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id        text COLLATE "C" NOT NULL,
    event_type      text NOT NULL,
    customer_id     text COLLATE "C",
    body            bytea NOT NULL,
    replay_of       text COLLATE "C",
    status          text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer NOT NULL CHECK (attempts >= 0),
    claims          integer NOT NULL CHECK (claims >= 0),
    next_attempt_at timestamptz NOT NULL,
    claimed_until   timestamptz,
    response_code   integer NOT NULL,
    response_body   text NOT NULL,
    latency_us      bigint NOT NULL,
    last_error      text NOT NULL,
    attempted_at    timestamptz,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    delivered_at    timestamptz,
    CHECK ((status = 'sending') = (claimed_until IS NOT NULL))
);

-- The claim, as the outbox's: only rows that may be due, in
-- (next_attempt_at, id) order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at, id) WHERE status IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_status_id ON webhook_deliveries (status, id);
-- The delivery log of one endpoint, newest first, and its time ranges.
CREATE INDEX webhook_deliveries_endpoint_id ON webhook_deliveries (endpoint_id, id);
CREATE INDEX webhook_deliveries_endpoint_created ON webhook_deliveries (endpoint_id, created_at, id);
CREATE INDEX webhook_deliveries_event_id ON webhook_deliveries (event_id);
-- Retention: settled deliveries by age.
CREATE INDEX webhook_deliveries_settled_created ON webhook_deliveries (created_at) WHERE status IN ('sent', 'failed');

-- +goose Down
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
