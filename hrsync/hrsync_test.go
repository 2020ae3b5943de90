package hrsync_test

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xuri/excelize/v2"

	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portalerr"
)

func TestReadCSVMapsColumnsAndReportsBadRows(t *testing.T) {
	csv := "Personalnummer;Vorname Name;Mail;Abteilung;Austritt\n" +
		"E1;Ann Archer;Ann@Example.com;IT;\n" +
		";No Key;x@example.com;IT;\n" +
		"E3;Cid;not-an-address;IT;\n" +
		"\n" +
		"E4;Dee;dee@example.com;Sales;ja\n" +
		"E5;Eve;eve@example.com;Sales;1\n"
	recs, bad, err := hrsync.ReadCSV(strings.NewReader(csv), hrsync.Mapping{
		hrsync.FieldExternalID: "personalnummer", hrsync.FieldName: "Vorname Name", hrsync.FieldEmail: "Mail",
		hrsync.FieldDepartment: "Abteilung", hrsync.FieldInactive: "Austritt",
	})
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, hrsync.Record{Line: 2, ExternalID: "E1", Name: "Ann Archer", Email: "ann@example.com", Department: "IT"}, recs[0])
	assert.Equal(t, hrsync.Record{Line: 7, ExternalID: "E5", Name: "Eve", Email: "eve@example.com", Department: "Sales", Inactive: true}, recs[1])
	assert.Equal(t, []hrsync.RowError{
		{Line: 3, Message: "external_id is required"},
		{Line: 4, ExternalID: "E3", Message: `email "not-an-address" is not an e-mail address`},
		{Line: 6, ExternalID: "E4", Message: `inactive "ja" is neither true nor false`},
	}, bad)
}

func TestReadCSVRefusesMissingColumns(t *testing.T) {
	_, _, err := hrsync.ReadCSV(strings.NewReader("id,full_name\n1,Ann\n"), hrsync.Mapping{hrsync.FieldName: "name"})
	require.Error(t, err)
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
	var pe *portalerr.Error
	require.ErrorAs(t, err, &pe)
	var fields []string
	for _, f := range pe.Fields {
		fields = append(fields, f.Field)
	}
	assert.ElementsMatch(t, []string{"mapping.name", "mapping.external_id"}, fields)
	// Columns named like the fields need no mapping.
	recs, bad, err := hrsync.ReadCSV(strings.NewReader("external_id,name\n1,Ann\n"), nil)
	require.NoError(t, err)
	assert.Empty(t, bad)
	assert.Len(t, recs, 1)
}

func emp(id, ext, name string, st org.Status) org.Employee {
	return org.Employee{ID: org.EmployeeID(id), ExternalID: ext, Name: name, Username: strings.ToLower(name), Email: strings.ToLower(name) + "@example.com", Status: st}
}

func TestMakePlan(t *testing.T) {
	current := []org.Employee{
		emp("emp_1", "E1", "Ann", org.StatusActive),
		emp("emp_2", "E2", "Bob", org.StatusActive),
		emp("emp_3", "E3", "Cid", org.StatusActive),
		emp("emp_4", "E4", "Dee", org.StatusActive),
		emp("emp_5", "OLD-5", "Eve", org.StatusActive), // found by username
		emp("emp_6", "OLD-6", "Fay", org.StatusActive), // found by e-mail
		emp("emp_7", "E7", "Gus", org.StatusLeft),
	}
	current[5].Username = ""
	in := []hrsync.Record{
		{Line: 2, ExternalID: "E1", Name: "Ann", Username: "ann", Email: "ann@example.com"},         // unchanged
		{Line: 3, ExternalID: "E2", Name: "Bob Builder", Username: "bob", Email: "bob@example.com"}, // renamed
		{Line: 4, ExternalID: "E5", Name: "Eve", Username: "eve"},
		{Line: 5, ExternalID: "E6", Name: "Fay", Email: "fay@example.com"},
		{Line: 6, ExternalID: "E8", Name: "Hal"},
		{Line: 7, ExternalID: "E8", Name: "Hal twice"},
		{Line: 8, ExternalID: "E7", Name: "Gus", Username: "gus", Email: "gus@example.com"}, // back after leaving
		{Line: 9, ExternalID: "E4", Name: "Dee", Inactive: true},
	}
	p := hrsync.MakePlan(current, in, []hrsync.RowError{{Line: 10, Message: "bad"}},
		map[org.EmployeeID]int{"emp_3": 2}, hrsync.Options{Threshold: 1})
	byExt := map[string]hrsync.Change{}
	for _, c := range p.Changes {
		byExt[c.ExternalID] = c
	}
	assert.Equal(t, hrsync.ActUpdate, byExt["E2"].Action)
	assert.Equal(t, []hrsync.FieldChange{{Field: "name", From: "Bob", To: "Bob Builder"}}, byExt["E2"].Fields)
	assert.Equal(t, "username", byExt["E5"].MatchedBy)
	assert.Equal(t, org.EmployeeID("emp_5"), byExt["E5"].EmployeeID)
	assert.Equal(t, "email", byExt["E6"].MatchedBy)
	assert.Equal(t, hrsync.ActCreate, byExt["E8"].Action)
	assert.Equal(t, hrsync.ActUpdate, byExt["E7"].Action, "an employee who left comes back by external ID")
	assert.Equal(t, hrsync.Change{Action: hrsync.ActLock, EmployeeID: "emp_3", ExternalID: "E3", Name: "Cid", Held: 2}, byExt["E3"])
	assert.Equal(t, hrsync.ActRemove, byExt["E4"].Action, "inactive in the source, holding nothing")
	assert.Equal(t, hrsync.Counts{Create: 1, Update: 4, Lock: 1, Remove: 1, Unchanged: 1, Errors: 2}, p.Counts)
	assert.Equal(t, []hrsync.RowError{{Line: 7, ExternalID: "E8", Message: `external_id "E8" is also on line 6`}, {Line: 10, Message: "bad"}}, p.Errors)
	assert.Equal(t, 6, p.Current)
	assert.False(t, p.NeedsConfirmation)
}

func TestMakePlanThreshold(t *testing.T) {
	var current []org.Employee
	var in []hrsync.Record
	for i := range 20 {
		ext := string(rune('A'+i)) + "1"
		current = append(current, emp("emp_"+ext, ext, "P"+ext, org.StatusActive))
		in = append(in, hrsync.Record{ExternalID: ext, Name: "P" + ext, Username: strings.ToLower("P" + ext), Email: strings.ToLower("P"+ext) + "@example.com"})
	}
	for _, tc := range []struct {
		leaving int
		want    bool
	}{{0, false}, {2, false}, {3, true}, {20, true}} {
		p := hrsync.MakePlan(current, in[tc.leaving:], nil, nil, hrsync.Options{})
		assert.Equal(t, tc.leaving, p.Leaving())
		assert.Equal(t, tc.want, p.NeedsConfirmation, "%d of 20 leaving (the default threshold is more than 10%%)", tc.leaving)
		assert.Equal(t, tc.want, portalerr.CodeOf(hrsync.CheckConfirmed(p, false)) == portalerr.FailedPrecondition)
		assert.NoError(t, hrsync.CheckConfirmed(p, true))
	}
}

func TestLeaveLocksWhileHolding(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	e := emp("emp_1", "E1", "Ann", org.StatusActive)
	locked := e.Leave(1, now)
	assert.Equal(t, org.StatusLocked, locked.Status)
	assert.Equal(t, now, locked.LeftAt)
	left := locked.Leave(0, now.Add(time.Hour))
	assert.Equal(t, org.StatusLeft, left.Status)
	assert.Equal(t, now, left.LeftAt, "the day of leaving stays")
	assert.Error(t, locked.CheckIssuable())
	assert.NoError(t, e.CheckIssuable())
}

func TestReadXLSX(t *testing.T) {
	f := excelize.NewFile()
	sheet := f.GetSheetName(0)
	for i, row := range [][]any{
		{"Personalnummer", "Name", "E-Mail"},
		{"E1", "Ann Archer", "ann@example.com"},
		{"E2", "", "bob@example.com"},
		{},
		{4711, "Numeric Id", ""},
	} {
		cell, err := excelize.CoordinatesToCellName(1, i+1)
		require.NoError(t, err)
		require.NoError(t, f.SetSheetRow(sheet, cell, &row))
	}
	var buf bytes.Buffer
	require.NoError(t, f.Write(&buf))
	recs, bad, err := hrsync.ReadXLSX(&buf, hrsync.Mapping{hrsync.FieldExternalID: "Personalnummer", hrsync.FieldEmail: "E-Mail"})
	require.NoError(t, err)
	assert.Equal(t, []hrsync.Record{
		{Line: 2, ExternalID: "E1", Name: "Ann Archer", Email: "ann@example.com"},
		{Line: 5, ExternalID: "4711", Name: "Numeric Id"},
	}, recs)
	assert.Equal(t, []hrsync.RowError{{Line: 3, ExternalID: "E2", Message: "name is required"}}, bad)

	_, _, err = hrsync.ReadXLSX(strings.NewReader("not a workbook"), nil)
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
}

func TestPlanWithFilterKeepsOnlyMatchingRows(t *testing.T) {
	current := []org.Employee{
		{ID: "emp_1", ExternalID: "E1", Name: "Ann", Location: "Berlin", Department: "IT", Status: org.StatusActive},
		{ID: "emp_2", ExternalID: "E2", Name: "Bob", Location: "Hamburg", Department: "IT", Status: org.StatusActive},
		{ID: "emp_3", ExternalID: "E3", Name: "Cid", Location: "Berlin", Department: "Sales", Status: org.StatusActive},
	}
	in := []hrsync.Record{
		{Line: 2, ExternalID: "E1", Name: "Ann", Location: "Berlin", Department: "IT"},
		{Line: 3, ExternalID: "E2", Name: "Bob", Location: "Hamburg", Department: "IT"},
		{Line: 4, ExternalID: "E3", Name: "Cid", Location: "Berlin", Department: "Sales"},
		{Line: 5, ExternalID: "E4", Name: "Dee", Location: "berlin", Department: "it"},
		{Line: 6, ExternalID: "E5", Name: "Eve", Location: "Munich", Department: "IT"},
	}
	held := map[org.EmployeeID]int{"emp_2": 1}
	f := hrsync.Filter{Locations: []string{" Berlin ", "BERLIN", ""}, Departments: []string{"IT"}}.Normalize()
	assert.Equal(t, hrsync.Filter{Locations: []string{"Berlin"}, Departments: []string{"IT"}}, f)
	p := hrsync.MakePlan(current, in, nil, held, hrsync.Options{Filter: f, Threshold: 1})
	// E1 stays, E4 is new (case ignored); E2 (another location, holding a
	// device) is locked and E3 (another department) removed; E5 is dropped.
	assert.Equal(t, hrsync.Counts{Create: 1, Lock: 1, Remove: 1, Unchanged: 1}, p.Counts)
	got := map[string]hrsync.Action{}
	for _, c := range p.Changes {
		got[c.ExternalID] = c.Action
	}
	assert.Equal(t, map[string]hrsync.Action{"E4": hrsync.ActCreate, "E2": hrsync.ActLock, "E3": hrsync.ActRemove}, got)

	// Without a filter everyone is in the source.
	p = hrsync.MakePlan(current, in, nil, held, hrsync.Options{Threshold: 1})
	assert.Equal(t, hrsync.Counts{Create: 2, Unchanged: 3}, p.Counts)

	// Departments alone filter too; a filter that is too long is Invalid.
	p = hrsync.MakePlan(current, in, nil, held, hrsync.Options{Filter: hrsync.Filter{Departments: []string{"Sales"}}, Threshold: 1})
	assert.Equal(t, hrsync.Counts{Lock: 1, Remove: 1, Unchanged: 1}, p.Counts)
	assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(hrsync.Filter{Locations: []string{strings.Repeat("x", hrsync.MaxField+1)}}.Validate()))
	assert.NoError(t, f.Validate())
}

// TestRunStatusesListsEveryStatus keeps RunStatuses, which the pages'
// translation test iterates, in step with the RunStatus constants of
// run.go.
func TestRunStatusesListsEveryStatus(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "run.go", nil, 0)
	require.NoError(t, err)
	var declared []hrsync.RunStatus
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok {
			return true
		}
		if id, ok := spec.Type.(*ast.Ident); !ok || id.Name != "RunStatus" {
			return true
		}
		for _, v := range spec.Values {
			lit, ok := v.(*ast.BasicLit)
			require.True(t, ok, "a RunStatus constant is a string literal")
			s, err := strconv.Unquote(lit.Value)
			require.NoError(t, err)
			declared = append(declared, hrsync.RunStatus(s))
		}
		return true
	})
	require.NotEmpty(t, declared)
	assert.ElementsMatch(t, declared, hrsync.RunStatuses)
}
