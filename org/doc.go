// Package org owns a customer's org structure as its HR or identity system
// knows it: Employee (with its status active, locked or left), the
// departments and cost centres it belongs to (Unit, with their hierarchy)
// and the locations it works at (mapped to the customer's sites by name).
//
// Employees are written by a sync (package hrsync), never by hand: what
// the HR system says wins. An employee who leaves while still holding
// devices of the supplier warehouse is StatusLocked until each device is
// returned or retired, and then StatusLeft; left employees are kept as
// history, never deleted.
//
// The package is pure: it holds values and rules and does no I/O.
package org
