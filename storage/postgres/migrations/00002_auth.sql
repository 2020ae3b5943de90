-- +goose Up
-- Sign-in and its records: invitations, login and access links, sessions,
-- API keys, passwords and the audit log. As in 00001, IDs are text in the
-- "C" collation and an unset optional time is NULL. Tokens are stored only
-- as hashes, each kind UNIQUE, and looked up by that unique index.

CREATE TABLE invitations (
    id          text COLLATE "C" PRIMARY KEY,
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    email       text NOT NULL,
    role        text NOT NULL CHECK (role IN ('viewer', 'maintainer', 'admin')),
    -- The site IDs as given. No foreign key on purpose: the contract lets a
    -- site named by an invitation be deleted, and the portal checks the
    -- sites again on acceptance.
    site_ids    text[] NOT NULL,
    message     text NOT NULL,
    token_hash  text NOT NULL UNIQUE,
    invited_by  text NOT NULL,
    first_admin boolean NOT NULL,
    expires_at  timestamptz NOT NULL,
    sent_count  integer NOT NULL,
    accepted_at timestamptz,
    -- The accepting user, kept as a record: no foreign key, like invited_by.
    accepted_by text,
    revoked_at  timestamptz,
    version     bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

CREATE INDEX invitations_customer_id_id ON invitations (customer_id, id);
CREATE INDEX invitations_email_id ON invitations (email, id);

CREATE TABLE login_links (
    id         text COLLATE "C" PRIMARY KEY,
    user_id    text COLLATE "C" NOT NULL REFERENCES users (id),
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL
);

-- Supersede touches only a user's unused links.
CREATE INDEX login_links_user_id_unused ON login_links (user_id) WHERE used_at IS NULL;
CREATE INDEX login_links_expires_at ON login_links (expires_at);

-- Removing a membership removes its access links and its sessions.
CREATE TABLE access_links (
    id            text COLLATE "C" PRIMARY KEY,
    membership_id text COLLATE "C" NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    customer_id   text COLLATE "C" NOT NULL REFERENCES customers (id),
    token_hash    text NOT NULL UNIQUE,
    read_only     boolean NOT NULL,
    -- A time.Duration in nanoseconds: interval keeps only microseconds.
    ttl_ns        bigint NOT NULL,
    expires_at    timestamptz NOT NULL,
    disabled_at   timestamptz,
    created_by    text NOT NULL,
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX access_links_customer_id_id ON access_links (customer_id, id);
CREATE INDEX access_links_membership_id_id ON access_links (membership_id, id);

CREATE TABLE sessions (
    id             text COLLATE "C" PRIMARY KEY,
    token_hash     text NOT NULL UNIQUE,
    user_id        text COLLATE "C" NOT NULL REFERENCES users (id),
    membership_id  text COLLATE "C" NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    -- The membership's customer, copied so sessions can be listed and ended
    -- per customer; the membership reference already guarantees it exists.
    customer_id    text COLLATE "C" NOT NULL,
    method         text NOT NULL CHECK (method IN ('invitation', 'login_link', 'access_link', 'password')),
    -- Not a reference: an access link's sessions are ended by the portal
    -- (DeleteMatching), and a membership's go with it by cascade.
    access_link_id text COLLATE "C",
    read_only      boolean NOT NULL,
    last_seen_at   timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    created_at     timestamptz NOT NULL
);

CREATE INDEX sessions_user_id_id ON sessions (user_id, id);
CREATE INDEX sessions_membership_id_id ON sessions (membership_id, id);
CREATE INDEX sessions_customer_id_id ON sessions (customer_id, id);
CREATE INDEX sessions_access_link_id_id ON sessions (access_link_id, id) WHERE access_link_id IS NOT NULL;
CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_last_seen_at ON sessions (last_seen_at);

CREATE TABLE api_keys (
    id           text COLLATE "C" PRIMARY KEY,
    name         text NOT NULL,
    role         text NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    token_hash   text NOT NULL UNIQUE,
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);

CREATE TABLE passwords (
    user_id         text COLLATE "C" PRIMARY KEY REFERENCES users (id),
    hash            text NOT NULL,
    failed_attempts integer NOT NULL,
    locked_until    timestamptz,
    updated_at      timestamptz NOT NULL
);

-- Events outlive what they describe: no foreign keys.
CREATE TABLE audit_events (
    id          text COLLATE "C" PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor       text NOT NULL,
    action      text NOT NULL,
    customer_id text COLLATE "C",
    object_id   text NOT NULL
);

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
