package scimapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/orders"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/scimapi"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/storage/postgres/postgrestest"
	"github.com/portalkit/portalkit/webhook"
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
// HR sync, each with a SCIM token, and a webhook endpoint for the
// employee events.
type fixture struct {
	p            *portal.Portal
	srv          *httptest.Server
	acme, globex customer.Customer
	acmeToken    string
	acmeTokenID  hrsync.TokenID
	globexToken  string
	hook         webhook.EndpointID
	// seenEvents and seenDeliveries are the audit events and webhook
	// deliveries newChanges has returned.
	seenEvents     map[audit.ID]bool
	seenDeliveries map[webhook.DeliveryID]bool
}

func newFixture(t *testing.T, store storage.Store) *fixture {
	t.Helper()
	f := &fixture{p: portaltest.New(t, &portaltest.Clock{}, func(c *portal.Config) { c.Store = store })}
	owner := portaltest.Owner(t.Context())
	mk := func(name string) (customer.Customer, portal.SCIMTokenSecret) {
		on := true
		c, err := f.p.CreateCustomer(owner, portal.CreateCustomerParams{Name: name, Features: customer.FeaturesPatch{SupplierWarehouse: &on}})
		require.NoError(t, err)
		_, err = f.p.UpdateLicenses(owner, c.ID, portal.UpdateLicensesParams{HRSync: customer.GrantGranted})
		require.NoError(t, err)
		c, err = f.p.UpdateFeatures(owner, c.ID, portal.UpdateFeaturesParams{Version: c.Version, FeaturesPatch: customer.FeaturesPatch{HRSync: &on}})
		require.NoError(t, err)
		tok, err := f.p.CreateSCIMToken(owner, c.ID, portal.CreateSCIMTokenParams{Name: "IdP of " + name})
		require.NoError(t, err)
		return c, tok
	}
	var tok portal.SCIMTokenSecret
	f.acme, tok = mk("Acme")
	f.acmeToken, f.acmeTokenID = tok.Secret, tok.Token.ID
	f.globex, tok = mk("Globex")
	f.globexToken = tok.Secret
	hook, err := f.p.CreateWebhookEndpoint(owner, portal.CreateWebhookEndpointParams{URL: "https://93.184.215.14/hooks",
		EventTypes: []webhook.Type{webhook.EmployeeCreated, webhook.EmployeeReplaced, webhook.EmployeeDeleted}})
	require.NoError(t, err)
	f.hook = hook.ID
	f.seenEvents, f.seenDeliveries = map[audit.ID]bool{}, map[webhook.DeliveryID]bool{}
	f.newChanges(t) // the set-up's own
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
		// Audit are the audit actions the step records, in order (none
		// when empty), each about the saved employee and published as
		// its webhook event, whose employee has Employee's status and
		// name where set.
		Audit    []string    `json:"audit"`
		Employee eventFields `json:"employee"`
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
		f.assertAudited(t, st.Name, saved["id"], st.Audit, st.Employee)
	}
	return saved
}

// eventTypes are the webhook events of the SCIM writes' audit actions.
var eventTypes = map[string]webhook.Type{
	"scim.employee.created":  webhook.EmployeeCreated,
	"scim.employee.replaced": webhook.EmployeeReplaced,
	"scim.employee.deleted":  webhook.EmployeeDeleted,
}

// newChanges returns the audit events and the webhook deliveries to the
// fixture's endpoint written since it last looked, oldest first.
func (f *fixture) newChanges(t *testing.T) ([]audit.Event, []webhook.Delivery) {
	t.Helper()
	owner := portaltest.Owner(t.Context())
	var events []audit.Event
	for cursor := ""; ; {
		l, err := f.p.ListAuditEvents(owner, portal.ListAuditEventsParams{Cursor: cursor, Limit: 100})
		require.NoError(t, err)
		for _, e := range l.Items {
			if !f.seenEvents[e.ID] {
				f.seenEvents[e.ID] = true
				events = append(events, e)
			}
		}
		if cursor = l.NextCursor; cursor == "" {
			break
		}
	}
	var deliveries []webhook.Delivery
	for cursor := ""; ; {
		l, err := f.p.ListWebhookDeliveries(owner, f.hook, portal.ListWebhookDeliveriesParams{Cursor: cursor, Limit: 100})
		require.NoError(t, err)
		for _, d := range l.Items {
			if !f.seenDeliveries[d.ID] {
				f.seenDeliveries[d.ID] = true
				deliveries = append(deliveries, d)
			}
		}
		if cursor = l.NextCursor; cursor == "" {
			break
		}
	}
	slices.Reverse(events) // the lists are newest first
	slices.Reverse(deliveries)
	return events, deliveries
}

// eventFields are fields of the employee a webhook event carries, to
// check where set.
type eventFields struct {
	Status org.Status `json:"status"`
	Name   string     `json:"name"`
}

// assertAudited checks that what happened since the last look is the
// audit events of actions, by Acme's SCIM token about employee id in
// Acme, each published to the webhook endpoint as its event, whose data
// is employee id with the fields of want.
func (f *fixture) assertAudited(t *testing.T, step, id string, actions []string, want eventFields) {
	t.Helper()
	events, deliveries := f.newChanges(t)
	if len(actions) == 0 {
		actions = nil // "audit": [] as none
	}
	var got []string
	for _, e := range events {
		got = append(got, e.Action)
		assert.Equal(t, "scim:"+string(f.acmeTokenID), e.Actor, "%s: %s's actor", step, e.Action)
		assert.Equal(t, f.acme.ID, e.CustomerID, "%s: %s's customer", step, e.Action)
		assert.Equal(t, id, e.ObjectID, "%s: %s's object", step, e.Action)
	}
	assert.Equal(t, actions, got, "%s: audit events", step)
	var wantTypes, gotTypes []webhook.Type
	for _, a := range actions {
		wantTypes = append(wantTypes, eventTypes[a])
	}
	for _, d := range deliveries {
		gotTypes = append(gotTypes, d.Type)
		assert.Equal(t, f.acme.ID, d.CustomerID, "%s: %s's customer", step, d.Type)
		var body struct {
			Data org.Employee `json:"data"`
		}
		require.NoError(t, json.Unmarshal(d.Body, &body), "%s: %s", step, d.Type)
		e := body.Data
		assert.Equal(t, org.EmployeeID(id), e.ID, "%s: %s's employee", step, d.Type)
		if want.Status != "" {
			assert.Equal(t, want.Status, e.Status, "%s: %s's status", step, d.Type)
		}
		if want.Name != "" {
			assert.Equal(t, want.Name, e.Name, "%s: %s's name", step, d.Type)
		}
	}
	assert.Equal(t, wantTypes, gotTypes, "%s: webhook events", step)
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

// TestSCIMWritesAreAudited deletes a user who is still active, which
// neither replay does (Entra ID deletes the user it deactivated): the
// employee leaves, and the deletion is in the audit log and published
// as employee.deleted; a second DELETE changes and records nothing.
func TestSCIMWritesAreAudited(t *testing.T) {
	for name, open := range backends(t) {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t, open(t))
			status, body := f.call(t, f.acme.ID, f.acmeToken, http.MethodPost, "/Users", map[string]any{
				"schemas": []string{"urn:ietf:params:scim:schemas:core:2.0:User"}, "userName": "dora@acme.example", "externalId": "D-1", "active": true,
				"name": map[string]any{"formatted": "Dora Doe"}})
			require.Equal(t, http.StatusCreated, status, "%v", body)
			dora, _ := body["id"].(string)
			f.assertAudited(t, "create", dora, []string{"scim.employee.created"}, eventFields{Status: org.StatusActive, Name: "Dora Doe"})
			status, _ = f.call(t, f.acme.ID, f.acmeToken, http.MethodDelete, "/Users/"+dora, nil)
			require.Equal(t, http.StatusNoContent, status)
			f.assertAudited(t, "delete", dora, []string{"scim.employee.deleted"}, eventFields{Status: org.StatusLeft, Name: "Dora Doe"})
			status, _ = f.call(t, f.acme.ID, f.acmeToken, http.MethodDelete, "/Users/"+dora, nil)
			require.Equal(t, http.StatusNoContent, status)
			f.assertAudited(t, "delete again", dora, nil, eventFields{})
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
