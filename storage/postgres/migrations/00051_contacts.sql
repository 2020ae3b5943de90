-- +goose Up
-- A customer's contact persons (customer.Contact), apart from its users;
-- their addresses are a JSON array. The invitation and the user portal
-- access made of a contact are kept as records.
CREATE TABLE contacts (
    id            text COLLATE "C" PRIMARY KEY,
    customer_id   text COLLATE "C" NOT NULL REFERENCES customers (id),
    name          text NOT NULL,
    email         text NOT NULL,
    phone         text NOT NULL,
    job_title     text NOT NULL,
    addresses     jsonb NOT NULL CHECK (jsonb_typeof(addresses) = 'array'),
    notes         text NOT NULL,
    invitation_id text COLLATE "C" NOT NULL,
    user_id       text COLLATE "C" NOT NULL,
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

CREATE INDEX contacts_customer_id_id ON contacts (customer_id, id);
CREATE INDEX contacts_invitation_id ON contacts (invitation_id);

-- Changes of a user's e-mail address waiting for the new address to
-- confirm them.
CREATE TABLE email_changes (
    id           text COLLATE "C" PRIMARY KEY,
    user_id      text COLLATE "C" NOT NULL REFERENCES users (id),
    new_email    text NOT NULL,
    token_hash   text COLLATE "C" NOT NULL UNIQUE,
    requested_by text NOT NULL,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE INDEX email_changes_user_id ON email_changes (user_id);

-- +goose Down
DROP TABLE email_changes;
DROP TABLE contacts;
