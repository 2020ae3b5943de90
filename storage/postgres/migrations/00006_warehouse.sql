-- +goose Up
-- The supplier warehouse: stock items, one per device, and the ledger of
-- their movements. Items are never deleted; movements are only appended.

CREATE TABLE stock_items (
    id                     text COLLATE "C" PRIMARY KEY,
    customer_id            text COLLATE "C" NOT NULL REFERENCES customers (id),
    product_id             text COLLATE "C" NOT NULL REFERENCES products (id),
    -- NULL when the device has none, so the UNIQUE constraint ignores it.
    -- Compared exactly: the default collation is deterministic.
    serial_number          text,
    condition              text NOT NULL CHECK (condition IN ('new', 'used', 'refurbished', 'defective')),
    -- Kept as given, like orders.site_id.
    site_id                text COLLATE "C",
    status                 text NOT NULL CHECK (status IN ('in_stock', 'issued', 'retired')),
    holder_name            text NOT NULL,
    holder_email           text NOT NULL,
    holder_employee_number text NOT NULL,
    order_id               text COLLATE "C" REFERENCES orders (id),
    version                bigint NOT NULL,
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL,
    UNIQUE (customer_id, serial_number)
);

-- A customer's stock by product (items, and levels grouped in product
-- order), by status, by site, and the items a pre-order stocked. The
-- unique constraint's index serves the search by serial number.
CREATE INDEX stock_items_customer_id_product_id_id ON stock_items (customer_id, product_id, id);
CREATE INDEX stock_items_customer_id_id ON stock_items (customer_id, id);
CREATE INDEX stock_items_customer_id_status_id ON stock_items (customer_id, status, id);
CREATE INDEX stock_items_customer_id_site_id_id ON stock_items (customer_id, site_id, id);
CREATE INDEX stock_items_order_id_id ON stock_items (order_id, id) WHERE order_id IS NOT NULL;

CREATE TABLE stock_movements (
    id                     text COLLATE "C" PRIMARY KEY,
    item_id                text COLLATE "C" NOT NULL REFERENCES stock_items (id),
    customer_id            text COLLATE "C" NOT NULL REFERENCES customers (id),
    product_id             text COLLATE "C" NOT NULL REFERENCES products (id),
    kind                   text NOT NULL CHECK (kind IN ('stock_in', 'issue', 'return', 'retire')),
    -- '' for a stock-in, which comes from nowhere.
    from_status            text NOT NULL CHECK (from_status IN ('', 'in_stock', 'issued', 'retired')),
    to_status              text NOT NULL CHECK (to_status IN ('in_stock', 'issued', 'retired')),
    holder_name            text NOT NULL,
    holder_email           text NOT NULL,
    holder_employee_number text NOT NULL,
    condition              text NOT NULL,
    order_id               text COLLATE "C" REFERENCES orders (id),
    at                     timestamptz NOT NULL,
    by                     text NOT NULL,
    note                   text NOT NULL
);

-- An item's history; a customer's ledger, by product too.
CREATE INDEX stock_movements_item_id_id ON stock_movements (item_id, id);
CREATE INDEX stock_movements_customer_id_id ON stock_movements (customer_id, id);
CREATE INDEX stock_movements_customer_id_product_id_id ON stock_movements (customer_id, product_id, id);

-- +goose Down
DROP TABLE stock_movements;
DROP TABLE stock_items;
