package portal_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
	"github.com/portalkit/portalkit/storage"
)

// records is a customer with records, its people and the store.
type records struct {
	env
	store                     storage.Store
	c                         customer.Customer
	site                      customer.Site
	admin, maintainer, viewer portal.Member
}

// eachRecords runs f once per backend with a fresh customer.
func eachRecords(t *testing.T, f func(t *testing.T, h records), opts ...func(*portal.Config)) {
	t.Helper()
	for name, newStore := range backends {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			store := newStore(t)
			h := records{env: newEnv(t, store, opts...), store: store}
			var err error
			h.c, err = h.p.CreateCustomer(h.owner, portal.CreateCustomerParams{Name: "Acme", Features: customer.FeaturesPatch{Tickets: ptr(true)}})
			require.NoError(t, err)
			h.site = h.createSite(t, h.c.ID, "HQ")
			h.admin = h.addMember(t, h.c.ID, "admin@acme.example", customer.RoleAdmin)
			h.maintainer = h.addMember(t, h.c.ID, "maintainer@acme.example", customer.RoleMaintainer)
			h.viewer = h.addMember(t, h.c.ID, "viewer@acme.example", customer.RoleViewer)
			f(t, h)
		})
	}
}

// contractValues are the values of a contract numbered n.
func contractValues(n string) map[string]string {
	return map[string]string{
		"contract_number": n, "customer_number": "K-" + n, "status": "active", "end_date": "2026-12-31",
		"monthly_instalment": "10000", "billing_email": "billing@acme.example", "margin_note": "secret margin 12%",
	}
}

func (h records) contract(t *testing.T, n string) record.Record {
	t.Helper()
	r, err := h.p.CreateRecord(h.owner, h.c.ID, portal.RecordParams{Type: record.TypeContract, ExternalRef: "erp-" + n, Values: contractValues(n)})
	require.NoError(t, err)
	return r
}

func (h records) edit(ctx context.Context, r record.Record, values map[string]string) (portal.RecordEdit, error) {
	return h.p.UpdateRecord(ctx, h.c.ID, r.ID, portal.UpdateRecordParams{Version: r.Version, Values: values})
}

func (h records) audit(t *testing.T) []audit.Event {
	t.Helper()
	var out []audit.Event
	require.NoError(t, h.store.ReadTx(t.Context(), func(r storage.Repos) error {
		l, err := r.Audit().List(t.Context(), storage.AuditFilter{CustomerID: h.c.ID}, storage.Page{Limit: storage.MaxLimit})
		out = l.Items
		return err
	}))
	return out
}

// A type staff define through the API is used by records, and a new
// version of it leaves the records of the old one valid.
func TestRecordTypeDefinedThroughAPI(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		plan := record.Type{Name: "hosting_plan", Label: "Hosting plan", Fields: []record.Field{
			{Name: "plan_id", Kind: record.KindText, Required: true, Identifier: true, Customer: true},
			{Name: "disk_gb", Kind: record.KindNumber, Customer: true, Edit: record.EditRule{Role: customer.RoleMaintainer, MaxChangePercent: 50}},
		}, Actions: []record.Action{{Name: "upgrade", TicketType: "generic"}}}
		v1, err := h.p.DefineRecordType(h.owner, plan)
		require.NoError(t, err)
		assert.Equal(t, 1, v1.Version)
		r, err := h.p.CreateRecord(h.owner, h.c.ID, portal.RecordParams{Type: "hosting_plan", Values: map[string]string{"plan_id": "HP-1", "disk_gb": "100"}})
		require.NoError(t, err)
		assert.Equal(t, 1, r.TypeVersion)

		plan.Fields = append(plan.Fields, record.Field{Name: "region", Kind: record.KindEnum, Required: true, Options: []string{"eu", "us"}, Customer: true})
		v2, err := h.p.DefineRecordType(h.owner, plan)
		require.NoError(t, err)
		assert.Equal(t, 2, v2.Version)
		_, err = h.p.CreateRecord(h.owner, h.c.ID, portal.RecordParams{Type: "hosting_plan", Values: map[string]string{"plan_id": "HP-2"}})
		assertCode(t, portalerr.Invalid, err, "version 2 needs its region")

		// The record of version 1 is read and edited by version 1.
		got, err := h.p.GetRecord(as(t, h.viewer), h.c.ID, r.ID)
		require.NoError(t, err)
		assert.Equal(t, 1, got.TypeVersion)
		e, err := h.edit(as(t, h.maintainer), got, map[string]string{"disk_gb": "140"})
		require.NoError(t, err)
		assert.Equal(t, "140", e.Record.Values["disk_gb"])
		assert.Equal(t, 1, e.Record.TypeVersion)

		types, err := h.p.RecordTypes(as(t, h.viewer))
		require.NoError(t, err)
		var names []string
		for _, ty := range types {
			names = append(names, fmt.Sprintf("%s@%d", ty.Name, ty.Version))
		}
		assert.Equal(t, []string{"contract@1", "domain@1", "hosting_plan@2", "meter@1", "task@1"}, names)

		_, err = h.p.DefineRecordType(h.owner, record.Type{Name: record.TypeContract, Fields: plan.Fields})
		assertCode(t, portalerr.AlreadyExists, err, "a type defined in Go")
		bad := plan
		bad.Name = "other"
		bad.Actions = []record.Action{{Name: "x", TicketType: "no_such_type"}}
		_, err = h.p.DefineRecordType(h.owner, bad)
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, "actions[0].ticket_type", portalerr.FieldsOf(err)[0].Field)
	})
}

// Fields not shown to customers never reach customer users: not in the
// values, the history, the types or a search.
func TestRecordHiddenFieldsStayWithTheProvider(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		r := h.contract(t, "C-1")
		_, err := h.edit(h.owner, r, map[string]string{"margin_note": "secret margin 15%"})
		require.NoError(t, err)
		user := as(t, h.viewer)
		got, err := h.p.GetRecord(user, h.c.ID, r.ID)
		require.NoError(t, err)
		assert.NotContains(t, got.Values, "margin_note")
		assert.Empty(t, got.ExternalRef)
		for _, ev := range got.History {
			assert.NotContains(t, ev.Before, "margin_note")
			assert.NotContains(t, ev.After, "margin_note")
		}
		l, err := h.p.ListRecords(user, h.c.ID, portal.ListRecordsParams{Q: "margin"})
		require.NoError(t, err)
		assert.Empty(t, l.Items, "a hidden value is not searched for customers")
		l, err = h.p.ListRecords(h.owner, h.c.ID, portal.ListRecordsParams{Q: "MARGIN"})
		require.NoError(t, err)
		assert.Len(t, l.Items, 1, "staff search every value")
		l, err = h.p.ListRecords(user, h.c.ID, portal.ListRecordsParams{Type: record.TypeContract, Field: "contract_number", Value: "C-1"})
		require.NoError(t, err)
		require.Len(t, l.Items, 1)
		assert.NotContains(t, l.Items[0].Values, "margin_note")
		_, err = h.p.ListRecords(user, h.c.ID, portal.ListRecordsParams{Type: record.TypeContract, Field: "margin_note", Value: "x"})
		assertCode(t, portalerr.Invalid, err, "not an identifier")
		typ, err := h.p.RecordType(user, record.TypeContract, 0)
		require.NoError(t, err)
		_, ok := typ.Field("margin_note")
		assert.False(t, ok)
	})
}

// Each edit rule, through the use case: a refusal naming the rule, and an
// edit it allows.
func TestRecordEditRules(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		admin, maintainer := as(t, h.admin), as(t, h.maintainer)
		refused := func(t *testing.T, err error, code portalerr.Code, rule string) {
			t.Helper()
			require.Error(t, err)
			assertCode(t, code, err)
			assert.Equal(t, rule, record.RuleOf(err), "%v", err)
		}

		t.Run("role", func(t *testing.T) {
			r := h.contract(t, "R-1")
			_, err := h.edit(maintainer, r, map[string]string{"monthly_instalment": "10500"})
			refused(t, err, portalerr.PermissionDenied, record.RuleRole)
			e, err := h.edit(admin, r, map[string]string{"monthly_instalment": "10500"})
			require.NoError(t, err)
			assert.Equal(t, "10500", e.Record.Values["monthly_instalment"])
		})
		t.Run("cadence", func(t *testing.T) {
			r := h.contract(t, "R-2")
			e, err := h.edit(admin, r, map[string]string{"monthly_instalment": "10500"})
			require.NoError(t, err)
			e, err = h.edit(admin, e.Record, map[string]string{"monthly_instalment": "11000"})
			require.NoError(t, err)
			_, err = h.edit(admin, e.Record, map[string]string{"monthly_instalment": "11500"})
			refused(t, err, portalerr.FailedPrecondition, record.RuleCadence)
			// Staff changes do not count, and a year later the first two
			// have left the period.
			h.clock.Advance(366 * 24 * time.Hour)
			e, err = h.edit(h.owner, e.Record, map[string]string{"end_date": "2028-12-31"})
			require.NoError(t, err)
			_, err = h.edit(admin, e.Record, map[string]string{"monthly_instalment": "11500"})
			require.NoError(t, err)
		})
		t.Run("relative change", func(t *testing.T) {
			r := h.contract(t, "R-3")
			_, err := h.edit(admin, r, map[string]string{"monthly_instalment": "11001"})
			refused(t, err, portalerr.Invalid, record.RuleRelativeChange)
			_, err = h.edit(admin, r, map[string]string{"monthly_instalment": "9000"})
			require.NoError(t, err)
		})
		t.Run("freeze before a date", func(t *testing.T) {
			r := h.contract(t, "R-4")
			soon := h.clock.Now().AddDate(0, 0, 20).Format(time.DateOnly)
			e, err := h.edit(h.owner, r, map[string]string{"end_date": soon})
			require.NoError(t, err)
			_, err = h.edit(admin, e.Record, map[string]string{"monthly_instalment": "10100"})
			refused(t, err, portalerr.FailedPrecondition, record.RuleFreeze)
			later := h.clock.Now().AddDate(0, 0, 45).Format(time.DateOnly)
			e, err = h.edit(h.owner, e.Record, map[string]string{"end_date": later})
			require.NoError(t, err)
			_, err = h.edit(admin, e.Record, map[string]string{"monthly_instalment": "10100"})
			require.NoError(t, err)
		})
		t.Run("approval", func(t *testing.T) {
			r := h.contract(t, "R-5")
			e, err := h.edit(admin, r, map[string]string{"billing_email": "new@acme.example"})
			require.NoError(t, err)
			require.NotNil(t, e.Request, "the edit waits for approval")
			assert.Equal(t, "billing@acme.example", e.Record.Values["billing_email"], "and changes nothing yet")
			assert.Equal(t, r.Version, e.Record.Version)
			_, err = h.edit(admin, r, map[string]string{"billing_email": "other@acme.example"})
			refused(t, err, portalerr.FailedPrecondition, record.RuleApproval)

			inbox, err := h.p.RecordChanges(h.owner, portal.ListRecordChangesParams{Status: record.ChangePending})
			require.NoError(t, err)
			require.Len(t, inbox.Items, 1)
			assert.Equal(t, e.Request.ID, inbox.Items[0].ID)
			c, err := h.p.DecideRecordChange(h.owner, e.Request.ID, portal.DecideRecordChangeParams{Approve: true})
			require.NoError(t, err)
			assert.Equal(t, record.ChangeApproved, c.Status)
			got, err := h.p.GetRecord(admin, h.c.ID, r.ID)
			require.NoError(t, err)
			assert.Equal(t, "new@acme.example", got.Values["billing_email"])
			last := got.History[len(got.History)-1]
			assert.Equal(t, record.EventApproved, last.Kind)
			assert.Equal(t, "user:"+string(h.admin.UserID), last.By)
			_, err = h.p.DecideRecordChange(h.owner, e.Request.ID, portal.DecideRecordChangeParams{Approve: true})
			assertCode(t, portalerr.FailedPrecondition, err, "decided once")
		})
		t.Run("approval checks the version", func(t *testing.T) {
			r := h.contract(t, "R-6")
			e, err := h.edit(admin, r, map[string]string{"billing_email": "new@acme.example"})
			require.NoError(t, err)
			_, err = h.edit(h.owner, r, map[string]string{"status": "cancelled"})
			require.NoError(t, err)
			_, err = h.p.DecideRecordChange(h.owner, e.Request.ID, portal.DecideRecordChangeParams{Approve: true})
			assertCode(t, portalerr.Conflict, err, "the record changed since")
			got, err := h.p.GetRecord(admin, h.c.ID, r.ID)
			require.NoError(t, err)
			assert.Equal(t, "billing@acme.example", got.Values["billing_email"])
			c, err := h.p.DecideRecordChange(h.owner, e.Request.ID, portal.DecideRecordChangeParams{Approve: false, Note: "ask again"})
			require.NoError(t, err)
			assert.Equal(t, record.ChangeRejected, c.Status)
		})
		t.Run("stale version", func(t *testing.T) {
			r := h.contract(t, "R-7")
			_, err := h.edit(admin, r, map[string]string{"monthly_instalment": "10100"})
			require.NoError(t, err)
			_, err = h.edit(admin, r, map[string]string{"monthly_instalment": "10200"})
			assertCode(t, portalerr.Conflict, err)
		})
	})
}

// A claim with one wrong identifier fails exactly as one of a record that
// does not exist; every attempt is audited and they are rate limited.
func TestClaimRecord(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		res, err := h.p.UpsertRecords(h.owner, []portal.UpsertRecordParams{
			{Type: record.TypeContract, ExternalRef: "erp-free", Values: map[string]string{"contract_number": "C-77", "customer_number": "K-77", "status": "active"}},
		})
		require.NoError(t, err)
		free := res[0].RecordID
		admin := as(t, h.admin)
		_, err = h.p.GetRecord(admin, "", free)
		assertCode(t, portalerr.NotFound, err, "a record of no customer is nobody's to read")
		_, err = h.p.UpdateRecord(h.owner, "", free, portal.UpdateRecordParams{Version: 1, Values: map[string]string{"status": "ended"}})
		assertCode(t, portalerr.NotFound, err)
		claim := func(ids map[string]string) error {
			_, err := h.p.ClaimRecord(admin, h.c.ID, portal.ClaimRecordParams{Type: record.TypeContract, Identifiers: ids})
			return err
		}
		wrong := claim(map[string]string{"contract_number": "C-77", "customer_number": "K-78"})
		missing := claim(map[string]string{"contract_number": "C-99", "customer_number": "K-99"})
		partial := claim(map[string]string{"contract_number": "C-77"})
		assertCode(t, portalerr.NotFound, wrong)
		assert.Equal(t, missing.Error(), wrong.Error(), "one wrong value fails as a missing record")
		assert.Equal(t, missing.Error(), partial.Error())
		_, err = h.p.ClaimRecord(as(t, h.maintainer), h.c.ID, portal.ClaimRecordParams{Type: record.TypeContract, Identifiers: map[string]string{"contract_number": "C-77", "customer_number": "K-77"}})
		assertCode(t, portalerr.PermissionDenied, err)

		got, err := h.p.ClaimRecord(admin, h.c.ID, portal.ClaimRecordParams{Type: record.TypeContract, Identifiers: map[string]string{"contract_number": " C-77", "customer_number": "K-77"}})
		require.NoError(t, err)
		assert.Equal(t, free, got.ID)
		assert.Equal(t, h.c.ID, got.CustomerID)
		assert.Equal(t, record.EventClaimed, got.History[len(got.History)-1].Kind)
		again := claim(map[string]string{"contract_number": "C-77", "customer_number": "K-77"})
		assert.Equal(t, missing.Error(), again.Error(), "a claimed record is no longer claimable")

		var actions []string
		for _, e := range h.audit(t) {
			if strings.HasPrefix(e.Action, "record.") {
				actions = append(actions, e.Action)
			}
		}
		assert.Equal(t, []string{"record.claim_failed", "record.claim_failed", "record.claim_failed", "record.claimed", "record.claim_failed"}, actions)

		for i := 0; i < portal.DefaultClaimLimit.N; i++ {
			if err := claim(map[string]string{"contract_number": "C-1", "customer_number": "K-1"}); portalerr.CodeOf(err) == portalerr.RateLimited {
				break
			}
		}
		err = claim(map[string]string{"contract_number": "C-1", "customer_number": "K-1"})
		assertCode(t, portalerr.RateLimited, err)
		last := h.audit(t)
		assert.Equal(t, "record.claim_limited", last[len(last)-1].Action)
	})
}

func TestUpsertRecords(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		items := []portal.UpsertRecordParams{
			{CustomerID: h.c.ID, Type: record.TypeMeter, ExternalRef: "m-1", Values: map[string]string{"meter_number": "M-1", "contract_number": "C-1", "medium": "gas"}},
			{Type: record.TypeDomain, ExternalRef: "d-1", Values: map[string]string{"domain_name": "acme.example"}},
		}
		res, err := h.p.UpsertRecords(h.owner, items)
		require.NoError(t, err)
		assert.Equal(t, portal.UpsertCreated, res[0].Outcome)
		assert.Equal(t, portal.UpsertCreated, res[1].Outcome)
		again, err := h.p.UpsertRecords(h.owner, items)
		require.NoError(t, err)
		assert.Equal(t, []portal.UpsertResult{{RecordID: res[0].RecordID, Outcome: portal.UpsertUnchanged}, {RecordID: res[1].RecordID, Outcome: portal.UpsertUnchanged}}, again)
		got, err := h.p.GetRecord(h.owner, h.c.ID, res[0].RecordID)
		require.NoError(t, err)
		assert.Equal(t, int64(1), got.Version, "repeating an upsert changes nothing")

		items[0].Values["last_reading"] = "123.5"
		upd, err := h.p.UpsertRecords(h.owner, items)
		require.NoError(t, err)
		assert.Equal(t, portal.UpsertUpdated, upd[0].Outcome)
		assert.Equal(t, portal.UpsertUnchanged, upd[1].Outcome)

		bad := []portal.UpsertRecordParams{items[0], {Type: record.TypeMeter, ExternalRef: "m-2", Values: map[string]string{"meter_number": "M-2"}}, items[0]}
		_, err = h.p.UpsertRecords(h.owner, bad)
		assertCode(t, portalerr.Invalid, err)
		var fields []string
		for _, f := range portalerr.FieldsOf(err) {
			fields = append(fields, f.Field)
		}
		assert.Contains(t, fields, "records[2].external_ref")

		many := make([]portal.UpsertRecordParams, portal.MaxRecordUpserts+1)
		_, err = h.p.UpsertRecords(h.owner, many)
		assertCode(t, portalerr.Invalid, err)
		assert.Contains(t, portalerr.MessageOf(err), "at most 1000 records per request, got 1001")
	})
}

// recordTenant gives a tenant of the authorization fixture a task its
// maintainers may edit, a contract with a change request waiting, and an
// unassigned contract its admins may claim.
func (f fixture) recordTenant(t *testing.T, tn tenant) (task, contract, meter record.Record, change record.ChangeRequest, claimIDs map[string]string) {
	t.Helper()
	var err error
	task, err = f.p.CreateRecord(f.owner, tn.c.ID, portal.RecordParams{Type: record.TypeTask, Values: map[string]string{"title": "Check", "status": "open"}})
	require.NoError(t, err)
	meter, err = f.p.CreateRecord(f.owner, tn.c.ID, portal.RecordParams{Type: record.TypeMeter, SiteID: tn.site.ID,
		Values: map[string]string{"meter_number": "M-1", "contract_number": "C-1", "medium": "gas"}})
	require.NoError(t, err)
	contract, err = f.p.CreateRecord(f.owner, tn.c.ID, portal.RecordParams{Type: record.TypeContract, Values: contractValues("C-" + string(tn.c.ID))})
	require.NoError(t, err)
	e, err := f.p.UpdateRecord(as(t, tn.admin), tn.c.ID, contract.ID, portal.UpdateRecordParams{Version: contract.Version, Values: map[string]string{"billing_email": "x@example.com"}})
	require.NoError(t, err)
	require.NotNil(t, e.Request)
	claimIDs = map[string]string{"contract_number": "FREE-" + string(tn.c.ID), "customer_number": "K-FREE"}
	_, err = f.p.UpsertRecords(f.owner, []portal.UpsertRecordParams{{Type: record.TypeContract, ExternalRef: "free-" + string(tn.c.ID),
		Values: map[string]string{"contract_number": claimIDs["contract_number"], "customer_number": "K-FREE", "status": "active"}}})
	require.NoError(t, err)
	return task, contract, meter, *e.Request, claimIDs
}

// recordCustomer returns the customer of a record a use case returned.
func recordCustomer(r record.Record, err error) ([]customer.ID, error) {
	if err != nil {
		return nil, err
	}
	return []customer.ID{r.CustomerID}, nil
}

// A record's action opens a ticket of its type that names the record.
func TestRunRecordAction(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		c := h.contract(t, "C-1")
		_, err := h.p.RunRecordAction(as(t, h.maintainer), h.c.ID, c.ID, "cancel", portal.RecordActionParams{})
		assertCode(t, portalerr.PermissionDenied, err, "cancelling is for admins")
		_, err = h.p.RunRecordAction(as(t, h.admin), h.c.ID, c.ID, "report_reading", portal.RecordActionParams{})
		assertCode(t, portalerr.NotFound, err, "a contract has no meter readings")
		tk, err := h.p.RunRecordAction(as(t, h.admin), h.c.ID, c.ID, "cancel", portal.RecordActionParams{Description: "We move out."})
		require.NoError(t, err)
		assert.Equal(t, "generic", tk.Type)
		assert.Equal(t, "Cancel contract: Contract C-1, K-C-1", tk.Subject)
		assert.Equal(t, "Record "+string(c.ID)+" (Contract C-1, K-C-1)\n\nWe move out.", tk.Description)
		assert.Equal(t, h.admin.UserID, tk.RequestedBy)
		assert.Equal(t, c.ID, tk.Links.RecordID, "the ticket links to its record")
		stored, err := h.p.GetTicket(as(t, h.admin), h.c.ID, tk.ID)
		require.NoError(t, err)
		assert.Equal(t, c.ID, stored.Links.RecordID)

		other := h.contract(t, "C-2")
		_, err = h.p.RunRecordAction(as(t, h.admin), h.c.ID, other.ID, "cancel", portal.RecordActionParams{})
		require.NoError(t, err)
		l, err := h.p.ListTickets(as(t, h.admin), h.c.ID, portal.ListTicketsParams{RecordID: c.ID})
		require.NoError(t, err)
		require.Len(t, l.Items, 1, "ListTickets filters by record")
		assert.Equal(t, tk.ID, l.Items[0].ID)
	})
}

// RecordActions offers each caller the actions it may take: by the
// action's role, and a ticket action only to who may open tickets.
func TestRecordActionsOffered(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		_, err := h.p.DefineRecordType(h.owner, record.Type{Name: "line", Fields: []record.Field{{Name: "number", Kind: record.KindText, Customer: true}},
			Actions: []record.Action{
				{Name: "fault", TicketType: "generic"},
				{Name: "move", Webhook: true, Role: customer.RoleAdmin},
			}})
		require.NoError(t, err)
		rec, err := h.p.CreateRecord(h.owner, h.c.ID, portal.RecordParams{Type: "line", Values: map[string]string{"number": "L-1"}})
		require.NoError(t, err)
		offered := func(ctx context.Context) []string {
			t.Helper()
			acts, err := h.p.RecordActions(ctx, h.c.ID, rec.ID)
			require.NoError(t, err)
			var names []string
			for _, a := range acts {
				names = append(names, a.Name)
			}
			return names
		}
		assert.Equal(t, []string{"fault", "move"}, offered(as(t, h.admin)))
		assert.Equal(t, []string{"fault"}, offered(as(t, h.maintainer)))
		assert.Empty(t, offered(as(t, h.viewer)))
		assert.Equal(t, []string{"fault", "move"}, offered(portaltest.ServiceDesk(t.Context())))
		assert.Equal(t, []string{"move"}, offered(portaltest.As(t.Context(), identity.Staff("stf_agent", identity.StaffAgent))),
			"opening tickets is the service desk's")

		cur, err := h.p.GetCustomer(h.owner, h.c.ID)
		require.NoError(t, err)
		_, err = h.p.UpdateFeatures(h.owner, h.c.ID, portal.UpdateFeaturesParams{Version: cur.Version, FeaturesPatch: customer.FeaturesPatch{Tickets: ptr(false)}})
		require.NoError(t, err)
		assert.Equal(t, []string{"move"}, offered(as(t, h.admin)), "no ticket actions without the tickets feature")
		_, err = h.p.RecordActions(as(t, h.admin), h.c.ID, "rec_nosuch")
		assertCode(t, portalerr.NotFound, err)
	})
}

// A ticket may link only to a record of its own customer.
func TestTicketRecordLinkStaysWithTheCustomer(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		mine := h.contract(t, "C-1")
		other := h.createCustomer(t, "Globex")
		theirs, err := h.p.CreateRecord(h.owner, other.ID, portal.RecordParams{Type: record.TypeContract, Values: contractValues("C-9")})
		require.NoError(t, err)
		_, err = h.p.OpenTicket(as(t, h.admin), h.c.ID, portal.OpenTicketParams{Type: "generic", Subject: "x",
			Links: portal.TicketLinksParams{RecordID: theirs.ID}})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, "links.record_id", portalerr.FieldsOf(err)[0].Field)
		tk, err := h.p.OpenTicket(as(t, h.admin), h.c.ID, portal.OpenTicketParams{Type: "generic", Subject: "x",
			Links: portal.TicketLinksParams{RecordID: mine.ID}})
		require.NoError(t, err)
		assert.Equal(t, mine.ID, tk.Links.RecordID)
	})
}

// Sites and stock items a record names must be its customer's.
func TestRecordReferencesStayWithTheCustomer(t *testing.T) {
	t.Parallel()
	eachRecords(t, func(t *testing.T, h records) {
		other := h.createCustomer(t, "Globex")
		theirs := h.createSite(t, other.ID, "Their HQ")
		values := contractValues("C-9")
		values["site"] = string(theirs.ID)
		_, err := h.p.CreateRecord(h.owner, h.c.ID, portal.RecordParams{Type: record.TypeContract, Values: values})
		assertCode(t, portalerr.Invalid, err)
		assert.Equal(t, "values.site", portalerr.FieldsOf(err)[0].Field)
		_, err = h.p.CreateRecord(h.owner, h.c.ID, portal.RecordParams{Type: record.TypeContract, SiteID: theirs.ID, Values: contractValues("C-9")})
		assertCode(t, portalerr.Invalid, err)
		values["site"] = string(h.site.ID)
		r, err := h.p.CreateRecord(h.owner, h.c.ID, portal.RecordParams{Type: record.TypeContract, SiteID: h.site.ID, Values: values})
		require.NoError(t, err)
		_, err = h.edit(h.owner, r, map[string]string{"site": string(theirs.ID)})
		assertCode(t, portalerr.Invalid, err, "nor by a change")
		_, err = h.p.UpsertRecords(h.owner, []portal.UpsertRecordParams{{Type: record.TypeContract, ExternalRef: "free", Values: values}})
		assertCode(t, portalerr.Invalid, err, "a record of no customer names no site")
	})
}
