-- +goose Up
-- Staff sign in through the provider's own identity provider too: a
-- started sign-in of staff belongs to no customer (customer_id NULL).
CREATE TABLE sso_states_new (
    state_hash  TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT REFERENCES customers (id),
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    created_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO sso_states_new SELECT state_hash, customer_id, nonce, verifier, expires_at, used_at, created_at FROM sso_states;
DROP TABLE sso_states;
ALTER TABLE sso_states_new RENAME TO sso_states;
CREATE INDEX sso_states_expires_at ON sso_states (expires_at);

-- +goose Down
DELETE FROM sso_states WHERE customer_id IS NULL;
CREATE TABLE sso_states_old (
    state_hash  TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    nonce       TEXT NOT NULL,
    verifier    TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    created_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO sso_states_old SELECT state_hash, customer_id, nonce, verifier, expires_at, used_at, created_at FROM sso_states;
DROP TABLE sso_states;
ALTER TABLE sso_states_old RENAME TO sso_states;
CREATE INDEX sso_states_expires_at ON sso_states (expires_at);
