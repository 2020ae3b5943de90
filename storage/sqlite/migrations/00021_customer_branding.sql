-- +goose Up
-- A customer's own branding (customer.Branding); '' falls back to the
-- provider's. host_name is NULL when unset, so that only the names set are
-- unique: a request's Host finds at most one customer.
ALTER TABLE customers ADD COLUMN brand_display_name TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN brand_logo_url TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN brand_accent_color TEXT NOT NULL DEFAULT '';
ALTER TABLE customers ADD COLUMN host_name TEXT;
CREATE UNIQUE INDEX customers_host_name ON customers (host_name) WHERE host_name IS NOT NULL;

-- +goose Down
DROP INDEX customers_host_name;
ALTER TABLE customers DROP COLUMN host_name;
ALTER TABLE customers DROP COLUMN brand_accent_color;
ALTER TABLE customers DROP COLUMN brand_logo_url;
ALTER TABLE customers DROP COLUMN brand_display_name;
