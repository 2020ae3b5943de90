-- +goose Up
-- Staff members acting as customer users (identity.Impersonation). The
-- session is an ordinary user session (method 'impersonation'); this row
-- says who stands behind it and why, and outlives it.
CREATE TABLE impersonations (
    id            TEXT NOT NULL PRIMARY KEY,
    session_id    TEXT NOT NULL UNIQUE,
    staff_id      TEXT NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id),
    membership_id TEXT NOT NULL,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    reason        TEXT NOT NULL,
    read_only     INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    started_at    TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ended_at      TEXT
) STRICT, WITHOUT ROWID;

CREATE INDEX impersonations_customer_id_id ON impersonations (customer_id, id);

-- A customer's admins may forbid impersonation.
CREATE TABLE impersonation_policies (
    customer_id TEXT NOT NULL PRIMARY KEY REFERENCES customers (id),
    forbidden   INTEGER NOT NULL CHECK (forbidden IN (0, 1)),
    updated_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE impersonation_policies;
DROP TABLE impersonations;
