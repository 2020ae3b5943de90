package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// employeesCSV is a semicolon-separated file of employees E1…En.
func employeesCSV(n int) string {
	var b strings.Builder
	b.WriteString("Personalnummer;Name;E-Mail;Abteilung\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "E%d;Person %d;p%d@acme.example;IT\n", i, i, i)
	}
	return b.String()
}

var csvMapping = &map[string]string{"external_id": "Personalnummer", "email": "E-Mail", "department": "Abteilung"}

// TestHRSyncOverHTTP runs HR sync through the generated client: the owner
// licenses the customer, its admin imports employees, a run over the
// deletion threshold stops until confirmed, and a leaver holding a laptop
// is locked with an offboarding task until the laptop is back.
func TestHRSyncOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", &client.FeaturesPatch{SupplierWarehouse: ptr(true)})
	adaC := e.client(t, ada.Token)

	feat := must(owner.GetFeaturesWithResponse(ctx, cid))(t)
	fails(owner.UpdateFeaturesWithResponse(ctx, cid, &client.UpdateFeaturesParams{IfMatch: feat.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{HrSync: ptr(true)}))(t, http.StatusForbidden, client.ProblemCodeLicenseRequired)
	lic := must(owner.UpdateLicensesWithResponse(ctx, cid, client.UpdateLicensesRequest{HrSync: client.GrantGranted}))(t).JSON200
	assert.True(t, lic.HrSyncEffective)
	must(owner.UpdateFeaturesWithResponse(ctx, cid, &client.UpdateFeaturesParams{IfMatch: feat.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{HrSync: ptr(true)}))(t)

	// A dry run shows the plan, with the bad row and its line.
	dry := must(adaC.StartSyncWithResponse(ctx, cid, nil, client.StartSyncRequest{
		Csv: ptr(employeesCSV(10) + "E99;;x@acme.example;IT\n"), Mapping: csvMapping, DryRun: ptr(true)}))(t).JSON201
	assert.Equal(t, client.SyncRunStatusPlanned, dry.Status)
	assert.Equal(t, client.SyncCounts{Create: 10, Errors: 1}, dry.Counts)
	assert.Equal(t, []client.SyncRowError{{Line: 12, ExternalId: ptr("E99"), Message: "name is required"}}, dry.Errors)
	require.NotNil(t, dry.Changes)
	assert.Len(t, *dry.Changes, 10)
	assert.Empty(t, must(adaC.ListEmployeesWithResponse(ctx, cid, nil))(t).JSON200.Items)
	applied := must(adaC.ApplySyncWithResponse(ctx, cid, dry.Id, nil, client.ApplySyncRequest{}))(t).JSON200
	assert.Equal(t, client.SyncRunStatusApplied, applied.Status)
	emps := must(adaC.ListEmployeesWithResponse(ctx, cid, &client.ListEmployeesParams{Q: ptr("person 10")}))(t).JSON200.Items
	require.Len(t, emps, 1)
	leaver := emps[0]

	// A laptop goes to the leaver by ID.
	laptop := e.createProduct(t, "LAP-14", "Laptop 14")
	item := must(owner.StockInWithResponse(ctx, cid, nil, client.StockInRequest{Items: []client.StockInItem{stockInItem(laptop, "SN-1")}}))(t).JSON201.Items[0]
	issued := must(adaC.IssueStockItemWithResponse(ctx, cid, item.Id, nil, client.IssueStockItemRequest{EmployeeId: &leaver.Id}))(t).JSON200
	assert.Equal(t, &leaver.Id, issued.HolderEmployeeId)
	assert.Equal(t, "Person 10", issued.Holder.Name)

	// Two of ten leaving is over the threshold: the run stops.
	run := must(adaC.StartSyncWithResponse(ctx, cid, nil, client.StartSyncRequest{Csv: ptr(employeesCSV(8)), Mapping: csvMapping}))(t).JSON201
	assert.Equal(t, client.SyncRunStatusAwaitingConfirmation, run.Status)
	assert.Equal(t, client.SyncCounts{Lock: 1, Remove: 1, Unchanged: 8}, run.Counts)
	fails(adaC.ApplySyncWithResponse(ctx, cid, run.Id, nil, client.ApplySyncRequest{}))(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)
	assert.Len(t, must(adaC.ListEmployeesWithResponse(ctx, cid, nil))(t).JSON200.Items, 10, "nothing applied")
	run = must(adaC.ApplySyncWithResponse(ctx, cid, run.Id, nil, client.ApplySyncRequest{Confirm: ptr(true)}))(t).JSON200
	assert.Equal(t, client.SyncRunStatusApplied, run.Status)
	assert.NotNil(t, run.ConfirmedBy)

	// The leaver is locked with a task until the laptop is back.
	tasks := must(adaC.ListOffboardingTasksWithResponse(ctx, cid))(t).JSON200.Items
	require.Len(t, tasks, 1)
	assert.Equal(t, client.EmployeeStatusLocked, tasks[0].Employee.Status)
	require.Len(t, tasks[0].Items, 1)
	must(adaC.ReturnStockItemWithResponse(ctx, cid, tasks[0].Items[0].Id, nil, client.ReturnStockItemRequest{}))(t)
	got := must(adaC.GetEmployeeWithResponse(ctx, cid, leaver.Id))(t).JSON200
	assert.Equal(t, client.EmployeeStatusLeft, got.Employee.Status)
	assert.Empty(t, got.Items)
	assert.Empty(t, must(adaC.ListOffboardingTasksWithResponse(ctx, cid))(t).JSON200.Items)

	runs := must(owner.ListSyncRunsWithResponse(ctx, cid, nil))(t).JSON200.Items
	assert.Len(t, runs, 2)
	assert.Nil(t, runs[0].Changes, "lists leave the changes out")
}

// TestIssueToAnotherCustomersEmployee checks that an item goes only to an
// employee of its own customer: B's employee in A's request is 400, and
// nothing changes.
func TestIssueToAnotherCustomersEmployee(t *testing.T) {
	t.Parallel()
	f := newIsoFixture(t)
	before := f.snapshot(t)
	res, body := f.do(t, http.MethodPost, "/v1/customers/"+string(f.a.c.ID)+"/stock/items/"+string(f.a.stock.inStock.ID)+"/issue",
		f.a.admin.Token, strings.NewReader(`{"employee_id":"`+string(f.b.hr.employee.ID)+`"}`), nil)
	problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Equal(t, before, f.takeSnapshot(t))
}

// personio is a pull source with two employees.
type personio struct{}

func (personio) Name() string { return "personio" }

func (personio) List(context.Context) ([]hrsync.Record, error) {
	return []hrsync.Record{{ExternalID: "P1", Name: "Pia"}, {ExternalID: "P2", Name: "Pit"}}, nil
}

// TestSyncNowOverHTTP pulls a customer's employees from the pull source
// the deployment configures, through the generated client.
func TestSyncNowOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	cid, _ := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	must(owner.UpdateLicensesWithResponse(t.Context(), cid, client.UpdateLicensesRequest{HrSync: client.GrantGranted}))(t)
	feat := must(owner.GetFeaturesWithResponse(t.Context(), cid))(t)
	must(owner.UpdateFeaturesWithResponse(t.Context(), cid, &client.UpdateFeaturesParams{IfMatch: feat.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{HrSync: ptr(true)}))(t)
	fails(owner.SyncNowWithResponse(t.Context(), cid, nil))(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)

	// A replica of the same database whose deployment configures sources.
	p := portaltest.New(t, e.clock, func(c *portal.Config) {
		c.Store, c.IDs = e.store, portal.UUIDv7IDs()
		c.HRSources = func(customer.ID) hrsync.Source { return personio{} }
	})
	srv := httptest.NewServer(httpapi.NewHandler(p))
	t.Cleanup(srv.Close)
	c, err := client.New(srv.URL, client.WithAPIKey(e.owner))
	require.NoError(t, err)
	run := must(c.SyncNowWithResponse(t.Context(), cid, nil))(t).JSON201
	assert.Equal(t, "personio", run.Source)
	assert.Equal(t, client.SyncRunStatusApplied, run.Status)
	assert.Equal(t, 2, run.Counts.Create)
}

// TestSyncSettingsOverHTTP sets a customer's filter and invitations
// through the generated client: a sync keeps only the chosen department,
// the others leave, and a new employee is invited as a viewer.
func TestSyncSettingsOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	adaC := e.client(t, ada.Token)
	must(owner.UpdateLicensesWithResponse(ctx, cid, client.UpdateLicensesRequest{HrSync: client.GrantGranted}))(t)
	feat := must(owner.GetFeaturesWithResponse(ctx, cid))(t)
	must(owner.UpdateFeaturesWithResponse(ctx, cid, &client.UpdateFeaturesParams{IfMatch: feat.HTTPResponse.Header.Get("ETag")},
		client.FeaturesPatch{HrSync: ptr(true)}))(t)

	set := must(adaC.GetSyncSettingsWithResponse(ctx, cid))(t).JSON200
	assert.Equal(t, client.SyncFilter{Locations: []string{}, Departments: []string{}}, set.Filter)
	assert.False(t, set.InviteEmployees, "off by default")
	csv := employeesCSV(3) + "E4;Sam Sales;sam@acme.example;Sales\n"
	must(adaC.StartSyncWithResponse(ctx, cid, nil, client.StartSyncRequest{Csv: ptr(csv), Mapping: csvMapping, Threshold: ptr(1.0)}))(t)
	assert.Len(t, must(adaC.ListEmployeesWithResponse(ctx, cid, nil))(t).JSON200.Items, 4)

	fails(adaC.UpdateSyncSettingsWithResponse(ctx, cid, client.UpdateSyncSettingsRequest{
		Filter: client.SyncFilter{Locations: []string{}, Departments: []string{strings.Repeat("x", 201)}}}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	set = must(adaC.UpdateSyncSettingsWithResponse(ctx, cid, client.UpdateSyncSettingsRequest{
		Filter: client.SyncFilter{Locations: []string{}, Departments: []string{"sales"}}, InviteEmployees: true}))(t).JSON200
	assert.Equal(t, []string{"sales"}, set.Filter.Departments)
	assert.True(t, set.InviteEmployees)
	assert.Equal(t, set, must(owner.GetSyncSettingsWithResponse(ctx, cid))(t).JSON200)

	run := must(adaC.StartSyncWithResponse(ctx, cid, nil, client.StartSyncRequest{
		Csv: ptr(csv + "E5;Sue Sales;sue@acme.example;Sales\nE6;Ian;ian@acme.example;IT\n"), Mapping: csvMapping, Threshold: ptr(1.0)}))(t).JSON201
	assert.Equal(t, client.SyncRunStatusApplied, run.Status)
	assert.Equal(t, client.SyncCounts{Create: 1, Remove: 3, Unchanged: 1}, run.Counts, "only Sales is kept: E1–E3 leave, E6 is dropped")
	emps := must(adaC.ListEmployeesWithResponse(ctx, cid, nil))(t).JSON200.Items
	names := []string{}
	for _, em := range emps {
		names = append(names, em.Name)
	}
	assert.ElementsMatch(t, []string{"Sam Sales", "Sue Sales"}, names)
	invs := must(adaC.ListInvitationsWithResponse(ctx, cid, nil))(t).JSON200.Items
	invited := map[string]client.Role{}
	for _, inv := range invs {
		invited[string(inv.Email)] = inv.Role
	}
	assert.Equal(t, client.RoleViewer, invited["sue@acme.example"], "the new employee is invited as a viewer")
	assert.NotContains(t, invited, "sam@acme.example", "employees synced before are not invited")
}
