-- +goose Up
-- When each customer's HR pull source is due next; the scheduler claims a
-- due row by moving next_run_at on with a compare-and-set.

CREATE TABLE hr_sync_schedules (
    customer_id   TEXT NOT NULL PRIMARY KEY REFERENCES customers (id),
    every_seconds INTEGER NOT NULL CHECK (every_seconds > 0),
    next_run_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX hr_sync_schedules_next_run_at ON hr_sync_schedules (next_run_at);

-- +goose Down
DROP TABLE hr_sync_schedules;
