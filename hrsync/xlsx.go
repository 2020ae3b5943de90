package hrsync

import (
	"io"
	"slices"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/portalkit/portalkit/portalerr"
)

// ReadXLSX reads the records of the first sheet of an Excel workbook
// (.xlsx) whose first row is a header, through m, as ReadCSV reads a CSV
// file: each row's line is its row number in the sheet, rows that cannot
// be taken are RowErrors, and the error is Invalid for a file that is no
// workbook, lacks a header, misses a mapped column or holds more than
// MaxRecords rows.
func ReadXLSX(r io.Reader, m Mapping) ([]Record, []RowError, error) {
	f, err := excelize.OpenReader(r)
	if err != nil {
		return nil, nil, portalerr.Invalidf("file", "is not an Excel workbook (.xlsx): %v", err)
	}
	defer func() { _ = f.Close() }()
	sheets := f.GetSheetList()
	if len(sheets) == 0 {
		return nil, nil, portalerr.Invalidf("file", "has no sheet")
	}
	rows, err := f.Rows(sheets[0])
	if err != nil {
		return nil, nil, portalerr.Invalidf("file", "cannot be read: %v", err)
	}
	defer func() { _ = rows.Close() }()
	if !rows.Next() {
		return nil, nil, portalerr.Invalidf("file", "has no header row")
	}
	header, err := rows.Columns()
	if err != nil {
		return nil, nil, portalerr.Invalidf("file", "cannot be read: %v", err)
	}
	cols, err := columns(header, m)
	if err != nil {
		return nil, nil, err
	}
	var (
		out  []Record
		bad  []RowError
		line = 1
	)
	for rows.Next() {
		line++
		row, err := rows.Columns()
		if err != nil {
			bad = append(bad, RowError{Line: line, Message: "cannot be read: " + err.Error()})
			continue
		}
		if slices.IndexFunc(row, func(s string) bool { return strings.TrimSpace(s) != "" }) < 0 {
			continue
		}
		if len(out)+len(bad) >= MaxRecords {
			return nil, nil, portalerr.Invalidf("file", "holds more than %d rows", MaxRecords)
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
