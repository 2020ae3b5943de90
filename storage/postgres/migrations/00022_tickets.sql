-- +goose Up
-- Support tickets (package ticket): the tickets, their history and their
-- comments, and the service-desk capability of staff members. Ticket
-- numbers come from a sequence, as order numbers do since 00018: it never
-- makes concurrent openings wait for one another. The links (order, stock
-- item, site), the requester and the assignee are kept as records: no
-- foreign keys, a ticket outlives them.
ALTER TABLE staff_members ADD COLUMN service_desk boolean NOT NULL DEFAULT false;

CREATE SEQUENCE ticket_number AS bigint;

CREATE TABLE tickets (
    id            text COLLATE "C" PRIMARY KEY,
    number        bigint NOT NULL UNIQUE,
    customer_id   text COLLATE "C" NOT NULL REFERENCES customers (id),
    type          text COLLATE "C" NOT NULL,
    subject       text NOT NULL,
    description   text NOT NULL,
    status        text NOT NULL CHECK (status IN ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed')),
    priority      text NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    requested_by  text COLLATE "C" NOT NULL,
    assignee      text COLLATE "C" NOT NULL,
    order_id      text COLLATE "C" NOT NULL,
    order_line    integer NOT NULL,
    stock_item_id text COLLATE "C" NOT NULL,
    site_id       text COLLATE "C" NOT NULL,
    -- The type's fields, a JSON object of strings.
    fields        jsonb NOT NULL CHECK (jsonb_typeof(fields) = 'object'),
    resolved_at   timestamptz,
    applied_at    timestamptz,
    version       bigint NOT NULL,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- A customer's tickets (newest first, by status, by site); the service
-- desk's queue across customers by status, type or assignee.
CREATE INDEX tickets_customer_id_id ON tickets (customer_id, id);
CREATE INDEX tickets_customer_id_status_id ON tickets (customer_id, status, id);
CREATE INDEX tickets_customer_id_site_id_id ON tickets (customer_id, site_id, id);
CREATE INDEX tickets_status_id ON tickets (status, id);
CREATE INDEX tickets_assignee_status_id ON tickets (assignee, status, id);
CREATE INDEX tickets_type_status_id ON tickets (type, status, id);

-- Every change of a ticket, in order; seq 1 is the opening.
CREATE TABLE ticket_events (
    ticket_id  text COLLATE "C" NOT NULL REFERENCES tickets (id),
    seq        integer NOT NULL,
    kind       text NOT NULL,
    from_value text NOT NULL,
    to_value   text NOT NULL,
    at         timestamptz NOT NULL,
    by         text NOT NULL,
    note       text NOT NULL,
    PRIMARY KEY (ticket_id, seq)
);

CREATE TABLE ticket_comments (
    id          text COLLATE "C" PRIMARY KEY,
    ticket_id   text COLLATE "C" NOT NULL REFERENCES tickets (id),
    visibility  text NOT NULL CHECK (visibility IN ('public', 'internal')),
    author      text NOT NULL,
    author_name text NOT NULL,
    body        text NOT NULL,
    created_at  timestamptz NOT NULL
);

-- A ticket's comments in order; the public ones alone for customer users.
CREATE INDEX ticket_comments_ticket_id_id ON ticket_comments (ticket_id, id);
CREATE INDEX ticket_comments_ticket_id_visibility_id ON ticket_comments (ticket_id, visibility, id);

-- +goose Down
DROP TABLE ticket_comments;
DROP TABLE ticket_events;
DROP TABLE tickets;
DROP SEQUENCE ticket_number;
ALTER TABLE staff_members DROP COLUMN service_desk;
