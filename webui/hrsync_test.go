package webui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/warehouse"
)

// hrTenant is a tenant's HR sync: a leaver locked with a laptop still out
// (an offboarding task), two planned runs and a SCIM token.
type hrTenant struct {
	leaver        org.EmployeeID
	stayer        org.EmployeeID   // active, holding nothing
	item          warehouse.ItemID // issued to the leaver
	run, otherRun hrsync.RunID     // planned: one to apply, one to discard
	token         hrsync.TokenID   // a SCIM token
	leaverName    string
	stayerName    string
}

// hrTenant licenses tn for HR sync, turns it on, syncs three people,
// issues a laptop to the third and syncs again without it.
func (s *site) hrTenant(t *testing.T, tn tenant, prod orders.ProductID) (customer.Customer, hrTenant) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	name := tn.c.Name
	h := hrTenant{leaverName: "Lea Leaver of " + name, stayerName: "Sam Stayer of " + name}
	_, err := s.p.UpdateLicenses(ctx, tn.c.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
	require.NoError(t, err)
	c, err := s.p.GetCustomer(ctx, tn.c.ID)
	require.NoError(t, err)
	yes := true
	c, err = s.p.UpdateFeatures(ctx, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: &yes}})
	require.NoError(t, err)
	staying := "external_id,name,department\nE1," + h.stayerName + ",IT\nE2,Bo,IT\n"
	_, err = s.p.StartSync(ctx, c.ID, portal.StartSyncParams{CSV: staying + "E3," + h.leaverName + ",IT\n"})
	require.NoError(t, err)
	l, err := s.p.ListEmployees(ctx, c.ID, portal.ListEmployeesParams{Query: "Lea Leaver"})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	h.leaver = l.Items[0].ID
	l, err = s.p.ListEmployees(ctx, c.ID, portal.ListEmployeesParams{Query: "Sam Stayer"})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	h.stayer = l.Items[0].ID
	items, err := s.p.StockIn(ctx, c.ID, portal.StockInParams{Items: []portal.StockInItemParams{{ProductID: prod, SerialNumber: "SN-HR-" + string(c.ID)}}})
	require.NoError(t, err)
	h.item = items[0].ID
	_, err = s.p.IssueStockItem(ctx, c.ID, h.item, portal.IssueStockItemParams{EmployeeID: h.leaver})
	require.NoError(t, err)
	_, err = s.p.StartSync(ctx, c.ID, portal.StartSyncParams{CSV: staying, Threshold: 1})
	require.NoError(t, err)
	for _, id := range []*hrsync.RunID{&h.run, &h.otherRun} {
		run, err := s.p.StartSync(ctx, c.ID, portal.StartSyncParams{CSV: staying + "E4,Newbie,IT\n", DryRun: true, Threshold: 1})
		require.NoError(t, err)
		*id = run.ID
	}
	tok, err := s.p.CreateSCIMToken(ctx, c.ID, portal.CreateSCIMTokenParams{Name: "Entra ID"})
	require.NoError(t, err)
	h.token = tok.Token.ID
	return c, h
}

// hrState is what staff see of tn's HR sync, for the matrices' state.
func (s *site) hrState(t *testing.T, tn tenant) string {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	out := ""
	runs, err := s.p.ListSyncRuns(ctx, tn.c.ID, portal.ListSyncRunsParams{Limit: 100})
	require.NoError(t, err)
	for _, r := range runs.Items {
		out += fmt.Sprintf(" run %s %s v%d;", r.ID, r.Status, r.Version)
	}
	for _, st := range []org.Status{org.StatusActive, org.StatusLocked, org.StatusLeft} {
		l, err := s.p.ListEmployees(ctx, tn.c.ID, portal.ListEmployeesParams{Status: st, Limit: 100})
		require.NoError(t, err)
		for _, e := range l.Items {
			out += fmt.Sprintf(" employee %s %s v%d;", e.ID, e.Status, e.Version)
		}
	}
	toks, err := s.p.ListSCIMTokens(ctx, tn.c.ID)
	require.NoError(t, err)
	for _, tk := range toks {
		out += fmt.Sprintf(" scim token %s revoked %t;", tk.ID, !tk.RevokedAt.IsZero())
	}
	it, err := s.p.GetStockItem(ctx, tn.c.ID, tn.hr.item)
	require.NoError(t, err)
	return out + fmt.Sprintf(" hr item %s v%d;", it.Status, it.Version)
}

// personio is every fixture customer's pull source: the two people who
// stay (see hrTenant), the first renamed.
type personio struct{}

func (personio) Name() string { return "personio" }

func (personio) List(context.Context) ([]hrsync.Record, error) {
	return []hrsync.Record{{ExternalID: "E1", Name: "Sam Stayer", Department: "IT"}, {ExternalID: "E2", Name: "Bo", Department: "IT"}}, nil
}

// testSources gives every customer a source.
func testSources(customer.ID) hrsync.Source { return personio{} }

// The HR sync pages that name an object, by the action that rules them
// (pageActions): a role that may not read them at all gets 403.
func init() {
	pageActions["GET /employees/runs/{id}"] = portal.ActOrgRead
}

// secretForms answer a success with the page itself, 201, rather than a
// redirect: the page shows a secret once, which must not sit in an address.
var secretForms = map[string]bool{"POST /employees/scim-tokens": true}

// hrPostActions are the HR sync forms of the portal, for postActions.
var hrPostActions = []postAction{
	{"POST /employees/runs", portal.ActHRSyncRun, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"csv": {"external_id,name\nE1,Ann\nE2,Bo\n"}, "dry_run": {"on"}}
	}},
	{"POST /employees/runs/{id}/apply", portal.ActHRSyncRun, nil},
	{"POST /employees/runs/{id}/discard", portal.ActHRSyncRun, nil},
	{"POST /employees/items/{id}/return", portal.ActStockMove, nil},
	{"POST /employees/items/{id}/retire", portal.ActStockRetire, func(*testing.T, *site, tenant) url.Values { return url.Values{"reason": {"lost"}} }},
	{"POST /employees/pull", portal.ActHRSyncRun, nil},
	{"POST /employees/scim-tokens", portal.ActSCIMTokenManage, func(*testing.T, *site, tenant) url.Values { return url.Values{"name": {"Okta"}} }},
	{"POST /employees/scim-tokens/{id}/revoke", portal.ActSCIMTokenManage, nil},
	{"POST /employees/settings", portal.ActHRSyncRun, func(*testing.T, *site, tenant) url.Values {
		return url.Values{"locations": {"Berlin, Hamburg"}, "departments": {"IT"}, "invite_employees": {"on"}}
	}},
}

// TestOffboardingPages runs the customer admin's HR sync pages without a
// browser: the offboarding task shows the leaver's laptop, returning it
// ends the task and the leaver leaves.
func TestOffboardingPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	br := s.browser(t, s.a.users[customer.RoleAdmin].token)
	pg := br.get("/employees")
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, s.a.hr.leaverName)
	assert.Contains(t, pg.body, "/employees/items/"+string(s.a.hr.item)+"/return")
	assert.NotContains(t, pg.body, s.b.hr.leaverName)
	pg = br.post("/employees/items/"+string(s.a.hr.item)+"/return", url.Values{"condition": {"used"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = br.get("/employees?status=left")
	assert.Contains(t, pg.body, s.a.hr.leaverName)
	pg = br.get("/employees")
	assert.Contains(t, pg.body, "No open offboarding tasks.")

	// Viewers and maintainers do not see the org structure.
	pg = s.browser(t, s.a.users[customer.RoleViewer].token).get("/employees")
	assert.Equal(t, http.StatusForbidden, pg.status)
	assert.False(t, strings.Contains(pg.body, s.a.hr.stayerName))
}

// TestConsoleLicencesAreOwners checks that only a staff owner is offered
// the licence form and may send it, and that the HR sync tab appears once
// the feature is on.
func TestConsoleLicencesAreOwners(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	path := "/console/customers/" + string(acme.ID) + "/licenses"
	key, err := c.p.CreateAPIKey(c.owner, portal.CreateAPIKeyParams{Name: "Back office", Role: identity.StaffAdmin})
	require.NoError(t, err)
	admin := newFollower(t, c.srv, key.Token)

	pg := admin.get(path)
	require.Equal(t, http.StatusOK, pg.Status)
	assert.NotContains(t, pg.Body, `<select name="hr_sync"`, "an admin reads the licences only")
	pg = admin.post(path, url.Values{"hr_sync": {"granted"}})
	assert.Equal(t, http.StatusForbidden, pg.Status)
	l, err := c.p.GetLicenses(c.owner, acme.ID)
	require.NoError(t, err)
	assert.Equal(t, customer.GrantDefault, l.HRSync, "nothing changed")
	assert.NotContains(t, c.br.get("/console/customers/"+string(acme.ID)).Body, `/hr-sync"`, "no HR sync tab while the feature is off")

	pg = c.br.get(path)
	assert.Contains(t, pg.Body, `<select name="hr_sync"`)
	pg = c.br.post(path, url.Values{"hr_sync": {"forever"}})
	assert.Equal(t, http.StatusBadRequest, pg.Status)
	pg = c.br.post(path, url.Values{"hr_sync": {"granted"}})
	require.Equal(t, http.StatusOK, pg.Status)
	assert.Equal(t, path, pg.Path)
	l, err = c.p.GetLicenses(c.owner, acme.ID)
	require.NoError(t, err)
	assert.True(t, l.Effective.HRSync)
	_, err = c.p.UpdateFeatures(c.owner, acme.ID, portal.UpdateFeaturesParams{Version: acme.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: &[]bool{true}[0]}})
	require.NoError(t, err)
	assert.Contains(t, c.br.get("/console/customers/"+string(acme.ID)).Body, `/hr-sync"`)
	// Withdrawing the licence while the feature is on is refused, and said why.
	pg = c.br.post(path, url.Values{"hr_sync": {"revoked"}})
	assert.Equal(t, http.StatusConflict, pg.Status)
	assert.Contains(t, pg.Body, "turn it off before withdrawing the licence")
}

// TestSyncSettingsPage sets the sync filter and invitations on the
// customer admin's HR sync page and finds them there again; a viewer may
// not.
func TestSyncSettingsPage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	br := s.browser(t, s.a.users[customer.RoleAdmin].token)
	pg := br.get("/employees")
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `action="/employees/settings"`)
	assert.NotContains(t, pg.body, `name="invite_employees" checked`)
	pg = br.post("/employees/settings", url.Values{"locations": {"Berlin, Hamburg"}, "departments": {" IT ,"}, "invite_employees": {"on"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = br.get("/employees")
	assert.Contains(t, pg.body, `name="locations" maxlength="4000" value="Berlin, Hamburg"`)
	assert.Contains(t, pg.body, `name="departments" maxlength="4000" value="IT"`)
	assert.Contains(t, pg.body, `name="invite_employees" checked`)
	pg = br.post("/employees/settings", url.Values{"departments": {strings.Repeat("x", 201)}})
	assert.Equal(t, http.StatusBadRequest, pg.status)
	pg = s.browser(t, s.a.users[customer.RoleViewer].token).post("/employees/settings", url.Values{"locations": {"Munich"}})
	assert.Equal(t, http.StatusForbidden, pg.status)
	pg = br.get("/employees")
	assert.Contains(t, pg.body, `value="Berlin, Hamburg"`, "the viewer changed nothing")
}

// TestIssueToAnEmployee issues an item from its page to an employee of
// the org structure, picked by ID: the customer's admin picks from its
// active employees only, an employee of another customer (or a locked
// one) is refused with nothing changed, and people who may not read the
// org structure, or a customer without HR sync, name the holder in free
// text.
func TestIssueToAnEmployee(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	owner := portaltest.Owner(t.Context())
	path := "/stock/items/" + string(s.a.item)
	admin := s.browser(t, s.a.users[customer.RoleAdmin].token)
	pg := admin.get(path)
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `<select name="employee_id" required`)
	assert.Contains(t, pg.body, `<option value="`+string(s.a.hr.stayer)+`" >`+s.a.hr.stayerName+`</option>`)
	assert.NotContains(t, pg.body, string(s.a.hr.leaver), "a locked employee gets no devices")
	assert.NotContains(t, pg.body, s.b.hr.stayerName)
	assert.NotContains(t, pg.body, `name="holder_name"`, "no free text with HR sync")
	pg = admin.get(path + "?employee_q=" + url.QueryEscape("Sam Stayer"))
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, s.a.hr.stayerName)
	assert.NotContains(t, pg.body, ">Bo</option>", "the search narrows the list")
	pg = admin.get(path + "?employee_q=nobody")
	assert.Contains(t, pg.body, "No active employee matches.")

	unchanged := func() {
		t.Helper()
		it, err := s.p.GetStockItem(owner, s.a.c.ID, s.a.item)
		require.NoError(t, err)
		assert.Equal(t, warehouse.StatusInStock, it.Status)
	}
	for id, why := range map[org.EmployeeID]string{
		s.b.hr.stayer: "is not an employee of this customer", "emp_made_up": "is not an employee of this customer",
		s.a.hr.leaver: "devices go to active employees only",
	} {
		pg = admin.post(path+"/issue", url.Values{"employee_id": {string(id)}})
		assert.Equal(t, http.StatusBadRequest, pg.status, "employee %s", id)
		assert.Contains(t, pg.body, why)
		assert.Contains(t, pg.body, `<select name="employee_id" required aria-invalid="true"`)
		assert.NotContains(t, pg.body, s.b.hr.stayerName)
		unchanged()
	}

	pg = admin.post(path+"/issue", url.Values{"employee_id": {string(s.a.hr.stayer)}, "note": {"First day"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	it, err := s.p.GetStockItem(owner, s.a.c.ID, s.a.item)
	require.NoError(t, err)
	assert.Equal(t, warehouse.StatusIssued, it.Status)
	assert.Equal(t, s.a.hr.stayer, it.HolderID)
	assert.Equal(t, s.a.hr.stayerName, it.Holder.Name)
	e, err := s.p.GetEmployee(owner, s.a.c.ID, s.a.hr.stayer)
	require.NoError(t, err)
	require.Len(t, e.Items, 1)
	assert.Equal(t, s.a.item, e.Items[0].ID, "the employee holds it")
	pg = admin.get(path)
	assert.Contains(t, pg.body, s.a.hr.stayerName, "the page names the holder")

	// A maintainer may issue but not read the org structure: free text.
	pg = s.browser(t, s.b.users[customer.RoleMaintainer].token).get("/stock/items/" + string(s.b.item))
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `name="holder_name"`)
	assert.NotContains(t, pg.body, `name="employee_id"`)
	assert.NotContains(t, pg.body, s.b.hr.stayerName)

	// Without HR sync, the admin names the holder in free text too.
	c, err := s.p.GetCustomer(owner, s.b.c.ID)
	require.NoError(t, err)
	off := false
	_, err = s.p.UpdateFeatures(owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: &off}})
	require.NoError(t, err)
	pg = s.browser(t, s.b.users[customer.RoleAdmin].token).get("/stock/items/" + string(s.b.item))
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `name="holder_name"`)
	assert.NotContains(t, pg.body, `name="employee_id"`)
}
