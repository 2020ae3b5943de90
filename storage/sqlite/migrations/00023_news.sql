-- +goose Up
-- News articles and their audiences. An article for all customers has
-- audience_all set and no audience rows; one for chosen customers names
-- each in news_audience. customer_id is the customer whose admin wrote
-- the article; NULL for the provider's articles.

CREATE TABLE news_articles (
    id           TEXT NOT NULL PRIMARY KEY,
    customer_id  TEXT REFERENCES customers (id),
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    publish_at   TEXT NOT NULL,
    audience_all INTEGER NOT NULL CHECK (audience_all IN (0, 1)),
    -- The writing actor, kept as a record: no foreign key.
    author       TEXT NOT NULL,
    version      INTEGER NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- Lists run newest first, by publish time.
CREATE INDEX news_articles_publish_at ON news_articles (publish_at, id);
CREATE INDEX news_articles_customer_id ON news_articles (customer_id, publish_at, id) WHERE customer_id IS NOT NULL;

CREATE TABLE news_audience (
    article_id  TEXT NOT NULL REFERENCES news_articles (id) ON DELETE CASCADE,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    PRIMARY KEY (article_id, customer_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX news_audience_customer_id ON news_audience (customer_id, article_id);

-- +goose Down
DROP TABLE news_audience;
DROP TABLE news_articles;
