-- +goose Up
-- Sign-in and its records: invitations, login and access links, sessions,
-- API keys, passwords and the audit log. As in 00001, times are fixed-width
-- UTC TEXT; an optional time that is unset (the zero time.Time) is NULL.
-- Tokens are stored only as hashes, each kind UNIQUE, and looked up by that
-- unique index.

CREATE TABLE invitations (
    id          TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    email       TEXT NOT NULL,
    role        TEXT NOT NULL,
    -- A JSON array of site IDs, as given. No foreign key on purpose: the
    -- contract lets a site named by an invitation be deleted, and the
    -- portal checks the sites again on acceptance.
    site_ids    TEXT NOT NULL CHECK (json_valid(site_ids) AND json_type(site_ids) = 'array'),
    message     TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    invited_by  TEXT NOT NULL,
    first_admin INTEGER NOT NULL CHECK (first_admin IN (0, 1)),
    expires_at  TEXT NOT NULL,
    sent_count  INTEGER NOT NULL,
    accepted_at TEXT,
    -- The accepting user, kept as a record: no foreign key, like invited_by.
    accepted_by TEXT,
    revoked_at  TEXT,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX invitations_customer_id_id ON invitations (customer_id, id);
CREATE INDEX invitations_email_id ON invitations (email, id);

CREATE TABLE login_links (
    id         TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Supersede touches only a user's unused links.
CREATE INDEX login_links_user_id_unused ON login_links (user_id) WHERE used_at IS NULL;
CREATE INDEX login_links_expires_at ON login_links (expires_at);

-- Removing a membership removes its access links and its sessions.
CREATE TABLE access_links (
    id            TEXT NOT NULL PRIMARY KEY,
    membership_id TEXT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    token_hash    TEXT NOT NULL UNIQUE,
    read_only     INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    ttl_ns        INTEGER NOT NULL,
    expires_at    TEXT NOT NULL,
    disabled_at   TEXT,
    created_by    TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX access_links_customer_id_id ON access_links (customer_id, id);
CREATE INDEX access_links_membership_id_id ON access_links (membership_id, id);

CREATE TABLE sessions (
    id             TEXT NOT NULL PRIMARY KEY,
    token_hash     TEXT NOT NULL UNIQUE,
    user_id        TEXT NOT NULL REFERENCES users (id),
    membership_id  TEXT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    -- The membership's customer, copied so sessions can be listed and ended
    -- per customer; the membership reference already guarantees it exists.
    customer_id    TEXT NOT NULL,
    method         TEXT NOT NULL,
    -- Not a reference: an access link's sessions are ended by the portal
    -- (DeleteMatching), and a membership's go with it by cascade.
    access_link_id TEXT,
    read_only      INTEGER NOT NULL CHECK (read_only IN (0, 1)),
    last_seen_at   TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    created_at     TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX sessions_user_id_id ON sessions (user_id, id);
CREATE INDEX sessions_membership_id_id ON sessions (membership_id, id);
CREATE INDEX sessions_customer_id_id ON sessions (customer_id, id);
CREATE INDEX sessions_access_link_id_id ON sessions (access_link_id, id) WHERE access_link_id IS NOT NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

CREATE TABLE api_keys (
    id           TEXT NOT NULL PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
) STRICT, WITHOUT ROWID;

CREATE TABLE passwords (
    user_id         TEXT NOT NULL PRIMARY KEY REFERENCES users (id),
    hash            TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL,
    locked_until    TEXT,
    updated_at      TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Events outlive what they describe: no foreign keys.
CREATE TABLE audit_events (
    id          TEXT NOT NULL PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    customer_id TEXT,
    object_id   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX audit_events_customer_id_id ON audit_events (customer_id, id);
CREATE INDEX audit_events_object_id_id ON audit_events (object_id, id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE passwords;
DROP TABLE api_keys;
DROP TABLE sessions;
DROP TABLE access_links;
DROP TABLE login_links;
DROP TABLE invitations;
