-- +goose Up
-- SCIM bearer tokens of customers' identity providers, by hash only.

CREATE TABLE scim_tokens (
    id           text COLLATE "C" PRIMARY KEY,
    customer_id  text COLLATE "C" NOT NULL REFERENCES customers (id),
    name         text NOT NULL,
    token_hash   text NOT NULL UNIQUE,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX scim_tokens_customer_id ON scim_tokens (customer_id, id);

-- SCIM finds employees by user name and e-mail address.
CREATE INDEX org_employees_username ON org_employees (customer_id, username) WHERE username <> '';
CREATE INDEX org_employees_email ON org_employees (customer_id, email) WHERE email <> '';

-- +goose Down
DROP INDEX org_employees_email;
DROP INDEX org_employees_username;
DROP TABLE scim_tokens;
