package hrsync

import (
	"fmt"
	"slices"
	"time"

	"github.com/portalkit/portalkit/org"
)

// Action is what a plan does to one employee.
type Action string

// Actions of a plan.
const (
	ActCreate Action = "create" // new in the source
	ActUpdate Action = "update" // synced fields changed (or came back after leaving)
	ActLock   Action = "lock"   // left the source while holding devices
	ActRemove Action = "remove" // left the source holding nothing: kept as history
)

// FieldChange is one synced field a plan changes.
type FieldChange struct {
	Field string `json:"field"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// Change is one step of a plan.
type Change struct {
	Action Action `json:"action"`
	// EmployeeID is the stored employee changed; empty for ActCreate.
	EmployeeID org.EmployeeID `json:"employee_id,omitempty"`
	ExternalID string         `json:"external_id"`
	Name       string         `json:"name"`
	// Line is the record's line; 0 for lock and remove.
	Line int `json:"line,omitempty"`
	// Fields are the synced fields an update changes.
	Fields []FieldChange `json:"fields,omitempty"`
	// Held is how many devices a locked employee holds.
	Held int `json:"held,omitempty"`
	// MatchedBy says how an update found its employee: "external_id",
	// "username" or "email".
	MatchedBy string `json:"matched_by,omitempty"`
}

// Counts sum up a plan.
type Counts struct {
	Create    int `json:"create"`
	Update    int `json:"update"`
	Lock      int `json:"lock"`
	Remove    int `json:"remove"`
	Unchanged int `json:"unchanged"`
	Errors    int `json:"errors"`
}

// DefaultThreshold is the share of employees that may leave in one run
// before it stops for a person to confirm: more than 10%.
const DefaultThreshold = 0.10

// Options tune a plan.
type Options struct {
	// Threshold is the share of current employees (active or locked) that
	// may leave (lock or remove) without confirmation; 0 means
	// DefaultThreshold, and 1 or more never asks.
	Threshold float64
	// Source names the source, stored on the employees it writes.
	Source string
	// Filter drops the records of other locations or departments before
	// planning: their employees count as not in the source.
	Filter Filter
}

// Plan is what a sync would do: its changes, the rows it could not take,
// and whether it needs a person's confirmation.
type Plan struct {
	Changes []Change   `json:"changes"`
	Errors  []RowError `json:"errors,omitempty"`
	Counts  Counts     `json:"counts"`
	// Current is how many employees (active or locked) were stored.
	Current int `json:"current"`
	// Threshold is the share of Current that may leave unconfirmed.
	Threshold float64 `json:"threshold"`
	// NeedsConfirmation: more than the threshold would leave.
	NeedsConfirmation bool `json:"needs_confirmation"`
}

// Leaving is how many employees the plan locks or removes.
func (p Plan) Leaving() int { return p.Counts.Lock + p.Counts.Remove }

// MakePlan compares the records a source delivered (already normalised)
// with the customer's stored employees, current, and returns the plan.
// held says how many devices each employee holds. Matching is by external
// ID, then username, then e-mail address, among employees who have not
// left; an employee who left comes back only through its external ID. A
// record matched twice, or an external ID delivered twice, is a RowError
// and its employee is left as it is. bad are errors from reading the
// source, carried into the plan. Records opt.Filter drops are planned as
// if the source had not delivered them.
func MakePlan(current []org.Employee, in []Record, bad []RowError, held map[org.EmployeeID]int, opt Options) Plan {
	p := Plan{Errors: slices.Clone(bad)}
	in = opt.Filter.Apply(in)
	byExt := map[string]int{}
	byUser := map[string]int{}
	byMail := map[string]int{}
	for i, e := range current {
		if e.Status == org.StatusLeft {
			if _, ok := byExt[e.ExternalID]; !ok {
				byExt[e.ExternalID] = i
			}
			continue
		}
		p.Current++
		byExt[e.ExternalID] = i // one who has not left wins over history
		if e.Username != "" {
			byUser[e.Username] = i
		}
		if e.Email != "" {
			byMail[e.Email] = i
		}
	}
	seenExt := map[string]int{} // external ID → line
	matched := map[int]int{}    // employee index → line
	for _, r := range in {
		if line, dup := seenExt[r.ExternalID]; dup {
			p.Errors = append(p.Errors, RowError{Line: r.Line, ExternalID: r.ExternalID,
				Message: fmt.Sprintf("external_id %q is also on line %d", r.ExternalID, line)})
			continue
		}
		seenExt[r.ExternalID] = r.Line
		i, how := -1, ""
		if j, ok := byExt[r.ExternalID]; ok {
			i, how = j, "external_id"
		} else if j, ok := byUser[r.Username]; ok && r.Username != "" && current[j].Status != org.StatusLeft {
			i, how = j, "username"
		} else if j, ok := byMail[r.Email]; ok && r.Email != "" && current[j].Status != org.StatusLeft {
			i, how = j, "email"
		}
		if i >= 0 {
			if line, dup := matched[i]; dup {
				p.Errors = append(p.Errors, RowError{Line: r.Line, ExternalID: r.ExternalID,
					Message: fmt.Sprintf("matches employee %s, as line %d does", current[i].ID, line)})
				continue
			}
			matched[i] = r.Line
		}
		switch {
		case i < 0 && r.Inactive:
			// Never known, already gone: nothing to do.
			p.Counts.Unchanged++
		case i < 0:
			p.Changes = append(p.Changes, Change{Action: ActCreate, ExternalID: r.ExternalID, Name: r.Name, Line: r.Line})
		case r.Inactive:
			p.leave(current[i], held[current[i].ID], r.Line)
		default:
			e := current[i]
			fields := diff(e, r, opt.Source)
			if len(fields) == 0 {
				p.Counts.Unchanged++
				continue
			}
			p.Changes = append(p.Changes, Change{Action: ActUpdate, EmployeeID: e.ID, ExternalID: r.ExternalID, Name: r.Name,
				Line: r.Line, Fields: fields, MatchedBy: how})
		}
	}
	for i, e := range current {
		if _, ok := matched[i]; ok || e.Status == org.StatusLeft {
			continue
		}
		p.leave(e, held[e.ID], 0)
	}
	for _, c := range p.Changes {
		switch c.Action {
		case ActCreate:
			p.Counts.Create++
		case ActUpdate:
			p.Counts.Update++
		case ActLock:
			p.Counts.Lock++
		case ActRemove:
			p.Counts.Remove++
		}
	}
	p.Counts.Errors = len(p.Errors)
	slices.SortStableFunc(p.Errors, func(a, b RowError) int { return a.Line - b.Line })
	th := opt.Threshold
	if th <= 0 {
		th = DefaultThreshold
	}
	p.Threshold = th
	p.NeedsConfirmation = p.Current > 0 && float64(p.Leaving()) > th*float64(p.Current)
	return p
}

// leave adds what becomes of e, who left the source, holding held devices:
// a lock while it holds any (nothing for one already locked), else removal.
func (p *Plan) leave(e org.Employee, held, line int) {
	switch {
	case e.Status == org.StatusLeft:
		p.Counts.Unchanged++
	case held > 0 && e.Status == org.StatusLocked:
		p.Counts.Unchanged++
	case held > 0:
		p.Changes = append(p.Changes, Change{Action: ActLock, EmployeeID: e.ID, ExternalID: e.ExternalID, Name: e.Name, Line: line, Held: held})
	default:
		p.Changes = append(p.Changes, Change{Action: ActRemove, EmployeeID: e.ID, ExternalID: e.ExternalID, Name: e.Name, Line: line})
	}
}

// diff returns the synced fields of e that r changes; an employee who
// had left or was locked and is back in the source changes status too.
func diff(e org.Employee, r Record, source string) []FieldChange {
	var out []FieldChange
	cmp := func(field, from, to string) {
		if from != to {
			out = append(out, FieldChange{Field: field, From: from, To: to})
		}
	}
	cmp("external_id", e.ExternalID, r.ExternalID)
	cmp("employee_number", e.EmployeeNumber, r.EmployeeNumber)
	cmp("name", e.Name, r.Name)
	cmp("email", e.Email, r.Email)
	cmp("username", e.Username, r.Username)
	cmp("department", e.Department, r.Department)
	cmp("cost_centre", e.CostCentre, r.CostCentre)
	cmp("location", e.Location, r.Location)
	cmp("manager_external_id", e.ManagerExternalID, r.ManagerExternalID)
	cmp("status", string(e.Status), string(org.StatusActive))
	if len(out) > 0 && source != "" {
		cmp("source", e.Source, source)
	}
	return out
}

// Apply returns e with the synced fields of r, active, as written by
// source at now.
func Apply(e org.Employee, r Record, source string, now time.Time) org.Employee {
	e.ExternalID, e.EmployeeNumber, e.Name, e.Email, e.Username = r.ExternalID, r.EmployeeNumber, r.Name, r.Email, r.Username
	e.Department, e.CostCentre, e.Location, e.ManagerExternalID = r.Department, r.CostCentre, r.Location, r.ManagerExternalID
	e.Status, e.LeftAt, e.Source, e.UpdatedAt = org.StatusActive, time.Time{}, source, now
	if e.CreatedAt.IsZero() {
		e.CreatedAt = now
	}
	return e
}

// Units returns the departments and cost centres the records name, each
// once (the first record naming a unit gives its parent).
func Units(in []Record) []org.Unit {
	seen := map[org.UnitKind]map[string]bool{org.KindDepartment: {}, org.KindCostCentre: {}}
	var out []org.Unit
	add := func(k org.UnitKind, code, parent string) {
		if code == "" || seen[k][code] {
			return
		}
		seen[k][code] = true
		out = append(out, org.Unit{Kind: k, Code: code, Name: code, ParentCode: parent})
	}
	for _, r := range in {
		if r.Inactive {
			continue
		}
		add(org.KindDepartment, r.Department, r.DepartmentParent)
		add(org.KindDepartment, r.DepartmentParent, "")
		add(org.KindCostCentre, r.CostCentre, r.CostCentreParent)
		add(org.KindCostCentre, r.CostCentreParent, "")
	}
	return out
}
