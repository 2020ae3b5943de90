package sqlstore

import (
	"context"
	"slices"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

type ssoRepo struct{ t *txn }

func (t *txn) SSO() storage.SSORepo { return ssoRepo{t} }

// ssoConfigs holds a configuration without its domains, which live in
// sso_domains, one row each with its status, so that a domain is active
// for one customer at most.
var ssoConfigs = newTable(table[identity.SSOConfig]{
	name: "sso_configs", noun: "identity provider configuration",
	columns: []string{"customer_id", "issuer", "client_id", "secret_sealed", "email_claim", "name_claim", "jit", "jit_role",
		"required", "version", "created_at", "updated_at"},
	values: func(c *identity.SSOConfig) []any {
		return []any{string(c.CustomerID), c.Issuer, c.ClientID, c.SecretSealed, c.EmailClaim, c.NameClaim, c.JIT, string(c.JITRole),
			c.Required, c.Version, ts(c.CreatedAt), ts(c.UpdatedAt)}
	},
	dest: func(c *identity.SSOConfig) []any {
		return []any{&c.CustomerID, &c.Issuer, &c.ClientID, &c.SecretSealed, &c.EmailClaim, &c.NameClaim, &c.JIT, &c.JITRole,
			&c.Required, &c.Version, tcol(&c.CreatedAt), tcol(&c.UpdatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

var putSSOConfigSQL = upsertSQL(ssoConfigs, []string{"customer_id"}, "created_at")

// Put upserts the configuration and replaces its domains.
func (s ssoRepo) Put(ctx context.Context, c identity.SSOConfig) error {
	op := "putting identity provider configuration of " + string(c.CustomerID)
	if err := s.t.writable(op); err != nil {
		return err
	}
	if _, err := s.t.exec(ctx, op, ssoConfigs.fkErr, putSSOConfigSQL, ssoConfigs.values(&c)...); err != nil {
		return err
	}
	if _, err := s.t.exec(ctx, op, nil, `DELETE FROM sso_domains WHERE customer_id = ?`, string(c.CustomerID)); err != nil {
		return err
	}
	for _, d := range c.Domains {
		status := "active"
		if slices.Contains(c.Pending, d) {
			status = "pending"
		}
		if _, err := s.t.exec(ctx, op, storage.ErrNotFound, `INSERT INTO sso_domains (customer_id, domain, status) VALUES (?, ?, ?)`,
			string(c.CustomerID), d, status); err != nil {
			return err
		}
	}
	return nil
}

// Get returns the customer's configuration with its domains.
func (s ssoRepo) Get(ctx context.Context, cid customer.ID) (identity.SSOConfig, error) {
	c, err := ssoConfigs.get(ctx, s.t, string(cid))
	if err != nil {
		return identity.SSOConfig{}, err
	}
	return s.withDomains(ctx, c)
}

// GetByDomain returns the configuration that lists domain.
func (s ssoRepo) GetByDomain(ctx context.Context, domain string) (identity.SSOConfig, error) {
	c, err := ssoConfigs.getWhere(ctx, s.t, "finding identity provider of domain "+domain,
		`customer_id = (SELECT customer_id FROM sso_domains WHERE domain = ? AND status = 'active')`, domain)
	if err != nil {
		return identity.SSOConfig{}, err
	}
	return s.withDomains(ctx, c)
}

func (s ssoRepo) withDomains(ctx context.Context, c identity.SSOConfig) (identity.SSOConfig, error) {
	const op = "listing identity provider domains"
	rows, err := s.t.query(ctx, `SELECT domain, status FROM sso_domains WHERE customer_id = ? ORDER BY domain`, string(c.CustomerID))
	if err != nil {
		return identity.SSOConfig{}, s.t.dbError(op, err, nil)
	}
	defer func() { _ = rows.Close() }()
	c.Domains, c.Pending = []string{}, []string{}
	for rows.Next() {
		var d, status string
		if err := rows.Scan(&d, &status); err != nil {
			return identity.SSOConfig{}, s.t.dbError(op, err, nil)
		}
		c.Domains = append(c.Domains, d)
		if status == "pending" {
			c.Pending = append(c.Pending, d)
		}
	}
	if err := rows.Err(); err != nil {
		return identity.SSOConfig{}, s.t.dbError(op, err, nil)
	}
	return c, nil
}

// Delete removes the configuration; its domains go with it.
func (s ssoRepo) Delete(ctx context.Context, cid customer.ID) error {
	op := "deleting identity provider configuration of " + string(cid)
	if err := s.t.writable(op); err != nil {
		return err
	}
	if _, err := s.t.exec(ctx, op, nil, `DELETE FROM sso_domains WHERE customer_id = ?`, string(cid)); err != nil {
		return err
	}
	return ssoConfigs.delete(ctx, s.t, string(cid), nil)
}

var ssoStates = newTable(table[identity.SSOState]{
	name: "sso_states", noun: "single sign-on state",
	columns: []string{"state_hash", "customer_id", "nonce", "verifier", "expires_at", "used_at", "created_at"},
	values: func(st *identity.SSOState) []any {
		return []any{st.StateHash, nullString(st.CustomerID), st.Nonce, st.Verifier, ts(st.ExpiresAt), nullTS(st.UsedAt), ts(st.CreatedAt)}
	},
	dest: func(st *identity.SSOState) []any {
		return []any{&st.StateHash, scol(&st.CustomerID), &st.Nonce, &st.Verifier, tcol(&st.ExpiresAt), tcol(&st.UsedAt), tcol(&st.CreatedAt)}
	},
	fkErr: storage.ErrNotFound,
})

// CreateState stores a started sign-in.
func (s ssoRepo) CreateState(ctx context.Context, st identity.SSOState) error {
	return ssoStates.insert(ctx, s.t, &st)
}

// ConsumeState marks the usable sign-in with this state hash as used, in
// one conditional UPDATE, as loginLinkRepo.Consume does.
func (s ssoRepo) ConsumeState(ctx context.Context, hash string, now time.Time) (identity.SSOState, error) {
	const op = "consuming single sign-on state"
	if err := s.t.writable(op); err != nil {
		return identity.SSOState{}, err
	}
	st, err := ssoStates.scan(s.t.queryRow(ctx,
		`UPDATE sso_states SET used_at = ? WHERE state_hash = ? AND `+loginLinkUsable+` RETURNING `+ssoStates.cols,
		ts(now), hash, ts(now)))
	if err != nil {
		return identity.SSOState{}, s.t.dbError(op, err, nil)
	}
	return st, nil
}

// DeleteExpiredStates removes the sign-ins that expired before `before`.
func (s ssoRepo) DeleteExpiredStates(ctx context.Context, before time.Time) (int, error) {
	const op = "deleting expired single sign-on states"
	if err := s.t.writable(op); err != nil {
		return 0, err
	}
	n, err := s.t.exec(ctx, op, nil, `DELETE FROM sso_states WHERE expires_at < ?`, ts(before))
	return int(n), err
}
