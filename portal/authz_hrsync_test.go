package portal_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
)

// hrTenant is the HR sync of a tenant of the authorization fixture: an
// employee from an applied run, and a planned (dry) run.
type hrTenant struct {
	employee org.Employee
	planned  hrsync.Run
	token    hrsync.TokenID // a SCIM token
}

// hrTenant licenses tn for HR sync, turns it on and syncs two employees,
// then plans a third.
func (f fixture) hrTenant(t *testing.T, tn tenant) (customer.Customer, hrTenant) {
	t.Helper()
	_, err := f.p.UpdateLicenses(f.owner, tn.c.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
	require.NoError(t, err)
	c, err := f.p.GetCustomer(f.owner, tn.c.ID)
	require.NoError(t, err)
	c, err = f.p.UpdateFeatures(f.owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: ptr(true)}})
	require.NoError(t, err)
	_, err = f.p.StartSync(f.owner, c.ID, portal.StartSyncParams{CSV: "external_id,name,department\nE1,Ann,IT\nE2,Bob,IT\n"})
	require.NoError(t, err)
	var h hrTenant
	l, err := f.p.ListEmployees(f.owner, c.ID, portal.ListEmployeesParams{})
	require.NoError(t, err)
	require.Len(t, l.Items, 2)
	h.employee = l.Items[0]
	h.planned, err = f.p.StartSync(f.owner, c.ID, portal.StartSyncParams{CSV: "external_id,name\nE1,Ann\nE2,Bob\nE3,Cid\n", DryRun: true})
	require.NoError(t, err)
	tok, err := f.p.CreateSCIMToken(f.owner, c.ID, portal.CreateSCIMTokenParams{Name: "Entra ID"})
	require.NoError(t, err)
	h.token = tok.Token.ID
	return c, h
}

// hrSnapshot is what the staff owner sees of tn's HR sync.
func (f fixture) hrSnapshot(t *testing.T, tn tenant) []any {
	t.Helper()
	lic, err := f.p.GetLicenses(f.owner, tn.c.ID)
	require.NoError(t, err)
	var out []any
	for _, st := range []org.Status{org.StatusActive, org.StatusLocked, org.StatusLeft} {
		l, err := f.p.ListEmployees(f.owner, tn.c.ID, portal.ListEmployeesParams{Status: st, Limit: 100})
		require.NoError(t, err)
		out = append(out, l)
	}
	runs, err := f.p.ListSyncRuns(f.owner, tn.c.ID, portal.ListSyncRunsParams{Limit: 100})
	require.NoError(t, err)
	units, err := f.p.ListOrgUnits(f.owner, tn.c.ID, "")
	require.NoError(t, err)
	toks, err := f.p.ListSCIMTokens(f.owner, tn.c.ID)
	require.NoError(t, err)
	set, err := f.p.GetSyncSettings(f.owner, tn.c.ID)
	require.NoError(t, err)
	return append(out, lic, runs, units, toks, set)
}

// hrUseCases are the rows of the HR sync use cases, added to useCases.
var hrUseCases = map[string]useCase{
	// Licences are paid for: staff owners grant them; agents read them.
	"GetLicenses": {staff: identity.StaffAgent, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetLicenses(ctx, tn.c.ID))
	}},
	"UpdateLicenses": {staff: identity.StaffOwner, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateLicenses(ctx, tn.c.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted}))
	}},
	// The org structure and its syncs are the customer's admins' (and
	// staff agents') to read and run; its SCIM tokens read them too (the
	// SCIM server's Users and Groups).
	"ListEmployees": {staff: identity.StaffAgent, user: customer.RoleAdmin, scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListEmployees(ctx, tn.c.ID, portal.ListEmployeesParams{})
		var ids []customer.ID
		for _, e := range l.Items {
			ids = append(ids, e.CustomerID)
		}
		return ids, err
	}},
	"GetEmployee": {staff: identity.StaffAgent, user: customer.RoleAdmin, scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetEmployee(ctx, tn.c.ID, tn.hr.employee.ID))
	}},
	"ListOrgUnits": {staff: identity.StaffAgent, user: customer.RoleAdmin, scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListOrgUnits(ctx, tn.c.ID, ""))
	}},
	"ListOffboardingTasks": {staff: identity.StaffAgent, user: customer.RoleAdmin, scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListOffboardingTasks(ctx, tn.c.ID))
	}},
	"ListSyncRuns": {staff: identity.StaffAgent, user: customer.RoleAdmin, scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		l, err := f.p.ListSyncRuns(ctx, tn.c.ID, portal.ListSyncRunsParams{})
		var ids []customer.ID
		for _, r := range l.Items {
			ids = append(ids, r.CustomerID)
		}
		return ids, err
	}},
	"GetSyncRun": {staff: identity.StaffAgent, user: customer.RoleAdmin, scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetSyncRun(ctx, tn.c.ID, tn.hr.planned.ID))
	}},
	"StartSync": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.StartSync(ctx, tn.c.ID, portal.StartSyncParams{CSV: "external_id,name\nE1,Ann\nE2,Bob\nE4,Dee\n"}))
	}},
	"ApplySync": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ApplySync(ctx, tn.c.ID, tn.hr.planned.ID, portal.ApplySyncParams{}))
	}},
	"DiscardSync": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.DiscardSync(ctx, tn.c.ID, tn.hr.planned.ID))
	}},
	// SCIM tokens are the customer admins' (and staff agents') to make and
	// revoke; the SCIM writes are the tokens' alone, refused to every other
	// principal.
	"CreateSCIMToken": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.CreateSCIMToken(ctx, tn.c.ID, portal.CreateSCIMTokenParams{Name: "Entra ID"}))
	}},
	"ListSCIMTokens": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.ListSCIMTokens(ctx, tn.c.ID))
	}},
	"RevokeSCIMToken": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.RevokeSCIMToken(ctx, tn.c.ID, tn.hr.token))
	}},
	"SyncFrom": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.SyncFrom(ctx, tn.c.ID, &staticSource{recs: []hrsync.Record{{ExternalID: "E1", Name: "Ann"}, {ExternalID: "E2", Name: "Bob"}}}))
	}},
	"GetSyncSettings": {staff: identity.StaffAgent, user: customer.RoleAdmin, scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.GetSyncSettings(ctx, tn.c.ID))
	}},
	"UpdateSyncSettings": {staff: identity.StaffAgent, user: customer.RoleAdmin, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.UpdateSyncSettings(ctx, tn.c.ID, portal.UpdateSyncSettingsParams{Filter: hrsync.Filter{Locations: []string{"Berlin"}}, InviteEmployees: true}))
	}},
	"SCIMCreateEmployee": {scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.SCIMCreateEmployee(ctx, tn.c.ID, hrsync.Record{ExternalID: "S1", Name: "Sam"}))
	}},
	"SCIMReplaceEmployee": {scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none2(f.p.SCIMReplaceEmployee(ctx, tn.c.ID, tn.hr.employee.ID, hrsync.Record{ExternalID: "E1", Name: "Renamed"}))
	}},
	"SCIMDeleteEmployee": {scim: true, call: func(ctx context.Context, f fixture, tn tenant) ([]customer.ID, error) {
		return none(f.p.SCIMDeleteEmployee(ctx, tn.c.ID, tn.hr.employee.ID))
	}},
}

func init() {
	for name, u := range hrUseCases {
		useCases[name] = u
	}
	notTenantScoped["AuthenticateSCIM"] = "public: the SCIM token is the credential (scimapi's TestTokenOfAnotherCustomer)"
	notTenantScoped["HRSource"] = "configuration: Config.HRSources, no data"
	notTenantScoped["RunDueSyncs"] = "system: the HR sync scheduler of every replica (TestRunDueSyncsOncePerDueRun)"
	notTenantScoped["RunHRSyncScheduler"] = "system: the HR sync scheduler's loop"
}
