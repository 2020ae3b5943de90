-- +goose Up
-- Customers' OpenID Connect identity providers (identity.SSOConfig). The
-- client secret is stored sealed by the portal; a domain belongs to one
-- customer, which the sign-in page finds by it.
CREATE TABLE sso_configs (
    customer_id   TEXT NOT NULL PRIMARY KEY REFERENCES customers (id),
    issuer        TEXT NOT NULL,
    client_id     TEXT NOT NULL,
    secret_sealed BLOB NOT NULL,
    email_claim   TEXT NOT NULL,
    name_claim    TEXT NOT NULL,
    jit           INTEGER NOT NULL CHECK (jit IN (0, 1)),
    jit_role      TEXT NOT NULL CHECK (jit_role IN ('viewer', 'maintainer', 'admin')),
    required      INTEGER NOT NULL CHECK (required IN (0, 1)),
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE sso_domains (
    domain      TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES sso_configs (customer_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX sso_domains_customer_id ON sso_domains (customer_id);

-- Sign-ins started and waiting for the identity provider (identity.SSOState).
CREATE TABLE sso_states (
    state_hash  TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    created_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sso_states_expires_at ON sso_states (expires_at);

-- +goose Down
DROP TABLE sso_states;
DROP TABLE sso_domains;
DROP TABLE sso_configs;
