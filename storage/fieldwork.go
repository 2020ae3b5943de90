package storage

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/fieldwork"
)

// JobRepo stores the field-service jobs of customers.
type JobRepo interface {
	// Create stores j as given. ErrAlreadyExists when the ID is taken or
	// the customer has a job with its ExternalRef; ErrNotFound when the
	// customer or the site does not exist.
	Create(ctx context.Context, j fieldwork.Job) error
	// Get returns the job with the given ID, or ErrNotFound.
	Get(ctx context.Context, id fieldwork.JobID) (fieldwork.Job, error)
	// GetByRef returns customer cid's job with external reference ref, or
	// ErrNotFound.
	GetByRef(ctx context.Context, cid customer.ID, ref string) (fieldwork.Job, error)
	// Update works like CustomerRepo.Update. fn must not change the ID,
	// CustomerID or CreatedAt. ErrAlreadyExists when the new ExternalRef is
	// taken within the customer.
	Update(ctx context.Context, id fieldwork.JobID, fn func(*fieldwork.Job) error) (fieldwork.Job, error)
	// List returns one page of a customer's jobs whose PlannedAt lies in
	// f.Range, newest first (by PlannedAt, then ID).
	List(ctx context.Context, f JobFilter, p Page) (List[fieldwork.Job], error)
}

// JobFilter narrows a job list. CustomerID is required.
type JobFilter struct {
	CustomerID customer.ID
	// SiteIDs keeps the jobs at these sites; nil does not filter, a
	// non-nil empty slice matches nothing.
	SiteIDs []customer.SiteID
	// Range keeps jobs planned within it.
	Range fieldwork.Range
}

// VisitRepo stores the technicians' visits of jobs.
type VisitRepo interface {
	// Create stores v as given. ErrAlreadyExists when the ID is taken or
	// the customer has a visit with its ExternalRef; ErrNotFound when the
	// job, customer or site does not exist.
	Create(ctx context.Context, v fieldwork.Visit) error
	// Get returns the visit with the given ID, or ErrNotFound.
	Get(ctx context.Context, id fieldwork.VisitID) (fieldwork.Visit, error)
	// GetByRef returns customer cid's visit with external reference ref,
	// or ErrNotFound.
	GetByRef(ctx context.Context, cid customer.ID, ref string) (fieldwork.Visit, error)
	// Update works like JobRepo.Update; fn must not change JobID or
	// SiteID either.
	Update(ctx context.Context, id fieldwork.VisitID, fn func(*fieldwork.Visit) error) (fieldwork.Visit, error)
	// SetJobSite gives every visit of job jid that is not at site that
	// SiteID, moving each one's version on by one and its UpdatedAt to at,
	// and returns how many it changed. ErrNotFound when site does not
	// exist and a visit changes.
	SetJobSite(ctx context.Context, jid fieldwork.JobID, site customer.SiteID, at time.Time) (int64, error)
	// List returns one page of a customer's visits that started in
	// f.Range, newest first (by StartedAt, then ID).
	List(ctx context.Context, f VisitFilter, p Page) (List[fieldwork.Visit], error)
}

// VisitFilter narrows a visit list. CustomerID is required.
type VisitFilter struct {
	CustomerID customer.ID
	// SiteIDs keeps the visits at these sites; nil does not filter, a
	// non-nil empty slice matches nothing.
	SiteIDs []customer.SiteID
	// JobID keeps the visits of one job.
	JobID fieldwork.JobID
	// Range keeps visits that started within it.
	Range fieldwork.Range
}

// PictureRepo stores the pictures of jobs (their metadata; the files are
// the file store's).
type PictureRepo interface {
	// Create stores p as given. ErrAlreadyExists when the ID is taken;
	// ErrNotFound when the job, customer or site does not exist.
	Create(ctx context.Context, p fieldwork.Picture) error
	// Get returns the picture with the given ID, or ErrNotFound.
	Get(ctx context.Context, id fieldwork.PictureID) (fieldwork.Picture, error)
	// SetJobSite gives every picture of job jid that is not at site that
	// SiteID and returns how many it changed. ErrNotFound when site does
	// not exist and a picture changes.
	SetJobSite(ctx context.Context, jid fieldwork.JobID, site customer.SiteID) (int64, error)
	// List returns one page of a customer's pictures taken in f.Range,
	// newest first (by TakenAt, then ID).
	List(ctx context.Context, f PictureFilter, p Page) (List[fieldwork.Picture], error)
}

// PictureFilter narrows a picture list. CustomerID is required.
type PictureFilter struct {
	CustomerID customer.ID
	// SiteIDs keeps the pictures at these sites; nil does not filter, a
	// non-nil empty slice matches nothing.
	SiteIDs []customer.SiteID
	// JobID keeps the pictures of one job.
	JobID fieldwork.JobID
	// Range keeps pictures taken within it.
	Range fieldwork.Range
}
