-- +goose Up
-- Full-text search of records (RecordFilter.Text) is LIKE '%…%' on the
-- index text, all of it for staff (text_all) and what customers see
-- (text_shown). pg_trgm's GIN indexes answer it without reading every
-- record, so that it stays fast at a million records.
--
-- pg_trgm is a trusted extension since PostgreSQL 13: a role with CREATE
-- on the database may create it without being a superuser. 00001 tried
-- already; this tries again, for a database whose role was given that
-- right since. Where the extension is still unavailable, the migration
-- goes on without the indexes and search scans: it works, slowly. The
-- operator class is named with the schema the extension lives in, which
-- need not be on this database's search_path.
-- +goose StatementBegin
DO $$
DECLARE
    trgm name;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'portalkit: no pg_trgm (%): record search will scan', SQLERRM;
    END;
    SELECT n.nspname INTO trgm
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF trgm IS NOT NULL THEN
        EXECUTE format('CREATE INDEX records_text_all ON records USING gin (text_all %1$I.gin_trgm_ops)', trgm);
        EXECUTE format('CREATE INDEX records_text_shown ON records USING gin (text_shown %1$I.gin_trgm_ops)', trgm);
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS records_text_shown;
DROP INDEX IF EXISTS records_text_all;
