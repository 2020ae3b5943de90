-- +goose Up
-- Shared records (package record): the record types staff define through
-- the API (one row per version; types defined in Go are not stored),
-- the records, their history, their index of identifier values and
-- search text, and the change requests that wait for approval. A record
-- of no customer waits to be claimed; its site is kept as a record (no
-- foreign key), as tickets keep theirs.
CREATE TABLE record_types (
    name       text COLLATE "C" NOT NULL,
    version    integer NOT NULL CHECK (version > 0),
    -- The type's definition, a JSON object (record.Type).
    definition jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    PRIMARY KEY (name, version)
);

CREATE TABLE records (
    id            text COLLATE "C" PRIMARY KEY,
    customer_id   text COLLATE "C" REFERENCES customers (id),
    site_id       text COLLATE "C" NOT NULL,
    type          text COLLATE "C" NOT NULL,
    type_version  integer NOT NULL,
    external_ref  text COLLATE "C",
    -- The values, a JSON object of strings.
    record_values jsonb NOT NULL CHECK (jsonb_typeof(record_values) = 'object'),
    text_all      text NOT NULL,
    text_shown    text NOT NULL,
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    UNIQUE (type, external_ref)
);

-- A customer's records (all, of a type); the unassigned ones.
CREATE INDEX records_customer_id_id ON records (customer_id, id);
CREATE INDEX records_customer_id_type_id ON records (customer_id, type, id);

-- The identifier values of every record: a search by identifier is one
-- lookup here and one by key in records.
CREATE TABLE record_identifiers (
    type      text COLLATE "C" NOT NULL,
    field     text COLLATE "C" NOT NULL,
    value     text COLLATE "C" NOT NULL,
    record_id text COLLATE "C" NOT NULL REFERENCES records (id),
    PRIMARY KEY (type, field, value, record_id)
);
CREATE INDEX record_identifiers_record_id ON record_identifiers (record_id);

-- Every change of a record, in order; seq 1 is the creation.
CREATE TABLE record_events (
    record_id   text COLLATE "C" NOT NULL REFERENCES records (id),
    seq         integer NOT NULL,
    kind        text NOT NULL,
    at          timestamptz NOT NULL,
    by          text NOT NULL,
    by_customer boolean NOT NULL,
    before      jsonb NOT NULL,
    after       jsonb NOT NULL,
    note        text NOT NULL,
    PRIMARY KEY (record_id, seq)
);

CREATE TABLE record_changes (
    id           text COLLATE "C" PRIMARY KEY,
    record_id    text COLLATE "C" NOT NULL REFERENCES records (id),
    customer_id  text COLLATE "C" NOT NULL,
    changes      jsonb NOT NULL,
    before       jsonb NOT NULL,
    after        jsonb NOT NULL,
    base_version bigint NOT NULL,
    status       text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_by text NOT NULL,
    decided_by   text NOT NULL,
    decided_at   timestamptz,
    note         text NOT NULL,
    created_at   timestamptz NOT NULL
);

-- The staff inbox (pending, across customers); a customer's or a
-- record's requests.
CREATE INDEX record_changes_status_id ON record_changes (status, id);
CREATE INDEX record_changes_customer_id_id ON record_changes (customer_id, id);
CREATE INDEX record_changes_record_id_id ON record_changes (record_id, id);

-- +goose Down
DROP TABLE record_changes;
DROP TABLE record_events;
DROP TABLE record_identifiers;
DROP TABLE records;
DROP TABLE record_types;
