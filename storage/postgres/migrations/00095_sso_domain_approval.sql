-- +goose Up
-- A domain a customer's admin lists for its identity provider waits for
-- the provider's staff to approve it ('pending'); only 'active' domains
-- route sign-ins, and a domain is active for one customer at most. Several
-- customers may claim one domain while it waits. Domains listed before
-- stay active.
ALTER TABLE sso_domains ADD COLUMN status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'pending'));
ALTER TABLE sso_domains ALTER COLUMN status DROP DEFAULT;
ALTER TABLE sso_domains DROP CONSTRAINT sso_domains_pkey;
ALTER TABLE sso_domains ADD PRIMARY KEY (customer_id, domain);
DROP INDEX sso_domains_customer_id;
CREATE UNIQUE INDEX sso_domains_active_domain ON sso_domains (domain) WHERE status = 'active';

-- +goose Down
DELETE FROM sso_domains WHERE status <> 'active';
DROP INDEX sso_domains_active_domain;
ALTER TABLE sso_domains DROP CONSTRAINT sso_domains_pkey;
ALTER TABLE sso_domains ADD PRIMARY KEY (domain);
CREATE INDEX sso_domains_customer_id ON sso_domains (customer_id);
ALTER TABLE sso_domains DROP COLUMN status;
