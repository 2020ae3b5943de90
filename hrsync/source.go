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
// claims a due schedule by moving NextRunAt on to the run's lease with a
// compare-and-set of the NextRunAt it read, so that of several replicas
// exactly one runs each due sync, and when the run is done moves it from
// the lease to Next the same way.
type Schedule struct {
	CustomerID customer.ID
	Every      time.Duration
	NextRunAt  time.Time
}

// RunLease is the longest a scheduled run may take. The replica that
// claims a due sync holds it until RunLease after the claim (or until
// Every, when that is sooner), and the run's pull and the recording of its
// plan are stopped then. A replica that dies, or stops, before it has
// recorded the run leaves the sync due again once that time has passed,
// for any replica: each due sync runs at least once, and no two pulls of
// one customer's source overlap.
const RunLease = 30 * time.Minute

// Next returns when s is due after a run that starts at now: Every after
// now (a late run does not pile up missed ones).
func (s Schedule) Next(now time.Time) time.Time { return now.Add(s.every()) }

// Lease returns until when a run of s that starts at now holds it: the
// shorter of RunLease and Every after now.
func (s Schedule) Lease(now time.Time) time.Time { return now.Add(min(RunLease, s.every())) }

func (s Schedule) every() time.Duration {
	if s.Every <= 0 {
		return DefaultEvery
	}
	return s.Every
}
