package portal

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/org"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
	"github.com/portalkit/portalkit/warehouse"
)

// ID prefixes of the org structure and its syncs.
const (
	PrefixEmployee = "emp"
	PrefixSyncRun  = "hsr"
)

// MaxSyncFile is the largest file a sync reads, in bytes.
const MaxSyncFile = 16 << 20

func errEmployeeNotFound(id org.EmployeeID) error {
	return portalerr.New(portalerr.NotFound, "employee %s not found", id)
}

func errRunNotFound(id hrsync.RunID) error {
	return portalerr.New(portalerr.NotFound, "sync run %s not found", id)
}

// inOrg runs fn in a transaction started by run once the caller may do act
// to customer cid and the customer's hr_sync is on (FeatureDisabled; staff
// meet the same check here).
func (p *Portal) inOrg(ctx context.Context, run func(context.Context, func(storage.Repos) error) error,
	act Action, cid customer.ID, fn func(storage.Repos, access, customer.Customer) error) error {
	return run(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, act, cid, "")
		if err != nil {
			return err
		}
		c, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := c.Features.CheckOn(c.ID, customer.FeatureHRSync); err != nil {
			return err
		}
		return fn(r, a, c)
	})
}

// ListEmployeesParams narrow and page a list of employees.
type ListEmployeesParams struct {
	// Status keeps employees in this status; empty keeps those who have
	// not left.
	Status org.Status `json:"status" validate:"omitempty,oneof=active locked left"`
	// Query keeps employees whose name, e-mail address, external ID or
	// employee number contains it.
	Query string `json:"query" validate:"max=200"`
	// ExternalID, Username and Email keep the employees with exactly this
	// value (a SCIM client's filters); Username and Email ignore case.
	ExternalID string `json:"external_id" validate:"max=200"`
	Username   string `json:"username" validate:"max=200"`
	Email      string `json:"email" validate:"max=254"`
	Cursor     string `json:"cursor" validate:"max=200"`
	Limit      int    `json:"limit" validate:"min=0,max=100"`
}

func (p ListEmployeesParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListEmployees returns one page of a customer's employees, by ID. Staff
// and the customer's admins may call it; FeatureDisabled unless the
// customer's hr_sync is on.
func (p *Portal) ListEmployees(ctx context.Context, cid customer.ID, params ListEmployeesParams) (List[org.Employee], error) {
	params.Query = strings.TrimSpace(params.Query)
	return listIn(ctx, p, "employees", ActOrgRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[org.Employee], error) {
		if err := p.checkHRSync(ctx, r, a, cid); err != nil {
			return storage.List[org.Employee]{}, err
		}
		return r.Org().ListEmployees(ctx, storage.EmployeeFilter{CustomerID: cid, Status: params.Status,
			Current: params.Status == "", Query: params.Query, ExternalID: params.ExternalID,
			Username: strings.ToLower(params.Username), Email: strings.ToLower(params.Email)}, page)
	})
}

// checkHRSync is inOrg's feature check for lists, which authorize in listIn.
func (p *Portal) checkHRSync(ctx context.Context, r storage.Repos, a access, cid customer.ID) error {
	c, err := a.customerOf(ctx, r, cid)
	if err != nil {
		return err
	}
	return c.Features.CheckOn(c.ID, customer.FeatureHRSync)
}

// EmployeeView is an employee with the stock items it holds.
type EmployeeView struct {
	org.Employee
	// Items are the stock items issued to the employee by ID (empty when
	// the customer does not use the supplier warehouse).
	Items []StockItem
}

// GetEmployee returns an employee of the customer with the items it
// holds. Callers as for ListEmployees; an employee of another customer is
// NotFound.
func (p *Portal) GetEmployee(ctx context.Context, cid customer.ID, id org.EmployeeID) (EmployeeView, error) {
	var out EmployeeView
	err := p.inOrg(ctx, p.read, ActOrgRead, cid, func(r storage.Repos, a access, c customer.Customer) error {
		e, err := getEmployee(ctx, r, cid, id)
		if err != nil {
			return err
		}
		out.Employee = e
		out.Items, err = heldItems(ctx, r, c, id)
		return err
	})
	return out, err
}

func getEmployee(ctx context.Context, r storage.Repos, cid customer.ID, id org.EmployeeID) (org.Employee, error) {
	e, err := r.Org().Employee(ctx, id)
	if err != nil {
		return e, notFoundAs(err, errEmployeeNotFound(id))
	}
	if e.CustomerID != cid {
		return org.Employee{}, errEmployeeNotFound(id)
	}
	return e, nil
}

// heldItems returns the items issued to employee id (at most a page of
// 100: nobody holds more devices than that).
func heldItems(ctx context.Context, r storage.Repos, c customer.Customer, id org.EmployeeID) ([]StockItem, error) {
	if !c.Features.SupplierWarehouse {
		return nil, nil
	}
	l, err := r.Stock().List(ctx, storage.ItemFilter{CustomerID: c.ID, HolderID: id, Status: warehouse.StatusIssued}, storage.Page{Limit: 100})
	if err != nil {
		return nil, fmt.Errorf("portal: listing held items: %w", err)
	}
	return withProducts(ctx, r, l.Items)
}

// ListOrgUnits returns a customer's departments and cost centres (kind
// empty: both), ordered by kind and code. Callers as for ListEmployees.
func (p *Portal) ListOrgUnits(ctx context.Context, cid customer.ID, kind org.UnitKind) ([]org.Unit, error) {
	if kind != "" && !kind.Valid() {
		return nil, portalerr.Invalidf("kind", "must be department or cost_centre")
	}
	var out []org.Unit
	err := p.inOrg(ctx, p.read, ActOrgRead, cid, func(r storage.Repos, _ access, _ customer.Customer) error {
		var err error
		out, err = r.Org().Units(ctx, cid, kind)
		return err
	})
	return out, err
}

// OffboardingTask is a locked employee and the items it still holds: each
// is to be returned to the warehouse (ReturnStockItem) or retired
// (RetireStockItem); with the last, the employee leaves.
type OffboardingTask struct {
	Employee org.Employee
	Items    []StockItem
}

// ListOffboardingTasks returns the customer's open offboarding tasks, the
// longest waiting first (at most 100). Callers as for ListEmployees.
func (p *Portal) ListOffboardingTasks(ctx context.Context, cid customer.ID) ([]OffboardingTask, error) {
	var out []OffboardingTask
	err := p.inOrg(ctx, p.read, ActOrgRead, cid, func(r storage.Repos, _ access, c customer.Customer) error {
		l, err := r.Org().ListEmployees(ctx, storage.EmployeeFilter{CustomerID: cid, Status: org.StatusLocked}, storage.Page{Limit: 100})
		if err != nil {
			return err
		}
		out = make([]OffboardingTask, 0, len(l.Items))
		for _, e := range l.Items {
			items, err := heldItems(ctx, r, c, e.ID)
			if err != nil {
				return err
			}
			out = append(out, OffboardingTask{Employee: e, Items: items})
		}
		return nil
	})
	return out, err
}

// offboard lets employee id leave once it holds nothing, after one of its
// items was returned or retired in r: a locked employee holding no item is
// removed (StatusLeft, kept as history).
func (p *Portal) offboard(ctx context.Context, r storage.Repos, cid customer.ID, id org.EmployeeID) error {
	if id == "" {
		return nil
	}
	e, err := r.Org().Employee(ctx, id)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && (e.CustomerID != cid || e.Status != org.StatusLocked)) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("portal: loading the holder: %w", err)
	}
	held, err := r.Org().Held(ctx, cid)
	if err != nil {
		return err
	}
	if held[id] > 0 {
		return nil
	}
	_, err = r.Org().ChangeEmployee(ctx, e.Leave(0, p.timestamp()))
	return err
}

// StartSyncParams start a sync run from a file: a CSV file or an Excel
// workbook (.xlsx), exactly one of them.
type StartSyncParams struct {
	// CSV is a CSV file: a header row, then one employee per row.
	CSV string `json:"csv"`
	// XLSX is an Excel workbook whose first sheet is laid out as CSV is.
	XLSX []byte `json:"xlsx"`
	// Mapping names the column of each field (see hrsync.Mapping).
	Mapping hrsync.Mapping `json:"mapping"`
	// DryRun plans and stores the run without applying it.
	DryRun bool `json:"dry_run"`
	// Threshold overrides hrsync.DefaultThreshold for this run (0: the
	// default), between 0 and 1.
	Threshold float64 `json:"threshold" validate:"min=0,max=1"`
}

// StartSync reads a file of the customer's employees (CSV or XLSX) and
// plans a sync run; unless DryRun, it applies the plan at once, except
// when more employees would leave than the deletion threshold allows: then
// the run stops as RunAwaitingConfirmation for a person to confirm
// (ApplySync). Rows that cannot be read are the run's errors with their
// lines and never stop the others. Staff and the customer's admins may
// call it; FeatureDisabled unless hr_sync is on; Invalid for a file that
// cannot be read, is too large, lacks a mapped column, or for none or two
// files. The run's source is "csv" or "xlsx". It returns the run as stored.
func (p *Portal) StartSync(ctx context.Context, cid customer.ID, params StartSyncParams) (hrsync.Run, error) {
	if err := validStruct(params); err != nil {
		return hrsync.Run{}, err
	}
	if (params.CSV == "") == (len(params.XLSX) == 0) {
		return hrsync.Run{}, portalerr.Invalidf("csv", "give either a CSV file or an Excel workbook (xlsx)")
	}
	if len(params.CSV) > MaxSyncFile || len(params.XLSX) > MaxSyncFile {
		return hrsync.Run{}, portalerr.Invalidf("file", "is larger than %d bytes", MaxSyncFile)
	}
	start := time.Now()
	source, read := "csv", hrsync.ReadCSV
	var file io.Reader = strings.NewReader(params.CSV)
	if len(params.XLSX) > 0 {
		source, read, file = "xlsx", hrsync.ReadXLSX, bytes.NewReader(params.XLSX)
	}
	recs, bad, err := read(file, params.Mapping)
	if err != nil {
		return hrsync.Run{}, err
	}
	return p.startSync(ctx, cid, source, recs, bad, params.DryRun, params.Threshold, start)
}

func (p *Portal) startSync(ctx context.Context, cid customer.ID, source string, recs []hrsync.Record, bad []hrsync.RowError,
	dryRun bool, threshold float64, start time.Time) (hrsync.Run, error) {
	var out hrsync.Run
	err := p.inOrg(ctx, p.write, ActHRSyncRun, cid, func(r storage.Repos, a access, c customer.Customer) error {
		var err error
		out, err = p.recordRun(ctx, r, c, a.who.Actor(), source, recs, bad, dryRun, threshold, start)
		return err
	})
	return out, err
}

// recordRun plans recs for customer c in r and stores the run, started by
// startedBy from source: planned for a dry run, stopped for confirmation
// over the threshold, else applied.
func (p *Portal) recordRun(ctx context.Context, r storage.Repos, c customer.Customer, startedBy, source string,
	recs []hrsync.Record, bad []hrsync.RowError, dryRun bool, threshold float64, start time.Time) (hrsync.Run, error) {
	run := hrsync.Run{
		ID: hrsync.RunID(p.ids.NewID(PrefixSyncRun)), CustomerID: c.ID, Source: source, Status: hrsync.RunPlanned,
		Records: recs, StartedBy: startedBy, StartedAt: p.timestamp(), Version: 1,
	}
	plan, err := p.plan(ctx, r, c.ID, recs, bad, hrsync.Options{Source: source, Threshold: threshold})
	if err != nil {
		return hrsync.Run{}, err
	}
	run.Plan = plan
	switch {
	case dryRun:
	case plan.NeedsConfirmation:
		run.Status = hrsync.RunAwaitingConfirmation
	default:
		if err := p.applyPlan(ctx, r, c, &run, plan); err != nil {
			return hrsync.Run{}, err
		}
	}
	run.Duration = time.Since(start)
	noteObject(r, string(run.ID))
	if err := r.Org().CreateRun(ctx, run); err != nil {
		return hrsync.Run{}, err
	}
	return run, p.record(ctx, r, startedBy, "hr_sync."+string(run.Status), c.ID, string(run.ID), run)
}

// plan plans recs against the customer's employees as stored in r,
// through the customer's filter.
func (p *Portal) plan(ctx context.Context, r storage.Repos, cid customer.ID, recs []hrsync.Record, bad []hrsync.RowError, opt hrsync.Options) (hrsync.Plan, error) {
	current, err := r.Org().Employees(ctx, cid)
	if err != nil {
		return hrsync.Plan{}, err
	}
	held, err := r.Org().Held(ctx, cid)
	if err != nil {
		return hrsync.Plan{}, err
	}
	set, err := r.Org().SyncSettings(ctx, cid)
	if err != nil {
		return hrsync.Plan{}, err
	}
	opt.Filter = set.Filter
	return hrsync.MakePlan(current, recs, bad, held, opt), nil
}

// ApplySyncParams apply a planned run.
type ApplySyncParams struct {
	// Confirm applies a run over the deletion threshold.
	Confirm bool `json:"confirm"`
}

// ApplySync applies a planned run (a dry run, or one that stopped at the
// deletion threshold), planning it again against the employees as they
// are now. FailedPrecondition for a run already applied or discarded, and
// on "confirm" for a run over the threshold without Confirm. Callers as
// for StartSync. It returns the run as stored.
func (p *Portal) ApplySync(ctx context.Context, cid customer.ID, id hrsync.RunID, params ApplySyncParams) (hrsync.Run, error) {
	start := time.Now()
	var out hrsync.Run
	err := p.inOrg(ctx, p.write, ActHRSyncRun, cid, func(r storage.Repos, a access, c customer.Customer) error {
		run, err := getRun(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if err := run.CheckApplicable(); err != nil {
			return err
		}
		plan, err := p.plan(ctx, r, cid, run.Records, nil, hrsync.Options{Source: run.Source, Threshold: run.Plan.Threshold})
		if err != nil {
			return err
		}
		plan.Errors = mergeRowErrors(run.Plan.Errors, plan.Errors)
		plan.Counts.Errors = len(plan.Errors)
		if err := hrsync.CheckConfirmed(plan, params.Confirm); err != nil {
			return err
		}
		if plan.NeedsConfirmation {
			run.ConfirmedBy = a.who.Actor()
		}
		if err := p.applyPlan(ctx, r, c, &run, plan); err != nil {
			return err
		}
		run.Duration += time.Since(start)
		noteObject(r, string(run.ID))
		out, err = r.Org().UpdateRun(ctx, id, func(stored *hrsync.Run) error {
			*stored = run
			return nil
		})
		if err != nil {
			return err
		}
		return p.record(ctx, r, a.who.Actor(), "hr_sync.applied", cid, string(id), out)
	})
	return out, err
}

// mergeRowErrors returns a and the errors of b not in a, by line.
func mergeRowErrors(a, b []hrsync.RowError) []hrsync.RowError {
	seen := map[hrsync.RowError]bool{}
	out := make([]hrsync.RowError, 0, len(a)+len(b))
	for _, e := range append(a, b...) {
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// DiscardSync throws a planned run away. FailedPrecondition for a run
// already applied or discarded. Callers as for StartSync.
func (p *Portal) DiscardSync(ctx context.Context, cid customer.ID, id hrsync.RunID) (hrsync.Run, error) {
	var out hrsync.Run
	err := p.inOrg(ctx, p.write, ActHRSyncRun, cid, func(r storage.Repos, a access, _ customer.Customer) error {
		if _, err := getRun(ctx, r, cid, id); err != nil {
			return err
		}
		var err error
		noteObject(r, string(id))
		out, err = r.Org().UpdateRun(ctx, id, func(run *hrsync.Run) error {
			if err := run.CheckApplicable(); err != nil {
				return err
			}
			run.Status, run.Records, run.FinishedAt = hrsync.RunDiscarded, nil, p.timestamp()
			return nil
		})
		if err != nil {
			return err
		}
		return p.record(ctx, r, a.who.Actor(), "hr_sync.discarded", cid, string(id), out)
	})
	return out, err
}

// applyPlan writes plan for run of customer c: creates, updates, locks
// and removals, and the units the records the filter keeps name; with the
// customer's InviteEmployees on, the employees it creates are invited
// (inviteEmployees). run becomes RunApplied.
func (p *Portal) applyPlan(ctx context.Context, r storage.Repos, c customer.Customer, run *hrsync.Run, plan hrsync.Plan) error {
	now := p.timestamp()
	sites, err := siteNames(ctx, r, c.ID)
	if err != nil {
		return err
	}
	byExt := make(map[string]hrsync.Record, len(run.Records))
	for _, rec := range run.Records {
		if _, dup := byExt[rec.ExternalID]; !dup {
			byExt[rec.ExternalID] = rec
		}
	}
	var current map[org.EmployeeID]org.Employee
	var created []org.Employee
	for _, ch := range plan.Changes {
		if ch.Action != hrsync.ActCreate && current == nil {
			all, err := r.Org().Employees(ctx, c.ID)
			if err != nil {
				return err
			}
			current = make(map[org.EmployeeID]org.Employee, len(all))
			for _, e := range all {
				current[e.ID] = e
			}
		}
		var next org.Employee
		switch ch.Action {
		case hrsync.ActCreate:
			e := hrsync.Apply(org.Employee{ID: org.EmployeeID(p.ids.NewID(PrefixEmployee)), CustomerID: c.ID, Version: 1}, byExt[ch.ExternalID], run.Source, now)
			e.SiteID = sites[strings.ToLower(e.Location)]
			created = append(created, e)
			continue
		case hrsync.ActUpdate:
			next = hrsync.Apply(current[ch.EmployeeID], byExt[ch.ExternalID], run.Source, now)
			next.SiteID = sites[strings.ToLower(next.Location)]
		case hrsync.ActLock, hrsync.ActRemove:
			next = current[ch.EmployeeID].Leave(ch.Held, now)
		}
		if _, err := r.Org().ChangeEmployee(ctx, next); err != nil {
			if errors.Is(err, storage.ErrConflict) {
				return portalerr.New(portalerr.Conflict, "employee %s changed while the run was applied; apply it again", ch.EmployeeID)
			}
			return err
		}
	}
	if err := r.Org().CreateEmployees(ctx, created); err != nil {
		return err
	}
	set, err := r.Org().SyncSettings(ctx, c.ID)
	if err != nil {
		return err
	}
	if set.InviteEmployees {
		actor := run.StartedBy
		if run.ConfirmedBy != "" {
			actor = run.ConfirmedBy
		}
		if err := p.inviteEmployees(ctx, r, c, actor, created); err != nil {
			return err
		}
	}
	units := hrsync.Units(set.Filter.Apply(run.Records))
	for i := range units {
		units[i].UpdatedAt = now
	}
	if err := r.Org().PutUnits(ctx, c.ID, units); err != nil {
		return err
	}
	run.Plan, run.Status, run.Records, run.FinishedAt = plan, hrsync.RunApplied, nil, now
	return nil
}

// siteNames maps the lower-case names of the customer's sites to them.
func siteNames(ctx context.Context, r storage.Repos, cid customer.ID) (map[string]customer.SiteID, error) {
	out := map[string]customer.SiteID{}
	err := eachItem(func(page storage.Page) (storage.List[customer.Site], error) {
		return r.Sites().List(ctx, storage.SiteFilter{CustomerID: cid}, page)
	}, func(s customer.Site) (bool, error) {
		out[strings.ToLower(s.Name)] = s.ID
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func getRun(ctx context.Context, r storage.Repos, cid customer.ID, id hrsync.RunID) (hrsync.Run, error) {
	run, err := r.Org().Run(ctx, id)
	if err != nil {
		return run, notFoundAs(err, errRunNotFound(id))
	}
	if run.CustomerID != cid {
		return hrsync.Run{}, errRunNotFound(id)
	}
	return run, nil
}

// GetSyncRun returns a run of the customer with its plan. Callers as for
// ListEmployees.
func (p *Portal) GetSyncRun(ctx context.Context, cid customer.ID, id hrsync.RunID) (hrsync.Run, error) {
	var out hrsync.Run
	err := p.inOrg(ctx, p.read, ActOrgRead, cid, func(r storage.Repos, _ access, _ customer.Customer) error {
		var err error
		out, err = getRun(ctx, r, cid, id)
		out.Records = nil
		return err
	})
	return out, err
}

// ListSyncRunsParams page a list of sync runs.
type ListSyncRunsParams struct {
	Cursor string `json:"cursor" validate:"max=200"`
	Limit  int    `json:"limit" validate:"min=0,max=100"`
}

func (p ListSyncRunsParams) page() storage.Page {
	return storage.Page{Cursor: p.Cursor, Limit: p.Limit}
}

// ListSyncRuns returns one page of the customer's runs, newest first,
// with their counts and errors but not their changes. Callers as for
// ListEmployees.
func (p *Portal) ListSyncRuns(ctx context.Context, cid customer.ID, params ListSyncRunsParams) (List[hrsync.Run], error) {
	return listIn(ctx, p, "sync runs", ActOrgRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[hrsync.Run], error) {
		if err := p.checkHRSync(ctx, r, a, cid); err != nil {
			return storage.List[hrsync.Run]{}, err
		}
		return r.Org().ListRuns(ctx, cid, page)
	})
}
