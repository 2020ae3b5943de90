-- +goose Up
-- Shared records (package record): the record types staff define through
-- the API (one row per version; types defined in Go are not stored),
-- the records, their history, their index of identifier values and
-- search text, and the change requests that wait for approval. A record
-- of no customer waits to be claimed; its site is kept as a record (no
-- foreign key), as tickets keep theirs.
CREATE TABLE record_types (
    name       TEXT NOT NULL,
    version    INTEGER NOT NULL CHECK (version > 0),
    -- The type's definition, a JSON object (record.Type).
    definition TEXT NOT NULL CHECK (json_valid(definition) AND json_type(definition) = 'object'),
    PRIMARY KEY (name, version)
) STRICT, WITHOUT ROWID;

CREATE TABLE records (
    id           TEXT NOT NULL PRIMARY KEY,
    customer_id  TEXT REFERENCES customers (id),
    site_id      TEXT NOT NULL,
    type         TEXT NOT NULL,
    type_version INTEGER NOT NULL,
    external_ref TEXT,
    -- The values, a JSON object of strings.
    record_values TEXT NOT NULL CHECK (json_valid(record_values) AND json_type(record_values) = 'object'),
    text_all     TEXT NOT NULL,
    text_shown   TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (type, external_ref)
) STRICT, WITHOUT ROWID;

-- A customer's records (all, of a type); the unassigned ones.
CREATE INDEX records_customer_id_id ON records (customer_id, id);
CREATE INDEX records_customer_id_type_id ON records (customer_id, type, id);

-- The identifier values of every record: a search by identifier is one
-- lookup here and one by key in records.
CREATE TABLE record_identifiers (
    type      TEXT NOT NULL,
    field     TEXT NOT NULL,
    value     TEXT NOT NULL,
    record_id TEXT NOT NULL REFERENCES records (id),
    PRIMARY KEY (type, field, value, record_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX record_identifiers_record_id ON record_identifiers (record_id);

-- Every change of a record, in order; seq 1 is the creation.
CREATE TABLE record_events (
    record_id   TEXT NOT NULL REFERENCES records (id),
    seq         INTEGER NOT NULL,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    by          TEXT NOT NULL,
    by_customer INTEGER NOT NULL CHECK (by_customer IN (0, 1)),
    before      TEXT NOT NULL CHECK (json_valid(before)),
    after       TEXT NOT NULL CHECK (json_valid(after)),
    note        TEXT NOT NULL,
    PRIMARY KEY (record_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE record_changes (
    id           TEXT NOT NULL PRIMARY KEY,
    record_id    TEXT NOT NULL REFERENCES records (id),
    customer_id  TEXT NOT NULL,
    changes      TEXT NOT NULL CHECK (json_valid(changes)),
    before       TEXT NOT NULL CHECK (json_valid(before)),
    after        TEXT NOT NULL CHECK (json_valid(after)),
    base_version INTEGER NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_by TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    decided_at   TEXT,
    note         TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

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
