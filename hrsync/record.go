package hrsync

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// Record is one employee as a source delivers it.
type Record struct {
	// Line is the record's line in its file (1 is the header); 0 for
	// sources without lines.
	Line              int    `json:"line,omitempty"`
	ExternalID        string `json:"external_id"`
	EmployeeNumber    string `json:"employee_number,omitempty"`
	Name              string `json:"name"`
	Email             string `json:"email,omitempty"`
	Username          string `json:"username,omitempty"`
	Department        string `json:"department,omitempty"`
	DepartmentParent  string `json:"department_parent,omitempty"`
	CostCentre        string `json:"cost_centre,omitempty"`
	CostCentreParent  string `json:"cost_centre_parent,omitempty"`
	Location          string `json:"location,omitempty"`
	ManagerExternalID string `json:"manager_external_id,omitempty"`
	// Inactive marks a person the source still lists but who has left
	// (SCIM's active=false, an HR export's leaving flag).
	Inactive bool `json:"inactive,omitempty"`
}

// Limits of a record's fields, in characters.
const (
	MaxField = 200
	MaxEmail = 254
)

// Normalize returns r trimmed, with its e-mail address normalised, or an
// error naming what is wrong with it.
func (r Record) Normalize() (Record, error) {
	for _, f := range []*string{&r.ExternalID, &r.EmployeeNumber, &r.Name, &r.Email, &r.Username, &r.Department,
		&r.DepartmentParent, &r.CostCentre, &r.CostCentreParent, &r.Location, &r.ManagerExternalID} {
		*f = strings.TrimSpace(*f)
		if len(*f) > MaxEmail || (f != &r.Email && len(*f) > MaxField) {
			return r, errors.New("a value is too long")
		}
		if strings.ContainsAny(*f, "\r\n") {
			return r, errors.New("a value spans several lines")
		}
	}
	switch {
	case r.ExternalID == "":
		return r, errors.New("external_id is required")
	case r.Name == "":
		return r, errors.New("name is required")
	}
	if r.Email != "" {
		e, err := customer.NormalizeEmail(r.Email)
		if err != nil {
			return r, fmt.Errorf("email %q is not an e-mail address", r.Email)
		}
		r.Email = e
	}
	r.Username = strings.ToLower(r.Username)
	return r, nil
}

// Field names a field of a Record, as a Mapping and the API spell it.
type Field string

// Fields of a record.
const (
	FieldExternalID        Field = "external_id"
	FieldEmployeeNumber    Field = "employee_number"
	FieldName              Field = "name"
	FieldEmail             Field = "email"
	FieldUsername          Field = "username"
	FieldDepartment        Field = "department"
	FieldDepartmentParent  Field = "department_parent"
	FieldCostCentre        Field = "cost_centre"
	FieldCostCentreParent  Field = "cost_centre_parent"
	FieldLocation          Field = "location"
	FieldManagerExternalID Field = "manager_external_id"
	// FieldInactive is a column whose value "true", "1", "yes", "inactive"
	// or "left" marks a person who has left.
	FieldInactive Field = "inactive"
)

// Fields are every field of a record, in the order forms show them.
var Fields = []Field{FieldExternalID, FieldEmployeeNumber, FieldName, FieldEmail, FieldUsername, FieldDepartment,
	FieldDepartmentParent, FieldCostCentre, FieldCostCentreParent, FieldLocation, FieldManagerExternalID, FieldInactive}

// Mapping says which column of a file holds each field, by the column's
// header (compared case-insensitively). A field it leaves out is read from
// the column named like the field, when there is one.
type Mapping map[Field]string

// Limits of an import.
const (
	// MaxRecords is the most records one run takes.
	MaxRecords = 50_000
)

// RowError is a row a run could not take, with its line (0 when the
// source has no lines) and why.
type RowError struct {
	Line       int    `json:"line"`
	ExternalID string `json:"external_id,omitempty"`
	Message    string `json:"message"`
}

// ReadCSV reads the records of a CSV file whose first row is a header,
// through m. The separator is a comma or, when the header has more
// semicolons than commas (as spreadsheets in German locales write), a
// semicolon. Rows that cannot be read are returned as RowErrors with their
// lines, and do not stop the others; the error is Invalid only for a file
// that is not CSV at all, lacks a header, misses a mapped column or holds
// more than MaxRecords rows.
func ReadCSV(r io.Reader, m Mapping) ([]Record, []RowError, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, nil, fmt.Errorf("hrsync: reading file: %w", err)
	}
	text := strings.TrimPrefix(string(data), "\ufeff")
	head, _, _ := strings.Cut(text, "\n")
	cr := csv.NewReader(strings.NewReader(text))
	if strings.Count(head, ";") > strings.Count(head, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, portalerr.Invalidf("file", "has no header row: %v", err)
	}
	cols, err := columns(header, m)
	if err != nil {
		return nil, nil, err
	}
	var (
		out []Record
		bad []RowError
	)
	for {
		row, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && pe.Err != csv.ErrFieldCount {
				bad = append(bad, RowError{Line: pe.StartLine, Message: "cannot be read: " + pe.Err.Error()})
				if len(bad) > MaxRecords {
					return nil, nil, portalerr.Invalidf("file", "is not a CSV file")
				}
				continue
			}
		}
		if len(out)+len(bad) >= MaxRecords {
			return nil, nil, portalerr.Invalidf("file", "holds more than %d rows", MaxRecords)
		}
		if slices.IndexFunc(row, func(s string) bool { return strings.TrimSpace(s) != "" }) < 0 {
			continue // a blank line
		}
		rec, err := cols.record(row)
		rec.Line = line
		if err == nil {
			rec, err = rec.Normalize()
		}
		if err != nil {
			bad = append(bad, RowError{Line: line, ExternalID: strings.TrimSpace(rec.ExternalID), Message: err.Error()})
			continue
		}
		out = append(out, rec)
	}
	return out, bad, nil
}

// colMap is the index of each mapped field's column; -1 when absent.
type colMap map[Field]int

func columns(header []string, m Mapping) (colMap, error) {
	idx := map[string]int{}
	for i, h := range header {
		idx[strings.ToLower(strings.TrimSpace(h))] = i
	}
	out := colMap{}
	var bad []portalerr.FieldViolation
	for f, col := range m {
		if !slices.Contains(Fields, f) {
			bad = append(bad, portalerr.FieldViolation{Field: "mapping." + string(f), Message: "is not a field of an employee"})
			continue
		}
		if strings.TrimSpace(col) == "" {
			continue
		}
		i, ok := idx[strings.ToLower(strings.TrimSpace(col))]
		if !ok {
			bad = append(bad, portalerr.FieldViolation{Field: "mapping." + string(f), Message: fmt.Sprintf("the file has no column %q", col)})
			continue
		}
		out[f] = i
	}
	for _, f := range Fields {
		if _, ok := out[f]; ok {
			continue
		}
		if i, ok := idx[string(f)]; ok && m[f] == "" {
			out[f] = i
		}
	}
	for _, f := range []Field{FieldExternalID, FieldName} {
		if _, ok := out[f]; !ok && m[f] == "" {
			bad = append(bad, portalerr.FieldViolation{Field: "mapping." + string(f), Message: "is required: name the column that holds it"})
		}
	}
	if err := portalerr.InvalidFields(bad...); err != nil {
		return nil, err
	}
	return out, nil
}

func (c colMap) record(row []string) (Record, error) {
	get := func(f Field) string {
		if i, ok := c[f]; ok && i < len(row) {
			return row[i]
		}
		return ""
	}
	r := Record{
		ExternalID: get(FieldExternalID), EmployeeNumber: get(FieldEmployeeNumber), Name: get(FieldName),
		Email: get(FieldEmail), Username: get(FieldUsername), Department: get(FieldDepartment),
		DepartmentParent: get(FieldDepartmentParent), CostCentre: get(FieldCostCentre),
		CostCentreParent: get(FieldCostCentreParent), Location: get(FieldLocation),
		ManagerExternalID: get(FieldManagerExternalID),
	}
	switch strings.ToLower(strings.TrimSpace(get(FieldInactive))) {
	case "", "false", "0", "no", "active":
	case "true", "1", "yes", "inactive", "left":
		r.Inactive = true
	default:
		return r, fmt.Errorf("inactive %q is neither true nor false", get(FieldInactive))
	}
	return r, nil
}
