-- +goose Up
-- Staff sign in through the provider's own identity provider too: a
-- started sign-in of staff belongs to no customer (customer_id NULL).
ALTER TABLE sso_states ALTER COLUMN customer_id DROP NOT NULL;

-- +goose Down
DELETE FROM sso_states WHERE customer_id IS NULL;
ALTER TABLE sso_states ALTER COLUMN customer_id SET NOT NULL;
