-- +goose Up
-- Files on tickets and their comments (ticket.Attachment). The file lives
-- in the file store under file_key; this row keeps what the store learnt
-- while writing it. visibility is the comment's, so an internal note's
-- files stay with the staff without a join.
CREATE TABLE ticket_attachments (
    id           text COLLATE "C" PRIMARY KEY,
    ticket_id    text COLLATE "C" NOT NULL REFERENCES tickets (id),
    comment_id   text COLLATE "C" REFERENCES ticket_comments (id),
    visibility   text NOT NULL CHECK (visibility IN ('public', 'internal')),
    file_key     text NOT NULL UNIQUE,
    name         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL CHECK (size >= 0),
    sha256       text NOT NULL,
    uploaded_by  text NOT NULL,
    created_at   timestamptz NOT NULL
);

-- A ticket's attachments in order; the public ones alone for customer users.
CREATE INDEX ticket_attachments_ticket_id_id ON ticket_attachments (ticket_id, id);
CREATE INDEX ticket_attachments_ticket_id_visibility_id ON ticket_attachments (ticket_id, visibility, id);

-- +goose Down
DROP TABLE ticket_attachments;
