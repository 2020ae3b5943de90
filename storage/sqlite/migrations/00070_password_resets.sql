-- +goose Up
-- One-time password reset links (identity.PasswordReset), of a customer
-- user or of a staff member.
CREATE TABLE password_resets (
    id         TEXT NOT NULL PRIMARY KEY,
    user_id    TEXT REFERENCES users (id),
    staff_id   TEXT REFERENCES staff_members (id),
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    created_at TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (staff_id IS NULL))
) STRICT, WITHOUT ROWID;

-- Supersede touches only one person's unused resets.
CREATE INDEX password_resets_user_id_unused ON password_resets (user_id) WHERE used_at IS NULL;
CREATE INDEX password_resets_staff_id_unused ON password_resets (staff_id) WHERE used_at IS NULL;
CREATE INDEX password_resets_expires_at ON password_resets (expires_at);

-- +goose Down
DROP TABLE password_resets;
