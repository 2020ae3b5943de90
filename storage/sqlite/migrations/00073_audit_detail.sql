-- +goose Up
-- The readable audit log (#21): who stood behind an impersonated actor,
-- the request that did it, and the fields it changed (JSON, '' for none).
ALTER TABLE audit_events ADD COLUMN impersonator TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN request_id TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_events ADD COLUMN changes TEXT NOT NULL DEFAULT '';

-- Retention deletes by time; the lists filter by actor and action.
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_actor_id ON audit_events (actor, id);
CREATE INDEX audit_events_impersonator_id ON audit_events (impersonator, id) WHERE impersonator <> '';

-- +goose Down
DROP INDEX audit_events_impersonator_id;
DROP INDEX audit_events_actor_id;
DROP INDEX audit_events_at;
ALTER TABLE audit_events DROP COLUMN changes;
ALTER TABLE audit_events DROP COLUMN request_id;
ALTER TABLE audit_events DROP COLUMN impersonator;
