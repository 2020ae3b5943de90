-- +goose Up
-- A ticket may name the shared record it is about (links.record_id),
-- kept as a record like its other links (no foreign key).
ALTER TABLE tickets ADD COLUMN record_id text COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX tickets_customer_id_record_id_id ON tickets (customer_id, record_id, id);

-- +goose Down
DROP INDEX tickets_customer_id_record_id_id;
ALTER TABLE tickets DROP COLUMN record_id;
