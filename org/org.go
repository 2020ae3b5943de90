package org

import (
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// EmployeeID identifies an employee ("emp_" + UUIDv7).
type EmployeeID string

// Status is where an employee stands.
type Status string

// Statuses.
const (
	// StatusActive: employed, may be issued devices.
	StatusActive Status = "active"
	// StatusLocked: left the HR system while holding devices; waits until
	// each is returned or retired.
	StatusLocked Status = "locked"
	// StatusLeft: gone, kept as history.
	StatusLeft Status = "left"
)

// Valid reports whether s is one of the statuses.
func (s Status) Valid() bool { return s == StatusActive || s == StatusLocked || s == StatusLeft }

// Employee is a person of a customer as its HR system knows it. Every
// field but the ID, the status and the times comes from the source and is
// overwritten by the next sync.
type Employee struct {
	ID         EmployeeID
	CustomerID customer.ID
	// ExternalID is the person's key in the source, unique within the
	// customer among employees who have not left.
	ExternalID     string
	EmployeeNumber string
	Name           string
	// Email is normalised (customer.NormalizeEmail); optional.
	Email    string
	Username string
	// Department and CostCentre are the codes of the employee's Units.
	Department string
	CostCentre string
	// Location is the name of the place the person works at, and SiteID
	// the customer's site of that name, when there is one.
	Location string
	SiteID   customer.SiteID
	// ManagerExternalID is the ExternalID of the person's manager.
	ManagerExternalID string
	Status            Status
	// Source says which sync wrote the employee last: "csv", "scim", or the
	// name of a pull source.
	Source    string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// LeftAt is when the employee was locked or left; zero while active.
	LeftAt time.Time
}

// CheckIssuable returns nil when devices may be issued to e: FailedPrecondition
// for a locked or left employee.
func (e Employee) CheckIssuable() error {
	if e.Status != StatusActive {
		return portalerr.New(portalerr.FailedPrecondition, "employee %s is %s: devices go to active employees only", e.ID, e.Status)
	}
	return nil
}

// Leave returns e as it is after leaving the source at now: locked while
// it still holds devices (held > 0), else left.
func (e Employee) Leave(held int, now time.Time) Employee {
	next := e
	if held > 0 {
		next.Status = StatusLocked
	} else {
		next.Status = StatusLeft
	}
	if e.LeftAt.IsZero() {
		next.LeftAt = now
	}
	next.UpdatedAt = now
	return next
}

// UnitKind is what a Unit is.
type UnitKind string

// Unit kinds.
const (
	KindDepartment UnitKind = "department"
	KindCostCentre UnitKind = "cost_centre"
)

// Valid reports whether k is one of the kinds.
func (k UnitKind) Valid() bool { return k == KindDepartment || k == KindCostCentre }

// Unit is a department or a cost centre of a customer, in a hierarchy
// through ParentCode. Its Code is unique per customer and kind.
type Unit struct {
	CustomerID customer.ID
	Kind       UnitKind
	Code       string
	Name       string
	// ParentCode is the Code of the unit of the same kind above this one;
	// empty at the top.
	ParentCode string
	UpdatedAt  time.Time
}
