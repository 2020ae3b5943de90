-- +goose Up
-- SCIM bearer tokens of customers' identity providers, by hash only.

CREATE TABLE scim_tokens (
    id           TEXT NOT NULL PRIMARY KEY,
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX scim_tokens_customer_id ON scim_tokens (customer_id, id);

-- SCIM finds employees by user name and e-mail address.
CREATE INDEX org_employees_username ON org_employees (customer_id, username) WHERE username <> '';
CREATE INDEX org_employees_email ON org_employees (customer_id, email) WHERE email <> '';

-- +goose Down
DROP INDEX org_employees_email;
DROP INDEX org_employees_username;
DROP TABLE scim_tokens;
