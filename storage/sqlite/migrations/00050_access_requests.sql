-- +goose Up
-- Requests for access from people without an account (package
-- accessrequest). The decision's customer and invitation are kept as
-- records: no foreign keys, a request outlives what it names.
CREATE TABLE access_requests (
    id                TEXT NOT NULL PRIMARY KEY,
    company_name      TEXT NOT NULL,
    vat_id            TEXT NOT NULL,
    website           TEXT NOT NULL,
    name              TEXT NOT NULL,
    email             TEXT NOT NULL,
    phone             TEXT NOT NULL,
    message           TEXT NOT NULL,
    language          TEXT NOT NULL,
    token_hash        TEXT NOT NULL UNIQUE,
    confirm_by        TEXT NOT NULL,
    confirmed_at      TEXT,
    status            TEXT NOT NULL CHECK (status IN ('unconfirmed', 'pending', 'connected', 'rejected')),
    decided_by        TEXT NOT NULL,
    decided_at        TEXT,
    decision_message  TEXT NOT NULL,
    customer_id       TEXT NOT NULL,
    new_customer      INTEGER NOT NULL CHECK (new_customer IN (0, 1)),
    invitation_id     TEXT NOT NULL,
    client_addr       TEXT NOT NULL,
    version           INTEGER NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- The staff inbox by status, newest first; the purge of unconfirmed ones.
CREATE INDEX access_requests_status_id ON access_requests (status, id);
CREATE INDEX access_requests_status_confirm_by ON access_requests (status, confirm_by);

-- +goose Down
DROP TABLE access_requests;
