-- +goose Up
-- One row that Store.Heartbeat overwrites in a write transaction of its
-- own: readiness probes learn from it whether the database commits writes,
-- not only whether it answers. beats counts the heartbeats, beat_at is the
-- time of the last. Replicas share the row; a probe that collides with
-- another replica's is retried like any write transaction.
CREATE TABLE heartbeat (
    slot    integer PRIMARY KEY CHECK (slot = 1),
    beats   bigint NOT NULL,
    beat_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE heartbeat;
