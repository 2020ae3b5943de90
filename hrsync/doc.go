// Package hrsync owns the one-way sync of a customer's org structure from
// its HR or identity system: the Records a source delivers (a CSV file
// read through a Mapping, or a pull Source), the Plan that compares them
// with the stored employees (create, update, lock, remove), the deletion
// threshold that stops a plan for a person to confirm, and the Run that
// records every sync with its counts and the errors of its rows.
//
// Matching is by external ID, then username, then e-mail address. Synced
// fields are the source's: a local edit is overwritten by the next run. A
// bad row is reported with its line and never stops the others.
//
// The package is pure: it holds values and rules and does no I/O beyond
// reading the file it is given.
package hrsync
