-- +goose Up
-- The portfolio and orders: products, customers' offers, orders with their
-- lines and history, and the counter order numbers come from. Times are
-- fixed-width UTC TEXT as in 00001; money is INTEGER minor units next to
-- an ISO 4217 code. Nothing here is ever deleted but offers: products are
-- deactivated, orders keep their history.

CREATE TABLE products (
    id             TEXT NOT NULL PRIMARY KEY,
    -- NOCASE: SKUs are unique ignoring ASCII case.
    sku            TEXT NOT NULL COLLATE NOCASE UNIQUE,
    name           TEXT NOT NULL,
    description    TEXT NOT NULL,
    category       TEXT NOT NULL,
    price_amount   INTEGER NOT NULL,
    price_currency TEXT NOT NULL,
    active         INTEGER NOT NULL CHECK (active IN (0, 1)),
    -- A JSON object of free attributes.
    attributes     TEXT NOT NULL CHECK (json_valid(attributes) AND json_type(attributes) = 'object'),
    -- Set for a product only this customer sees; NULL for the global portfolio.
    customer_id    TEXT REFERENCES customers (id),
    version        INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT, WITHOUT ROWID;

CREATE INDEX products_customer_id_id ON products (customer_id, id);

CREATE TABLE offers (
    id             TEXT NOT NULL PRIMARY KEY,
    customer_id    TEXT NOT NULL REFERENCES customers (id),
    product_id     TEXT NOT NULL REFERENCES products (id),
    price_amount   INTEGER NOT NULL,
    price_currency TEXT NOT NULL,
    version        INTEGER NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    -- One offer per customer and product; the catalogue joins on it.
    UNIQUE (customer_id, product_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX offers_customer_id_id ON offers (customer_id, id);
CREATE INDEX offers_product_id_id ON offers (product_id, id);

-- Named sequences; order numbers are taken with one UPDATE ... RETURNING in
-- the placing transaction, so they are unique and increase in commit order.
CREATE TABLE counters (
    name  TEXT NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

CREATE TABLE orders (
    id                        TEXT NOT NULL PRIMARY KEY,
    number                    INTEGER NOT NULL UNIQUE,
    customer_id               TEXT NOT NULL REFERENCES customers (id),
    -- The site and the ordering user are kept as records: no foreign keys,
    -- an order outlives them.
    site_id                   TEXT,
    kind                      TEXT NOT NULL CHECK (kind IN ('standard', 'pre_order')),
    status                    TEXT NOT NULL CHECK (status IN ('submitted', 'confirmed', 'rejected', 'cancelled', 'fulfilled')),
    currency                  TEXT NOT NULL,
    delivery_line1            TEXT NOT NULL,
    delivery_line2            TEXT NOT NULL,
    delivery_postal_code      TEXT NOT NULL,
    delivery_city             TEXT NOT NULL,
    delivery_region           TEXT NOT NULL,
    delivery_country          TEXT NOT NULL,
    recipient_name            TEXT NOT NULL,
    recipient_email           TEXT NOT NULL,
    recipient_employee_number TEXT NOT NULL,
    requested_date            TEXT,
    note                      TEXT NOT NULL,
    ordered_by                TEXT NOT NULL,
    version                   INTEGER NOT NULL,
    created_at                TEXT NOT NULL,
    updated_at                TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- A customer's orders, newest first (scanned backwards) or by status; a
-- site-limited member's by site; the provider's inbox (status submitted)
-- across customers, oldest first.
CREATE INDEX orders_customer_id_id ON orders (customer_id, id);
CREATE INDEX orders_customer_id_status_id ON orders (customer_id, status, id);
CREATE INDEX orders_customer_id_site_id_id ON orders (customer_id, site_id, id);
CREATE INDEX orders_status_id ON orders (status, id);

CREATE TABLE order_lines (
    order_id       TEXT NOT NULL REFERENCES orders (id),
    line           INTEGER NOT NULL,
    product_id     TEXT NOT NULL REFERENCES products (id),
    sku            TEXT NOT NULL,
    name           TEXT NOT NULL,
    unit_amount    INTEGER NOT NULL,
    unit_currency  TEXT NOT NULL,
    quantity       INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, line)
) STRICT, WITHOUT ROWID;

-- Every transition of an order, in order; seq 1 is the submission.
CREATE TABLE order_events (
    order_id    TEXT NOT NULL REFERENCES orders (id),
    seq         INTEGER NOT NULL,
    from_status TEXT NOT NULL,
    to_status   TEXT NOT NULL,
    at          TEXT NOT NULL,
    by          TEXT NOT NULL,
    note        TEXT NOT NULL,
    PRIMARY KEY (order_id, seq)
) STRICT, WITHOUT ROWID;

-- +goose Down
DROP TABLE order_events;
DROP TABLE order_lines;
DROP TABLE orders;
DROP TABLE counters;
DROP TABLE offers;
DROP TABLE products;
