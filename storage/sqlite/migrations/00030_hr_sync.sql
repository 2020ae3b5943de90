-- +goose Up
-- HR sync: per-customer licences, the org structure (employees,
-- departments and cost centres) and the history of sync runs.

CREATE TABLE customer_licenses (
    customer_id TEXT NOT NULL PRIMARY KEY REFERENCES customers (id),
    hr_sync     TEXT NOT NULL CHECK (hr_sync IN ('default', 'granted', 'revoked')),
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE org_employees (
    id                  TEXT NOT NULL PRIMARY KEY,
    customer_id         TEXT NOT NULL REFERENCES customers (id),
    external_id         TEXT NOT NULL,
    employee_number     TEXT NOT NULL,
    name                TEXT NOT NULL,
    email               TEXT NOT NULL,
    username            TEXT NOT NULL,
    department          TEXT NOT NULL,
    cost_centre         TEXT NOT NULL,
    location            TEXT NOT NULL,
    site_id             TEXT,
    manager_external_id TEXT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('active', 'locked', 'left')),
    source              TEXT NOT NULL,
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    left_at             TEXT
) STRICT, WITHOUT ROWID;

-- One employee per external ID among those who have not left; history
-- may repeat it.
CREATE UNIQUE INDEX org_employees_external_id ON org_employees (customer_id, external_id) WHERE status <> 'left';
CREATE INDEX org_employees_customer_id ON org_employees (customer_id, id);

CREATE TABLE org_units (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    kind        TEXT NOT NULL CHECK (kind IN ('department', 'cost_centre')),
    code        TEXT NOT NULL,
    name        TEXT NOT NULL,
    parent_code TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (customer_id, kind, code)
) STRICT, WITHOUT ROWID;

CREATE TABLE hr_sync_runs (
    id           TEXT NOT NULL PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    source       TEXT NOT NULL,
    status       TEXT NOT NULL,
    plan         TEXT NOT NULL,
    records      TEXT NOT NULL,
    started_by   TEXT NOT NULL,
    confirmed_by TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    duration_ms  INTEGER NOT NULL,
    version      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX hr_sync_runs_customer_id ON hr_sync_runs (customer_id, id);

-- Stock issued to an employee of the org model (NULL: a free-text holder).
ALTER TABLE stock_items ADD COLUMN holder_employee_id TEXT REFERENCES org_employees (id);
CREATE INDEX stock_items_holder_employee_id ON stock_items (holder_employee_id) WHERE holder_employee_id IS NOT NULL;

-- +goose Down
DROP INDEX stock_items_holder_employee_id;
ALTER TABLE stock_items DROP COLUMN holder_employee_id;
DROP TABLE hr_sync_runs;
DROP TABLE org_units;
DROP TABLE org_employees;
DROP TABLE customer_licenses;
