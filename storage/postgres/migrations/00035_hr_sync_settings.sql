-- +goose Up
-- Each customer's HR sync settings: which employees a sync keeps, and
-- whether synced employees are invited to the portal.

CREATE TABLE hr_sync_settings (
    customer_id      text COLLATE "C" NOT NULL PRIMARY KEY REFERENCES customers (id),
    filter           jsonb NOT NULL,
    invite_employees boolean NOT NULL,
    updated_by       text NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- +goose Down
DROP TABLE hr_sync_settings;
