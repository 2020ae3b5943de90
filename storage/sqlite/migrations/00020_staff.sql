-- +goose Up
-- Staff members: provider people who sign in to the console, with their
-- password credentials and one-time sign-in links (invitations and login
-- links). Staff sessions live in the sessions table, beside customer
-- users': a session names either a staff member or a user, membership and
-- customer. SQLite cannot drop NOT NULL from a column, so sessions is
-- rebuilt with its columns nullable and a staff_id column.

CREATE TABLE staff_members (
    id         TEXT NOT NULL PRIMARY KEY,
    email      TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    status     TEXT NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    -- The inviting actor, kept as a record: no foreign key.
    invited_by TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- GetByEmail asks for lower(email) = lower(?), as for users (00010).
CREATE INDEX staff_members_lower_email ON staff_members (lower(email));
-- The last-owner rule counts active owners.
CREATE INDEX staff_members_role_status ON staff_members (role, status, id);

CREATE TABLE staff_passwords (
    staff_id        TEXT NOT NULL PRIMARY KEY REFERENCES staff_members (id),
    hash            TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL,
    locked_until    TEXT,
    updated_at      TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE staff_links (
    id         TEXT NOT NULL PRIMARY KEY,
    staff_id   TEXT NOT NULL REFERENCES staff_members (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('invitation', 'login')),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX staff_links_staff_id_unused ON staff_links (staff_id) WHERE used_at IS NULL;
CREATE INDEX staff_links_expires_at ON staff_links (expires_at);

CREATE TABLE sessions_new (
    id             TEXT NOT NULL PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    user_id        TEXT REFERENCES users (id),
    membership_id  TEXT REFERENCES memberships (id) ON DELETE CASCADE,
    customer_id    TEXT,
    staff_id       TEXT REFERENCES staff_members (id),
    method         TEXT NOT NULL,
    access_link_id TEXT,
    read_only      INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    last_seen_at   TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    -- A customer user's session names its user, membership and customer;
    -- a staff member's names only the member.
    CHECK ((staff_id IS NULL AND user_id IS NOT NULL AND membership_id IS NOT NULL AND customer_id IS NOT NULL)
        OR (staff_id IS NOT NULL AND user_id IS NULL AND membership_id IS NULL AND customer_id IS NULL
            AND access_link_id IS NULL))
) STRICT, WITHOUT ROWID;

INSERT INTO sessions_new (id, token_hash, user_id, membership_id, customer_id, method, access_link_id,
    read_only, last_seen_at, expires_at, created_at)
SELECT id, token_hash, user_id, membership_id, customer_id, method, access_link_id,
    read_only, last_seen_at, expires_at, created_at FROM sessions;
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;

CREATE INDEX sessions_user_id_id ON sessions (user_id, id);
CREATE INDEX sessions_membership_id_id ON sessions (membership_id, id);
CREATE INDEX sessions_customer_id_id ON sessions (customer_id, id);
CREATE INDEX sessions_access_link_id_id ON sessions (access_link_id, id) WHERE access_link_id IS NOT NULL;
CREATE INDEX sessions_staff_id_id ON sessions (staff_id, id) WHERE staff_id IS NOT NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

-- +goose Down
CREATE TABLE sessions_old (
    id             TEXT NOT NULL PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    user_id        TEXT NOT NULL REFERENCES users (id),
    membership_id  TEXT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    customer_id    TEXT NOT NULL,
    method         TEXT NOT NULL,
    access_link_id TEXT,
    read_only      INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    last_seen_at   TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO sessions_old (id, token_hash, user_id, membership_id, customer_id, method, access_link_id,
    read_only, last_seen_at, expires_at, created_at)
SELECT id, token_hash, user_id, membership_id, customer_id, method, access_link_id,
    read_only, last_seen_at, expires_at, created_at FROM sessions WHERE staff_id IS NULL;
DROP TABLE sessions;
ALTER TABLE sessions_old RENAME TO sessions;

CREATE INDEX sessions_user_id_id ON sessions (user_id, id);
CREATE INDEX sessions_membership_id_id ON sessions (membership_id, id);
CREATE INDEX sessions_customer_id_id ON sessions (customer_id, id);
CREATE INDEX sessions_access_link_id_id ON sessions (access_link_id, id) WHERE access_link_id IS NOT NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

DROP TABLE staff_links;
DROP TABLE staff_passwords;
DROP TABLE staff_members;
