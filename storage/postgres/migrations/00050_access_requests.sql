-- +goose Up
-- Requests for access from people without an account (package
-- accessrequest). The decision's customer and invitation are kept as
-- records: no foreign keys, a request outlives what it names.
CREATE TABLE access_requests (
    id                text COLLATE "C" PRIMARY KEY,
    company_name      text NOT NULL,
    vat_id            text NOT NULL,
    website           text NOT NULL,
    name              text NOT NULL,
    email             text NOT NULL,
    phone             text NOT NULL,
    message           text NOT NULL,
    language          text NOT NULL,
    token_hash        text COLLATE "C" NOT NULL UNIQUE,
    confirm_by        timestamptz NOT NULL,
    confirmed_at      timestamptz,
    status            text NOT NULL CHECK (status IN ('unconfirmed', 'pending', 'connected', 'rejected')),
    decided_by        text NOT NULL,
    decided_at        timestamptz,
    decision_message  text NOT NULL,
    customer_id       text COLLATE "C" NOT NULL,
    new_customer      boolean NOT NULL,
    invitation_id     text COLLATE "C" NOT NULL,
    client_addr       text NOT NULL,
    version           bigint NOT NULL,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL
);

-- The staff inbox by status, newest first; the purge of unconfirmed ones.
CREATE INDEX access_requests_status_id ON access_requests (status, id);
CREATE INDEX access_requests_status_confirm_by ON access_requests (status, confirm_by);

-- +goose Down
DROP TABLE access_requests;
