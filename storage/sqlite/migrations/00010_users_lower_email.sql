-- +goose Up
-- GetByEmail asks for lower(email) = lower(?), the one form PostgreSQL's
-- unique index on lower(email) serves; this index serves it here. The
-- column's NOCASE UNIQUE constraint stays what keeps addresses unique: it
-- folds the same (ASCII) letters as SQLite's lower().
CREATE INDEX users_lower_email ON users (lower(email));

-- +goose Down
DROP INDEX users_lower_email;
