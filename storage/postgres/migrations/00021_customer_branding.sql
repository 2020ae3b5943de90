-- +goose Up
-- A customer's own branding (customer.Branding); '' falls back to the
-- provider's. host_name is NULL when unset, so that only the names set are
-- unique: a request's Host finds at most one customer.
ALTER TABLE customers
    ADD COLUMN brand_display_name text NOT NULL DEFAULT '',
    ADD COLUMN brand_logo_url     text NOT NULL DEFAULT '',
    ADD COLUMN brand_accent_color text NOT NULL DEFAULT '',
    ADD COLUMN host_name          text COLLATE "C";
CREATE UNIQUE INDEX customers_host_name ON customers (host_name) WHERE host_name IS NOT NULL;

-- +goose Down
DROP INDEX customers_host_name;
ALTER TABLE customers
    DROP COLUMN host_name,
    DROP COLUMN brand_accent_color,
    DROP COLUMN brand_logo_url,
    DROP COLUMN brand_display_name;
