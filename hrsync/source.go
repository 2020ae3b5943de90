package hrsync

import (
	"context"
	"time"

	"github.com/portalkit/portalkit/customer"
)

// Source is a customer's HR or identity system that a sync pulls from
// (Personio, Workday, SuccessFactors, or Entra ID and Google Workspace as a
// fallback): an adapter written in Go for its API.
type Source interface {
	// Name names the source in runs and on employees ("personio").
	Name() string
	// List returns every employee the system has now, as records (Line
	// zero). Records that are bad are reported by the run, not here; an
	// error fails the whole run and changes nothing.
	List(ctx context.Context) ([]Record, error)
}

// DefaultEvery is how often a customer's source is pulled by default.
const DefaultEvery = 3 * time.Hour

// Schedule is when a customer's pull source is due next. The scheduler
// claims a due schedule by moving NextRunAt on with a compare-and-set of
// the NextRunAt it read, so that of several replicas exactly one runs each
// due sync.
type Schedule struct {
	CustomerID customer.ID
	Every      time.Duration
	NextRunAt  time.Time
}

// Next returns when s is due after a run that starts at now: Every after
// now (a late run does not pile up missed ones).
func (s Schedule) Next(now time.Time) time.Time {
	every := s.Every
	if every <= 0 {
		every = DefaultEvery
	}
	return now.Add(every)
}
