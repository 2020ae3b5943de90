-- +goose Up
-- A customer's contact persons (customer.Contact), apart from its users;
-- their addresses are a JSON array. The invitation and the user portal
-- access made of a contact are kept as records.
CREATE TABLE contacts (
    id            TEXT NOT NULL PRIMARY KEY,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    phone         TEXT NOT NULL,
    job_title     TEXT NOT NULL,
    addresses     TEXT NOT NULL CHECK (json_valid(addresses) AND json_type(addresses) = 'array'),
    notes         TEXT NOT NULL,
    invitation_id TEXT NOT NULL,
    user_id       TEXT NOT NULL,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX contacts_customer_id_id ON contacts (customer_id, id);
CREATE INDEX contacts_invitation_id ON contacts (invitation_id);

-- Changes of a user's e-mail address waiting for the new address to
-- confirm them.
CREATE TABLE email_changes (
    id           TEXT NOT NULL PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    new_email    TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    requested_by TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX email_changes_user_id ON email_changes (user_id);

-- +goose Down
DROP TABLE email_changes;
DROP TABLE contacts;
