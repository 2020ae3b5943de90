package webui_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/record"
)

// records gives customer cid a task and a contract with a hidden value.
func (s *site) records(t *testing.T, cid customer.ID, domain string) (task, contract record.Record) {
	t.Helper()
	ctx := portaltest.Owner(t.Context())
	task, err := s.p.CreateRecord(ctx, cid, portal.RecordParams{Type: record.TypeTask, Values: map[string]string{"title": "Check the boiler of " + domain, "status": "open"}})
	require.NoError(t, err)
	contract, err = s.p.CreateRecord(ctx, cid, portal.RecordParams{Type: record.TypeContract, ExternalRef: "erp-" + domain, Values: map[string]string{
		"contract_number": "C-" + domain, "customer_number": "K-" + domain, "status": "active", "monthly_instalment": "10000",
		"billing_email": "billing@" + domain + ".example", "margin_note": "Margin secret of " + domain}})
	require.NoError(t, err)
	return task, contract
}

// meter gives customer cid a meter, numbered after domain.
func (s *site) meter(t *testing.T, cid customer.ID, domain string) record.Record {
	t.Helper()
	m, err := s.p.CreateRecord(portaltest.Owner(t.Context()), cid, portal.RecordParams{Type: record.TypeMeter, Values: map[string]string{
		"meter_number": "M-" + domain, "contract_number": "C-" + domain, "medium": "gas"}})
	require.NoError(t, err)
	return m
}

var unassigned atomic.Int64

// unassignedContract makes a contract of no customer and returns its
// contract number; its customer number is K-FREE.
func (s *site) unassignedContract(t *testing.T) string {
	t.Helper()
	n := fmt.Sprintf("FREE-%d", unassigned.Add(1))
	_, err := s.p.UpsertRecords(portaltest.Owner(t.Context()), []portal.UpsertRecordParams{{Type: record.TypeContract, ExternalRef: n,
		Values: map[string]string{"contract_number": n, "customer_number": "K-FREE", "status": "active"}}})
	require.NoError(t, err)
	return n
}

// TestRecordPages walks a customer's admin through its records: the list
// and a search, a contract whose hidden value never shows, a claim that
// fails on a wrong number as on a missing contract, one that succeeds,
// and an edit that waits for the provider's approval in the console.
func TestRecordPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	admin := s.browser(t, s.a.users[customer.RoleAdmin].token)

	pg := admin.get("/records?q=boiler")
	require.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, "Check the boiler of acme")
	pg = admin.get("/records/" + string(s.a.contract.ID))
	require.Equal(t, http.StatusOK, pg.status)
	assert.Contains(t, pg.body, "C-acme")
	assert.NotContains(t, pg.body, "Margin secret")
	assert.NotContains(t, pg.body, "erp-acme")

	n := s.unassignedContract(t)
	wrong := admin.post("/records/claim", url.Values{"type": {"contract"}, "id.contract_number": {n}, "id.customer_number": {"K-WRONG"}})
	missing := admin.post("/records/claim", url.Values{"type": {"contract"}, "id.contract_number": {"C-NONE"}, "id.customer_number": {"K-WRONG"}})
	assert.Equal(t, http.StatusNotFound, wrong.status)
	assert.Equal(t, missing.status, wrong.status)
	pg = admin.post("/records/claim", url.Values{"type": {"contract"}, "id.contract_number": {n}, "id.customer_number": {"K-FREE"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	claimed := admin.get(pg.location)
	assert.Contains(t, claimed.body, n)

	c := s.a.contract
	pg = admin.post("/records/"+string(c.ID), url.Values{"version": {fmt.Sprint(c.Version)},
		"was.billing_email": {c.Values["billing_email"]}, "value.billing_email": {"new@acme.example"},
		"was.monthly_instalment": {"10000"}, "value.monthly_instalment": {"10000"}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	waiting := admin.get(pg.location).body
	assert.Contains(t, waiting, "waits for the provider")
	assert.Contains(t, waiting, `id="pending"`, "the page lists the change that waits")
	assert.Contains(t, waiting, "new@acme.example")
	got, err := s.p.GetRecord(portaltest.Owner(t.Context()), s.a.c.ID, c.ID)
	require.NoError(t, err)
	assert.Equal(t, "billing@acme.example", got.Values["billing_email"], "not before the approval")

	key, err := s.p.CreateAPIKey(portaltest.Owner(t.Context()), portal.CreateAPIKeyParams{Name: "back office", Role: "admin"})
	require.NoError(t, err)
	staff := s.browser(t, key.Token)
	inbox := staff.get("/console/record-changes")
	require.Equal(t, http.StatusOK, inbox.status)
	assert.Contains(t, inbox.body, "new@acme.example")
	l, err := s.p.RecordChanges(portaltest.Owner(t.Context()), portal.ListRecordChangesParams{Status: record.ChangePending})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	pg = staff.post("/console/record-changes/"+string(l.Items[0].ID)+"/approve", url.Values{})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Contains(t, admin.get("/records/"+string(c.ID)).body, "new@acme.example")

	for _, p := range []string{"/console/records", "/console/records?unassigned=1", "/console/record-types",
		"/console/customers/" + string(s.a.c.ID) + "/records/" + string(c.ID)} {
		pg := staff.get(p)
		assert.Equal(t, http.StatusOK, pg.status, p)
		assert.NotRegexp(t, `>[a-z_]+:[a-z_]+<`, pg.body, "%s: an enumeration without a label", p)
	}
	assert.Contains(t, staff.get("/console/customers/"+string(s.a.c.ID)+"/records/"+string(c.ID)).body, "Margin secret of acme", "staff see every field")
	pg = staff.post("/console/record-types", url.Values{"definition": {`{"name":"plan","fields":[{"name":"code","kind":"text","customer":true}]}`}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	pg = staff.post("/console/record-types", url.Values{"definition": {`{"name":`}})
	assert.Equal(t, http.StatusBadRequest, pg.status)
}

// A ticket a record's action opened links to the record, in the portal
// and in the console.
func TestTicketLinksToItsRecord(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	c := s.a.contract
	tk, err := s.p.RunRecordAction(portaltest.ServiceDesk(t.Context()), s.a.c.ID, c.ID, "cancel", portal.RecordActionParams{Description: "We move out."})
	require.NoError(t, err)

	admin := s.browser(t, s.a.users[customer.RoleAdmin].token)
	pg := admin.get("/tickets/" + string(tk.ID))
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `href="/records/`+string(c.ID)+`"`)
	assert.Contains(t, pg.body, "C-acme")

	key, err := s.p.CreateAPIKey(portaltest.Owner(t.Context()), portal.CreateAPIKeyParams{Name: "back office", Role: "admin"})
	require.NoError(t, err)
	staff := s.browser(t, key.Token)
	pg = staff.get("/console/customers/" + string(s.a.c.ID) + "/tickets/" + string(tk.ID))
	require.Equal(t, http.StatusOK, pg.status, pg.body)
	assert.Contains(t, pg.body, `href="/console/customers/`+string(s.a.c.ID)+`/records/`+string(c.ID)+`"`)
}

// A record's page offers the actions its viewer may take, runs them, and
// says what came of each: the ticket opened, or that the request is sent.
func TestRecordActionPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	owner := portaltest.Owner(t.Context())
	_, err := s.p.DefineRecordType(owner, record.Type{Name: "line", Fields: []record.Field{{Name: "number", Kind: record.KindText, Customer: true}},
		Actions: []record.Action{{Name: "fault", Label: "Report a fault", TicketType: "generic"}, {Name: "move", Label: "Move the line", Webhook: true, Role: customer.RoleAdmin}}})
	require.NoError(t, err)
	line, err := s.p.CreateRecord(owner, s.a.c.ID, portal.RecordParams{Type: "line", Values: map[string]string{"number": "L-1"}})
	require.NoError(t, err)
	page := "/records/" + string(line.ID)

	viewer := s.browser(t, s.a.users[customer.RoleViewer].token)
	assert.NotContains(t, viewer.get(page).body, "/actions/", "a viewer is offered no action")
	maint := s.browser(t, s.a.users[customer.RoleMaintainer].token)
	body := maint.get(page).body
	assert.Contains(t, body, `action="`+page+`/actions/fault"`)
	assert.NotContains(t, body, `/actions/move"`, "moving is for admins")

	admin := s.browser(t, s.a.users[customer.RoleAdmin].token)
	pg := admin.post(page+"/actions/move", url.Values{"description": {"To the 2nd floor."}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	assert.Contains(t, admin.get(pg.location).body, "Your request is sent.")
	pg = admin.post(page+"/actions/nosuch", url.Values{})
	assert.Equal(t, http.StatusNotFound, pg.status)

	key, err := s.p.CreateAPIKey(owner, portal.CreateAPIKeyParams{Name: "back office", Role: "admin"})
	require.NoError(t, err)
	staff := s.browser(t, key.Token)
	console := "/console/customers/" + string(s.a.c.ID) + "/records/" + string(line.ID)
	assert.Contains(t, staff.get(console).body, `action="`+console+`/actions/fault"`)
	pg = staff.post(console+"/actions/fault", url.Values{"description": {"Noise on the line."}})
	require.Equal(t, http.StatusSeeOther, pg.status, pg.body)
	l, err := s.p.ListTickets(owner, s.a.c.ID, portal.ListTicketsParams{RecordID: line.ID})
	require.NoError(t, err)
	require.Len(t, l.Items, 1)
	done := staff.get(pg.location).body
	assert.Contains(t, done, `href="/console/customers/`+string(s.a.c.ID)+`/tickets/`+string(l.Items[0].ID)+`"`, "the page links to the ticket")
	assert.Contains(t, done, "#"+l.Items[0].Number.String())
	// The ticket named in the address shows only on its own record's page.
	other := admin.get("/records/" + string(s.a.contract.ID) + "?done=action_ticket&ticket=" + string(l.Items[0].ID)).body
	assert.NotContains(t, other, `id="action-result"`)
}
