-- +goose Up
-- HR sync: per-customer licences, the org structure (employees,
-- departments and cost centres) and the history of sync runs.

CREATE TABLE customer_licenses (
    customer_id text COLLATE "C" PRIMARY KEY REFERENCES customers (id),
    hr_sync     text NOT NULL CHECK (hr_sync IN ('default', 'granted', 'revoked')),
    updated_by  text NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE TABLE org_employees (
    id                  text COLLATE "C" PRIMARY KEY,
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    external_id         text COLLATE "C" NOT NULL,
    employee_number     text NOT NULL,
    name                text NOT NULL,
    email               text NOT NULL,
    username            text NOT NULL,
    department          text NOT NULL,
    cost_centre         text NOT NULL,
    location            text NOT NULL,
    site_id             text COLLATE "C",
    manager_external_id text COLLATE "C" NOT NULL,
    status              text NOT NULL CHECK (status IN ('active', 'locked', 'left')),
    source              text NOT NULL,
    version             bigint NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL,
    left_at             timestamptz
);

-- One employee per external ID among those who have not left; history
-- may repeat it.
CREATE UNIQUE INDEX org_employees_external_id ON org_employees (customer_id, external_id) WHERE status <> 'left';
CREATE INDEX org_employees_customer_id ON org_employees (customer_id, id);

CREATE TABLE org_units (
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    kind        text NOT NULL CHECK (kind IN ('department', 'cost_centre')),
    code        text NOT NULL,
    name        text NOT NULL,
    parent_code text NOT NULL,
    updated_at  timestamptz NOT NULL,
    PRIMARY KEY (customer_id, kind, code)
);

CREATE TABLE hr_sync_runs (
    id           text COLLATE "C" PRIMARY KEY,
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    source       text NOT NULL,
    status       text NOT NULL,
    plan jsonb NOT NULL,
    records jsonb NOT NULL,
    started_by   text NOT NULL,
    confirmed_by text NOT NULL,
    started_at   timestamptz NOT NULL,
    finished_at  timestamptz,
    duration_ms  bigint NOT NULL,
    version      bigint NOT NULL
);

CREATE INDEX hr_sync_runs_customer_id ON hr_sync_runs (customer_id, id);

-- Stock issued to an employee of the org model (NULL: a free-text holder).
ALTER TABLE stock_items ADD COLUMN holder_employee_id text COLLATE "C" REFERENCES org_employees (id);
CREATE INDEX stock_items_holder_employee_id ON stock_items (holder_employee_id) WHERE holder_employee_id IS NOT NULL;

-- +goose Down
DROP INDEX stock_items_holder_employee_id;
ALTER TABLE stock_items DROP COLUMN holder_employee_id;
DROP TABLE hr_sync_runs;
DROP TABLE org_units;
DROP TABLE org_employees;
DROP TABLE customer_licenses;
