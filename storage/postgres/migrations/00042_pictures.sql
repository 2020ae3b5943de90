-- +goose Up
-- Field service (#18): the pictures of jobs. The image and its thumbnail
-- are files of the file store; a row keeps their keys. Lists select a
-- date range newest first along (customer_id, taken_at, id).
CREATE TABLE pictures (
    id           text COLLATE "C" PRIMARY KEY,
    job_id       text COLLATE "C" NOT NULL REFERENCES jobs (id),
    customer_id  text COLLATE "C" NOT NULL REFERENCES customers (id),
    site_id      text COLLATE "C" NOT NULL REFERENCES sites (id),
    name         text NOT NULL,
    content_type text NOT NULL,
    size         bigint NOT NULL,
    width        integer NOT NULL,
    height       integer NOT NULL,
    file_key     text NOT NULL,
    thumb_key    text NOT NULL,
    taken_at     timestamptz NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE INDEX pictures_customer_id_taken_at_id ON pictures (customer_id, taken_at, id);
CREATE INDEX pictures_job_id_taken_at_id ON pictures (job_id, taken_at, id);

-- +goose Down
DROP TABLE pictures;
