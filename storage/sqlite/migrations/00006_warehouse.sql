-- +goose Up
-- The supplier warehouse: stock items, one per device, and the ledger of
-- their movements. Items are never deleted; movements are only appended.

CREATE TABLE stock_items (
    id                     TEXT NOT NULL PRIMARY KEY,
    customer_id            TEXT NOT NULL REFERENCES customers (id),
    product_id             TEXT NOT NULL REFERENCES products (id),
    -- NULL when the device has none, so UNIQUE ignores it.
    serial_number          TEXT,
    condition              TEXT NOT NULL CHECK (condition IN ('new', 'used', 'refurbished', 'defective')),
    -- Kept as given, like orders.site_id.
    site_id                TEXT,
    status                 TEXT NOT NULL CHECK (status IN ('in_stock', 'issued', 'retired')),
    holder_name            TEXT NOT NULL,
    holder_email           TEXT NOT NULL,
    holder_employee_number TEXT NOT NULL,
    order_id               TEXT REFERENCES orders (id),
    version                INTEGER NOT NULL,
    created_at             TEXT NOT NULL,
    updated_at             TEXT NOT NULL,
    UNIQUE (customer_id, serial_number)
) STRICT, WITHOUT ROWID;

-- A customer's stock by product (items and levels), by status, by site, and
-- the items a pre-order stocked.
CREATE INDEX stock_items_customer_id_product_id_id ON stock_items (customer_id, product_id, id);
CREATE INDEX stock_items_customer_id_id ON stock_items (customer_id, id);
CREATE INDEX stock_items_customer_id_status_id ON stock_items (customer_id, status, id);
CREATE INDEX stock_items_customer_id_site_id_id ON stock_items (customer_id, site_id, id);
CREATE INDEX stock_items_order_id ON stock_items (order_id);

CREATE TABLE stock_movements (
    id                     TEXT NOT NULL PRIMARY KEY,
    item_id                TEXT NOT NULL REFERENCES stock_items (id),
    customer_id            TEXT NOT NULL REFERENCES customers (id),
    product_id             TEXT NOT NULL REFERENCES products (id),
    kind                   TEXT NOT NULL CHECK (kind IN ('stock_in', 'issue', 'return', 'retire')),
    -- '' for a stock-in, which comes from nowhere.
    from_status            TEXT NOT NULL CHECK (from_status IN ('', 'in_stock', 'issued', 'retired')),
    to_status              TEXT NOT NULL CHECK (to_status IN ('in_stock', 'issued', 'retired')),
    holder_name            TEXT NOT NULL,
    holder_email           TEXT NOT NULL,
    holder_employee_number TEXT NOT NULL,
    condition              TEXT NOT NULL,
    order_id               TEXT REFERENCES orders (id),
    at                     TEXT NOT NULL,
    by                     TEXT NOT NULL,
    note                   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- An item's history; a customer's ledger, by product too.
CREATE INDEX stock_movements_item_id_id ON stock_movements (item_id, id);
CREATE INDEX stock_movements_customer_id_id ON stock_movements (customer_id, id);
CREATE INDEX stock_movements_customer_id_product_id_id ON stock_movements (customer_id, product_id, id);

-- +goose Down
DROP TABLE stock_movements;
DROP TABLE stock_items;
