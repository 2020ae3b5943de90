-- +goose Up
-- An invitation's site set is a JSON array, as in SQLite, so that one
-- statement serves both engines.
ALTER TABLE invitations ALTER COLUMN site_ids TYPE jsonb USING to_jsonb(site_ids);
ALTER TABLE invitations ADD CONSTRAINT invitations_site_ids_array CHECK (jsonb_typeof(site_ids) = 'array');

-- +goose Down
ALTER TABLE invitations DROP CONSTRAINT invitations_site_ids_array;
ALTER TABLE invitations ALTER COLUMN site_ids TYPE text[]
    USING ARRAY(SELECT jsonb_array_elements_text(site_ids));
