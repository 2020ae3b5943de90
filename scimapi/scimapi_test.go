package scimapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/scimapi"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
)

// backends are the storage engines the replays run against.
func backends(t *testing.T) map[string]func(*testing.T) storage.Store {
	b := map[string]func(*testing.T) storage.Store{"sqlite": func(t *testing.T) storage.Store { return portaltest.Store(t) }}
	if postgrestest.Enabled() {
		b["postgres"] = func(t *testing.T) storage.Store { return postgrestest.Open(t) }
	}
	return b
}

// fixture is a SCIM server over a portal with two customers licensed for
// HR sync, each with a SCIM token.
type fixture struct {
	p            *portal.Portal
	srv          *httptest.Server
	acme, globex customer.Customer
	acmeToken    string
	globexToken  string
}

func newFixture(t *testing.T, store storage.Store) *fixture {
	t.Helper()
	f := &fixture{p: portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) { c.Store = store })}
	owner := portaltest.Owner(t.Context())
	mk := func(name string) (customer.Customer, string) {
		on := true
		c, err := f.p.CreateCustomer(owner, portal.CreateCustomerParams{Name: name, Features: customer.FeaturesPatch{SupplierWarehouse: &on}})
		require.NoError(t, err)
		_, err = f.p.UpdateLicenses(owner, c.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
		require.NoError(t, err)
		c, err = f.p.UpdateFeatures(owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: &on}})
		require.NoError(t, err)
		tok, err := f.p.CreateSCIMToken(owner, c.ID, portal.CreateSCIMTokenParams{Name: "IdP of " + name})
		require.NoError(t, err)
		return c, tok.Secret
	}
	f.acme, f.acmeToken = mk("Acme")
	f.globex, f.globexToken = mk("Globex")
	f.srv = httptest.NewServer(scimapi.NewHandler(f.p))
	t.Cleanup(f.srv.Close)
	return f
}

// call sends a SCIM request for customer cid with token and returns the
// status and the decoded body (nil when empty).
func (f *fixture) call(t *testing.T, cid customer.ID, token, method, path string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		require.NoError(t, err)
		rd = bytes.NewReader(b)
	}
	path = strings.NewReplacer(" ", "%20", `"`, "%22").Replace(path)
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+scimapi.Prefix+string(cid)+path, rd)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/scim+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer func() { _ = res.Body.Close() }()
	data, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(bytes.TrimSpace(data)) > 0 {
		require.NoError(t, json.Unmarshal(data, &out), "body: %s", data)
	}
	return res.StatusCode, out
}

// replay is a recorded provisioning sequence (testdata/*.json).
type replay struct {
	About string `json:"about"`
	Steps []struct {
		Name   string         `json:"name"`
		Method string         `json:"method"`
		Path   string         `json:"path"`
		Body   any            `json:"body"`
		Status int            `json:"status"`
		Save   string         `json:"save"`
		Expect map[string]any `json:"expect"`
	} `json:"steps"`
}

// fillIDs replaces {name} in every string of v with saved values.
func fillIDs(v any, saved map[string]string) any {
	switch x := v.(type) {
	case string:
		for k, s := range saved {
			x = strings.ReplaceAll(x, "{"+k+"}", s)
		}
		return x
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = fillIDs(e, saved)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = fillIDs(e, saved)
		}
		return out
	}
	return v
}

// run replays the sequence in file against customer Acme and returns the
// saved values.
func (f *fixture) run(t *testing.T, file string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	var rp replay
	require.NoError(t, json.Unmarshal(data, &rp))
	saved := map[string]string{}
	for _, st := range rp.Steps {
		path, _ := fillIDs(st.Path, saved).(string)
		status, body := f.call(t, f.acme.ID, f.acmeToken, st.Method, path, fillIDs(st.Body, saved))
		require.Equal(t, st.Status, status, "%s: %s %s: %v", st.Name, st.Method, path, body)
		for k, want := range st.Expect {
			assert.Equal(t, want, body[k], "%s: %s", st.Name, k)
		}
		if st.Save != "" {
			id, _ := body["id"].(string)
			require.NotEmpty(t, id, "%s: no id", st.Name)
			saved[st.Save] = id
		}
	}
	return saved
}

// TestEntraIDReplay replays Microsoft Entra ID's provisioning of one user,
// from lookup to deletion, against both storage engines.
func TestEntraIDReplay(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			saved := f.run(t, "testdata/entra.json")
			v, err := f.p.GetEmployee(portaltest.Owner(t.Context()), f.acme.ID, org.EmployeeID(saved["id"]))
			require.NoError(t, err)
			e := v.Employee
			assert.Equal(t, org.StatusLeft, e.Status, "deleted: kept as history")
			assert.Equal(t, "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef", e.ExternalID)
			assert.Equal(t, "updatedemail@microsoft.com", e.Email)
			assert.Equal(t, "givenName updatedFamilyName", e.Name)
			assert.Equal(t, "Marketing", e.Department)
			assert.Equal(t, "E-4711", e.EmployeeNumber)
			assert.Equal(t, "CC-300", e.CostCentre)
			assert.Equal(t, "scim", e.Source)
			f.assertGlobexUntouched(t)
		})
	}
}

// TestOktaReplay replays Okta's provisioning of one user, from the
// connection test to reactivation, against both storage engines.
func TestOktaReplay(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			saved := f.run(t, "testdata/okta.json")
			v, err := f.p.GetEmployee(portaltest.Owner(t.Context()), f.acme.ID, org.EmployeeID(saved["id"]))
			require.NoError(t, err)
			assert.Equal(t, org.StatusActive, v.Status, "reactivated")
			assert.Equal(t, "Another User", v.Name)
			assert.Equal(t, "00ujl29u0le5T6Aj10h7", v.ExternalID)
			assert.Equal(t, "test.user@okta.local", v.Username)
			f.assertGlobexUntouched(t)
		})
	}
}

func (f *fixture) assertGlobexUntouched(t *testing.T) {
	t.Helper()
	l, err := f.p.ListEmployees(portaltest.Owner(t.Context()), f.globex.ID, portal.ListEmployeesParams{Status: ""})
	require.NoError(t, err)
	assert.Empty(t, l.Items, "Globex has no employees")
}

// TestTokenOfAnotherCustomer checks that a SCIM token of customer A never
// reaches customer B: not B's list, not B's employees by ID, not a write
// on B's path, and not B's employee through A's path.
func TestTokenOfAnotherCustomer(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			status, body := f.call(t, f.globex.ID, f.globexToken, http.MethodPost, "/Users", map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "gina@globex.example", "externalId": "G-1", "active": true,
				"name": map[string]any{"formatted": "Gina Globex"}})
			require.Equal(t, http.StatusCreated, status, "%v", body)
			gina, _ := body["id"].(string)
			before, err := f.p.GetEmployee(portaltest.Owner(t.Context()), f.globex.ID, org.EmployeeID(gina))
			require.NoError(t, err)

			for _, c := range []struct {
				method, path string
				body         any
			}{
				{http.MethodGet, "/Users", nil},
				{http.MethodGet, "/Users/" + gina, nil},
				{http.MethodPut, "/Users/" + gina, map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "mallory", "active": false}},
				{http.MethodPatch, "/Users/" + gina, map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"},
					"Operations": []any{map[string]any{"op": "replace", "value": map[string]any{"active": false}}}}},
				{http.MethodDelete, "/Users/" + gina, nil},
				{http.MethodPost, "/Users", map[string]any{"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "mallory", "active": true}},
			} {
				// Acme's token on Globex's path: not authenticated.
				status, _ := f.call(t, f.globex.ID, f.acmeToken, c.method, c.path, c.body)
				assert.Equal(t, http.StatusUnauthorized, status, "%s %s on Globex's path with Acme's token", c.method, c.path)
				// Acme's token on Acme's path, naming Globex's employee: not found.
				if strings.Contains(c.path, gina) {
					status, _ = f.call(t, f.acme.ID, f.acmeToken, c.method, c.path, c.body)
					assert.Equal(t, http.StatusNotFound, status, "%s %s on Acme's path", c.method, c.path)
				}
			}
			status, _ = f.call(t, f.acme.ID, "", http.MethodGet, "/Users", nil)
			assert.Equal(t, http.StatusUnauthorized, status, "no token")
			status, _ = f.call(t, f.acme.ID, "pst_forged", http.MethodGet, "/Users", nil)
			assert.Equal(t, http.StatusUnauthorized, status, "a forged token")
			after, err := f.p.GetEmployee(portaltest.Owner(t.Context()), f.globex.ID, org.EmployeeID(gina))
			require.NoError(t, err)
			assert.Equal(t, before, after, "Globex's employee is unchanged")
			status, body = f.call(t, f.acme.ID, f.acmeToken, http.MethodGet, "/Users", nil)
			require.Equal(t, http.StatusOK, status)
			assert.Equal(t, float64(0), body["totalResults"], "Acme's list holds none of Globex's")
		})
	}
}

// TestSCIMDeactivationLocksAHolder: a user deactivated over SCIM while an
// item is issued to it is locked with an offboarding task, and leaves
// when the item is returned; a revoked token stops working.
func TestSCIMDeactivationLocksAHolder(t *testing.T) {
	f := newFixture(t, portaltest.Store(t))
	owner := portaltest.Owner(t.Context())
	status, body := f.call(t, f.acme.ID, f.acmeToken, http.MethodPost, "/Users", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "bob@acme.example", "externalId": "B-1", "active": true,
		"name": map[string]any{"givenName": "Bob", "familyName": "Builder"}})
	require.Equal(t, http.StatusCreated, status, "%v", body)
	bob := org.EmployeeID(body["id"].(string))
	prod, err := f.p.CreateProduct(owner, portal.CreateProductParams{SKU: "LAP", Name: "Laptop", Price: orders.Money{Amount: 1, Currency: "EUR"}})
	require.NoError(t, err)
	items, err := f.p.StockIn(owner, f.acme.ID, portal.StockInParams{Items: []portal.StockInItemParams{{ProductID: prod.ID}}})
	require.NoError(t, err)
	_, err = f.p.IssueStockItem(owner, f.acme.ID, items[0].ID, portal.IssueStockItemParams{EmployeeID: bob})
	require.NoError(t, err)

	status, body = f.call(t, f.acme.ID, f.acmeToken, http.MethodPatch, "/Users/"+string(bob), map[string]any{
		"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": []any{map[string]any{"op": "Replace", "path": "active", "value": "False"}}})
	require.Equal(t, http.StatusOK, status, "%v", body)
	tasks, err := f.p.ListOffboardingTasks(owner, f.acme.ID)
	require.NoError(t, err)
	require.Len(t, tasks, 1)
	assert.Equal(t, org.StatusLocked, tasks[0].Employee.Status)
	_, err = f.p.ReturnStockItem(owner, f.acme.ID, items[0].ID, portal.ReturnStockItemParams{})
	require.NoError(t, err)
	v, err := f.p.GetEmployee(owner, f.acme.ID, bob)
	require.NoError(t, err)
	assert.Equal(t, org.StatusLeft, v.Status)

	toks, err := f.p.ListSCIMTokens(owner, f.acme.ID)
	require.NoError(t, err)
	require.Len(t, toks, 1)
	_, err = f.p.RevokeSCIMToken(owner, f.acme.ID, toks[0].ID)
	require.NoError(t, err)
	status, _ = f.call(t, f.acme.ID, f.acmeToken, http.MethodGet, "/Users", nil)
	assert.Equal(t, http.StatusUnauthorized, status, "a revoked token")
}

// TestGroupsAreDepartments lists the departments the users name as SCIM
// groups, and refuses to write them.
func TestGroupsAreDepartments(t *testing.T) {
	f := newFixture(t, portaltest.Store(t))
	f.run(t, "testdata/entra.json") // its user was in Sales, then Marketing
	status, body := f.call(t, f.acme.ID, f.acmeToken, http.MethodGet, "/Groups", nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, float64(2), body["totalResults"])
	status, body = f.call(t, f.acme.ID, f.acmeToken, http.MethodGet, "/Groups?filter=displayName eq \"Sales\"", nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, float64(1), body["totalResults"])
	status, body = f.call(t, f.acme.ID, f.acmeToken, http.MethodGet, "/Groups/Sales", nil)
	require.Equal(t, http.StatusOK, status, "%v", body)
	assert.Equal(t, "Sales", body["displayName"])
	status, _ = f.call(t, f.acme.ID, f.acmeToken, http.MethodPost, "/Groups", map[string]any{
		"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:Group"}, "displayName": "Finance"})
	assert.Equal(t, http.StatusBadRequest, status)
	status, body = f.call(t, f.globex.ID, f.globexToken, http.MethodGet, "/Groups", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, float64(0), body["totalResults"], "Globex sees none of Acme's departments")
}
