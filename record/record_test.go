package record_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/record"
)

var now = time.Date(2026, time.March, 10, 12, 0, 0, 0, time.UTC)

func contract(t *testing.T) record.Type {
	t.Helper()
	typ, ok := record.DefaultRegistry().Lookup(record.TypeContract, 0)
	require.True(t, ok)
	return typ
}

func aContract() record.Record {
	return record.Record{
		ID: "rec_1", CustomerID: "cus_1", Type: record.TypeContract, TypeVersion: 1,
		Values: map[string]string{
			"contract_number": "C-1", "customer_number": "K-9", "status": "active",
			"end_date": "2026-12-31", "monthly_instalment": "10000", "margin_note": "secret",
		},
		Version: 1,
	}
}

var admin = record.Editor{Role: customer.RoleAdmin, By: "user:usr_1"}

func TestDefaultTypesAreValid(t *testing.T) {
	for _, typ := range record.DefaultTypes() {
		assert.NoError(t, typ.Check(), typ.Name)
	}
}

func TestTypeCheckNamesEveryProblem(t *testing.T) {
	bad := record.Type{Name: "Bad Name", Version: 1, Fields: []record.Field{
		{Name: "a", Kind: "colour"},
		{Name: "a", Kind: record.KindEnum},
		{Name: "m", Kind: record.KindMoney},
		{Name: "i", Kind: record.KindText, Identifier: true},
		{Name: "n", Kind: record.KindText, Customer: true, Edit: record.EditRule{Role: customer.RoleAdmin, MaxChangePercent: 5, FreezeDays: 3, FreezeField: "a"}},
	}}
	fields := map[string]bool{}
	for _, f := range portalerr.FieldsOf(bad.Check()) {
		fields[f.Field] = true
	}
	for _, want := range []string{"name", "fields[0].kind", "fields[1].name", "fields[1].options", "fields[2].currency",
		"fields[3].identifier", "fields[4].edit.max_change_percent", "fields[4].edit.freeze_field"} {
		assert.True(t, fields[want], "no violation on %s: %v", want, fields)
	}
}

func TestCheckValues(t *testing.T) {
	typ := contract(t)
	_, err := typ.CheckValues(map[string]string{"contract_number": "C-1", "status": "gone", "monthly_instalment": "12.5", "colour": "red"})
	var got []string
	for _, f := range portalerr.FieldsOf(err) {
		got = append(got, f.Field)
	}
	assert.ElementsMatch(t, []string{"values.customer_number", "values.status", "values.monthly_instalment", "values.colour"}, got)

	v, err := typ.CheckValues(map[string]string{"contract_number": " C-1 ", "customer_number": "K", "status": "active", "product": ""})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"contract_number": "C-1", "customer_number": "K", "status": "active"}, v)
}

func TestShownLeavesHiddenFieldsOut(t *testing.T) {
	shown := contract(t).Shown(aContract().Values)
	assert.NotContains(t, shown, "margin_note")
	assert.Equal(t, "C-1", shown["contract_number"])
}

// Each rule of CheckEdit: one edit it refuses (naming the rule) and one it
// allows.
func TestCheckEditRules(t *testing.T) {
	typ := contract(t)
	// A type of our own for the approval and role cases.
	own := record.Type{Name: "plan", Version: 1, Fields: []record.Field{
		{Name: "email", Kind: record.KindText, Customer: true, Edit: record.EditRule{Role: customer.RoleMaintainer, Approval: true}},
		{Name: "note", Kind: record.KindText, Customer: true, Edit: record.EditRule{Role: customer.RoleMaintainer}},
	}}
	require.NoError(t, own.Check())
	recent := func(at time.Time, from, to string) record.Event {
		return record.Event{Kind: record.EventChanged, At: at, ByCustomer: true,
			Before: map[string]string{"monthly_instalment": from}, After: map[string]string{"monthly_instalment": to}}
	}
	tests := []struct {
		name     string
		typ      record.Type
		rec      func(*record.Record)
		changes  map[string]string
		ed       record.Editor
		at       time.Time
		rule     string // "" allows
		code     portalerr.Code
		approval bool
	}{
		{name: "role refuses a maintainer", typ: typ, changes: map[string]string{"monthly_instalment": "10500"},
			ed: record.Editor{Role: customer.RoleMaintainer}, at: now, rule: record.RuleRole, code: portalerr.PermissionDenied},
		{name: "role refuses a field without one", typ: typ, changes: map[string]string{"status": "ended"},
			ed: admin, at: now, rule: record.RuleRole, code: portalerr.PermissionDenied},
		{name: "role allows an admin", typ: typ, changes: map[string]string{"monthly_instalment": "10500"}, ed: admin, at: now},
		{name: "cadence refuses the third change in a year", typ: typ,
			rec: func(r *record.Record) {
				r.History = []record.Event{recent(now.AddDate(0, -6, 0), "9000", "9500"), recent(now.AddDate(0, -1, 0), "9500", "10000")}
			},
			changes: map[string]string{"monthly_instalment": "10500"}, ed: admin, at: now, rule: record.RuleCadence, code: portalerr.FailedPrecondition},
		{name: "cadence allows when an old change fell out of the period", typ: typ,
			rec: func(r *record.Record) {
				r.History = []record.Event{recent(now.AddDate(-1, -1, 0), "9000", "9500"), recent(now.AddDate(0, -1, 0), "9500", "10000")}
			},
			changes: map[string]string{"monthly_instalment": "10500"}, ed: admin, at: now},
		{name: "cadence does not count staff changes", typ: typ,
			rec: func(r *record.Record) {
				r.History = []record.Event{recent(now.AddDate(0, -2, 0), "9000", "9500"), recent(now.AddDate(0, -1, 0), "9500", "10000")}
				r.History[0].ByCustomer = false
			},
			changes: map[string]string{"monthly_instalment": "10500"}, ed: admin, at: now},
		{name: "relative change refuses 11%", typ: typ, changes: map[string]string{"monthly_instalment": "11100"},
			ed: admin, at: now, rule: record.RuleRelativeChange, code: portalerr.Invalid},
		{name: "relative change allows exactly -10%", typ: typ, changes: map[string]string{"monthly_instalment": "9000"}, ed: admin, at: now},
		{name: "freeze refuses 30 days before the end", typ: typ, changes: map[string]string{"monthly_instalment": "10100"},
			ed: admin, at: time.Date(2026, time.December, 1, 8, 0, 0, 0, time.UTC), rule: record.RuleFreeze, code: portalerr.FailedPrecondition},
		{name: "freeze refuses on the end date", typ: typ, changes: map[string]string{"monthly_instalment": "10100"},
			ed: admin, at: time.Date(2026, time.December, 31, 23, 0, 0, 0, time.UTC), rule: record.RuleFreeze, code: portalerr.FailedPrecondition},
		{name: "freeze allows 31 days before the end", typ: typ, changes: map[string]string{"monthly_instalment": "10100"},
			ed: admin, at: time.Date(2026, time.November, 30, 23, 0, 0, 0, time.UTC)},
		{name: "approval asks for approval", typ: own, changes: map[string]string{"email": "a@example.com"},
			ed: record.Editor{Role: customer.RoleMaintainer}, at: now, approval: true},
		{name: "a field without approval applies", typ: own, changes: map[string]string{"note": "hello"},
			ed: record.Editor{Role: customer.RoleMaintainer}, at: now},
		{name: "staff skip the rules", typ: typ, changes: map[string]string{"monthly_instalment": "50000", "status": "ended"},
			ed: record.Editor{Staff: true}, at: time.Date(2026, time.December, 30, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := aContract()
			if tt.typ.Name == "plan" {
				r = record.Record{ID: "rec_2", Type: "plan", TypeVersion: 1, Values: map[string]string{"email": "old@example.com"}}
			}
			if tt.rec != nil {
				tt.rec(&r)
			}
			e, err := tt.typ.CheckEdit(r, tt.changes, tt.ed, tt.at)
			if tt.rule != "" {
				require.Error(t, err)
				assert.Equal(t, tt.rule, record.RuleOf(err))
				assert.Equal(t, tt.code, portalerr.CodeOf(err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.approval, e.NeedsApproval)
			for k, v := range tt.changes {
				assert.Equal(t, v, e.Values[k])
				assert.Equal(t, v, e.After[k])
			}
		})
	}
}

func TestCheckEditHidesHiddenFieldsFromCustomers(t *testing.T) {
	_, err := contract(t).CheckEdit(aContract(), map[string]string{"margin_note": "x"}, admin, now)
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
	assert.Empty(t, record.RuleOf(err))
	_, err = contract(t).CheckEdit(aContract(), map[string]string{"monthly_instalment": "10000"}, admin, now)
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), "an edit that changes nothing")
}

func TestMatchIdentifiers(t *testing.T) {
	typ, r := contract(t), aContract()
	assert.True(t, typ.MatchIdentifiers(r, map[string]string{"contract_number": "C-1", "customer_number": "K-9"}))
	assert.False(t, typ.MatchIdentifiers(r, map[string]string{"contract_number": "C-1", "customer_number": "K-8"}))
	assert.False(t, typ.MatchIdentifiers(r, map[string]string{"contract_number": "C-1"}))
	assert.False(t, typ.MatchIdentifiers(r, map[string]string{"contract_number": "C-1", "customer_number": "K-9", "status": "active"}))
}

func TestRegistryVersions(t *testing.T) {
	reg := record.DefaultRegistry()
	v2, _ := reg.Lookup(record.TypeTask, 0)
	v2.Version = 2
	v2.Fields = append(v2.Fields, record.Field{Name: "priority", Kind: record.KindNumber, Customer: true})
	require.NoError(t, reg.Register(v2))
	latest, _ := reg.Lookup(record.TypeTask, 0)
	assert.Equal(t, 2, latest.Version)
	v1, ok := reg.Lookup(record.TypeTask, 1)
	require.True(t, ok)
	_, has := v1.Field("priority")
	assert.False(t, has, "version 1 is kept as it was")
	assert.True(t, v1.Builtin)
}

func TestDecide(t *testing.T) {
	c := record.ChangeRequest{ID: "rcr_1", Status: record.ChangePending}
	c, err := c.Decide(true, "staff:stf_1", now, "")
	require.NoError(t, err)
	assert.Equal(t, record.ChangeApproved, c.Status)
	_, err = c.Decide(false, "staff:stf_1", now, "")
	assert.Equal(t, portalerr.FailedPrecondition, portalerr.CodeOf(err))
}
