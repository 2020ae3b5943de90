-- +goose Up
-- Field service (#18): a site's address, its position on the map and
-- notes. A site without a position has both coordinates NULL.
ALTER TABLE sites ADD COLUMN address_line1 text NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN address_line2 text NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN postal_code text NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN city text NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN region text NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN country text NOT NULL DEFAULT '';
ALTER TABLE sites ADD COLUMN latitude double precision CHECK (latitude BETWEEN -90 AND 90);
ALTER TABLE sites ADD COLUMN longitude double precision CHECK (longitude BETWEEN -180 AND 180);
ALTER TABLE sites ADD COLUMN notes text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE sites DROP COLUMN notes;
ALTER TABLE sites DROP COLUMN longitude;
ALTER TABLE sites DROP COLUMN latitude;
ALTER TABLE sites DROP COLUMN country;
ALTER TABLE sites DROP COLUMN region;
ALTER TABLE sites DROP COLUMN city;
ALTER TABLE sites DROP COLUMN postal_code;
ALTER TABLE sites DROP COLUMN address_line2;
ALTER TABLE sites DROP COLUMN address_line1;
