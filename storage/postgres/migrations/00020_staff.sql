-- +goose Up
-- Staff members: provider people who sign in to the console, with their
-- password credentials and one-time sign-in links (invitations and login
-- links). Staff sessions live in the sessions table, beside customer
-- users': a session names either a staff member or a user, membership and
-- customer.

CREATE TABLE staff_members (
    id         text COLLATE "C" PRIMARY KEY,
    email      text NOT NULL,
    name       text NOT NULL,
    role       text NOT NULL CHECK (role IN ('owner', 'admin', 'agent')),
    status     text NOT NULL CHECK (status IN ('invited', 'active', 'disabled')),
    -- The inviting actor, kept as a record: no foreign key.
    invited_by text NOT NULL,
    version    bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX staff_members_email_key ON staff_members (lower(email));
-- The last-owner rule counts active owners.
CREATE INDEX staff_members_role_status ON staff_members (role, status, id);

CREATE TABLE staff_passwords (
    staff_id        text COLLATE "C" PRIMARY KEY REFERENCES staff_members (id),
    hash            text NOT NULL,
    failed_attempts integer NOT NULL,
    locked_until    timestamptz,
    updated_at      timestamptz NOT NULL
);

CREATE TABLE staff_links (
    id         text COLLATE "C" PRIMARY KEY,
    staff_id   text COLLATE "C" NOT NULL REFERENCES staff_members (id),
    purpose    text NOT NULL CHECK (purpose IN ('invitation', 'login')),
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL
);

CREATE INDEX staff_links_staff_id_unused ON staff_links (staff_id) WHERE used_at IS NULL;
CREATE INDEX staff_links_expires_at ON staff_links (expires_at);

ALTER TABLE sessions
    ALTER COLUMN user_id DROP NOT NULL,
    ALTER COLUMN membership_id DROP NOT NULL,
    ALTER COLUMN customer_id DROP NOT NULL,
    ADD COLUMN staff_id text COLLATE "C" REFERENCES staff_members (id),
    -- A customer user's session names its user, membership and customer;
    -- a staff member's names only the member.
    ADD CONSTRAINT sessions_staff_or_user CHECK (
        (staff_id IS NULL AND user_id IS NOT NULL AND membership_id IS NOT NULL AND customer_id IS NOT NULL)
        OR (staff_id IS NOT NULL AND user_id IS NULL AND membership_id IS NULL AND customer_id IS NULL
            AND access_link_id IS NULL));

CREATE INDEX sessions_staff_id_id ON sessions (staff_id, id) WHERE staff_id IS NOT NULL;

-- +goose Down
DELETE FROM sessions WHERE staff_id IS NOT NULL;
DROP INDEX sessions_staff_id_id;
ALTER TABLE sessions
    DROP CONSTRAINT sessions_staff_or_user,
    DROP COLUMN staff_id,
    ALTER COLUMN user_id SET NOT NULL,
    ALTER COLUMN membership_id SET NOT NULL,
    ALTER COLUMN customer_id SET NOT NULL;
DROP TABLE staff_links;
DROP TABLE staff_passwords;
DROP TABLE staff_members;
