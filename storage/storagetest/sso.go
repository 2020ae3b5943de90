package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/storage"
)

var ssoTests = []test{
	{"PutGet", testSSOPutGet},
	{"DomainBelongsToOne", testSSODomainBelongsToOne},
	{"PendingDomains", testSSOPendingDomains},
	{"Delete", testSSODelete},
	{"MissingCustomer", testSSOMissingCustomer},
	{"StateConsumeOnce", testSSOStateConsumeOnce},
}

func newSSOConfig(cid customer.ID, domains ...string) identity.SSOConfig {
	return identity.SSOConfig{
		CustomerID: cid, Issuer: "https://login.example.com", ClientID: "portal", SecretSealed: []byte{0, 1, 2, 255},
		Domains: domains, Pending: []string{}, EmailClaim: "email", NameClaim: "name", JIT: true, JITRole: customer.RoleMaintainer, Required: true,
		Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func putSSO(t *testing.T, s storage.Store, c identity.SSOConfig) error {
	t.Helper()
	return write(t, s, func(ctx context.Context, r storage.Repos) error { return r.SSO().Put(ctx, c) })
}

func getSSO(t *testing.T, s storage.Store, cid customer.ID) (identity.SSOConfig, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (identity.SSOConfig, error) { return r.SSO().Get(ctx, cid) })
}

func getSSOByDomain(t *testing.T, s storage.Store, domain string) (identity.SSOConfig, error) {
	t.Helper()
	return get(t, s, func(ctx context.Context, r storage.Repos) (identity.SSOConfig, error) {
		return r.SSO().GetByDomain(ctx, domain)
	})
}

// testSSOPutGet checks that a configuration reads back as written, by
// customer and by each domain, and that Put replaces it, domains included,
// keeping CreatedAt.
func testSSOPutGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	want := newSSOConfig(c.ID, "acme.example", "acme.test")
	require.NoError(t, putSSO(t, s, want))
	got, err := getSSO(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	for _, d := range want.Domains {
		got, err = getSSOByDomain(t, s, d)
		require.NoError(t, err)
		assert.Equal(t, c.ID, got.CustomerID, d)
	}
	_, err = getSSOByDomain(t, s, "other.example")
	assertNotFound(t, err)

	changed := want
	changed.Domains = []string{"acme.example"}
	changed.JIT, changed.Required, changed.Version = false, false, 2
	changed.CreatedAt, changed.UpdatedAt = at(time.Hour), at(time.Hour)
	require.NoError(t, putSSO(t, s, changed))
	got, err = getSSO(t, s, c.ID)
	require.NoError(t, err)
	changed.CreatedAt = base
	assert.Equal(t, changed, got)
	_, err = getSSOByDomain(t, s, "acme.test")
	assertNotFound(t, err, "a dropped domain")
}

func testSSODomainBelongsToOne(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	require.NoError(t, putSSO(t, s, newSSOConfig(a.ID, "acme.example")))
	assertAlreadyExists(t, putSSO(t, s, newSSOConfig(b.ID, "globex.example", "acme.example")))
	_, err := getSSO(t, s, b.ID)
	assertNotFound(t, err, "the refused Put wrote nothing")
	got, err := getSSOByDomain(t, s, "acme.example")
	require.NoError(t, err)
	assert.Equal(t, a.ID, got.CustomerID)
}

// testSSOPendingDomains checks that a pending domain routes no sign-in,
// may be claimed by several customers while it waits, and becomes active
// for one customer at most.
func testSSOPendingDomains(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	c := createCustomer(t, s, newCustomer("Initech"))
	require.NoError(t, putSSO(t, s, newSSOConfig(a.ID, "acme.example")))
	claim := newSSOConfig(b.ID, "acme.example", "globex.example", "wait.example")
	claim.Pending = []string{"acme.example", "wait.example"}
	require.NoError(t, putSSO(t, s, claim), "a pending claim of another customer's active domain")
	got, err := getSSO(t, s, b.ID)
	require.NoError(t, err)
	assert.Equal(t, claim, got)
	assert.Equal(t, []string{"globex.example"}, got.ActiveDomains())
	other := newSSOConfig(c.ID, "wait.example")
	other.Pending = []string{"wait.example"}
	require.NoError(t, putSSO(t, s, other), "several customers may wait for one domain")

	owner, err := getSSOByDomain(t, s, "acme.example")
	require.NoError(t, err)
	assert.Equal(t, a.ID, owner.CustomerID, "the active one routes sign-ins")
	owner, err = getSSOByDomain(t, s, "globex.example")
	require.NoError(t, err)
	assert.Equal(t, b.ID, owner.CustomerID)
	_, err = getSSOByDomain(t, s, "wait.example")
	assertNotFound(t, err, "a pending domain routes nothing")

	approved := claim
	approved.Pending, approved.Version = []string{"wait.example"}, 2
	assertAlreadyExists(t, putSSO(t, s, approved), "acme.example is active for Acme")
	got, err = getSSO(t, s, b.ID)
	require.NoError(t, err)
	assert.Equal(t, claim, got, "the refused Put changed nothing")

	approved.Pending = []string{"acme.example"}
	require.NoError(t, putSSO(t, s, approved), "wait.example becomes active for Globex")
	assertAlreadyExists(t, putSSO(t, s, newSSOConfig(c.ID, "wait.example")), "and for nobody else")
	owner, err = getSSOByDomain(t, s, "wait.example")
	require.NoError(t, err)
	assert.Equal(t, b.ID, owner.CustomerID)
	got, err = getSSO(t, s, c.ID)
	require.NoError(t, err)
	assert.Equal(t, []string{"wait.example"}, got.Pending, "Initech's claim still waits")
}

func testSSODelete(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	require.NoError(t, putSSO(t, s, newSSOConfig(c.ID, "acme.example")))
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.SSO().Delete(ctx, c.ID) }))
	_, err := getSSO(t, s, c.ID)
	assertNotFound(t, err)
	_, err = getSSOByDomain(t, s, "acme.example")
	assertNotFound(t, err)
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.SSO().Delete(ctx, c.ID) }))
}

func testSSOMissingCustomer(t *testing.T, s storage.Store) {
	assertNotFound(t, putSSO(t, s, newSSOConfig(newCustomerID(), "acme.example")))
}

func testSSOStateConsumeOnce(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	st := identity.SSOState{StateHash: newTokenHash(), CustomerID: c.ID, Nonce: "n", Verifier: "v", ExpiresAt: at(time.Hour), CreatedAt: base}
	old := identity.SSOState{StateHash: newTokenHash(), CustomerID: c.ID, Nonce: "n", Verifier: "v", ExpiresAt: at(time.Minute), CreatedAt: base}
	for _, x := range []identity.SSOState{st, old} {
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.SSO().CreateState(ctx, x) }))
	}
	consume := func(hash string, now time.Time) (identity.SSOState, error) {
		var got identity.SSOState
		err := write(t, s, func(ctx context.Context, r storage.Repos) error {
			var err error
			got, err = r.SSO().ConsumeState(ctx, hash, now)
			return err
		})
		return got, err
	}
	_, err := consume(old.StateHash, at(time.Minute))
	assertNotFound(t, err, "expired at ExpiresAt")
	got, err := consume(st.StateHash, at(2*time.Minute))
	require.NoError(t, err)
	st.UsedAt = at(2 * time.Minute)
	assert.Equal(t, st, got)
	_, err = consume(st.StateHash, at(3*time.Minute))
	assertNotFound(t, err, "replayed")
	var n int
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		n, err = r.SSO().DeleteExpiredStates(ctx, at(2*time.Minute))
		return err
	}))
	assert.Equal(t, 1, n)
}
