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

var impersonationTests = []test{
	{"CreateListEnd", testImpersonationCreateListEnd},
	{"Policy", testImpersonationPolicy},
}

func newImpersonation(cid customer.ID, uid customer.UserID, started time.Time) identity.Impersonation {
	return identity.Impersonation{
		ID: identity.ImpersonationID(newID("imp_")), SessionID: identity.SessionID(newID("ses_")), StaffID: "stf_1",
		UserID: uid, MembershipID: newMembershipID(), CustomerID: cid, Reason: "ticket T-1", ReadOnly: true,
		StartedAt: started, ExpiresAt: started.Add(identity.MaxImpersonation),
	}
}

// testImpersonationCreateListEnd checks that impersonations read back as
// written, newest first and per customer, and end once.
func testImpersonationCreateListEnd(t *testing.T, s storage.Store) {
	a := createCustomer(t, s, newCustomer("Acme"))
	b := createCustomer(t, s, newCustomer("Globex"))
	u := createUser(t, s, newUser("ann@example.com"))
	first, second, other := newImpersonation(a.ID, u.ID, base), newImpersonation(a.ID, u.ID, at(time.Hour)), newImpersonation(b.ID, u.ID, base)
	for _, i := range []identity.Impersonation{first, second, other} {
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Impersonations().Create(ctx, i) }))
	}
	list := func(p storage.Page) storage.List[identity.Impersonation] {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[identity.Impersonation], error) {
			return r.Impersonations().List(ctx, a.ID, p)
		})
		require.NoError(t, err)
		return l
	}
	page := list(storage.Page{Limit: 1})
	require.Len(t, page.Items, 1)
	assert.Equal(t, second, page.Items[0], "newest first")
	page = list(storage.Page{Limit: 1, Cursor: page.NextCursor})
	require.Len(t, page.Items, 1)
	assert.Equal(t, first, page.Items[0])
	assert.Empty(t, page.NextCursor)

	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Impersonations().End(ctx, first.SessionID, at(time.Minute))
	}))
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Impersonations().End(ctx, first.SessionID, at(2*time.Minute))
	}))
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (identity.Impersonation, error) {
		return r.Impersonations().GetBySession(ctx, first.SessionID)
	})
	require.NoError(t, err)
	assert.Equal(t, at(time.Minute), got.EndedAt, "ends once")
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (identity.Impersonation, error) {
		return r.Impersonations().GetBySession(ctx, identity.SessionID(newID("ses_")))
	})
	assertNotFound(t, err)
}

func testImpersonationPolicy(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	forbidden := func() bool {
		f, err := get(t, s, func(ctx context.Context, r storage.Repos) (bool, error) {
			return r.Impersonations().Forbidden(ctx, c.ID)
		})
		require.NoError(t, err)
		return f
	}
	assert.False(t, forbidden(), "allowed until the customer chooses")
	for _, want := range []bool{true, false} {
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
			return r.Impersonations().SetForbidden(ctx, c.ID, want, "user:usr_1", base)
		}))
		assert.Equal(t, want, forbidden())
	}
	assertNotFound(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Impersonations().SetForbidden(ctx, newCustomerID(), true, "user:usr_1", base)
	}))
}
