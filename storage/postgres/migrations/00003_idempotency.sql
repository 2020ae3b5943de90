-- +goose Up
-- Idempotency-Key records: one per caller (scope) and key, the primary key
-- deciding which of two concurrent requests with the same key goes first.
-- While in flight, status is 0, the other response columns are empty and
-- body is NULL; body is NULL too for an answer whose body is not kept.

CREATE TABLE idempotency_keys (
    scope        text NOT NULL,
    key          text NOT NULL,
    fingerprint  text NOT NULL,
    state        text NOT NULL CHECK (state IN ('in_flight', 'done')),
    status       integer NOT NULL,
    content_type text NOT NULL,
    etag         text NOT NULL,
    body         bytea,
    object_id    text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

-- +goose Down
DROP TABLE idempotency_keys;
