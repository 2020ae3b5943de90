-- +goose Up
-- Field service (package fieldwork, #18): jobs at sites and the visits that
-- carry them out, and the customers' live-view switches for them. A job
-- stays with the customer it was done for when its site moves on. Lists
-- select a date range newest first: the indexes lead with the customer (or
-- the job) and the time, so a range reads only its own rows.
ALTER TABLE customers ADD COLUMN feature_jobs boolean NOT NULL DEFAULT false;
ALTER TABLE customers ADD COLUMN feature_visits boolean NOT NULL DEFAULT false;
ALTER TABLE customers ADD COLUMN feature_pictures boolean NOT NULL DEFAULT false;

CREATE TABLE jobs (
    id           text COLLATE "C" PRIMARY KEY,
    customer_id  text COLLATE "C" NOT NULL REFERENCES customers (id),
    site_id      text COLLATE "C" NOT NULL REFERENCES sites (id),
    type         text NOT NULL,
    title        text NOT NULL,
    description  text NOT NULL,
    status       text NOT NULL CHECK (status IN ('planned', 'scheduled', 'in_progress', 'done', 'cancelled')),
    planned_at   timestamptz NOT NULL,
    external_ref text,
    version      bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE UNIQUE INDEX jobs_customer_id_external_ref ON jobs (customer_id, external_ref);
CREATE INDEX jobs_customer_id_planned_at_id ON jobs (customer_id, planned_at, id);
CREATE INDEX jobs_site_id_planned_at_id ON jobs (site_id, planned_at, id);

CREATE TABLE visits (
    id           text COLLATE "C" PRIMARY KEY,
    job_id       text COLLATE "C" NOT NULL REFERENCES jobs (id),
    customer_id  text COLLATE "C" NOT NULL REFERENCES customers (id),
    site_id      text COLLATE "C" NOT NULL REFERENCES sites (id),
    technician   text NOT NULL,
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz,
    outcome      text NOT NULL,
    report       text NOT NULL,
    external_ref text,
    version      bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

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
