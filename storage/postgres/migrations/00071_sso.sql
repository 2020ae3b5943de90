-- +goose Up
-- Customers' OpenID Connect identity providers (identity.SSOConfig). The
-- client secret is stored sealed by the portal; a domain belongs to one
-- customer, which the sign-in page finds by it.
CREATE TABLE sso_configs (
    customer_id   text COLLATE "C" PRIMARY KEY REFERENCES customers (id),
    issuer        text NOT NULL,
    client_id     text COLLATE "C" NOT NULL,
    secret_sealed bytea NOT NULL,
    email_claim   text NOT NULL,
    name_claim    text NOT NULL,
    jit           boolean NOT NULL,
    jit_role      text NOT NULL CHECK (jit_role IN ('viewer', 'maintainer', 'admin')),
    required      boolean NOT NULL,
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE TABLE sso_domains (
    domain      text COLLATE "C" PRIMARY KEY,
    customer_id text COLLATE "C" NOT NULL REFERENCES sso_configs (customer_id)
);

CREATE INDEX sso_domains_customer_id ON sso_domains (customer_id);

-- Sign-ins started and waiting for the identity provider (identity.SSOState).
CREATE TABLE sso_states (
    state_hash  text COLLATE "C" PRIMARY KEY,
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    nonce       text NOT NULL,
    verifier    text NOT NULL,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    created_at  timestamptz NOT NULL
);

CREATE INDEX sso_states_expires_at ON sso_states (expires_at);

-- A session may be opened through an identity provider (identity.MethodSSO).
ALTER TABLE sessions DROP CONSTRAINT sessions_method_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_method_check
    CHECK (method IN ('invitation', 'login_link', 'access_link', 'password', 'sso'));

-- +goose Down
DELETE FROM sessions WHERE method = 'sso';
ALTER TABLE sessions DROP CONSTRAINT sessions_method_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_method_check
    CHECK (method IN ('invitation', 'login_link', 'access_link', 'password'));
DROP TABLE sso_states;
DROP TABLE sso_domains;
DROP TABLE sso_configs;
