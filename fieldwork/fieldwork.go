package fieldwork

import (
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// JobID identifies a job ("job_" + UUIDv7).
type JobID string

// VisitID identifies a visit ("vis_" + UUIDv7).
type VisitID string

// Status is where a job stands.
type Status string

// Job statuses, in the order of the status machine: planned → scheduled →
// in progress → done, and cancelled from any status before done.
const (
	StatusPlanned    Status = "planned"     // known, not yet given a date
	StatusScheduled  Status = "scheduled"   // has a date and a team
	StatusInProgress Status = "in_progress" // someone works on it
	StatusDone       Status = "done"        // final
	StatusCancelled  Status = "cancelled"   // final
)

// Statuses lists every status in the order of the status machine.
var Statuses = []Status{StatusPlanned, StatusScheduled, StatusInProgress, StatusDone, StatusCancelled}

// rank is a status's place in the machine; the final ones share the last.
func (s Status) rank() int {
	switch s {
	case StatusPlanned:
		return 1
	case StatusScheduled:
		return 2
	case StatusInProgress:
		return 3
	case StatusDone, StatusCancelled:
		return 4
	}
	return 0
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s.rank() > 0 }

// Final reports whether no status follows s.
func (s Status) Final() bool { return s == StatusDone || s == StatusCancelled }

// CheckMove returns nil when a job may go from status s to next: forward
// along the machine (steps may be skipped, as a field-service system that
// pushes its state may have skipped them), or to the status it has (a
// repeated push changes nothing). A final status stays. Invalid for an
// unknown status, FailedPrecondition for a move back or out of a final
// status.
func (s Status) CheckMove(next Status) error {
	switch {
	case !next.Valid():
		return &portalerr.Error{Code: portalerr.Invalid, Message: "unknown job status " + string(next),
			Fields: []portalerr.FieldViolation{{Field: "status", Message: "must be planned, scheduled, in_progress, done or cancelled"}}}
	case s == next:
		return nil
	case s.Final():
		return portalerr.New(portalerr.FailedPrecondition, "the job is %s; it cannot become %s", s, next)
	case next.rank() < s.rank():
		return portalerr.New(portalerr.FailedPrecondition, "a job that is %s cannot go back to %s", s, next)
	}
	return nil
}

// Job is a piece of work at a site: an installation, a repair, a
// maintenance round. The provider's field-service system pushes it in,
// keyed by its ExternalRef.
type Job struct {
	ID         JobID
	CustomerID customer.ID
	SiteID     customer.SiteID
	// Type is what kind of work it is ("installation", "repair"), as the
	// provider names it.
	Type        string
	Title       string
	Description string
	Status      Status
	// PlannedAt is when the work is planned to start: what date ranges of
	// jobs select on.
	PlannedAt time.Time
	// ExternalRef is the job's key in the provider's field-service system;
	// unique within the customer when set.
	ExternalRef string
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Visit is a technician's time at a site for a job.
type Visit struct {
	ID         VisitID
	JobID      JobID
	CustomerID customer.ID     // the job's
	SiteID     customer.SiteID // the job's
	// Technician is the name of the person who went.
	Technician string
	StartedAt  time.Time
	// EndedAt is zero while the visit goes on.
	EndedAt time.Time
	// Outcome says in a few words how it went ("completed", "follow-up
	// needed", "no access").
	Outcome string
	// Report is what the technician wrote.
	Report string
	// ExternalRef is the visit's key in the provider's field-service
	// system; unique within the customer when set.
	ExternalRef string
	Version     int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// CheckTimes returns Invalid naming "ended_at" when the visit ends before
// it starts.
func (v Visit) CheckTimes() error {
	if !v.EndedAt.IsZero() && v.EndedAt.Before(v.StartedAt) {
		return portalerr.InvalidFields(portalerr.FieldViolation{Field: "ended_at", Message: "is before started_at"})
	}
	return nil
}

// Range is a span of time a list selects on: From inclusive, To exclusive;
// a zero end leaves that side open.
type Range struct {
	From, To time.Time
}

// Check returns Invalid naming "to" when the range ends before it starts.
func (r Range) Check() error {
	if !r.From.IsZero() && !r.To.IsZero() && !r.To.After(r.From) {
		return portalerr.InvalidFields(portalerr.FieldViolation{Field: "to", Message: "must be after from"})
	}
	return nil
}
