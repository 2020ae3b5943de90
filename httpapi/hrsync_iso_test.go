package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// isoHR is the HR sync of a tenant of the isolation fixture: an employee
// from an applied run, and a planned (dry) run.
type isoHR struct {
	employee org.Employee
	planned  hrsync.Run
	token    hrsync.TokenID // a SCIM token
}

// isoHR licenses tn for HR sync, turns it on, syncs two employees and
// plans a third.
func (f *isoFixture) isoHR(t *testing.T, tn isoTenant) (customer.Customer, isoHR) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	_, err := f.p.UpdateLicenses(ctx, tn.c.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
	require.NoError(t, err)
	c, err := f.p.GetCustomer(ctx, tn.c.ID)
	require.NoError(t, err)
	c, err = f.p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: ptr(true)}})
	require.NoError(t, err)
	_, err = f.p.StartSync(ctx, c.ID, portal.StartSyncParams{CSV: "external_id,name,department\nE1,Ann,IT\nE2,Bob,IT\n"})
	require.NoError(t, err)
	var h isoHR
	l, err := f.p.ListEmployees(ctx, c.ID, portal.ListEmployeesParams{})
	require.NoError(t, err)
	require.Len(t, l.Items, 2)
	h.employee = l.Items[0]
	h.planned, err = f.p.StartSync(ctx, c.ID, portal.StartSyncParams{CSV: "external_id,name\nE1,Ann\nE2,Bob\nE3,Cid\n", DryRun: true})
	require.NoError(t, err)
	tok, err := f.p.CreateSCIMToken(ctx, c.ID, portal.CreateSCIMTokenParams{Name: "Entra ID"})
	require.NoError(t, err)
	h.token = tok.Token.ID
	return c, h
}

// hrSnapshot hands part what the staff owner sees of tn's HR sync.
func (f *isoFixture) hrSnapshot(t *testing.T, tn isoTenant, part func(what string, v any)) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	lic, err := f.p.GetLicenses(ctx, tn.c.ID)
	require.NoError(t, err)
	part("licenses", lic)
	for _, st := range []org.Status{org.StatusActive, org.StatusLocked, org.StatusLeft} {
		l, err := f.p.ListEmployees(ctx, tn.c.ID, portal.ListEmployeesParams{Status: st, Limit: 100})
		require.NoError(t, err)
		part("employees "+string(st), l)
	}
	runs, err := f.p.ListSyncRuns(ctx, tn.c.ID, portal.ListSyncRunsParams{Limit: 100})
	require.NoError(t, err)
	part("sync runs", runs)
	units, err := f.p.ListOrgUnits(ctx, tn.c.ID, "")
	require.NoError(t, err)
	part("org units", units)
	toks, err := f.p.ListSCIMTokens(ctx, tn.c.ID)
	require.NoError(t, err)
	part("scim tokens", toks)
	set, err := f.p.GetSyncSettings(ctx, tn.c.ID)
	require.NoError(t, err)
	part("sync settings", set)
}

// hrIsolationRows are the rows of the HR sync operations.
var hrIsolationRows = map[string]isoRow{
	// Licences are staff's: owners grant them, every staff role reads them.
	"getLicenses":    {class: classStaff, staff: ok200, admin: no403, viewer: no403, foreign: no404},
	"updateLicenses": {class: classStaff, body: `{"hr_sync":"granted"}`, staff: ok200, admin: no403, viewer: no403, foreign: no404},
	// The org structure and its runs are the customer admins' and staff's.
	"listEmployees":        {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"getEmployee":          {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"listOrgUnits":         {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"listOffboardingTasks": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"listSyncRuns":         {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"getSyncRun":           {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"startSync": {class: classTenant, body: `{"csv":"external_id,name\nE1,Ann\nE9,Ivy\n","dry_run":true}`,
		staff: ok201, admin: ok201, viewer: no403, foreign: no404},
	"applySync":   {class: classTenant, body: `{}`, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	"discardSync": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	// The fixture configures no pull source: a caller who may sync now
	// learns that (409), others get what they get everywhere.
	"syncNow": {class: classTenant, staff: no409, admin: no409, viewer: no403, foreign: no404},
	// SCIM tokens are the customer admins' and staff's.
	"listSCIMTokens":  {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"createSCIMToken": {class: classTenant, body: `{"name":"Okta"}`, staff: ok201, admin: ok201, viewer: no403, foreign: no404},
	"revokeSCIMToken": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404, mixed: no404},
	// Sync settings are the customer admins' and staff's.
	"getSyncSettings": {class: classTenant, staff: ok200, admin: ok200, viewer: no403, foreign: no404},
	"updateSyncSettings": {class: classTenant, body: `{"filter":{"locations":["Berlin"],"departments":[]},"invite_employees":true}`,
		staff: ok200, admin: ok200, viewer: no403, foreign: no404},
}

func init() {
	for id, row := range hrIsolationRows {
		isolationMatrix[id] = row
	}
	ghostIDs["employeeId"] = "emp_ghost"
	ghostIDs["runId"] = "hsr_ghost"
	ghostIDs["tokenId"] = "sct_ghost"
}
