-- +goose Up
-- Attempts per key in windows of time (storage.AttemptCounter): the rate
-- limits of sign-ins, counted in the database so that every replica counts
-- together. A window ends at ends_at; the next attempt starts a new one,
-- and PurgeExpired deletes ended ones. Keys are what the limiter passes
-- (portal hashes them).
CREATE TABLE attempt_windows (
    key      text COLLATE "C" PRIMARY KEY,
    attempts bigint NOT NULL,
    ends_at  timestamptz NOT NULL
);

CREATE INDEX attempt_windows_ends_at ON attempt_windows (ends_at);

-- +goose Down
DROP TABLE attempt_windows;
