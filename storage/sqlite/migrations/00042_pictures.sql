-- +goose Up
-- Field service (#18): the pictures of jobs. The image and its thumbnail
-- are files of the file store; a row keeps their keys. Lists select a
-- date range newest first along (customer_id, taken_at, id).
CREATE TABLE pictures (
    id           TEXT NOT NULL PRIMARY KEY,
    job_id       TEXT NOT NULL REFERENCES jobs (id),
    customer_id  TEXT NOT NULL REFERENCES customers (id),
    site_id      TEXT NOT NULL REFERENCES sites (id),
    name         TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    width        INTEGER NOT NULL,
    height       INTEGER NOT NULL,
    file_key     TEXT NOT NULL,
    thumb_key    TEXT NOT NULL,
    taken_at     TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX pictures_customer_id_taken_at_id ON pictures (customer_id, taken_at, id);
CREATE INDEX pictures_job_id_taken_at_id ON pictures (job_id, taken_at, id);

-- +goose Down
DROP TABLE pictures;
