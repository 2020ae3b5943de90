-- +goose Up
-- Support tickets (package ticket): the tickets, their history and their
-- comments, and the service-desk capability of staff members. Ticket
-- numbers come from the counters row 'ticket_number', as order numbers do
-- on SQLite. The links (order, stock item, site), the requester and the
-- assignee are kept as records: no foreign keys, a ticket outlives them.
ALTER TABLE staff_members ADD COLUMN service_desk INTEGER NOT NULL DEFAULT 0 CHECK (service_desk IN (0, 1));

CREATE TABLE tickets (
    id            TEXT NOT NULL PRIMARY KEY,
    number        INTEGER NOT NULL UNIQUE,
    customer_id   TEXT NOT NULL REFERENCES customers (id),
    type          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    description   TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('open', 'in_progress', 'waiting_on_customer', 'resolved', 'closed')),
    priority      TEXT NOT NULL CHECK (priority IN ('low', 'normal', 'high', 'urgent')),
    requested_by  TEXT NOT NULL,
    assignee      TEXT NOT NULL,
    order_id      TEXT NOT NULL,
    order_line    INTEGER NOT NULL,
    stock_item_id TEXT NOT NULL,
    site_id       TEXT NOT NULL,
    -- The type's fields, a JSON object of strings.
    fields        TEXT NOT NULL CHECK (json_valid(fields) AND json_type(fields) = 'object'),
    resolved_at   TEXT,
    applied_at    TEXT,
    version       INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT, WITHOUT ROWID;

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
    ticket_id TEXT NOT NULL REFERENCES tickets (id),
    seq       INTEGER NOT NULL,
    kind      TEXT NOT NULL,
    from_value TEXT NOT NULL,
    to_value  TEXT NOT NULL,
    at        TEXT NOT NULL,
    by        TEXT NOT NULL,
    note      TEXT NOT NULL,
    PRIMARY KEY (ticket_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE ticket_comments (
    id          TEXT NOT NULL PRIMARY KEY,
    ticket_id   TEXT NOT NULL REFERENCES tickets (id),
    visibility  TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    author      TEXT NOT NULL,
    author_name TEXT NOT NULL,
    body        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- A ticket's comments in order; the public ones alone for customer users.
CREATE INDEX ticket_comments_ticket_id_id ON ticket_comments (ticket_id, id);
CREATE INDEX ticket_comments_ticket_id_visibility_id ON ticket_comments (ticket_id, visibility, id);

-- +goose Down
DROP TABLE ticket_comments;
DROP TABLE ticket_events;
DROP TABLE tickets;
DELETE FROM counters WHERE name = 'ticket_number';
ALTER TABLE staff_members DROP COLUMN service_desk;
