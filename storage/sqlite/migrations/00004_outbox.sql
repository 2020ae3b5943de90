-- +goose Up
-- The mail outbox and the customers' mail template overrides. As before,
-- times are fixed-width UTC TEXT; an unset optional time is NULL.

-- One row per message, written in the transaction of the change that
-- caused it. Workers claim due rows (status pending and due, or sending
-- with a lease that ran out) and settle them: sent, pending again later,
-- or failed. No foreign key on customer_id: like audit events, messages
-- are records that outlive what they describe.
CREATE TABLE outbox (
    id              TEXT NOT NULL PRIMARY KEY,
    kind            TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    customer_id     TEXT,
    -- What the worker renders the message from. It may carry a link's
    -- token, so it is erased (NULL) once the message is sent.
    payload         BLOB,
    status          TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at TEXT NOT NULL,
    -- The lease of a sending row; NULL in every other state.
    claimed_until   TEXT,
    last_error      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    sent_at         TEXT,
    CHECK ((status = 'sending') = (claimed_until IS NOT NULL)),
    CHECK (status <> 'sent' OR (payload IS NULL AND sent_at IS NOT NULL))
) STRICT, WITHOUT ROWID;

-- Claim finds due rows through the first two, so sent rows piling up do
-- not slow it down; lists use the last two.
CREATE INDEX outbox_status_next_attempt_at ON outbox (status, next_attempt_at, id);
CREATE INDEX outbox_status_claimed_until ON outbox (status, claimed_until);
CREATE INDEX outbox_status_id ON outbox (status, id);
CREATE INDEX outbox_customer_id_id ON outbox (customer_id, id);

-- A customer's override of one kind of message in one locale. Empty parts
-- keep the default template.
CREATE TABLE mail_templates (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL,
    locale      TEXT NOT NULL,
    subject     TEXT NOT NULL,
    text_body   TEXT NOT NULL,
    html_body   TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (customer_id, kind, locale)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE mail_templates;
DROP TABLE outbox;
