-- +goose Up
-- When the credential in a message's payload (an invitation's or a login
-- link's token) stops working; NULL when it carries none. A failed message
-- keeps its payload for a retry only until then.
ALTER TABLE outbox ADD COLUMN expires_at TEXT;

-- +goose Down
ALTER TABLE outbox DROP COLUMN expires_at;
