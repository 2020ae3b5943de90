package hrsync

import (
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// RunID identifies a run ("hsr_" + UUIDv7).
type RunID string

// RunStatus is where a run stands.
type RunStatus string

// Run statuses.
const (
	// RunPlanned: a dry run, shown and not applied; it may be applied.
	RunPlanned RunStatus = "planned"
	// RunAwaitingConfirmation: more employees would leave than the
	// threshold allows; applied only when a person confirms.
	RunAwaitingConfirmation RunStatus = "awaiting_confirmation"
	// RunApplied: its plan was applied.
	RunApplied RunStatus = "applied"
	// RunDiscarded: a planned run a person threw away, or one a later
	// applied run made stale.
	RunDiscarded RunStatus = "discarded"
	// RunFailed: the source could not be read; nothing changed. The
	// reason is the run's one row error, on line 0.
	RunFailed RunStatus = "failed"
)

// RunStatuses lists every run status.
var RunStatuses = []RunStatus{RunPlanned, RunAwaitingConfirmation, RunApplied, RunDiscarded, RunFailed}

// Run is one sync of a customer: where it came from, what it found and
// what became of it.
type Run struct {
	ID         RunID
	CustomerID customer.ID
	// Source is "csv", "scim" or the name of a pull source.
	Source string
	Status RunStatus
	// Plan is the plan as last computed (when planned, and again when
	// applied); its Changes list what was, or would be, done.
	Plan Plan
	// Records are the records read, kept until the run is applied or
	// discarded so that applying plans them again against the employees
	// as they are then.
	Records []Record
	// StartedBy names who started the run, as identity.Principal.Actor
	// returns it, or "scheduler".
	StartedBy string
	// ConfirmedBy names who confirmed a run over the threshold.
	ConfirmedBy string
	StartedAt   time.Time
	FinishedAt  time.Time
	// Duration is how long planning (and applying) took.
	Duration time.Duration
	Version  int64
}

// CheckApplicable returns nil when r may be applied: FailedPrecondition
// for a run that was applied or discarded.
func (r Run) CheckApplicable() error {
	if r.Status != RunPlanned && r.Status != RunAwaitingConfirmation {
		return portalerr.New(portalerr.FailedPrecondition, "run %s is %s and can no longer be applied", r.ID, r.Status)
	}
	return nil
}

// CheckConfirmed returns nil unless p needs confirmation and the caller
// did not give it (FailedPrecondition on "confirm").
func CheckConfirmed(p Plan, confirm bool) error {
	if p.NeedsConfirmation && !confirm {
		return &portalerr.Error{Code: portalerr.FailedPrecondition,
			Message: "more employees would leave than the deletion threshold allows: a person must confirm the run",
			Fields:  []portalerr.FieldViolation{{Field: "confirm", Message: "needed: the run is over the deletion threshold"}}}
	}
	return nil
}
