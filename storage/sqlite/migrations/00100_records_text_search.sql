-- +goose Up
-- Full-text search of records across customers (RecordFilter.Text
-- without a customer) goes through an FTS5 table with the trigram
-- tokenizer, which answers LIKE '%…%' from its index: record_text. It
-- keeps no copy of the text (external content: record_text_content reads
-- it from records). FTS5 needs integer row IDs and records has none
-- (WITHOUT ROWID), so record_text_rows gives each record one. Triggers
-- keep both up to date; records are never deleted.
CREATE TABLE record_text_rows (
    rowid     INTEGER PRIMARY KEY,
    record_id TEXT NOT NULL UNIQUE REFERENCES records (id)
) STRICT;

CREATE VIEW record_text_content AS
    SELECT t.rowid AS rowid, r.text_all AS text_all, r.text_shown AS text_shown
    FROM record_text_rows t JOIN records r ON r.id = t.record_id;

CREATE VIRTUAL TABLE record_text USING fts5 (
    text_all, text_shown,
    content = 'record_text_content', content_rowid = 'rowid', tokenize = 'trigram'
);

-- +goose StatementBegin
CREATE TRIGGER records_text_insert AFTER INSERT ON records BEGIN
    INSERT INTO record_text_rows (record_id) VALUES (new.id);
    INSERT INTO record_text (rowid, text_all, text_shown) VALUES (last_insert_rowid(), new.text_all, new.text_shown);
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER records_text_update AFTER UPDATE OF text_all, text_shown ON records
WHEN old.text_all IS NOT new.text_all OR old.text_shown IS NOT new.text_shown BEGIN
    INSERT INTO record_text (record_text, rowid, text_all, text_shown)
        SELECT 'delete', rowid, old.text_all, old.text_shown FROM record_text_rows WHERE record_id = old.id;
    INSERT INTO record_text (rowid, text_all, text_shown)
        SELECT rowid, new.text_all, new.text_shown FROM record_text_rows WHERE record_id = new.id;
END;
-- +goose StatementEnd

INSERT INTO record_text_rows (record_id) SELECT id FROM records ORDER BY id;
INSERT INTO record_text (record_text) VALUES ('rebuild');

-- +goose Down
DROP TRIGGER records_text_update;
DROP TRIGGER records_text_insert;
DROP TABLE record_text;
DROP VIEW record_text_content;
DROP TABLE record_text_rows;
