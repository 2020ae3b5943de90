-- +goose Up
-- The portfolio and orders: products, customers' offers, orders with their
-- lines and history, and the counter order numbers come from. As before,
-- IDs are text in the "C" collation and times are timestamptz; money is
-- bigint minor units next to an ISO 4217 code. Nothing here is ever
-- deleted but offers: products are deactivated, orders keep their history.

CREATE TABLE products (
    id             text COLLATE "C" PRIMARY KEY,
    sku            text NOT NULL,
    name           text NOT NULL,
    description    text NOT NULL,
    category       text NOT NULL,
    price_amount   bigint NOT NULL,
    price_currency text NOT NULL,
    active         boolean NOT NULL,
    -- Free attributes, a JSON object of strings; '{}' for none.
    attributes     jsonb NOT NULL CHECK (jsonb_typeof(attributes) = 'object'),
    -- Set for a product only this customer sees; NULL for the global portfolio.
    customer_id    text COLLATE "C" REFERENCES customers (id),
    version        bigint NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

-- SKUs are unique ignoring ASCII case, across the global portfolio and the
-- customers' own products. lower() in the "C" collation folds ASCII letters
-- only, whatever the database's locale, as the contract (and SQLite's
-- NOCASE) says.
CREATE UNIQUE INDEX products_sku_key ON products (lower(sku COLLATE "C"));
-- A customer's own products, and the global portfolio (customer_id IS
-- NULL), in ID order; the catalogue walks both.
CREATE INDEX products_customer_id_id ON products (customer_id, id);
CREATE INDEX products_category_id ON products (category, id);
-- Most products are active, so a list of active ones walks the primary key;
-- the few inactive ones have an index of their own.
CREATE INDEX products_inactive_id ON products (id) WHERE NOT active;

-- Search (ProductFilter.Search) is ILIKE '%…%' on SKU and name, answered by
-- a trigram index where pg_trgm is available, as for customers (00001).
-- +goose StatementBegin
DO $$
DECLARE
    trgm name;
BEGIN
    SELECT n.nspname INTO trgm
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF trgm IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX products_search ON products USING gin '
            '(sku %1$I.gin_trgm_ops, name %1$I.gin_trgm_ops)',
            trgm);
    ELSE
        RAISE NOTICE 'portalkit: no pg_trgm: product search will scan';
    END IF;
END
$$;
-- +goose StatementEnd

CREATE TABLE offers (
    id             text COLLATE "C" PRIMARY KEY,
    customer_id    text COLLATE "C" NOT NULL REFERENCES customers (id),
    product_id     text COLLATE "C" NOT NULL REFERENCES products (id),
    price_amount   bigint NOT NULL,
    price_currency text NOT NULL,
    version        bigint NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    -- One offer per customer and product. Its index serves Find, the
    -- catalogue's join and the catalogue's walk of a customer's offers in
    -- product order.
    UNIQUE (customer_id, product_id)
);

CREATE INDEX offers_customer_id_id ON offers (customer_id, id);
CREATE INDEX offers_product_id_id ON offers (product_id, id);

-- Named counters. Order numbers are taken with one UPDATE ... RETURNING in
-- the placing transaction, which holds the row until it commits: numbers
-- are unique and increase in commit order, and a rolled-back transaction
-- gives its number back (a sequence would do neither).
CREATE TABLE counters (
    name  text PRIMARY KEY,
    value bigint NOT NULL
);

INSERT INTO counters (name, value) VALUES ('order_number', 0);

CREATE TABLE orders (
    id                        text COLLATE "C" PRIMARY KEY,
    number                    bigint NOT NULL UNIQUE,
    customer_id               text COLLATE "C" NOT NULL REFERENCES customers (id),
    -- The site and the ordering user are kept as records: no foreign keys,
    -- an order outlives them.
    site_id                   text COLLATE "C",
    kind                      text NOT NULL CHECK (kind IN ('standard', 'pre_order')),
    status                    text NOT NULL CHECK (status IN ('submitted', 'confirmed', 'rejected', 'cancelled', 'fulfilled')),
    currency                  text NOT NULL,
    delivery_line1            text NOT NULL,
    delivery_line2            text NOT NULL,
    delivery_postal_code      text NOT NULL,
    delivery_city             text NOT NULL,
    delivery_region           text NOT NULL,
    delivery_country          text NOT NULL,
    recipient_name            text NOT NULL,
    recipient_email           text NOT NULL,
    recipient_employee_number text NOT NULL,
    -- A time, as given (the portal passes a date at midnight UTC).
    requested_date            timestamptz,
    note                      text NOT NULL,
    ordered_by                text COLLATE "C" NOT NULL,
    version                   bigint NOT NULL,
    created_at                timestamptz NOT NULL,
    updated_at                timestamptz NOT NULL
);

-- A customer's orders, newest first (walked backwards) or by status; a
-- site-limited member's by site; the provider's inbox (status submitted)
-- across customers, oldest first.
CREATE INDEX orders_customer_id_id ON orders (customer_id, id);
CREATE INDEX orders_customer_id_status_id ON orders (customer_id, status, id);
CREATE INDEX orders_customer_id_site_id_id ON orders (customer_id, site_id, id);
CREATE INDEX orders_status_id ON orders (status, id);

CREATE TABLE order_lines (
    order_id       text COLLATE "C" NOT NULL REFERENCES orders (id),
    line           integer NOT NULL,
    product_id     text COLLATE "C" NOT NULL REFERENCES products (id),
    sku            text NOT NULL,
    name           text NOT NULL,
    unit_amount    bigint NOT NULL,
    unit_currency  text NOT NULL,
    quantity       integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, line)
);

-- Every transition of an order, in order; seq 1 is the submission.
CREATE TABLE order_events (
    order_id    text COLLATE "C" NOT NULL REFERENCES orders (id),
    seq         integer NOT NULL,
    from_status text NOT NULL,
    to_status   text NOT NULL,
    at          timestamptz NOT NULL,
    by          text NOT NULL,
    note        text NOT NULL,
    PRIMARY KEY (order_id, seq)
);

-- +goose Down
DROP TABLE order_events;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE counters;
DROP TABLE offers;
DROP TABLE products;
