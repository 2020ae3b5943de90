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
