-- +goose Up
-- Customers, users, memberships and sites. IDs are text in the "C"
-- collation, so they compare byte by byte: keyset paging walks them in the
-- order the other backends use, whatever the database's locale. Times are
-- timestamptz (microseconds, as portal stores them); an optional time that
-- is unset is NULL, as is an empty optional reference, so UNIQUE and
-- FOREIGN KEY constraints ignore it. Every list is ordered by id after its
-- filter columns, so each has an index (filter..., id) to walk.

CREATE TABLE customers (
    id                  text COLLATE "C" PRIMARY KEY,
    name                text NOT NULL,
    legal_name          text NOT NULL,
    vat_id              text NOT NULL,
    contact_email       text NOT NULL,
    phone               text NOT NULL,
    address_line1       text NOT NULL,
    address_line2       text NOT NULL,
    address_postal_code text NOT NULL,
    address_city        text NOT NULL,
    address_region      text NOT NULL,
    address_country     text NOT NULL,
    external_ref        text UNIQUE,
    parent_id           text COLLATE "C" REFERENCES customers (id),
    status              text NOT NULL CHECK (status IN ('active', 'suspended', 'archived')),
    feature_order_authorization      boolean NOT NULL,
    feature_auto_confirm_orders      boolean NOT NULL,
    feature_inherit_global_portfolio boolean NOT NULL,
    feature_pre_orders               boolean NOT NULL,
    feature_supplier_warehouse       boolean NOT NULL,
    feature_hr_sync                  boolean NOT NULL,
    feature_tickets                  boolean NOT NULL,
    feature_access_links             boolean NOT NULL,
    version             bigint NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);

CREATE INDEX customers_status_id ON customers (status, id);
-- Also serves TopLevel (parent_id IS NULL).
CREATE INDEX customers_parent_id_id ON customers (parent_id, id);

-- Substring search (CustomerFilter.Search) is ILIKE '%…%' on name, contact
-- e-mail and external reference. pg_trgm's GIN index answers it without
-- reading every row. Where the extension is not installed and this role may
-- not create it, the migration goes on without the index: search still
-- works, by scanning. The operator class is named with the schema the
-- extension lives in, which need not be on this database's search_path.
-- +goose StatementBegin
DO $$
DECLARE
    trgm name;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'portalkit: no pg_trgm (%): customer search will scan', SQLERRM;
    END;
    SELECT n.nspname INTO trgm
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF trgm IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX customers_search ON customers USING gin '
            '(name %1$I.gin_trgm_ops, contact_email %1$I.gin_trgm_ops, external_ref %1$I.gin_trgm_ops)',
            trgm);
    END IF;
END
$$;
-- +goose StatementEnd

CREATE TABLE users (
    id         text COLLATE "C" PRIMARY KEY,
    email      text NOT NULL,
    name       text NOT NULL,
    locale     text NOT NULL,
    status     text NOT NULL CHECK (status IN ('active', 'disabled')),
    version    bigint NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Addresses are normalised by the caller; lower() keeps the constraint
-- case-insensitive even if one is not, and serves GetByEmail.
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE memberships (
    id          text COLLATE "C" PRIMARY KEY,
    user_id     text COLLATE "C" NOT NULL REFERENCES users (id),
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    role        text NOT NULL CHECK (role IN ('viewer', 'maintainer', 'admin')),
    status      text NOT NULL CHECK (status IN ('active', 'disabled')),
    version     bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    UNIQUE (user_id, customer_id)
);

CREATE INDEX memberships_customer_id_id ON memberships (customer_id, id);
CREATE INDEX memberships_user_id_id ON memberships (user_id, id);

CREATE TABLE sites (
    id          text COLLATE "C" PRIMARY KEY,
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    name        text NOT NULL,
    version     bigint NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- A site's name is unique within its customer, ignoring case.
CREATE UNIQUE INDEX sites_customer_id_name_key ON sites (customer_id, lower(name));
CREATE INDEX sites_customer_id_id ON sites (customer_id, id);

-- A membership's site set. Deleting a membership drops its rows; deleting a
-- site still named here fails (NO ACTION, SQLSTATE 23503), which the store
-- reports as ErrConflict.
CREATE TABLE membership_sites (
    membership_id text COLLATE "C" NOT NULL REFERENCES memberships (id) ON DELETE CASCADE,
    site_id       text COLLATE "C" NOT NULL REFERENCES sites (id) ON DELETE NO ACTION,
    PRIMARY KEY (membership_id, site_id)
);

CREATE INDEX membership_sites_site_id ON membership_sites (site_id);

-- +goose Down
DROP TABLE membership_sites;
DROP TABLE sites;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE customers;
