-- +goose Up
-- One-time password reset links (identity.PasswordReset), of a customer
-- user or of a staff member.
CREATE TABLE password_resets (
    id         text COLLATE "C" PRIMARY KEY,
    user_id    text COLLATE "C" REFERENCES users (id),
    staff_id   text COLLATE "C" REFERENCES staff_members (id),
    token_hash text NOT NULL UNIQUE,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL,
    CHECK ((user_id IS NULL) <> (staff_id IS NULL))
);

-- Supersede touches only one person's unused resets.
CREATE INDEX password_resets_user_id_unused ON password_resets (user_id) WHERE used_at IS NULL;
CREATE INDEX password_resets_staff_id_unused ON password_resets (staff_id) WHERE used_at IS NULL;
CREATE INDEX password_resets_expires_at ON password_resets (expires_at);

-- +goose Down
DROP TABLE password_resets;
