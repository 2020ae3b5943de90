-- +goose Up
-- Staff members acting as customer users (identity.Impersonation). The
-- session is an ordinary user session (method 'impersonation'); this row
-- says who stands behind it and why, and outlives it.
CREATE TABLE impersonations (
    id            text COLLATE "C" PRIMARY KEY,
    session_id    text COLLATE "C" NOT NULL UNIQUE,
    staff_id      text COLLATE "C" NOT NULL,
    user_id       text COLLATE "C" NOT NULL REFERENCES users (id),
    membership_id text COLLATE "C" NOT NULL,
    customer_id   text COLLATE "C" NOT NULL REFERENCES customers (id),
    reason        text NOT NULL,
    read_only     boolean NOT NULL,
    started_at    timestamptz NOT NULL,
    expires_at    timestamptz NOT NULL,
    ended_at      timestamptz
);

CREATE INDEX impersonations_customer_id_id ON impersonations (customer_id, id);

-- A customer's admins may forbid impersonation.
CREATE TABLE impersonation_policies (
    customer_id text COLLATE "C" PRIMARY KEY REFERENCES customers (id),
    forbidden   boolean NOT NULL,
    updated_by  text NOT NULL,
    updated_at  timestamptz NOT NULL
);

ALTER TABLE sessions DROP CONSTRAINT sessions_method_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_method_check
    CHECK (method IN ('invitation', 'login_link', 'access_link', 'password', 'sso', 'impersonation'));

-- +goose Down
DELETE FROM sessions WHERE method = 'impersonation';
ALTER TABLE sessions DROP CONSTRAINT sessions_method_check;
ALTER TABLE sessions ADD CONSTRAINT sessions_method_check
    CHECK (method IN ('invitation', 'login_link', 'access_link', 'password', 'sso'));
DROP TABLE impersonation_policies;
DROP TABLE impersonations;
