-- +goose Up
-- The deployment's own secret keys, by name: the key that seals list
-- cursors ("cursor"), shared by every server on the database.
CREATE TABLE server_keys (
    name   TEXT NOT NULL PRIMARY KEY,
    secret BLOB NOT NULL
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE server_keys;
