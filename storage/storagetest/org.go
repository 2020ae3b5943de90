package storagetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

var orgTests = []test{
	{"LicensesDefault", testLicensesDefault},
	{"LicensesPut", testLicensesPut},
	{"LicensesMissingCustomer", testLicensesMissingCustomer},
	{"EmployeesCreateGet", testEmployeesCreateGet},
	{"EmployeesExternalIDUnique", testEmployeesExternalIDUnique},
	{"EmployeesChange", testEmployeesChange},
	{"EmployeesList", testEmployeesList},
	{"EmployeesHeld", testEmployeesHeld},
	{"Units", testUnits},
	{"Runs", testRuns},
	{"SCIMTokens", testSCIMTokens},
	{"SyncSettings", testSyncSettings},
	{"EmployeesExactFilters", testEmployeesExactFilters},
}

func newEmployeeID() org.EmployeeID { return org.EmployeeID(newID("emp_")) }

func newEmployee(cid customer.ID, ext, name string) org.Employee {
	return org.Employee{
		ID: newEmployeeID(), CustomerID: cid, ExternalID: ext, EmployeeNumber: "N-" + ext, Name: name,
		Email: ext + "@example.com", Username: ext, Department: "IT", CostCentre: "CC-1", Location: "Berlin",
		ManagerExternalID: "boss", Status: org.StatusActive, Source: "csv", Version: 1, CreatedAt: base, UpdatedAt: base,
	}
}

func createEmployees(t *testing.T, s storage.Store, es ...org.Employee) {
	t.Helper()
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Org().CreateEmployees(ctx, es)
	}))
}

func testLicensesDefault(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (customer.Licenses, error) {
		return r.Licenses().Get(ctx, c.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, customer.DefaultLicenses(c.ID), l)
}

func testLicensesPut(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	for _, g := range []customer.Grant{customer.GrantGranted, customer.GrantRevoked} {
		want := customer.Licenses{CustomerID: c.ID, HRSync: g, UpdatedBy: "staff:stf_1", UpdatedAt: at(time.Hour)}
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Licenses().Put(ctx, want) }))
		got, err := get(t, s, func(ctx context.Context, r storage.Repos) (customer.Licenses, error) {
			return r.Licenses().Get(ctx, c.ID)
		})
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	o, err := get(t, s, func(ctx context.Context, r storage.Repos) (customer.Licenses, error) {
		return r.Licenses().Get(ctx, other.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, customer.GrantDefault, o.HRSync, "another customer's licenses stay as they were")
}

func testLicensesMissingCustomer(t *testing.T, s storage.Store) {
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Licenses().Put(ctx, customer.Licenses{CustomerID: newCustomerID(), HRSync: customer.GrantGranted, UpdatedAt: base})
	})
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testEmployeesCreateGet(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	site := createSite(t, s, newSite(c.ID, "Berlin"))
	a, b := newEmployee(c.ID, "a1", "Ann"), newEmployee(c.ID, "b2", "Bob")
	a.SiteID = site.ID
	b.Email, b.LeftAt, b.Status = "", at(time.Minute), org.StatusLocked
	createEmployees(t, s, a, b)
	for _, want := range []org.Employee{a, b} {
		got, err := get(t, s, func(ctx context.Context, r storage.Repos) (org.Employee, error) {
			return r.Org().Employee(ctx, want.ID)
		})
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := get(t, s, func(ctx context.Context, r storage.Repos) (org.Employee, error) {
		return r.Org().Employee(ctx, newEmployeeID())
	})
	assert.ErrorIs(t, err, storage.ErrNotFound)
	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Org().CreateEmployees(ctx, []org.Employee{newEmployee(newCustomerID(), "x", "X")})
	})
	assert.ErrorIs(t, err, storage.ErrNotFound, "a missing customer")
	all, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]org.Employee, error) {
		return r.Org().Employees(ctx, c.ID)
	})
	require.NoError(t, err)
	assert.Len(t, all, 2)
}

func testEmployeesExternalIDUnique(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	a := newEmployee(c.ID, "a1", "Ann")
	createEmployees(t, s, a)
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Org().CreateEmployees(ctx, []org.Employee{newEmployee(c.ID, "a1", "Ann again")})
	})
	assert.ErrorIs(t, err, storage.ErrAlreadyExists)
	createEmployees(t, s, newEmployee(other.ID, "a1", "Another customer's Ann"))
	// Once a1 has left, the external ID may come back as a new employee.
	a.Status, a.LeftAt = org.StatusLeft, at(time.Hour)
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Org().ChangeEmployee(ctx, a)
		return err
	}))
	createEmployees(t, s, newEmployee(c.ID, "a1", "Ann, rehired"))
}

func testEmployeesChange(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	a := newEmployee(c.ID, "a1", "Ann")
	createEmployees(t, s, a)
	next := a
	next.Name, next.Department, next.UpdatedAt = "Ann Smith", "Sales", at(time.Hour)
	next.CreatedAt = at(99 * time.Hour) // stays as stored
	var got org.Employee
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		got, err = r.Org().ChangeEmployee(ctx, next)
		return err
	}))
	assert.Equal(t, int64(2), got.Version)
	assert.Equal(t, "Ann Smith", got.Name)
	assert.Equal(t, "Sales", got.Department)
	assert.Equal(t, base, got.CreatedAt)
	// A change from the old version lost.
	err := write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Org().ChangeEmployee(ctx, next)
		return err
	})
	assert.ErrorIs(t, err, storage.ErrConflict)
	ghost := newEmployee(c.ID, "g", "Ghost")
	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		_, err := r.Org().ChangeEmployee(ctx, ghost)
		return err
	})
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testEmployeesList(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	ann, bob, cid := newEmployee(c.ID, "a1", "Ann Archer"), newEmployee(c.ID, "b2", "Bob Builder"), newEmployee(c.ID, "c3", "Cid Cook")
	cid.Status, cid.LeftAt = org.StatusLeft, at(time.Hour)
	bob.Status, bob.LeftAt = org.StatusLocked, at(time.Hour)
	createEmployees(t, s, ann, bob, cid, newEmployee(other.ID, "a1", "Ann of Globex"))
	names := func(f storage.EmployeeFilter) []string {
		t.Helper()
		var out []string
		var cursor string
		for {
			l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[org.Employee], error) {
				return r.Org().ListEmployees(ctx, f, storage.Page{Cursor: cursor, Limit: 1})
			})
			require.NoError(t, err)
			for _, e := range l.Items {
				out = append(out, e.Name)
			}
			if l.NextCursor == "" {
				return out
			}
			cursor = l.NextCursor
		}
	}
	assert.Equal(t, []string{"Ann Archer", "Bob Builder", "Cid Cook"}, names(storage.EmployeeFilter{CustomerID: c.ID}))
	assert.Equal(t, []string{"Ann Archer", "Bob Builder"}, names(storage.EmployeeFilter{CustomerID: c.ID, Current: true}))
	assert.Equal(t, []string{"Bob Builder"}, names(storage.EmployeeFilter{CustomerID: c.ID, Status: org.StatusLocked}))
	assert.Equal(t, []string{"Bob Builder"}, names(storage.EmployeeFilter{CustomerID: c.ID, Query: "BUILD"}))
	assert.Equal(t, []string{"Cid Cook"}, names(storage.EmployeeFilter{CustomerID: c.ID, Query: "n-c3"}))
	assert.Equal(t, []string{"Ann of Globex"}, names(storage.EmployeeFilter{CustomerID: other.ID}))
	assert.Empty(t, names(storage.EmployeeFilter{CustomerID: c.ID, Query: "100%"}))
}

func testEmployeesHeld(t *testing.T, s storage.Store) {
	fx := newStockFixture(t, s)
	ann, bob := newEmployee(fx.customer.ID, "a1", "Ann"), newEmployee(fx.customer.ID, "b2", "Bob")
	createEmployees(t, s, ann, bob)
	var issued []warehouse.Item
	for i, serial := range []string{"S1", "S2", "S3"} {
		it, m := fx.newItem(t, fx.laptop.ID, serial)
		it = createItem(t, s, it, m)
		holder := ann
		if i == 2 {
			holder = bob
		}
		next, mv, err := it.IssueToEmployee(warehouse.Act{MovementID: newMovementID(), By: "staff:stf_1", At: at(time.Hour)}, holder)
		require.NoError(t, err)
		got, err := moveItem(t, s, next, mv)
		require.NoError(t, err)
		assert.Equal(t, holder.ID, got.HolderID)
		issued = append(issued, got)
	}
	held, err := get(t, s, func(ctx context.Context, r storage.Repos) (map[org.EmployeeID]int, error) {
		return r.Org().Held(ctx, fx.customer.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, map[org.EmployeeID]int{ann.ID: 2, bob.ID: 1}, held)
	assert.Len(t, itemIDs(t, s, storage.ItemFilter{CustomerID: fx.customer.ID, HolderID: ann.ID}), 2)
	// A return clears the holder.
	back, m, err := issued[2].Return(warehouse.Act{MovementID: newMovementID(), By: "staff:stf_1", At: at(2 * time.Hour)}, "")
	require.NoError(t, err)
	got, err := moveItem(t, s, back, m)
	require.NoError(t, err)
	assert.Empty(t, got.HolderID)
	held, err = get(t, s, func(ctx context.Context, r storage.Repos) (map[org.EmployeeID]int, error) {
		return r.Org().Held(ctx, fx.customer.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, map[org.EmployeeID]int{ann.ID: 2}, held)
}

func testUnits(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	put := func(cid customer.ID, us ...org.Unit) {
		t.Helper()
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Org().PutUnits(ctx, cid, us) }))
	}
	put(c.ID, org.Unit{Kind: org.KindDepartment, Code: "IT", Name: "IT", UpdatedAt: base},
		org.Unit{Kind: org.KindDepartment, Code: "OPS", Name: "Ops", ParentCode: "IT", UpdatedAt: base},
		org.Unit{Kind: org.KindCostCentre, Code: "CC-1", Name: "CC-1", UpdatedAt: base})
	put(c.ID, org.Unit{Kind: org.KindDepartment, Code: "OPS", Name: "Operations", ParentCode: "", UpdatedAt: at(time.Hour)})
	put(other.ID, org.Unit{Kind: org.KindDepartment, Code: "X", Name: "X", UpdatedAt: base})
	units, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]org.Unit, error) { return r.Org().Units(ctx, c.ID, "") })
	require.NoError(t, err)
	assert.Equal(t, []org.Unit{
		{CustomerID: c.ID, Kind: org.KindCostCentre, Code: "CC-1", Name: "CC-1", UpdatedAt: base},
		{CustomerID: c.ID, Kind: org.KindDepartment, Code: "IT", Name: "IT", UpdatedAt: base},
		{CustomerID: c.ID, Kind: org.KindDepartment, Code: "OPS", Name: "Operations", UpdatedAt: at(time.Hour)},
	}, units)
	deps, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]org.Unit, error) {
		return r.Org().Units(ctx, c.ID, org.KindDepartment)
	})
	require.NoError(t, err)
	assert.Len(t, deps, 2)
}

func testRuns(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	mk := func(cid customer.ID, d time.Duration) hrsync.Run {
		return hrsync.Run{ID: hrsync.RunID(newID("hsr_")), CustomerID: cid, Source: "csv", Status: hrsync.RunPlanned,
			Plan: hrsync.Plan{Changes: []hrsync.Change{{Action: hrsync.ActCreate, ExternalID: "a1", Name: "Ann", Line: 2}},
				Errors: []hrsync.RowError{{Line: 3, Message: "name is required"}}, Counts: hrsync.Counts{Create: 1, Errors: 1}},
			Records:   []hrsync.Record{{Line: 2, ExternalID: "a1", Name: "Ann"}},
			StartedBy: "staff:stf_1", StartedAt: at(d), Duration: 1500 * time.Millisecond, Version: 1}
	}
	first, second := mk(c.ID, 0), mk(c.ID, time.Hour)
	for _, r := range []hrsync.Run{first, second, mk(other.ID, 0)} {
		require.NoError(t, write(t, s, func(ctx context.Context, rp storage.Repos) error { return rp.Org().CreateRun(ctx, r) }))
	}
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Run, error) { return r.Org().Run(ctx, first.ID) })
	require.NoError(t, err)
	assert.Equal(t, first, got)
	var applied hrsync.Run
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error {
		var err error
		applied, err = r.Org().UpdateRun(ctx, first.ID, func(r *hrsync.Run) error {
			r.Status, r.Records, r.FinishedAt, r.ConfirmedBy = hrsync.RunApplied, nil, at(time.Minute), "user:usr_1"
			return nil
		})
		return err
	}))
	assert.Equal(t, int64(2), applied.Version)
	got, err = get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Run, error) { return r.Org().Run(ctx, first.ID) })
	require.NoError(t, err)
	assert.Equal(t, applied.Status, got.Status)
	assert.Empty(t, got.Records)
	assert.Equal(t, at(time.Minute), got.FinishedAt)
	l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[hrsync.Run], error) {
		return r.Org().ListRuns(ctx, c.ID, storage.Page{Limit: 1})
	})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, second.ID, l.Items[0].ID, "newest first")
	assert.Empty(t, l.Items[0].Records)
	assert.Equal(t, 1, l.Items[0].Plan.Counts.Create)
	l, err = get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[hrsync.Run], error) {
		return r.Org().ListRuns(ctx, c.ID, storage.Page{Limit: 1, Cursor: l.NextCursor})
	})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	assert.Equal(t, first.ID, l.Items[0].ID)
}

func testSCIMTokens(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	mk := func(cid customer.ID, hash string) hrsync.Token {
		return hrsync.Token{ID: hrsync.TokenID(newID("sct_")), CustomerID: cid, Name: "Entra ID", TokenHash: hash, CreatedBy: "user:usr_1", CreatedAt: base}
	}
	a, b := mk(c.ID, "hash-a"), mk(other.ID, "hash-b")
	for _, tk := range []hrsync.Token{a, b} {
		require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Org().CreateToken(ctx, tk) }))
	}
	err := write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Org().CreateToken(ctx, mk(c.ID, "hash-a")) })
	assert.ErrorIs(t, err, storage.ErrAlreadyExists, "a hash is unique")
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Token, error) {
		return r.Org().TokenByHash(ctx, "hash-b")
	})
	require.NoError(t, err)
	assert.Equal(t, b, got)
	_, err = get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Token, error) {
		return r.Org().TokenByHash(ctx, "nope")
	})
	assert.ErrorIs(t, err, storage.ErrNotFound)
	a.LastUsedAt, a.RevokedAt = at(time.Hour), at(2*time.Hour)
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Org().UpdateToken(ctx, a) }))
	got, err = get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Token, error) { return r.Org().Token(ctx, a.ID) })
	require.NoError(t, err)
	assert.Equal(t, a, got)
	all, err := get(t, s, func(ctx context.Context, r storage.Repos) ([]hrsync.Token, error) { return r.Org().Tokens(ctx, c.ID) })
	require.NoError(t, err)
	assert.Equal(t, []hrsync.Token{a}, all)
	err = write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Org().UpdateToken(ctx, mk(c.ID, "x")) })
	assert.ErrorIs(t, err, storage.ErrNotFound)
}

func testEmployeesExactFilters(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	ann, bob := newEmployee(c.ID, "a1", "Ann"), newEmployee(c.ID, "b2", "Bob")
	createEmployees(t, s, ann, bob)
	for _, f := range []storage.EmployeeFilter{
		{CustomerID: c.ID, ExternalID: "b2"}, {CustomerID: c.ID, Username: "b2"}, {CustomerID: c.ID, Email: "b2@example.com"},
	} {
		l, err := get(t, s, func(ctx context.Context, r storage.Repos) (storage.List[org.Employee], error) {
			return r.Org().ListEmployees(ctx, f, storage.Page{})
		})
		require.NoError(t, err)
		require.Len(t, l.Items, 1, "%+v", f)
		assert.Equal(t, bob.ID, l.Items[0].ID)
	}
}

func testSyncSettings(t *testing.T, s storage.Store) {
	c := createCustomer(t, s, newCustomer("Acme"))
	other := createCustomer(t, s, newCustomer("Globex"))
	got, err := get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Settings, error) {
		return r.Org().SyncSettings(ctx, c.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, hrsync.Settings{CustomerID: c.ID}, got, "none stored: the zero settings")
	st := hrsync.Settings{CustomerID: c.ID, Filter: hrsync.Filter{Locations: []string{"Berlin"}, Departments: []string{"IT", "Sales"}},
		InviteEmployees: true, UpdatedBy: "user:usr_1", UpdatedAt: base}
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Org().PutSyncSettings(ctx, st) }))
	got, err = get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Settings, error) {
		return r.Org().SyncSettings(ctx, c.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, st, got)
	st.Filter, st.InviteEmployees, st.UpdatedAt = hrsync.Filter{Departments: []string{"HR"}}, false, at(time.Hour)
	require.NoError(t, write(t, s, func(ctx context.Context, r storage.Repos) error { return r.Org().PutSyncSettings(ctx, st) }))
	got, err = get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Settings, error) {
		return r.Org().SyncSettings(ctx, c.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, st, got, "replaced")
	got, err = get(t, s, func(ctx context.Context, r storage.Repos) (hrsync.Settings, error) {
		return r.Org().SyncSettings(ctx, other.ID)
	})
	require.NoError(t, err)
	assert.Equal(t, hrsync.Settings{CustomerID: other.ID}, got, "another customer's settings are its own")
	err = write(t, s, func(ctx context.Context, r storage.Repos) error {
		return r.Org().PutSyncSettings(ctx, hrsync.Settings{CustomerID: "cus_missing", UpdatedAt: base})
	})
	assert.ErrorIs(t, err, storage.ErrNotFound)
}
