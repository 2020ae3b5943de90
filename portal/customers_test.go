package portal_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

func ptr[T any](v T) *T { return &v }

func TestCreateCustomer(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{
			Name:         "  Acme GmbH ",
			LegalName:    "Acme Gesellschaft mit beschränkter Haftung",
			VATID:        "DE123456789",
			ContactEmail: "it@acme.example",
			Phone:        "+49 30 1234567",
			Address:      customer.Address{Line1: "Hauptstr. 1", PostalCode: "10115", City: "Berlin", Country: "de"},
			ExternalRef:  "ERP-1",
			Features:     customer.FeaturesPatch{OrderAuthorization: ptr(true), PreOrders: ptr(true)},
		})
		require.NoError(t, err)
		assert.Equal(t, "Acme GmbH", c.Name, "name is trimmed")
		assert.Equal(t, "DE", c.Address.Country, "country is upper-cased")
		assert.Equal(t, customer.StatusActive, c.Status)
		assert.Equal(t, int64(1), c.Version)
		assert.Equal(t, e.clock.Now(), c.CreatedAt)
		assert.Equal(t, customer.Features{OrderAuthorization: true, InheritGlobalPortfolio: true, PreOrders: true, SupplierWarehouse: true}, c.Features,
			"defaults plus the patch; pre_orders turns on supplier_warehouse")

		got, err := e.p.GetCustomer(e.owner, c.ID)
		require.NoError(t, err)
		assert.Equal(t, c, got)
	})
}

func TestCreateCustomerRejectsBadInputAndWritesNothing(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		tests := []struct {
			name   string
			params portal.CreateCustomerParams
			code   portalerr.Code
			fields []string
		}{
			{"no name", portal.CreateCustomerParams{Name: "   "}, portalerr.Invalid, []string{"name"}},
			{"many bad fields", portal.CreateCustomerParams{
				Name: "X", ContactEmail: "not-an-email", Address: customer.Address{Country: "Germany"}, Phone: "1\n2",
			}, portalerr.Invalid, []string{"contact_email", "phone", "address.country"}},
			{"name too long", portal.CreateCustomerParams{Name: string(make([]byte, 201))}, portalerr.Invalid, []string{"name"}},
			{"unknown parent", portal.CreateCustomerParams{Name: "X", ParentID: "cus_nope"}, portalerr.Invalid, []string{"parent_id"}},
			{"contradicting features", portal.CreateCustomerParams{Name: "X", Features: customer.FeaturesPatch{AutoConfirmOrders: ptr(true)}},
				portalerr.Invalid, []string{"features.auto_confirm_orders"}},
			{"hr_sync without entitlement", portal.CreateCustomerParams{Name: "X", Features: customer.FeaturesPatch{HRSync: ptr(true)}},
				portalerr.LicenseRequired, []string{"features.hr_sync"}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.p.CreateCustomer(e.owner, tt.params)
				assertCode(t, tt.code, err)
				assert.ElementsMatch(t, tt.fields, fieldsOf(err))
			})
		}
		l, err := e.p.ListCustomers(e.owner, portal.ListCustomersParams{})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "nothing was written")
	})
}

func TestCreateCustomerExternalRefIsUnique(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		_, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "A", ExternalRef: "ERP-1"})
		require.NoError(t, err)
		_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "B", ExternalRef: "ERP-1"})
		assertCode(t, portalerr.AlreadyExists, err)
		assert.Equal(t, []string{"external_ref"}, fieldsOf(err))
		_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "C"})
		require.NoError(t, err, "customers without an external reference do not collide")
		_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "D"})
		require.NoError(t, err)
	})
}

func TestCustomerHierarchy(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		// A chain of customer.MaxDepth customers is allowed, one more is not.
		chain := []customer.Customer{e.createCustomer(t, "level 1")}
		for i := 2; i <= customer.MaxDepth; i++ {
			c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: fmt.Sprintf("level %d", i), ParentID: chain[len(chain)-1].ID})
			require.NoError(t, err)
			chain = append(chain, c)
		}
		_, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "too deep", ParentID: chain[len(chain)-1].ID})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"parent_id"}, fieldsOf(err))

		top := chain[0]
		t.Run("no cycles", func(t *testing.T) {
			_, err := e.p.UpdateCustomer(e.owner, top.ID, portal.UpdateCustomerParams{Version: top.Version, ParentID: &chain[1].ID})
			assertCode(t, portalerr.Invalid, err)
			_, err = e.p.UpdateCustomer(e.owner, top.ID, portal.UpdateCustomerParams{Version: top.Version, ParentID: &top.ID})
			assertCode(t, portalerr.Invalid, err)
		})
		t.Run("moving a subtree keeps the depth bound", func(t *testing.T) {
			other := e.createCustomer(t, "other top")
			// chain[1] heads a subtree of MaxDepth-1 levels; under "other top" it would reach MaxDepth: allowed.
			moved, err := e.p.UpdateCustomer(e.owner, chain[1].ID, portal.UpdateCustomerParams{Version: chain[1].Version, ParentID: &other.ID})
			require.NoError(t, err)
			assert.Equal(t, other.ID, moved.ParentID)
			// Under a child of "other top" it would reach MaxDepth+1: refused.
			child, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "other child", ParentID: other.ID})
			require.NoError(t, err)
			_, err = e.p.UpdateCustomer(e.owner, moved.ID, portal.UpdateCustomerParams{Version: moved.Version, ParentID: &child.ID})
			assertCode(t, portalerr.Invalid, err)
			// Detaching makes it top-level.
			detached, err := e.p.UpdateCustomer(e.owner, moved.ID, portal.UpdateCustomerParams{Version: moved.Version, ParentID: ptr(customer.ID(""))})
			require.NoError(t, err)
			assert.Empty(t, detached.ParentID)
		})
		t.Run("archived parent", func(t *testing.T) {
			p := e.createCustomer(t, "archived parent")
			_, err := e.p.ArchiveCustomer(e.owner, p.ID)
			require.NoError(t, err)
			_, err = e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "orphan", ParentID: p.ID})
			assertCode(t, portalerr.Invalid, err)
		})
	})
}

func TestListCustomers(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		acme, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Acme GmbH", ContactEmail: "it@acme.example"})
		require.NoError(t, err)
		globex, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Globex", ExternalRef: "ERP-ACME-2"})
		require.NoError(t, err)
		initech, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: "Initech", ParentID: acme.ID, ContactEmail: "boss@initech.example"})
		require.NoError(t, err)
		_, err = e.p.SuspendCustomer(e.owner, globex.ID)
		require.NoError(t, err)

		ids := func(p portal.ListCustomersParams) []customer.ID {
			t.Helper()
			l, err := e.p.ListCustomers(e.owner, p)
			require.NoError(t, err)
			var out []customer.ID
			for _, c := range l.Items {
				out = append(out, c.ID)
			}
			return out
		}
		assert.Equal(t, []customer.ID{acme.ID, globex.ID, initech.ID}, ids(portal.ListCustomersParams{}))
		assert.Equal(t, []customer.ID{acme.ID, globex.ID}, ids(portal.ListCustomersParams{Search: "acme"}), "name, e-mail and external reference, ignoring case")
		assert.Equal(t, []customer.ID{initech.ID}, ids(portal.ListCustomersParams{Search: "INITECH.EXAMPLE"}))
		assert.Equal(t, []customer.ID{globex.ID}, ids(portal.ListCustomersParams{Statuses: []customer.Status{customer.StatusSuspended}}))
		assert.Equal(t, []customer.ID{initech.ID}, ids(portal.ListCustomersParams{ParentID: acme.ID}))
		assert.Empty(t, ids(portal.ListCustomersParams{Search: "100%_"}), "LIKE wildcards are matched literally")

		var paged []customer.ID
		params := portal.ListCustomersParams{Limit: 2}
		for {
			l, err := e.p.ListCustomers(e.owner, params)
			require.NoError(t, err)
			for _, c := range l.Items {
				paged = append(paged, c.ID)
			}
			if l.NextCursor == "" {
				break
			}
			params.Cursor = l.NextCursor
		}
		assert.Equal(t, []customer.ID{acme.ID, globex.ID, initech.ID}, paged)

		_, err = e.p.ListCustomers(e.owner, portal.ListCustomersParams{Limit: 101})
		assertCode(t, portalerr.Invalid, err)
		_, err = e.p.ListCustomers(e.owner, portal.ListCustomersParams{Cursor: "!!"})
		assertCode(t, portalerr.Invalid, err)
		_, err = e.p.ListCustomers(e.owner, portal.ListCustomersParams{Statuses: []customer.Status{"gone"}})
		assertCode(t, portalerr.Invalid, err)
	})
}

func TestUpdateCustomer(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		e.clock.Advance(2 * time.Hour)
		up, err := e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{
			Version: c.Version, Name: ptr("Acme GmbH"), Address: &customer.Address{City: "Köln", Country: "de"},
		})
		require.NoError(t, err)
		assert.Equal(t, "Acme GmbH", up.Name)
		assert.Equal(t, customer.Address{City: "Köln", Country: "DE"}, up.Address)
		assert.Equal(t, c.Version+1, up.Version)
		assert.Equal(t, c.CreatedAt, up.CreatedAt)
		assert.Equal(t, e.clock.Now(), up.UpdatedAt)

		_, err = e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{Version: c.Version, Name: ptr("Stale")})
		assertCode(t, portalerr.Conflict, err, "a stale version is a conflict")
		_, err = e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{Version: up.Version, Name: ptr("")})
		assertCode(t, portalerr.Invalid, err)
		_, err = e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{Name: ptr("No version")})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, []string{"version"}, fieldsOf(err))
		_, err = e.p.UpdateCustomer(e.owner, "cus_missing", portal.UpdateCustomerParams{Version: 1, Name: ptr("X")})
		assertCode(t, portalerr.NotFound, err)

		got, err := e.p.GetCustomer(e.owner, c.ID)
		require.NoError(t, err)
		assert.Equal(t, up, got, "failed updates changed nothing")
	})
}

func TestCustomerStatus(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		admin := e.addMember(t, c.ID, "ada@acme.example", customer.RoleAdmin)
		ctx := as(t, admin)
		_, err := e.p.GetCustomer(ctx, c.ID)
		require.NoError(t, err)

		s, err := e.p.SuspendCustomer(e.owner, c.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.StatusSuspended, s.Status)
		_, err = e.p.GetCustomer(ctx, c.ID)
		assertCode(t, portalerr.PermissionDenied, err, "a suspended customer's users are refused")
		_, err = e.p.ListSites(ctx, c.ID, portal.ListSitesParams{})
		assertCode(t, portalerr.PermissionDenied, err)

		again, err := e.p.SuspendCustomer(e.owner, c.ID)
		require.NoError(t, err, "suspending twice is harmless")
		assert.Equal(t, s.Version, again.Version, "and changes nothing")

		r, err := e.p.ReactivateCustomer(e.owner, c.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.StatusActive, r.Status)
		_, err = e.p.GetCustomer(ctx, c.ID)
		require.NoError(t, err, "reactivated: users are back")

		a, err := e.p.ArchiveCustomer(e.owner, c.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.StatusArchived, a.Status)
		_, err = e.p.ReactivateCustomer(e.owner, c.ID)
		assertCode(t, portalerr.FailedPrecondition, err, "archived is final")
		_, err = e.p.UpdateCustomer(e.owner, c.ID, portal.UpdateCustomerParams{Version: a.Version, Name: ptr("X")})
		assertCode(t, portalerr.FailedPrecondition, err)
		_, err = e.p.GetCustomer(ctx, c.ID)
		assertCode(t, portalerr.PermissionDenied, err)
	})
}

func TestNoPrincipalIsUnauthenticated(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		_, err := e.p.CreateCustomer(t.Context(), portal.CreateCustomerParams{Name: "X"})
		assertCode(t, portalerr.Unauthenticated, err)
		_, err = e.p.ListCustomers(identity.NewContext(t.Context(), identity.Staff("x", "boss")), portal.ListCustomersParams{})
		assertCode(t, portalerr.PermissionDenied, err, "an unknown staff role may do nothing")
	})
}
