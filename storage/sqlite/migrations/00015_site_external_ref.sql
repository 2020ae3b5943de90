-- +goose Up
-- A site's key in the provider's own systems; '' for none.
ALTER TABLE sites ADD COLUMN external_ref TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sites DROP COLUMN external_ref;
