-- +goose Up
-- claims counts every claim of a message and never goes down: the number
-- a claim returns fences the worker's bookkeeping after it. attempts cannot
-- fence, as a retry resets it and a release lowers it, so a later claim
-- could reuse the number a stale worker still holds.
ALTER TABLE outbox ADD COLUMN claims integer NOT NULL DEFAULT 0 CHECK (claims >= 0);
-- A message in a worker's hand keeps the number its claim returned.
UPDATE outbox SET claims = attempts;

-- +goose Down
ALTER TABLE outbox DROP COLUMN claims;
