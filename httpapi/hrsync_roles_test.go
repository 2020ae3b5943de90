package httpapi_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// hrOn licenses the role fixture's customer for HR sync, turns it on and
// syncs two employees, once; it returns the first employee's target.
func hrOn(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	cid := customer.ID(f.cid)
	c, err := f.p.GetCustomer(ctx, cid)
	require.NoError(t, err)
	if !c.Features.HRSync {
		_, err = f.p.UpdateLicenses(ctx, cid, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
		require.NoError(t, err)
		_, err = f.p.UpdateFeatures(ctx, cid, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: ptr(true)}})
		require.NoError(t, err)
		_, err = f.p.StartSync(ctx, cid, portal.StartSyncParams{CSV: "external_id,name\nE1,Ann\nE2,Bob\n"})
		require.NoError(t, err)
	}
	l, err := f.p.ListEmployees(ctx, cid, portal.ListEmployeesParams{Limit: 1})
	require.NoError(t, err)
	return roleTarget{employee: l.Items[0]}
}

// plannedRun plans a dry run of one more employee.
func plannedRun(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	tg := hrOn(t, f)
	var err error
	tg.run, err = f.p.StartSync(portaltest.Owner(t.Context()), customer.ID(f.cid),
		portal.StartSyncParams{CSV: "external_id,name\nE1,Ann\nE2,Bob\n" + f.email("x") + ",New\n", DryRun: true, Threshold: 1})
	require.NoError(t, err)
	return tg
}

// licenseDefault puts the customer's licences back to the default, so that
// granting changes them.
func licenseDefault(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	tg := hrOn(t, f)
	ctx := portaltest.Owner(t.Context())
	cid := customer.ID(f.cid)
	c, err := f.p.GetCustomer(ctx, cid)
	require.NoError(t, err)
	_, err = f.p.UpdateFeatures(ctx, cid, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: ptr(false)}})
	require.NoError(t, err)
	_, err = f.p.UpdateLicenses(ctx, cid, portal.UpdateLicensesParams{HRSync: customer.GrantDefault})
	require.NoError(t, err)
	return tg
}

// hrSnapshot adds what staff see of the customer's HR sync to out.
func (f *roleFixture) hrSnapshot(t *testing.T, out map[string]any) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	cid := customer.ID(f.cid)
	lic, err := f.p.GetLicenses(ctx, cid)
	require.NoError(t, err)
	out["licenses"] = lic
	c, err := f.p.GetCustomer(ctx, cid)
	require.NoError(t, err)
	if !c.Features.HRSync {
		return
	}
	emps, err := f.p.ListEmployees(ctx, cid, portal.ListEmployeesParams{Limit: 100})
	require.NoError(t, err)
	out["employees"] = emps
	runs, err := f.p.ListSyncRuns(ctx, cid, portal.ListSyncRunsParams{Limit: 100})
	require.NoError(t, err)
	out["sync runs"] = runs
	toks, err := f.p.ListSCIMTokens(ctx, cid)
	require.NoError(t, err)
	out["scim tokens"] = toks
	set, err := f.p.GetSyncSettings(ctx, cid)
	require.NoError(t, err)
	out["sync settings"] = set
}

// hrRoleRows are the role matrix's rows of the HR sync operations: licences
// are staff's (owners grant them), the org structure and its runs the
// customer admins' (a read-only session is a viewer's) and staff's.
var hrRoleRows = map[string]roleRow{
	"read the licences": {prep: noTarget, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetLicensesWithResponse(t.Context(), f.cid)
		}},
	"grant a licence": {write: true, prep: licenseDefault, want: byRole(s200, s403, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateLicensesWithResponse(t.Context(), f.cid, client.UpdateLicensesRequest{HrSync: client.GrantGranted})
		}},
	"list employees": {prep: hrOn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListEmployeesWithResponse(t.Context(), f.cid, nil)
		}},
	"get an employee": {prep: hrOn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetEmployeeWithResponse(t.Context(), f.cid, string(tg.employee.ID))
		}},
	"list org units": {prep: hrOn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListOrgUnitsWithResponse(t.Context(), f.cid, nil)
		}},
	"list offboarding tasks": {prep: hrOn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListOffboardingTasksWithResponse(t.Context(), f.cid)
		}},
	"list sync runs": {prep: hrOn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListSyncRunsWithResponse(t.Context(), f.cid, nil)
		}},
	"get a sync run": {prep: plannedRun, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetSyncRunWithResponse(t.Context(), f.cid, string(tg.run.ID))
		}},
	"plan a sync": {write: true, prep: hrOn, want: byRole(s201, s201, s201, s201, s403, s403, s201),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.StartSyncWithResponse(t.Context(), f.cid, nil, client.StartSyncRequest{Csv: ptr("external_id,name\nE1,Ann\nE2,Bob\n"), DryRun: ptr(true)})
		}},
	"apply a sync": {write: true, prep: plannedRun, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ApplySyncWithResponse(t.Context(), f.cid, string(tg.run.ID), nil, client.ApplySyncRequest{})
		}},
	"discard a sync": {write: true, prep: plannedRun, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.DiscardSyncWithResponse(t.Context(), f.cid, string(tg.run.ID))
		}},
	// The fixture configures no pull source: whoever may sync now gets 409.
	"sync now": {prep: hrOn, conflict: client.ProblemCodeFailedPrecondition, want: byRole(409, 409, 409, 409, s403, s403, 409),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.SyncNowWithResponse(t.Context(), f.cid, nil)
		}},
	"list SCIM tokens": {prep: hrOn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListSCIMTokensWithResponse(t.Context(), f.cid)
		}},
	"make a SCIM token": {write: true, prep: hrOn, want: byRole(s201, s201, s201, s201, s403, s403, s201),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateSCIMTokenWithResponse(t.Context(), f.cid, nil, client.CreateSCIMTokenRequest{Name: "Okta"})
		}},
	"revoke a SCIM token": {write: true, prep: scimToken, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.RevokeSCIMTokenWithResponse(t.Context(), f.cid, string(tg.token))
		}},
	"get sync settings": {prep: hrOn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetSyncSettingsWithResponse(t.Context(), f.cid)
		}},
	"set sync settings": {write: true, prep: hrOn, want: byRole(s200, s200, s200, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateSyncSettingsWithResponse(t.Context(), f.cid, client.UpdateSyncSettingsRequest{
				Filter: client.SyncFilter{Departments: []string{"IT"}, Locations: []string{}}, InviteEmployees: true})
		}},
}

// scimToken makes a SCIM token as staff.
func scimToken(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	tg := hrOn(t, f)
	tok, err := f.p.CreateSCIMToken(portaltest.Owner(t.Context()), customer.ID(f.cid), portal.CreateSCIMTokenParams{Name: "Entra " + f.email("x")})
	require.NoError(t, err)
	tg.token = tok.Token.ID
	return tg
}

func init() {
	for name, row := range hrRoleRows {
		roleMatrix[name] = row
	}
}
