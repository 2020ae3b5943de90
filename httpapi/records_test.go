package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/record"
)

// isoRecords gives tn a task its maintainers may edit, a contract whose
// billing address tn's admin (admin) asked to change, and an unassigned
// contract whose number it returns, to be claimed.
func (f *isoFixture) isoRecords(t *testing.T, admin context.Context, tn isoTenant) (record.Record, record.ChangeRequest, string) {
	t.Helper()
	staff := portaltest.Owner(t.Context())
	task, err := f.p.CreateRecord(staff, tn.c.ID, portal.RecordParams{Type: record.TypeTask, Values: map[string]string{"title": "Check", "status": "open"}})
	require.NoError(t, err)
	c, err := f.p.CreateRecord(staff, tn.c.ID, portal.RecordParams{Type: record.TypeContract, Values: map[string]string{
		"contract_number": "C-1", "customer_number": "K-1", "status": "active", "billing_email": "a@example.com"}})
	require.NoError(t, err)
	e, err := f.p.UpdateRecord(admin, tn.c.ID, c.ID, portal.UpdateRecordParams{Version: c.Version, Values: map[string]string{"billing_email": "b@example.com"}})
	require.NoError(t, err)
	require.NotNil(t, e.Request)
	number := "FREE-" + string(tn.c.ID)
	_, err = f.p.UpsertRecords(staff, []portal.UpsertRecordParams{{Type: record.TypeContract, ExternalRef: number,
		Values: map[string]string{"contract_number": number, "customer_number": "K-FREE", "status": "active"}}})
	require.NoError(t, err)
	return task, *e.Request, number
}

// recordSnapshot hands part everything the staff owner sees of tn's
// records: each with its history, and the change requests.
func (f *isoFixture) recordSnapshot(t *testing.T, tn isoTenant, part func(what string, v any)) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	l, err := f.p.ListRecords(ctx, tn.c.ID, portal.ListRecordsParams{Limit: 100})
	require.NoError(t, err)
	for _, r := range l.Items {
		got, err := f.p.GetRecord(ctx, tn.c.ID, r.ID)
		require.NoError(t, err)
		part("record "+string(r.ID), got)
	}
	part("records", l)
	changes, err := f.p.RecordChanges(ctx, portal.ListRecordChangesParams{CustomerID: tn.c.ID, Limit: 100})
	require.NoError(t, err)
	part("record changes", changes)
}

// The role matrix's rows of records (TestRoleMatrix runs them with the
// others).
func init() { maps.Copy(roleMatrix, recordRoleRows) }

// recordAt makes a task of the role fixture's customer at site (none when
// it returns "").
func recordAt(site func(f *roleFixture) customer.SiteID) func(t *testing.T, f *roleFixture) roleTarget {
	return func(t *testing.T, f *roleFixture) roleTarget {
		t.Helper()
		r, err := f.p.CreateRecord(portaltest.Owner(t.Context()), customer.ID(f.cid), portal.RecordParams{
			Type: record.TypeTask, SiteID: site(f), Values: map[string]string{"title": "Task " + f.email("t"), "status": "open"}})
		require.NoError(t, err)
		return roleTarget{record: r, etag: etag(r.Version)}
	}
}

var (
	northRecord = recordAt(func(f *roleFixture) customer.SiteID { return f.north.ID })
	southRecord = recordAt(func(f *roleFixture) customer.SiteID { return f.south.ID })
)

func etag(v int64) string { return `"` + strconv.FormatInt(v, 10) + `"` }

// meterWithTickets turns tickets on and makes a meter at the north site.
func meterWithTickets(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	f.ticketsOn(t)
	n := f.email("m")
	r, err := f.p.CreateRecord(portaltest.Owner(t.Context()), customer.ID(f.cid), portal.RecordParams{Type: record.TypeMeter, SiteID: f.north.ID,
		Values: map[string]string{"meter_number": n, "contract_number": "C-1", "medium": "water"}})
	require.NoError(t, err)
	return roleTarget{record: r}
}

// pendingChange makes a contract whose billing address the customer's
// admin asked to change.
func pendingChange(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	n := f.email("c")
	r, err := f.p.CreateRecord(portaltest.Owner(t.Context()), customer.ID(f.cid), portal.RecordParams{Type: record.TypeContract,
		Values: map[string]string{"contract_number": n, "customer_number": "K", "status": "active"}})
	require.NoError(t, err)
	admin, err := f.p.Authenticate(t.Context(), f.tokens[rcAdmin])
	require.NoError(t, err)
	e, err := f.p.UpdateRecord(identity.NewContext(t.Context(), admin), customer.ID(f.cid), r.ID, portal.UpdateRecordParams{
		Version: r.Version, Values: map[string]string{"billing_email": "new@acme.example"}})
	require.NoError(t, err)
	require.NotNil(t, e.Request)
	return roleTarget{record: r, change: *e.Request}
}

// unassignedContract makes a contract of no customer, to be claimed.
func unassignedContract(t *testing.T, f *roleFixture) roleTarget {
	t.Helper()
	n := f.email("free")
	_, err := f.p.UpsertRecords(portaltest.Owner(t.Context()), []portal.UpsertRecordParams{{Type: record.TypeContract, ExternalRef: n,
		Values: map[string]string{"contract_number": n, "customer_number": "K-FREE", "status": "active"}}})
	require.NoError(t, err)
	return roleTarget{number: n}
}

var recordRoleRows = map[string]roleRow{
	"record types": {prep: noTarget, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListRecordTypesWithResponse(t.Context())
		}},
	"get a record type": {prep: noTarget, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetRecordTypeWithResponse(t.Context(), "meter", nil)
		}},
	"define a record type": {write: true, prep: noTarget, want: byRole(s201, s201, s403, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			f.email("type")
			return c.DefineRecordTypeWithResponse(t.Context(), client.RecordTypeDefinition{
				Name: fmt.Sprintf("plan_%d", f.n), Fields: []client.RecordField{{Name: "code", Kind: client.RecordFieldKindText}}})
		}},
	"list records": {prep: northRecord, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListRecordsWithResponse(t.Context(), f.cid, &client.ListRecordsParams{Q: ptr("task")})
		}},
	"create a record": {write: true, prep: noTarget, want: byRole(s201, s201, s201, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.CreateRecordWithResponse(t.Context(), f.cid, client.CreateRecordRequest{Type: "task",
				Values: client.RecordValues{"title": "New " + f.email("t"), "status": "open"}})
		}},
	"get a record beyond the caller's sites": {prep: southRecord, want: byRole(s200, s200, s200, s200, s200, s200, s404),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.GetRecordWithResponse(t.Context(), f.cid, string(tg.record.ID))
		}},
	"edit a record": {write: true, prep: northRecord, want: byRole(s200, s200, s200, s200, s200, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.UpdateRecordWithResponse(t.Context(), f.cid, string(tg.record.ID), &client.UpdateRecordParams{IfMatch: tg.etag},
				client.UpdateRecordRequest{Values: &client.RecordValues{"status": "done"}})
		}},
	"claim a record": {write: true, prep: unassignedContract, want: byRole(s403, s403, s403, s200, s403, s403, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ClaimRecordWithResponse(t.Context(), f.cid, client.ClaimRecordRequest{Type: "contract",
				Identifiers: map[string]string{"contract_number": tg.number, "customer_number": "K-FREE"}})
		}},
	"take a record's action": {write: true, prep: meterWithTickets, want: byRole(s201, s201, s201, s201, s201, s403, s201),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.RunRecordActionWithResponse(t.Context(), f.cid, string(tg.record.ID), "report_reading",
				client.RecordActionRequest{Description: ptr("Reading 1234")})
		}},
	"a record's change requests": {prep: pendingChange, want: byRole(s200, s200, s200, s200, s200, s200, s200),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListRecordChangesOfWithResponse(t.Context(), f.cid, string(tg.record.ID))
		}},
	"records across customers": {prep: noTarget, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListAllRecordsWithResponse(t.Context(), &client.ListAllRecordsParams{Unassigned: ptr(true)})
		}},
	"bulk upsert records": {write: true, prep: noTarget, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			n := f.email("bulk")
			return c.UpsertRecordsWithResponse(t.Context(), client.UpsertRecordsRequest{Records: []client.UpsertRecord{{
				CustomerId: ptr(f.cid), Type: "task", ExternalRef: n, Values: client.RecordValues{"title": n, "status": "open"}}}})
		}},
	"change request inbox": {prep: pendingChange, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, _ roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ListRecordChangesWithResponse(t.Context(), &client.ListRecordChangesParams{Status: ptr(client.RecordChangeStatusPending)})
		}},
	"approve a change request": {write: true, prep: pendingChange, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.ApproveRecordChangeWithResponse(t.Context(), string(tg.change.ID), client.DecideRecordChangeRequest{})
		}},
	"reject a change request": {write: true, prep: pendingChange, want: byRole(s200, s200, s200, s403, s403, s403, s403),
		call: func(t *testing.T, f *roleFixture, tg roleTarget, c *client.ClientWithResponses) (client.Response, error) {
			return c.RejectRecordChangeWithResponse(t.Context(), string(tg.change.ID), client.DecideRecordChangeRequest{Note: ptr("no")})
		}},
}

// recordSnapshot hands part everything staff see of the role fixture's
// records: each record with its history, page by page, the unassigned
// ones, the change requests and the types.
func (f *roleFixture) recordSnapshot(t *testing.T, part func(what string, v any)) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	var recs []record.Record
	params := portal.AllRecordsParams{ListRecordsParams: portal.ListRecordsParams{Limit: 100}}
	for {
		l, err := f.p.AllRecords(ctx, params)
		require.NoError(t, err)
		for _, r := range l.Items {
			if r.CustomerID != "" {
				r, err = f.p.GetRecord(ctx, r.CustomerID, r.ID)
				require.NoError(t, err)
			}
			recs = append(recs, r)
		}
		if l.NextCursor == "" {
			break
		}
		params.Cursor = l.NextCursor
	}
	part("records", recs)
	var changes []record.ChangeRequest
	cp := portal.ListRecordChangesParams{Limit: 100}
	for {
		l, err := f.p.RecordChanges(ctx, cp)
		require.NoError(t, err)
		changes = append(changes, l.Items...)
		if l.NextCursor == "" {
			break
		}
		cp.Cursor = l.NextCursor
	}
	part("record changes", changes)
	types, err := f.p.RecordTypes(ctx)
	require.NoError(t, err)
	part("record types", types)
}

// TestRecordsOverHTTP walks records through the generated client: a type
// staff define, a contract a customer's admin claims by its identifiers,
// a refused edit naming its rule, an edit waiting for approval (202) and
// its approval, and a search that leaves hidden fields out.
func TestRecordsOverHTTP(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	owner := e.client(t, e.owner)
	cid, ada := e.onboard(t, "Acme GmbH", "ada@acme.example", nil)
	admin := e.client(t, ada.Token)

	defined := must(owner.DefineRecordTypeWithResponse(ctx, client.RecordTypeDefinition{Name: "water_meter", Fields: []client.RecordField{
		{Name: "meter_number", Kind: client.RecordFieldKindText, Required: ptr(true), Identifier: ptr(true), Customer: ptr(true)},
		{Name: "reading", Kind: client.RecordFieldKindNumber, Customer: ptr(true),
			Edit: &client.RecordEditRule{Role: ptr(client.RoleAdmin), MaxChangePercent: ptr(20.0)}},
		{Name: "tariff", Kind: client.RecordFieldKindText},
	}}))(t).JSON201
	assert.Equal(t, 1, defined.Version)

	res := must(owner.UpsertRecordsWithResponse(ctx, client.UpsertRecordsRequest{Records: []client.UpsertRecord{
		{Type: "water_meter", ExternalRef: "erp-1", Values: client.RecordValues{"meter_number": "WM-1", "reading": "100", "tariff": "gold"}},
		{Type: "contract", ExternalRef: "erp-2", Values: client.RecordValues{"contract_number": "C-7", "customer_number": "K-7", "status": "active", "billing_email": "old@acme.example"}},
	}}))(t).JSON200
	require.Len(t, res.Results, 2)
	assert.Equal(t, client.UpsertRecordsResultResultsOutcomeCreated, res.Results[0].Outcome)

	// One wrong identifier answers exactly as a record that is not there.
	claim := func(ids map[string]string) (*http.Response, []byte) {
		b, err := json.Marshal(client.ClaimRecordRequest{Type: "contract", Identifiers: ids})
		require.NoError(t, err)
		return e.do(t, http.MethodPost, "/v1/customers/"+cid+"/record-claims", ada.Token, bytes.NewReader(b), nil)
	}
	wrongRes, wrong := claim(map[string]string{"contract_number": "C-7", "customer_number": "K-8"})
	missingRes, missing := claim(map[string]string{"contract_number": "C-9", "customer_number": "K-9"})
	problem(t, wrongRes, wrong, http.StatusNotFound, client.ProblemCodeNotFound)
	assert.Equal(t, missingRes.StatusCode, wrongRes.StatusCode)
	assert.Equal(t, withoutRequestID(t, missing), withoutRequestID(t, wrong), "the same body but for the request ID")

	claimed := must(admin.ClaimRecordWithResponse(ctx, cid, client.ClaimRecordRequest{Type: "contract",
		Identifiers: map[string]string{"contract_number": "C-7", "customer_number": "K-7"}}))(t)
	c := claimed.JSON200
	require.NotNil(t, c.CustomerId)
	assert.Equal(t, cid, *c.CustomerId)
	assert.Nil(t, c.ExternalRef, "the provider's reference stays with the provider")

	// The meter is the customer's by staff's hand; its tariff is hidden.
	meter := must(owner.UpsertRecordsWithResponse(ctx, client.UpsertRecordsRequest{Records: []client.UpsertRecord{
		{CustomerId: ptr(cid), Type: "water_meter", ExternalRef: "erp-1", Values: client.RecordValues{"meter_number": "WM-1", "reading": "100", "tariff": "gold"}},
	}}))(t).JSON200.Results[0]
	assert.Equal(t, client.UpsertRecordsResultResultsOutcomeUpdated, meter.Outcome)
	found := must(admin.ListRecordsWithResponse(ctx, cid, &client.ListRecordsParams{Type: ptr("water_meter"), Field: ptr("meter_number"), Value: ptr("WM-1")}))(t).JSON200
	require.Len(t, found.Items, 1)
	assert.NotContains(t, found.Items[0].Values, "tariff")
	none := must(admin.ListRecordsWithResponse(ctx, cid, &client.ListRecordsParams{Q: ptr("gold")}))(t).JSON200
	assert.Empty(t, none.Items)

	// A refused edit names the field and the rule.
	got := must(admin.GetRecordWithResponse(ctx, cid, meter.RecordId))(t)
	r, body := e.do(t, http.MethodPatch, "/v1/customers/"+cid+"/records/"+meter.RecordId, ada.Token,
		strings.NewReader(`{"values":{"reading":"130"}}`), map[string]string{"If-Match": got.HTTPResponse.Header.Get("ETag")})
	p := problem(t, r, body, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.True(t, strings.HasPrefix(fields(p)["values.reading"], "relative_change: "), "%v", fields(p))
	ok := must(admin.UpdateRecordWithResponse(ctx, cid, meter.RecordId, &client.UpdateRecordParams{IfMatch: got.HTTPResponse.Header.Get("ETag")},
		client.UpdateRecordRequest{Values: &client.RecordValues{"reading": "115"}}))(t)
	assert.Equal(t, "115", ok.JSON200.Values["reading"])

	// An edit that needs approval waits (202) until staff approve it.
	waiting := must(admin.UpdateRecordWithResponse(ctx, cid, c.Id, &client.UpdateRecordParams{IfMatch: claimed.HTTPResponse.Header.Get("ETag")},
		client.UpdateRecordRequest{Values: &client.RecordValues{"billing_email": "new@acme.example"}}))(t)
	require.Equal(t, http.StatusAccepted, waiting.StatusCode())
	req := waiting.JSON202
	assert.Equal(t, client.RecordChangeStatusPending, req.Status)
	still := must(admin.GetRecordWithResponse(ctx, cid, c.Id))(t).JSON200
	assert.Equal(t, "old@acme.example", still.Values["billing_email"])
	mine := must(admin.ListRecordChangesOfWithResponse(ctx, cid, c.Id))(t).JSON200
	require.Len(t, mine.Items, 1)
	assert.Equal(t, "new@acme.example", mine.Items[0].After["billing_email"])
	inbox := must(owner.ListRecordChangesWithResponse(ctx, &client.ListRecordChangesParams{Status: ptr(client.RecordChangeStatusPending)}))(t).JSON200
	require.Len(t, inbox.Items, 1)
	must(owner.ApproveRecordChangeWithResponse(ctx, req.Id, client.DecideRecordChangeRequest{}))(t)
	done := must(admin.GetRecordWithResponse(ctx, cid, c.Id))(t).JSON200
	assert.Equal(t, "new@acme.example", done.Values["billing_email"])
	fails(owner.ApproveRecordChangeWithResponse(ctx, req.Id, client.DecideRecordChangeRequest{}))(t, http.StatusConflict, client.ProblemCodeFailedPrecondition)

	// An action's ticket links to its record, and tickets filter by record.
	cust, err := e.p.GetCustomer(portaltest.Owner(ctx), customer.ID(cid))
	require.NoError(t, err)
	_, err = e.p.UpdateFeatures(portaltest.Owner(ctx), cust.ID, portal.UpdateFeaturesParams{Version: cust.Version,
		FeaturesPatch: customer.FeaturesPatch{Tickets: ptr(true)}})
	require.NoError(t, err)
	tk := must(admin.RunRecordActionWithResponse(ctx, cid, c.Id, "cancel", client.RecordActionRequest{}))(t).JSON201
	require.NotNil(t, tk.Links.RecordId)
	assert.Equal(t, c.Id, *tk.Links.RecordId)
	byRecord := must(admin.ListTicketsWithResponse(ctx, cid, &client.ListTicketsParams{RecordId: ptr(c.Id)}))(t).JSON200
	require.Len(t, byRecord.Items, 1)
	assert.Equal(t, tk.Id, byRecord.Items[0].Id)
	other := must(admin.ListTicketsWithResponse(ctx, cid, &client.ListTicketsParams{RecordId: ptr(meter.RecordId)}))(t).JSON200
	assert.Empty(t, other.Items)
}

// TestUpsertRecordsLimit: 1,001 records are refused as a whole, naming
// the limit, and nothing is stored.
func TestUpsertRecordsLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	recs := make([]client.UpsertRecord, portal.MaxRecordUpserts+1)
	for i := range recs {
		recs[i] = client.UpsertRecord{Type: "task", ExternalRef: fmt.Sprintf("t-%d", i), Values: client.RecordValues{"title": "T", "status": "open"}}
	}
	err := fails(owner.UpsertRecordsWithResponse(t.Context(), client.UpsertRecordsRequest{Records: recs}))(t, http.StatusBadRequest, client.ProblemCodeInvalid)
	assert.Contains(t, err.Message, "at most 1000 records per request, got 1001")
	all := must(owner.ListAllRecordsWithResponse(t.Context(), nil))(t).JSON200
	assert.Empty(t, all.Items)
	res := must(owner.UpsertRecordsWithResponse(t.Context(), client.UpsertRecordsRequest{Records: recs[:1000]}))(t).JSON200
	assert.Len(t, res.Results, 1000)
}

// withoutRequestID returns a problem document without its request ID,
// the one part that differs from request to request.
func withoutRequestID(t *testing.T, body []byte) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(body, &m))
	require.Contains(t, m, "request_id")
	delete(m, "request_id")
	return m
}
