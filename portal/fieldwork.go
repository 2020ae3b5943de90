package portal

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// ID prefixes of field service.
const (
	PrefixJob   = "job"
	PrefixVisit = "vis"
)

func errJobNotFound(id fieldwork.JobID) error {
	return portalerr.New(portalerr.NotFound, "job %s not found", id)
}

func errVisitNotFound(id fieldwork.VisitID) error {
	return portalerr.New(portalerr.NotFound, "visit %s not found", id)
}

// JobParams describe a job as the provider's field-service system pushes
// it.
type JobParams struct {
	SiteID customer.SiteID `json:"site_id" validate:"required,max=100"`
	// Type is what kind of work it is ("installation", "repair").
	Type        string `json:"type" validate:"required,max=50,singleline"`
	Title       string `json:"title" validate:"required,max=200,singleline"`
	Description string `json:"description" validate:"max=5000"`
	// Status defaults to planned for a new job.
	Status    fieldwork.Status `json:"status" validate:"omitempty,oneof=planned scheduled in_progress done cancelled"`
	PlannedAt time.Time        `json:"planned_at" validate:"required"`
	// ExternalRef is the job's key in the provider's system: a job pushed
	// again with the same reference changes the one there is.
	ExternalRef string `json:"external_ref" validate:"max=100,singleline"`
}

func (params *JobParams) normalize() {
	params.Type = strings.TrimSpace(params.Type)
	params.Title = strings.TrimSpace(params.Title)
	params.Description = strings.TrimSpace(params.Description)
	params.ExternalRef = strings.TrimSpace(params.ExternalRef)
	params.PlannedAt = params.PlannedAt.UTC()
}

// PutJob creates a job at a site of customer cid or, when params has an
// ExternalRef the customer already has a job for, changes that job
// (created is then false): pushing the same job twice leaves one. A job
// pushed with another site takes its visits and pictures along, in the
// same transaction, so that they stay at their job's site; each visit
// moved is audited and published as visit.updated. Staff and API
// keys may call it. NotFound for a site that is not the customer's;
// FailedPrecondition when the status would move back or out of done or
// cancelled (fieldwork.Status.CheckMove).
func (p *Portal) PutJob(ctx context.Context, cid customer.ID, params JobParams) (j fieldwork.Job, created bool, err error) {
	params.normalize()
	if params.Status == "" {
		params.Status = fieldwork.StatusPlanned
	}
	if err := validStruct(params); err != nil {
		return fieldwork.Job{}, false, err
	}
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActJobWrite, cid, "")
		if err != nil {
			return err
		}
		c, err := getCustomer(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := c.CheckNotArchived(); err != nil {
			return err
		}
		if _, err := getSite(ctx, r, cid, params.SiteID); err != nil {
			return err
		}
		now := p.timestamp()
		if params.ExternalRef != "" {
			old, err := r.Jobs().GetByRef(ctx, cid, params.ExternalRef)
			switch {
			case err == nil:
				j, err = r.Jobs().Update(ctx, old.ID, func(j *fieldwork.Job) error {
					if err := j.Status.CheckMove(params.Status); err != nil {
						return err
					}
					j.SiteID, j.Type, j.Title, j.Description = params.SiteID, params.Type, params.Title, params.Description
					j.Status, j.PlannedAt, j.UpdatedAt = params.Status, params.PlannedAt, now
					return nil
				})
				if err != nil {
					return err
				}
				if err := p.recordDiff(ctx, r, a, "job.updated", cid, string(j.ID), old, j, j); err != nil {
					return err
				}
				if j.SiteID == old.SiteID {
					return nil
				}
				return p.moveJobWork(ctx, r, a, j, now)
			case !errors.Is(err, storage.ErrNotFound):
				return fmt.Errorf("portal: finding job by reference: %w", err)
			}
		}
		j = fieldwork.Job{
			ID: fieldwork.JobID(p.ids.NewID(PrefixJob)), CustomerID: cid, SiteID: params.SiteID, Type: params.Type,
			Title: params.Title, Description: params.Description, Status: params.Status, PlannedAt: params.PlannedAt,
			ExternalRef: params.ExternalRef, Version: 1, CreatedAt: now, UpdatedAt: now,
		}
		created = true
		noteObject(r, string(j.ID))
		if err := refTaken(r.Jobs().Create(ctx, j)); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "job.created", cid, string(j.ID), nil, nil, j)
	})
	if err != nil {
		return fieldwork.Job{}, false, err
	}
	return j, created, nil
}

// moveJobWork puts the visits and pictures of job j at its site, where a
// visit's and a picture's site must be (fieldwork.Visit.SiteID): the site
// lists and a site-limited member's access go by their own site. Each
// visit moved is a change of its own: it gets its audit event and its
// visit.updated webhook event, as when it is pushed with a new site.
func (p *Portal) moveJobWork(ctx context.Context, r storage.Repos, a access, j fieldwork.Job, now time.Time) error {
	before, err := jobVisits(ctx, r, j)
	if err != nil {
		return err
	}
	if _, err := r.Visits().SetJobSite(ctx, j.ID, j.SiteID, now); err != nil {
		return fmt.Errorf("portal: moving the visits of job %s: %w", j.ID, err)
	}
	after, err := jobVisits(ctx, r, j)
	if err != nil {
		return err
	}
	for _, v := range after {
		old, ok := before[v.ID]
		if !ok || old.SiteID == v.SiteID {
			continue
		}
		if err := p.recordDiff(ctx, r, a, "visit.updated", j.CustomerID, string(v.ID), old, v, v); err != nil {
			return err
		}
	}
	if _, err := r.Pictures().SetJobSite(ctx, j.ID, j.SiteID); err != nil {
		return fmt.Errorf("portal: moving the pictures of job %s: %w", j.ID, err)
	}
	return nil
}

// jobVisits returns every visit of job j, by ID.
func jobVisits(ctx context.Context, r storage.Repos, j fieldwork.Job) (map[fieldwork.VisitID]fieldwork.Visit, error) {
	out := map[fieldwork.VisitID]fieldwork.Visit{}
	err := eachItem(func(page storage.Page) (storage.List[fieldwork.Visit], error) {
		return r.Visits().List(ctx, storage.VisitFilter{CustomerID: j.CustomerID, JobID: j.ID}, page)
	}, func(v fieldwork.Visit) (bool, error) {
		out[v.ID] = v
		return false, nil
	})
	if err != nil {
		return nil, fmt.Errorf("portal: listing the visits of job %s: %w", j.ID, err)
	}
	return out, nil
}

// refTaken says what a unique external reference that a concurrent push
// took first means: try again, and the push changes the job it made.
func refTaken(err error) error {
	if errors.Is(err, storage.ErrAlreadyExists) {
		return portalerr.New(portalerr.Conflict, "another request pushed the same external reference at the same time; send it again")
	}
	return err
}

// UpdateJobParams change a job; nil fields stay as they are.
type UpdateJobParams struct {
	// Version, when not zero, must be the stored version (Conflict).
	Version     int64             `json:"version" validate:"min=0"`
	Type        *string           `json:"type" validate:"omitnil,min=1,max=50,singleline"`
	Title       *string           `json:"title" validate:"omitnil,min=1,max=200,singleline"`
	Description *string           `json:"description" validate:"omitnil,max=5000"`
	Status      *fieldwork.Status `json:"status" validate:"omitnil,oneof=planned scheduled in_progress done cancelled"`
	PlannedAt   *time.Time        `json:"planned_at"`
}

// UpdateJob changes a job of customer cid. Staff and API keys may call it.
// FailedPrecondition for a status move the machine refuses.
func (p *Portal) UpdateJob(ctx context.Context, cid customer.ID, id fieldwork.JobID, params UpdateJobParams) (fieldwork.Job, error) {
	if err := validStruct(params); err != nil {
		return fieldwork.Job{}, err
	}
	var out fieldwork.Job
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActJobWrite, cid, "")
		if err != nil {
			return err
		}
		old, err := getJob(ctx, r, access{}, cid, id)
		if err != nil {
			return err
		}
		out, err = r.Jobs().Update(ctx, id, func(j *fieldwork.Job) error {
			if params.Version != 0 {
				if err := checkVersion("job", j.Version, params.Version); err != nil {
					return err
				}
			}
			if params.Status != nil {
				if err := j.Status.CheckMove(*params.Status); err != nil {
					return err
				}
				j.Status = *params.Status
			}
			setIf(&j.Type, trimmed(params.Type))
			setIf(&j.Title, trimmed(params.Title))
			setIf(&j.Description, trimmed(params.Description))
			if params.PlannedAt != nil {
				j.PlannedAt = params.PlannedAt.UTC()
			}
			j.UpdatedAt = p.timestamp()
			return nil
		})
		if err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "job.updated", cid, string(id), old, out, out)
	})
	return out, err
}

func trimmed(s *string) *string {
	if s == nil {
		return nil
	}
	t := strings.TrimSpace(*s)
	return &t
}

// GetJob returns a job of customer cid. Customer users read it while the
// customer's jobs live view is on (NotFound otherwise), and only at the
// sites they may see.
func (p *Portal) GetJob(ctx context.Context, cid customer.ID, id fieldwork.JobID) (fieldwork.Job, error) {
	var j fieldwork.Job
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActJobRead, cid, "")
		if err != nil {
			return err
		}
		j, err = getJob(ctx, r, a, cid, id)
		return err
	})
	return j, err
}

// getJob loads a job of customer cid that a sees; any other is NotFound.
func getJob(ctx context.Context, r storage.Repos, a access, cid customer.ID, id fieldwork.JobID) (fieldwork.Job, error) {
	j, err := r.Jobs().Get(ctx, id)
	if err != nil {
		return j, notFoundAs(err, errJobNotFound(id))
	}
	if j.CustomerID != cid || (a.user() && !a.membership.CoversSite(j.SiteID)) {
		return fieldwork.Job{}, errJobNotFound(id)
	}
	return j, nil
}

// ListJobsParams select and page a job list.
type ListJobsParams struct {
	// SiteID keeps the jobs at one site.
	SiteID customer.SiteID `json:"site_id" validate:"max=100"`
	// From and To keep jobs planned from From (inclusive) to To
	// (exclusive); zero leaves a side open.
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Cursor string    `json:"cursor" validate:"max=200"`
	Limit  int       `json:"limit" validate:"min=0,max=100"`
}

func (p ListJobsParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }

// ListJobs returns one page of customer cid's jobs planned in the range,
// newest first. Customer users see them while the jobs live view is on,
// at the sites they may see.
func (p *Portal) ListJobs(ctx context.Context, cid customer.ID, params ListJobsParams) (List[fieldwork.Job], error) {
	rng := fieldwork.Range{From: params.From, To: params.To}
	if err := rng.Check(); err != nil {
		return List[fieldwork.Job]{}, err
	}
	return listIn(ctx, p, "jobs", ActJobRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[fieldwork.Job], error) {
		return r.Jobs().List(ctx, storage.JobFilter{CustomerID: cid, SiteIDs: siteScope(a, params.SiteID), Range: rng}, page)
	})
}

// siteScope is the site set a list is limited to: the caller's sites, and
// within them the one site asked for.
func siteScope(a access, sid customer.SiteID) []customer.SiteID {
	limit := a.sites()
	if sid == "" {
		return limit
	}
	if limit != nil && !a.membership.CoversSite(sid) {
		return []customer.SiteID{}
	}
	return []customer.SiteID{sid}
}

// VisitParams describe a visit as the provider's system pushes it.
type VisitParams struct {
	Technician string    `json:"technician" validate:"required,max=200,singleline"`
	StartedAt  time.Time `json:"started_at" validate:"required"`
	// EndedAt is zero while the visit goes on.
	EndedAt time.Time `json:"ended_at"`
	Outcome string    `json:"outcome" validate:"max=100,singleline"`
	Report  string    `json:"report" validate:"max=20000"`
	// ExternalRef is the visit's key in the provider's system: a visit
	// pushed again with the same reference changes the one there is.
	ExternalRef string `json:"external_ref" validate:"max=100,singleline"`
}

// PutVisit records a visit of job jid of customer cid or, when params has
// an ExternalRef the customer already has a visit for, changes that visit
// (created is then false). Staff and API keys may call it. Invalid when it
// ends before it starts; NotFound for a job that is not the customer's;
// FailedPrecondition when the reference is the customer's visit of another
// job (a visit stays with its job).
func (p *Portal) PutVisit(ctx context.Context, cid customer.ID, jid fieldwork.JobID, params VisitParams) (v fieldwork.Visit, created bool, err error) {
	params.Technician, params.Outcome = strings.TrimSpace(params.Technician), strings.TrimSpace(params.Outcome)
	params.Report, params.ExternalRef = strings.TrimSpace(params.Report), strings.TrimSpace(params.ExternalRef)
	params.StartedAt, params.EndedAt = params.StartedAt.UTC(), params.EndedAt.UTC()
	if err := mergeInvalid(validStruct(params), fieldwork.Visit{StartedAt: params.StartedAt, EndedAt: params.EndedAt}.CheckTimes()); err != nil {
		return fieldwork.Visit{}, false, err
	}
	err = p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActVisitWrite, cid, "")
		if err != nil {
			return err
		}
		j, err := getJob(ctx, r, access{}, cid, jid)
		if err != nil {
			return err
		}
		now := p.timestamp()
		set := func(v *fieldwork.Visit) {
			v.Technician, v.StartedAt, v.EndedAt = params.Technician, params.StartedAt, params.EndedAt
			v.Outcome, v.Report, v.UpdatedAt = params.Outcome, params.Report, now
		}
		if params.ExternalRef != "" {
			old, err := r.Visits().GetByRef(ctx, cid, params.ExternalRef)
			switch {
			case err == nil && old.JobID != jid:
				return portalerr.New(portalerr.FailedPrecondition, "visit %s with reference %q belongs to job %s", old.ID, params.ExternalRef, old.JobID)
			case err == nil:
				v, err = r.Visits().Update(ctx, old.ID, func(v *fieldwork.Visit) error { set(v); return nil })
				if err != nil {
					return err
				}
				return p.recordDiff(ctx, r, a, "visit.updated", cid, string(v.ID), old, v, v)
			case !errors.Is(err, storage.ErrNotFound):
				return fmt.Errorf("portal: finding visit by reference: %w", err)
			}
		}
		v = fieldwork.Visit{ID: fieldwork.VisitID(p.ids.NewID(PrefixVisit)), JobID: j.ID, CustomerID: cid, SiteID: j.SiteID,
			ExternalRef: params.ExternalRef, Version: 1, CreatedAt: now}
		set(&v)
		created = true
		noteObject(r, string(v.ID))
		if err := refTaken(r.Visits().Create(ctx, v)); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "visit.created", cid, string(v.ID), nil, nil, v)
	})
	if err != nil {
		return fieldwork.Visit{}, false, err
	}
	return v, created, nil
}

// GetVisit returns a visit of customer cid. Customer users read it while
// the visits live view is on, at the sites they may see.
func (p *Portal) GetVisit(ctx context.Context, cid customer.ID, id fieldwork.VisitID) (fieldwork.Visit, error) {
	var v fieldwork.Visit
	err := p.read(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActVisitRead, cid, "")
		if err != nil {
			return err
		}
		v, err = r.Visits().Get(ctx, id)
		if err != nil {
			return notFoundAs(err, errVisitNotFound(id))
		}
		if v.CustomerID != cid || (a.user() && !a.membership.CoversSite(v.SiteID)) {
			return errVisitNotFound(id)
		}
		return nil
	})
	return v, err
}

// ListVisitsParams select and page a visit list.
type ListVisitsParams struct {
	SiteID customer.SiteID `json:"site_id" validate:"max=100"`
	JobID  fieldwork.JobID `json:"job_id" validate:"max=100"`
	// From and To keep visits that started from From (inclusive) to To
	// (exclusive); zero leaves a side open.
	From   time.Time `json:"from"`
	To     time.Time `json:"to"`
	Cursor string    `json:"cursor" validate:"max=200"`
	Limit  int       `json:"limit" validate:"min=0,max=100"`
}

func (p ListVisitsParams) page() storage.Page { return storage.Page{Cursor: p.Cursor, Limit: p.Limit} }

// ListVisits returns one page of customer cid's visits that started in
// the range, newest first. Customer users see them while the visits live
// view is on, at the sites they may see.
func (p *Portal) ListVisits(ctx context.Context, cid customer.ID, params ListVisitsParams) (List[fieldwork.Visit], error) {
	rng := fieldwork.Range{From: params.From, To: params.To}
	if err := rng.Check(); err != nil {
		return List[fieldwork.Visit]{}, err
	}
	return listIn(ctx, p, "visits", ActVisitRead, cid, params, func(r storage.Repos, a access, page storage.Page) (storage.List[fieldwork.Visit], error) {
		return r.Visits().List(ctx, storage.VisitFilter{CustomerID: cid, SiteIDs: siteScope(a, params.SiteID), JobID: params.JobID, Range: rng}, page)
	})
}
