package portal_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
)

func TestLicensesPerCustomer(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		acme, globex := e.createCustomer(t, "Acme"), e.createCustomer(t, "Globex")
		on := customer.FeaturesPatch{HRSync: ptr(true)}
		_, err := e.p.UpdateFeatures(e.owner, acme.ID, portal.UpdateFeaturesParams{Version: acme.Version, FeaturesPatch: on})
		assertCode(t, portalerr.LicenseRequired, err, "without a licence, as the provider holds no entitlement")

		l, err := e.p.GetLicenses(e.owner, acme.ID)
		require.NoError(t, err)
		assert.Equal(t, customer.GrantDefault, l.HRSync)
		assert.False(t, l.Effective.HRSync)

		agent := portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent))
		_, err = e.p.UpdateLicenses(agent, acme.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
		assertCode(t, portalerr.PermissionDenied, err, "licences are for owners")
		_, err = e.p.UpdateLicenses(e.owner, acme.ID, portal.UpdateLicensesParams{HRSync: "forever"})
		assertCode(t, portalerr.Invalid, err)
		_, err = e.p.UpdateLicenses(e.owner, "cus_ghost", portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
		assertCode(t, portalerr.NotFound, err)

		l, err = e.p.UpdateLicenses(e.owner, acme.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
		require.NoError(t, err)
		assert.True(t, l.Effective.HRSync)
		assert.Equal(t, "staff:stf_owner", l.UpdatedBy)
		c, err := e.p.UpdateFeatures(e.owner, acme.ID, portal.UpdateFeaturesParams{Version: acme.Version, FeaturesPatch: on})
		require.NoError(t, err)
		assert.True(t, c.Features.HRSync)

		_, err = e.p.UpdateFeatures(e.owner, globex.ID, portal.UpdateFeaturesParams{Version: globex.Version, FeaturesPatch: on})
		assertCode(t, portalerr.LicenseRequired, err, "another customer's licence is its own")

		_, err = e.p.UpdateLicenses(e.owner, acme.ID, portal.UpdateLicensesParams{HRSync: customer.GrantRevoked})
		assertCode(t, portalerr.FailedPrecondition, err, "not while hr_sync is on")
		c, err = e.p.UpdateFeatures(e.owner, acme.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: ptr(false)}})
		require.NoError(t, err)
		l, err = e.p.UpdateLicenses(e.owner, acme.ID, portal.UpdateLicensesParams{HRSync: customer.GrantRevoked})
		require.NoError(t, err)
		assert.False(t, l.Effective.HRSync)
	})
}

func TestLicenseRevokedOverridesTheProviderDefault(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		acme := e.createCustomer(t, "Acme")
		_, err := e.p.UpdateLicenses(e.owner, acme.ID, portal.UpdateLicensesParams{HRSync: customer.GrantRevoked})
		require.NoError(t, err)
		_, err = e.p.UpdateFeatures(e.owner, acme.ID, portal.UpdateFeaturesParams{Version: acme.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: ptr(true)}})
		assertCode(t, portalerr.LicenseRequired, err)
		l, err := e.p.UpdateLicenses(e.owner, acme.ID, portal.UpdateLicensesParams{HRSync: customer.GrantDefault})
		require.NoError(t, err)
		assert.True(t, l.Effective.HRSync, "the provider's entitlement is the default")
	}, func(cfg *portal.Config) { cfg.Entitlements.HRSync = true })
}

// hrEnv is a portal with Acme and Globex, both licensed for HR sync with
// it on and the supplier warehouse, each with an admin; Acme has a site
// Berlin and a laptop in stock there.
type hrEnv struct {
	env
	acme, globex           customer.Customer
	admin, viewer, gxAdmin portal.Member
	berlin                 customer.Site
	laptops                []portal.StockItem
}

func newHREnv(t *testing.T, e env) hrEnv {
	t.Helper()
	h := hrEnv{env: e}
	mk := func(name string) customer.Customer {
		c, err := e.p.CreateCustomer(e.owner, portal.CreateCustomerParams{Name: name, Features: customer.FeaturesPatch{SupplierWarehouse: ptr(true)}})
		require.NoError(t, err)
		_, err = e.p.UpdateLicenses(e.owner, c.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
		require.NoError(t, err)
		c, err = e.p.UpdateFeatures(e.owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: ptr(true)}})
		require.NoError(t, err)
		return c
	}
	h.acme, h.globex = mk("Acme"), mk("Globex")
	h.admin = e.addMember(t, h.acme.ID, "admin@acme.example", customer.RoleAdmin)
	h.viewer = e.addMember(t, h.acme.ID, "vic@acme.example", customer.RoleViewer)
	h.gxAdmin = e.addMember(t, h.globex.ID, "gina@globex.example", customer.RoleAdmin)
	h.berlin = e.createSite(t, h.acme.ID, "Berlin")
	laptop := e.createProduct(t, "LAP-14", "Laptop 14", 99_900, "")
	var err error
	h.laptops, err = e.p.StockIn(e.owner, h.acme.ID, portal.StockInParams{Items: []portal.StockInItemParams{
		{ProductID: laptop.ID, SerialNumber: "SN-1"}, {ProductID: laptop.ID, SerialNumber: "SN-2"}}})
	require.NoError(t, err)
	return h
}

// people returns a CSV of n employees E1…En in German spreadsheet style.
func people(n int, extra ...string) string {
	var b strings.Builder
	b.WriteString("Personalnummer;Name;E-Mail;Abteilung;Kostenstelle;Standort\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "E%d;Person %d;p%d@acme.example;IT;CC-%d;Berlin\n", i, i, i, i%3)
	}
	for _, l := range extra {
		b.WriteString(l + "\n")
	}
	return b.String()
}

var germanMapping = hrsync.Mapping{hrsync.FieldExternalID: "Personalnummer", hrsync.FieldEmail: "E-Mail",
	hrsync.FieldDepartment: "Abteilung", hrsync.FieldCostCentre: "Kostenstelle", hrsync.FieldLocation: "Standort"}

func employeesOf(t *testing.T, e env, cid customer.ID, st org.Status) map[string]org.Employee {
	t.Helper()
	l, err := e.p.ListEmployees(e.owner, cid, portal.ListEmployeesParams{Status: st, Limit: 100})
	require.NoError(t, err)
	out := map[string]org.Employee{}
	for _, em := range l.Items {
		out[em.ExternalID] = em
	}
	return out
}

func TestSyncPlansThenApplies(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHREnv(t, e)
		admin := as(t, h.admin)
		dry, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: people(3, "E9;;x@acme.example;IT;;"), Mapping: germanMapping, DryRun: true})
		require.NoError(t, err)
		assert.Equal(t, hrsync.RunPlanned, dry.Status)
		assert.Equal(t, hrsync.Counts{Create: 3, Errors: 1}, dry.Plan.Counts)
		assert.Equal(t, []hrsync.RowError{{Line: 5, ExternalID: "E9", Message: "name is required"}}, dry.Plan.Errors, "a bad row is reported with its line")
		assert.Empty(t, employeesOf(t, e, h.acme.ID, ""), "a dry run changes nothing")

		applied, err := e.p.ApplySync(admin, h.acme.ID, dry.ID, portal.ApplySyncParams{})
		require.NoError(t, err)
		assert.Equal(t, hrsync.RunApplied, applied.Status)
		assert.Equal(t, hrsync.Counts{Create: 3, Errors: 1}, applied.Plan.Counts)
		got := employeesOf(t, e, h.acme.ID, "")
		require.Len(t, got, 3)
		assert.Equal(t, "p2@acme.example", got["E2"].Email)
		assert.Equal(t, h.berlin.ID, got["E2"].SiteID, "the location maps to the site of that name")
		assert.Equal(t, "csv", got["E2"].Source)
		_, err = e.p.ApplySync(admin, h.acme.ID, dry.ID, portal.ApplySyncParams{})
		assertCode(t, portalerr.FailedPrecondition, err, "applied once")

		units, err := e.p.ListOrgUnits(admin, h.acme.ID, "")
		require.NoError(t, err)
		assert.Len(t, units, 4, "IT and three cost centres")

		// A second run updates what changed and applies at once.
		next := strings.Replace(people(3), "Person 2", "Person Two", 1)
		run, err := e.p.StartSync(e.owner, h.acme.ID, portal.StartSyncParams{CSV: next, Mapping: germanMapping})
		require.NoError(t, err)
		assert.Equal(t, hrsync.RunApplied, run.Status)
		assert.Equal(t, hrsync.Counts{Update: 1, Unchanged: 2}, run.Plan.Counts)
		assert.Equal(t, "Person Two", employeesOf(t, e, h.acme.ID, "")["E2"].Name)

		runs, err := e.p.ListSyncRuns(admin, h.acme.ID, portal.ListSyncRunsParams{})
		require.NoError(t, err)
		require.Len(t, runs.Items, 2)
		assert.Equal(t, run.ID, runs.Items[0].ID, "newest first")
		assert.Equal(t, "staff:stf_owner", runs.Items[0].StartedBy)
	})
}

func TestSyncDeletionThresholdAsksToConfirm(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHREnv(t, e)
		admin := as(t, h.admin)
		_, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: people(10), Mapping: germanMapping})
		require.NoError(t, err)
		// One of ten leaving is 10%: not more than the threshold.
		run, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: people(9), Mapping: germanMapping})
		require.NoError(t, err)
		assert.Equal(t, hrsync.RunApplied, run.Status)
		assert.Equal(t, 1, run.Plan.Counts.Remove)
		// Two of nine is over it.
		run, err = e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: people(7), Mapping: germanMapping})
		require.NoError(t, err)
		assert.Equal(t, hrsync.RunAwaitingConfirmation, run.Status)
		assert.True(t, run.Plan.NeedsConfirmation)
		assert.Len(t, employeesOf(t, e, h.acme.ID, ""), 9, "nothing applied")
		_, err = e.p.ApplySync(admin, h.acme.ID, run.ID, portal.ApplySyncParams{})
		assertCode(t, portalerr.FailedPrecondition, err)
		assert.Equal(t, []string{"confirm"}, fieldsOf(err))
		run, err = e.p.ApplySync(admin, h.acme.ID, run.ID, portal.ApplySyncParams{Confirm: true})
		require.NoError(t, err)
		assert.Equal(t, hrsync.RunApplied, run.Status)
		assert.Equal(t, "user:"+string(h.admin.User.ID), run.ConfirmedBy)
		assert.Len(t, employeesOf(t, e, h.acme.ID, ""), 7)
		assert.Len(t, employeesOf(t, e, h.acme.ID, org.StatusLeft), 3, "kept as history")
	})
}

func TestOffboardingLocksUntilItemsAreBack(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHREnv(t, e)
		admin := as(t, h.admin)
		_, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: people(20), Mapping: germanMapping})
		require.NoError(t, err)
		leaver := employeesOf(t, e, h.acme.ID, "")["E20"]
		for _, it := range h.laptops {
			got, err := e.p.IssueStockItem(admin, h.acme.ID, it.ID, portal.IssueStockItemParams{EmployeeID: leaver.ID})
			require.NoError(t, err)
			assert.Equal(t, leaver.ID, got.HolderID)
			assert.Equal(t, "Person 20", got.Holder.Name)
		}
		view, err := e.p.GetEmployee(admin, h.acme.ID, leaver.ID)
		require.NoError(t, err)
		assert.Len(t, view.Items, 2)

		run, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: people(19), Mapping: germanMapping})
		require.NoError(t, err)
		assert.Equal(t, hrsync.Counts{Lock: 1, Unchanged: 19}, run.Plan.Counts)
		tasks, err := e.p.ListOffboardingTasks(admin, h.acme.ID)
		require.NoError(t, err)
		require.Len(t, tasks, 1)
		assert.Equal(t, org.StatusLocked, tasks[0].Employee.Status)
		assert.Len(t, tasks[0].Items, 2)
		// A locked employee gets nothing more.
		_, err = e.p.IssueStockItem(admin, h.acme.ID, h.laptops[0].ID, portal.IssueStockItemParams{EmployeeID: leaver.ID})
		assert.Error(t, err)

		// A run while the items are still out changes nothing for the leaver.
		run, err = e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: people(19), Mapping: germanMapping})
		require.NoError(t, err)
		assert.Equal(t, hrsync.Counts{Unchanged: 20}, run.Plan.Counts)

		_, err = e.p.ReturnStockItem(admin, h.acme.ID, h.laptops[0].ID, portal.ReturnStockItemParams{})
		require.NoError(t, err)
		view, err = e.p.GetEmployee(admin, h.acme.ID, leaver.ID)
		require.NoError(t, err)
		assert.Equal(t, org.StatusLocked, view.Status, "one item is still out")
		_, err = e.p.RetireStockItem(admin, h.acme.ID, h.laptops[1].ID, portal.RetireStockItemParams{Reason: "not returned"})
		require.NoError(t, err)
		view, err = e.p.GetEmployee(admin, h.acme.ID, leaver.ID)
		require.NoError(t, err)
		assert.Equal(t, org.StatusLeft, view.Status, "with the last item back, the employee leaves")
		assert.False(t, view.LeftAt.IsZero())
		tasks, err = e.p.ListOffboardingTasks(admin, h.acme.ID)
		require.NoError(t, err)
		assert.Empty(t, tasks)
	})
}

func TestOrgIsolation(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHREnv(t, e)
		_, err := e.p.StartSync(as(t, h.admin), h.acme.ID, portal.StartSyncParams{CSV: people(2), Mapping: germanMapping, DryRun: true})
		require.NoError(t, err)
		gxRun, err := e.p.StartSync(as(t, h.gxAdmin), h.globex.ID, portal.StartSyncParams{CSV: people(2), Mapping: germanMapping})
		require.NoError(t, err)
		gxAnn := employeesOf(t, e, h.globex.ID, "")["E1"]
		gina := as(t, h.gxAdmin)
		_, err = e.p.ListEmployees(gina, h.acme.ID, portal.ListEmployeesParams{})
		assertCode(t, portalerr.NotFound, err)
		_, err = e.p.StartSync(gina, h.acme.ID, portal.StartSyncParams{CSV: people(1), Mapping: germanMapping})
		assertCode(t, portalerr.NotFound, err)
		admin := as(t, h.admin)
		_, err = e.p.GetEmployee(admin, h.acme.ID, gxAnn.ID)
		assertCode(t, portalerr.NotFound, err, "another customer's employee")
		_, err = e.p.GetSyncRun(admin, h.acme.ID, gxRun.ID)
		assertCode(t, portalerr.NotFound, err, "another customer's run")
		_, err = e.p.ApplySync(admin, h.acme.ID, gxRun.ID, portal.ApplySyncParams{})
		assertCode(t, portalerr.NotFound, err)
		_, err = e.p.IssueStockItem(admin, h.acme.ID, h.laptops[0].ID, portal.IssueStockItemParams{EmployeeID: gxAnn.ID})
		assertCode(t, portalerr.Invalid, err, "an item goes to the customer's own employees only")
		assert.Equal(t, []string{"employee_id"}, fieldsOf(err))
		// Viewers do not see the org structure; admins do.
		_, err = e.p.ListEmployees(as(t, h.viewer), h.acme.ID, portal.ListEmployeesParams{})
		assertCode(t, portalerr.PermissionDenied, err)
	})
}

func TestSyncNeedsTheFeature(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		c := e.createCustomer(t, "Acme")
		_, err := e.p.StartSync(e.owner, c.ID, portal.StartSyncParams{CSV: people(1), Mapping: germanMapping})
		assertCode(t, portalerr.FeatureDisabled, err)
		_, err = e.p.ListEmployees(e.owner, c.ID, portal.ListEmployeesParams{})
		assertCode(t, portalerr.FeatureDisabled, err)
		_, err = e.p.StartSync(e.owner, c.ID, portal.StartSyncParams{CSV: "a,b\n1,2\n"})
		assertCode(t, portalerr.Invalid, err, "no column for the external ID and the name")
	})
}

func TestSyncFromExcel(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHREnv(t, e)
		f := excelize.NewFile()
		sheet := f.GetSheetName(0)
		for i, row := range [][]any{{"Personalnummer", "Name", "Abteilung"}, {"X1", "Xaver", "IT"}, {"X2", "Xenia", "HR"}} {
			cell, err := excelize.CoordinatesToCellName(1, i+1)
			require.NoError(t, err)
			require.NoError(t, f.SetSheetRow(sheet, cell, &row))
		}
		var buf bytes.Buffer
		require.NoError(t, f.Write(&buf))
		mapping := hrsync.Mapping{hrsync.FieldExternalID: "Personalnummer", hrsync.FieldDepartment: "Abteilung"}
		run, err := e.p.StartSync(as(t, h.admin), h.acme.ID, portal.StartSyncParams{XLSX: buf.Bytes(), Mapping: mapping})
		require.NoError(t, err)
		assert.Equal(t, "xlsx", run.Source)
		assert.Equal(t, hrsync.Counts{Create: 2}, run.Plan.Counts)
		assert.Equal(t, "HR", employeesOf(t, e, h.acme.ID, "")["X2"].Department)

		_, err = e.p.StartSync(as(t, h.admin), h.acme.ID, portal.StartSyncParams{XLSX: buf.Bytes(), CSV: "a,b\n"})
		assertCode(t, portalerr.Invalid, err, "two files")
		_, err = e.p.StartSync(as(t, h.admin), h.acme.ID, portal.StartSyncParams{})
		assertCode(t, portalerr.Invalid, err, "no file")
	})
}

func TestSyncFilterDropsOtherLocationsAndDepartments(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHREnv(t, e)
		admin := as(t, h.admin)
		csv := people(2, "E3;Hanna;h@acme.example;Sales;CC-1;Hamburg", "E4;Ida;i@acme.example;IT;CC-1;Hamburg")
		_, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: csv, Mapping: germanMapping, Threshold: 1})
		require.NoError(t, err)
		require.Len(t, employeesOf(t, e, h.acme.ID, ""), 4)

		set, err := e.p.GetSyncSettings(admin, h.acme.ID)
		require.NoError(t, err)
		assert.Equal(t, hrsync.Settings{CustomerID: h.acme.ID}, set, "no filter until someone sets one")
		_, err = e.p.UpdateSyncSettings(admin, h.acme.ID, portal.UpdateSyncSettingsParams{Filter: hrsync.Filter{Locations: make([]string, hrsync.MaxFilterValues+1)}})
		require.NoError(t, err, "empty values are dropped")
		_, err = e.p.UpdateSyncSettings(admin, h.acme.ID, portal.UpdateSyncSettingsParams{Filter: hrsync.Filter{Departments: []string{strings.Repeat("x", 201)}}})
		assertCode(t, portalerr.Invalid, err)
		set, err = e.p.UpdateSyncSettings(admin, h.acme.ID, portal.UpdateSyncSettingsParams{Filter: hrsync.Filter{Locations: []string{"hamburg"}, Departments: []string{" IT "}}})
		require.NoError(t, err)
		assert.Equal(t, hrsync.Filter{Locations: []string{"hamburg"}, Departments: []string{"IT"}}, set.Filter)
		_, err = e.p.UpdateSyncSettings(as(t, h.gxAdmin), h.acme.ID, portal.UpdateSyncSettingsParams{})
		assertCode(t, portalerr.NotFound, err, "another customer's admin")

		run, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: csv, Mapping: germanMapping, Threshold: 1})
		require.NoError(t, err)
		assert.Equal(t, hrsync.Counts{Remove: 3, Unchanged: 1}, run.Plan.Counts, "only E4 is in Hamburg and IT: the others leave")
		got := employeesOf(t, e, h.acme.ID, "")
		require.Len(t, got, 1)
		assert.Contains(t, got, "E4")

		// A pull source is filtered alike.
		_, err = e.p.SyncFrom(admin, h.acme.ID, &staticSource{recs: []hrsync.Record{
			{ExternalID: "E4", Name: "Ida", Email: "i@acme.example", Department: "IT", CostCentre: "CC-1", Location: "Hamburg"},
			{ExternalID: "E5", Name: "Jo", Department: "IT", Location: "Berlin"}}})
		require.NoError(t, err)
		got = employeesOf(t, e, h.acme.ID, "")
		require.Len(t, got, 1, "E5 is in Berlin")
		assert.Contains(t, got, "E4")
	})
}

func TestSyncInvitesNewEmployeesWhenOn(t *testing.T) {
	t.Parallel()
	eachBackend(t, func(t *testing.T, e env) {
		h := newHREnv(t, e)
		admin := as(t, h.admin)
		invitations := func() map[string]customer.Role {
			l, err := e.p.ListInvitations(admin, h.acme.ID, portal.ListInvitationsParams{Limit: 100})
			require.NoError(t, err)
			out := map[string]customer.Role{}
			for _, inv := range l.Items {
				out[inv.Email] = inv.Role
			}
			return out
		}
		before := invitations()
		_, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: people(2), Mapping: germanMapping})
		require.NoError(t, err)
		assert.Equal(t, before, invitations(), "off by default: nobody is invited")

		_, err = e.p.Invite(admin, h.acme.ID, portal.InviteParams{Email: "p4@acme.example", Role: customer.RoleMaintainer})
		require.NoError(t, err)
		_, err = e.p.UpdateSyncSettings(admin, h.acme.ID, portal.UpdateSyncSettingsParams{InviteEmployees: true})
		require.NoError(t, err)
		csv := people(5, "E6;Vic;vic@acme.example;IT;CC-1;Berlin", "E7;No Mail;;IT;CC-1;Berlin")
		run, err := e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: csv, Mapping: germanMapping, DryRun: true})
		require.NoError(t, err)
		got := invitations()
		assert.Len(t, got, len(before)+1, "a dry run invites nobody")
		_, err = e.p.ApplySync(admin, h.acme.ID, run.ID, portal.ApplySyncParams{})
		require.NoError(t, err)
		got = invitations()
		assert.Equal(t, customer.RoleViewer, got["p3@acme.example"], "a new employee is invited as a viewer")
		assert.Equal(t, customer.RoleViewer, got["p5@acme.example"])
		assert.Equal(t, customer.RoleMaintainer, got["p4@acme.example"], "one already invited is not invited again")
		assert.NotContains(t, got, "vic@acme.example", "a member is not invited")
		assert.NotContains(t, got, "p1@acme.example", "employees synced before are not invited")
		assert.Len(t, got, len(before)+3)

		// Running again creates nobody and invites nobody.
		_, err = e.p.StartSync(admin, h.acme.ID, portal.StartSyncParams{CSV: csv, Mapping: germanMapping})
		require.NoError(t, err)
		assert.Equal(t, got, invitations())
	})
}
