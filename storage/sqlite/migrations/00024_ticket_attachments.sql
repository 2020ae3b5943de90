-- +goose Up
-- Files on tickets and their comments (ticket.Attachment). The file lives
-- in the file store under file_key; this row keeps what the store learnt
-- while writing it. visibility is the comment's, so an internal note's
-- files stay with the staff without a join.
CREATE TABLE ticket_attachments (
    id           TEXT NOT NULL PRIMARY KEY,
    ticket_id    TEXT NOT NULL REFERENCES tickets (id),
    comment_id   TEXT REFERENCES ticket_comments (id),
    visibility   TEXT NOT NULL CHECK (visibility IN ('public', 'internal')),
    file_key     TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL CHECK (size >= 0),
    sha256       TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- A ticket's attachments in order; the public ones alone for customer users.
CREATE INDEX ticket_attachments_ticket_id_id ON ticket_attachments (ticket_id, id);
CREATE INDEX ticket_attachments_ticket_id_visibility_id ON ticket_attachments (ticket_id, visibility, id);

-- +goose Down
DROP TABLE ticket_attachments;
