-- +goose Up
-- Full-text search of records across customers (RecordFilter.Text
-- without a customer) goes through an FTS5 table with the trigram
-- tokenizer, which answers LIKE '%…%' from its index: record_text. It
-- keeps no copy of the text (external content: record_text_content reads
-- it from records). FTS5 needs integer row IDs and records has none
-- (WITHOUT ROWID), so record_text_rows gives each record one. The store
-- keeps both up to date as it creates and changes records (records are
-- never deleted), in the same transaction: no triggers, so
-- that a copy of the database can be put back table by table.
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

INSERT INTO record_text_rows (record_id) SELECT id FROM records ORDER BY id;
INSERT INTO record_text (record_text) VALUES ('rebuild');

-- +goose Down
DROP TABLE record_text;
DROP VIEW record_text_content;
DROP TABLE record_text_rows;
