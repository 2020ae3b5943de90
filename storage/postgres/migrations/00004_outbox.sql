-- +goose Up
-- The mail outbox and the customers' mail template overrides. As before,
-- IDs are text in the "C" collation, times are timestamptz and an unset
-- optional time is NULL.

-- One row per message, written in the transaction of the change that
-- caused it. Workers claim due rows (pending and due, or sending with a
-- lease that ran out) and settle them: sent, pending again later, or
-- failed. No foreign key on customer_id: like audit events, messages are
-- records that outlive what they describe.
CREATE TABLE outbox (
    id              text COLLATE "C" PRIMARY KEY,
    kind            text NOT NULL,
    recipient       text NOT NULL,
    customer_id     text COLLATE "C",
    -- What the worker renders the message from. It may carry a link's
    -- token, so it is erased (NULL) once the message is sent.
    payload         bytea,
    status          text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        integer NOT NULL CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    -- The lease of a sending row; NULL in every other state.
    claimed_until   timestamptz,
    last_error      text NOT NULL,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    CHECK ((status = 'sending') = (claimed_until IS NOT NULL)),
    CHECK (status <> 'sent' OR (payload IS NULL AND sent_at IS NOT NULL))
);

-- Claim walks this one in (next_attempt_at, id) order up to now. It holds
-- only the rows that may be due, pending and sending ones, so sent and
-- failed rows piling up neither slow claims down nor grow it. A sending
-- row is found by its next_attempt_at too: it was claimed when due, so
-- next_attempt_at <= the claim's now <= claimed_until.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status IN ('pending', 'sending');
-- Lists: by status, by customer, by both.
CREATE INDEX outbox_status_id ON outbox (status, id);
CREATE INDEX outbox_customer_id_id ON outbox (customer_id, id);
CREATE INDEX outbox_customer_id_status_id ON outbox (customer_id, status, id);

-- A customer's override of one kind of message in one locale. Empty parts
-- keep the default template. Kind and locale are in the "C" collation
-- too, so List orders them byte by byte, as the other backends do.
CREATE TABLE mail_templates (
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    kind        text COLLATE "C" NOT NULL,
    locale      text COLLATE "C" NOT NULL,
    subject     text NOT NULL,
    text_body   text NOT NULL,
    html_body   text NOT NULL,
    updated_by  text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (customer_id, kind, locale)
);

-- +goose Down
DROP TABLE mail_templates;
DROP TABLE outbox;
