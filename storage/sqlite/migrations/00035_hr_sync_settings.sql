-- +goose Up
-- Each customer's HR sync settings: which employees a sync keeps, and
-- whether synced employees are invited to the portal.

CREATE TABLE hr_sync_settings (
    customer_id      TEXT NOT NULL PRIMARY KEY REFERENCES customers (id),
    filter           TEXT NOT NULL,
    invite_employees INTEGER NOT NULL CHECK (invite_employees IN (0, 1)),
    updated_by       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE hr_sync_settings;
