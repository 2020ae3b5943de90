-- +goose Up
-- A domain a customer's admin lists for its identity provider waits for
-- the provider's staff to approve it ('pending'); only 'active' domains
-- route sign-ins, and a domain is active for one customer at most. Several
-- customers may claim one domain while it waits. Domains listed before
-- stay active.
CREATE TABLE sso_domains_new (
    customer_id TEXT NOT NULL REFERENCES sso_configs (customer_id),
    domain      TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'pending')),
    PRIMARY KEY (customer_id, domain)
) STRICT, WITHOUT ROWID;
INSERT INTO sso_domains_new (customer_id, domain, status) SELECT customer_id, domain, 'active' FROM sso_domains;
DROP TABLE sso_domains;
ALTER TABLE sso_domains_new RENAME TO sso_domains;
CREATE UNIQUE INDEX sso_domains_active_domain ON sso_domains (domain) WHERE status = 'active';

-- +goose Down
DELETE FROM sso_domains WHERE status <> 'active';
CREATE TABLE sso_domains_old (
    domain      TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES sso_configs (customer_id)
) STRICT, WITHOUT ROWID;
INSERT INTO sso_domains_old (domain, customer_id) SELECT domain, customer_id FROM sso_domains;
DROP TABLE sso_domains;
ALTER TABLE sso_domains_old RENAME TO sso_domains;
CREATE INDEX sso_domains_customer_id ON sso_domains (customer_id);
