-- +goose Up
-- News articles and their audiences. An article for all customers has
-- audience_all set and no audience rows; one for chosen customers names
-- each in news_audience. customer_id is the customer whose admin wrote
-- the article; NULL for the provider's articles.

CREATE TABLE news_articles (
    id           text COLLATE "C" PRIMARY KEY,
    customer_id  text COLLATE "C" REFERENCES customers (id),
    title        text NOT NULL,
    body         text NOT NULL,
    publish_at   timestamptz NOT NULL,
    audience_all boolean NOT NULL,
    -- The writing actor, kept as a record: no foreign key.
    author       text NOT NULL,
    version      bigint NOT NULL,
    created_at   timestamptz NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- Lists run newest first, by publish time.
CREATE INDEX news_articles_publish_at ON news_articles (publish_at, id);
CREATE INDEX news_articles_customer_id ON news_articles (customer_id, publish_at, id) WHERE customer_id IS NOT NULL;

CREATE TABLE news_audience (
    article_id  text COLLATE "C" NOT NULL REFERENCES news_articles (id) ON DELETE CASCADE,
    customer_id text COLLATE "C" NOT NULL REFERENCES customers (id),
    PRIMARY KEY (article_id, customer_id)
);

CREATE INDEX news_audience_customer_id ON news_audience (customer_id, article_id);

-- +goose Down
DROP TABLE news_audience;
DROP TABLE news_articles;
