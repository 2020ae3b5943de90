-- +goose Up
-- Field service (package fieldwork, #18): jobs at sites and the visits that
-- carry them out, and the customers' live-view switches for them. A job
-- stays with the customer it was done for when its site moves on. Lists
-- select a date range newest first: the indexes lead with the customer (or
-- the job) and the time, so a range reads only its own rows.
ALTER TABLE customers ADD COLUMN feature_jobs INTEGER NOT NULL DEFAULT 0 CHECK (feature_jobs IN (0, 1));
ALTER TABLE customers ADD COLUMN feature_visits INTEGER NOT NULL DEFAULT 0 CHECK (feature_visits IN (0, 1));
ALTER TABLE customers ADD COLUMN feature_pictures INTEGER NOT NULL DEFAULT 0 CHECK (feature_pictures IN (0, 1));

CREATE TABLE jobs (
    id           TEXT NOT NULL PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    site_id      TEXT NOT NULL REFERENCES sites (id),
    type         TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('planned', 'scheduled', 'in_progress', 'done', 'cancelled')),
    planned_at   TEXT NOT NULL,
    external_ref TEXT,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX jobs_customer_id_external_ref ON jobs (customer_id, external_ref);
CREATE INDEX jobs_customer_id_planned_at_id ON jobs (customer_id, planned_at, id);
CREATE INDEX jobs_site_id_planned_at_id ON jobs (site_id, planned_at, id);

CREATE TABLE visits (
    id           TEXT NOT NULL PRIMARY KEY,
    job_id       TEXT NOT NULL REFERENCES jobs (id),
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    site_id      TEXT NOT NULL REFERENCES sites (id),
    technician   TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    ended_at     TEXT,
    outcome      TEXT NOT NULL,
    report       TEXT NOT NULL,
    external_ref TEXT,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE UNIQUE INDEX visits_customer_id_external_ref ON visits (customer_id, external_ref);
CREATE INDEX visits_customer_id_started_at_id ON visits (customer_id, started_at, id);
CREATE INDEX visits_site_id_started_at_id ON visits (site_id, started_at, id);
CREATE INDEX visits_job_id_started_at_id ON visits (job_id, started_at, id);

-- +goose Down
DROP TABLE visits;
DROP TABLE jobs;
ALTER TABLE customers DROP COLUMN feature_pictures;
ALTER TABLE customers DROP COLUMN feature_visits;
ALTER TABLE customers DROP COLUMN feature_jobs;
