-- +goose Up
-- Times are TEXT in UTC, fixed width ("2006-01-02T15:04:05.000000Z"), so
-- they sort and compare as strings. Empty optional references are NULL, so
-- UNIQUE and FOREIGN KEY constraints ignore them.

CREATE TABLE customers (
    id                  TEXT NOT NULL PRIMARY KEY,
    name                TEXT NOT NULL,
    legal_name          TEXT NOT NULL,
    vat_id              TEXT NOT NULL,
    contact_email       TEXT NOT NULL,
    phone               TEXT NOT NULL,
    address_line1       TEXT NOT NULL,
    address_line2       TEXT NOT NULL,
    address_postal_code TEXT NOT NULL,
    address_city        TEXT NOT NULL,
    address_region      TEXT NOT NULL,
    address_country     TEXT NOT NULL,
    external_ref        TEXT UNIQUE,
    parent_id           TEXT REFERENCES customers (id),
    status              TEXT NOT NULL,
    feature_order_authorization      INTEGER NOT NULL CHECK (feature_order_authorization IN (0, 1)),
    feature_auto_confirm_orders      INTEGER NOT NULL CHECK (feature_auto_confirm_orders IN (0, 1)),
    feature_inherit_global_portfolio INTEGER NOT NULL CHECK (feature_inherit_global_portfolio IN (0, 1)),
    feature_pre_orders               INTEGER NOT NULL CHECK (feature_pre_orders IN (0, 1)),
    feature_supplier_warehouse       INTEGER NOT NULL CHECK (feature_supplier_warehouse IN (0, 1)),
    feature_hr_sync                  INTEGER NOT NULL CHECK (feature_hr_sync IN (0, 1)),
    feature_tickets                  INTEGER NOT NULL CHECK (feature_tickets IN (0, 1)),
    feature_access_links             INTEGER NOT NULL CHECK (feature_access_links IN (0, 1)),
    version             INTEGER NOT NULL,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX customers_status_id ON customers (status, id);
CREATE INDEX customers_parent_id_id ON customers (parent_id, id);

CREATE TABLE users (
    id         TEXT NOT NULL PRIMARY KEY,
    -- NOCASE: addresses are normalised by the caller; this keeps the
    -- constraint case-insensitive (ASCII) even if one is not.
    email      TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name       TEXT NOT NULL,
    locale     TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('active', 'disabled')),
    version    INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE memberships (
    id          TEXT NOT NULL PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users (id),
    customer_id TEXT NOT NULL REFERENCES customers (id),
    role        TEXT NOT NULL,
    status      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (user_id, customer_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX memberships_customer_id_id ON memberships (customer_id, id);
CREATE INDEX memberships_user_id_id ON memberships (user_id, id);

CREATE TABLE sites (
    id          TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name        TEXT NOT NULL COLLATE NOCASE,
    version     INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (customer_id, name)
) STRICT, WITHOUT ROWID;

CREATE INDEX sites_customer_id_id ON sites (customer_id, id);

-- A membership's site set. Deleting a membership drops its rows; deleting a
-- site still named here fails at the end of the statement (NO ACTION), with
-- SQLITE_CONSTRAINT_FOREIGNKEY, which the store reports as ErrConflict.
-- (RESTRICT would fail with SQLITE_CONSTRAINT_TRIGGER instead.)
CREATE TABLE membership_sites (
    membership_id TEXT NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    site_id       TEXT NOT NULL REFERENCES sites (id) ON DELETE NO ACTION,
    PRIMARY KEY (membership_id, site_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX membership_sites_site_id ON membership_sites (site_id);

-- +goose Down
DROP TABLE membership_sites;
DROP TABLE sites;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE customers;
