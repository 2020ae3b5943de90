-- +goose Up
-- One row that Store.Heartbeat overwrites in a write transaction of its
-- own: readiness probes learn from it whether the database commits writes,
-- not only whether it answers. beats counts the heartbeats, beat_at is the
-- time of the last.
CREATE TABLE heartbeat (
    slot    INTEGER NOT NULL PRIMARY KEY CHECK (slot = 1),
    beats   INTEGER NOT NULL,
    beat_at TEXT NOT NULL
) STRICT;

-- +goose Down
DROP TABLE heartbeat;
