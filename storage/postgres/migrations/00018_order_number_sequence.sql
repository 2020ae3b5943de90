-- +goose Up
-- Order numbers come from a sequence: the counters row made concurrent
-- placements take turns and, under SERIALIZABLE, fail to serialize. The
-- sequence goes on from the greatest number given so far.
CREATE SEQUENCE order_number AS bigint;
SELECT setval('order_number', GREATEST(
    (SELECT value FROM counters WHERE name = 'order_number'),
    (SELECT max(number) FROM orders),
    0) + 1, false);
DELETE FROM counters WHERE name = 'order_number';

-- +goose Down
INSERT INTO counters (name, value)
    SELECT 'order_number', GREATEST((SELECT max(number) FROM orders), 0);
DROP SEQUENCE order_number;
