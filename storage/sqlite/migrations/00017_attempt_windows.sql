-- +goose Up
-- Attempts per key in windows of time (storage.AttemptCounter): the rate
-- limits of sign-ins, counted in the database so that every process on it
-- counts together. A window ends at ends_at; the next attempt starts a new
-- one, and PurgeExpired deletes ended ones. Keys are what the limiter
-- passes (portal hashes them).
CREATE TABLE attempt_windows (
    key      TEXT NOT NULL PRIMARY KEY,
    attempts INTEGER NOT NULL,
    ends_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX attempt_windows_ends_at ON attempt_windows (ends_at);

-- +goose Down
DROP TABLE attempt_windows;
