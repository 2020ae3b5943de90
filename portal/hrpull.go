package portal

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// schedulerActor is who starts the runs of RunDueSyncs.
const schedulerActor = "scheduler"

// HRSource returns customer cid's pull source as Config.HRSources gives
// it; nil when it has none. It is configuration, not data, and asks no
// caller.
func (p *Portal) HRSource(cid customer.ID) hrsync.Source {
	if p.hrSources == nil {
		return nil
	}
	return p.hrSources(cid)
}

// SyncFrom pulls customer cid's employees from src now ("sync now") and
// runs a sync of them, as StartSync does with a file (not a dry run: the
// deletion threshold still stops it for confirmation). Staff and the
// customer's admins may call it; FeatureDisabled unless hr_sync is on;
// FailedPrecondition for a nil src (a customer without a pull source).
// When src fails, the run is stored as RunFailed with the reason and
// nothing else changes; the error is returned too.
func (p *Portal) SyncFrom(ctx context.Context, cid customer.ID, src hrsync.Source) (hrsync.Run, error) {
	// Check the caller before the source is asked: a refused caller must
	// not make the portal call out, nor learn whether there is a source.
	if err := p.inOrg(ctx, p.read, ActHRSyncRun, cid, func(storage.Repos, access, customer.Customer) error { return nil }); err != nil {
		return hrsync.Run{}, err
	}
	if src == nil {
		return hrsync.Run{}, portalerr.New(portalerr.FailedPrecondition, "customer %s has no pull source for HR sync", cid)
	}
	start := time.Now()
	recs, bad, err := pull(ctx, src)
	if err != nil {
		run, ferr := p.failedRun(ctx, cid, actorOf(ctx), src.Name(), err, start)
		if ferr != nil {
			return hrsync.Run{}, ferr
		}
		return run, portalerr.New(portalerr.FailedPrecondition, "the source %s could not be read: %v", src.Name(), err)
	}
	return p.startSync(ctx, cid, src.Name(), recs, bad, false, 0, start)
}

// pull lists src and normalises its records; bad ones are RowErrors with
// their position in the list as the line.
func pull(ctx context.Context, src hrsync.Source) ([]hrsync.Record, []hrsync.RowError, error) {
	list, err := src.List(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(list) > hrsync.MaxRecords {
		return nil, nil, fmt.Errorf("%d records, more than %d", len(list), hrsync.MaxRecords)
	}
	recs := make([]hrsync.Record, 0, len(list))
	var bad []hrsync.RowError
	for i, rec := range list {
		rec.Line = i + 1
		n, err := rec.Normalize()
		if err != nil {
			bad = append(bad, hrsync.RowError{Line: i + 1, ExternalID: rec.ExternalID, Message: err.Error()})
			continue
		}
		recs = append(recs, n)
	}
	return recs, bad, nil
}

// failedRun stores a run of cid from source that failed with err.
func (p *Portal) failedRun(ctx context.Context, cid customer.ID, actor, source string, err error, start time.Time) (hrsync.Run, error) {
	run := hrsync.Run{
		ID: hrsync.RunID(p.ids.NewID(PrefixSyncRun)), CustomerID: cid, Source: source, Status: hrsync.RunFailed,
		Plan:      hrsync.Plan{Errors: []hrsync.RowError{{Message: "the source could not be read: " + err.Error()}}, Counts: hrsync.Counts{Errors: 1}},
		StartedBy: actor, StartedAt: p.timestamp(), FinishedAt: p.timestamp(), Duration: time.Since(start), Version: 1,
	}
	werr := p.write(ctx, func(r storage.Repos) error {
		if err := r.Org().CreateRun(ctx, run); err != nil {
			return err
		}
		return p.record(ctx, r, actor, "hr_sync.failed", cid, string(run.ID), run)
	})
	return run, werr
}

// actorOf names the caller in ctx, or the scheduler.
func actorOf(ctx context.Context) string {
	if who, ok := identity.FromContext(ctx); ok {
		return who.Actor()
	}
	return schedulerActor
}

// RunDueSyncs runs the pull syncs that are due: every customer with
// hr_sync on gets a schedule (due at once, then every Config.HRSyncEvery).
// Each due schedule is claimed in the database with a compare-and-set, so
// that of several replicas calling RunDueSyncs at once exactly one runs
// each due sync. The claim holds the sync for the run's lease
// (hrsync.Schedule.Lease, from the moment of the claim), and the run,
// recording it included, is stopped at its end; once the run is recorded,
// the schedule moves on to the next run. A replica that dies or stops (ctx
// ends) mid-run, or fails to record the run, leaves the sync to be run
// again when the lease ends, by whichever replica comes first: each due
// sync runs at least once. A customer without a pull source
// (Config.HRSources) is skipped until its next run. It returns how many
// runs it made; a source that fails makes a RunFailed run and does not
// stop the others. It is the scheduler's work, not a caller's: it asks no
// caller.
func (p *Portal) RunDueSyncs(ctx context.Context) (int, error) {
	now := p.timestamp()
	var due []hrsync.Schedule
	err := p.write(ctx, func(r storage.Repos) error {
		if err := r.Org().EnsureSchedules(ctx, now, p.hrEvery); err != nil {
			return err
		}
		var err error
		due, err = r.Org().DueSchedules(ctx, now, 100)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("portal: finding due HR syncs: %w", err)
	}
	runs := 0
	var errs []error
	for _, sc := range due {
		if ctx.Err() != nil {
			break // stopped: what is left stays due
		}
		// Each run's lease starts when it is claimed, not when the list was
		// read: the runs before it took their time.
		start := p.timestamp()
		lease := sc.Lease(start)
		claimed, err := p.moveSchedule(ctx, sc, lease)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !claimed {
			continue // another replica runs it
		}
		if src := p.HRSource(sc.CustomerID); src != nil {
			runs++
			if err := p.pullSync(ctx, sc.CustomerID, src, lease.Sub(start)); err != nil {
				// Not recorded (stopped, or the write failed): the lease runs
				// out and the sync is due again.
				errs = append(errs, fmt.Errorf("portal: HR sync of %s: %w", sc.CustomerID, err))
				continue
			}
		}
		// The run is recorded: move the sync on even when ctx has just
		// ended, so that it is not run twice.
		held := sc
		held.NextRunAt = lease
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		if _, err := p.moveSchedule(mctx, held, sc.Next(start)); err != nil {
			errs = append(errs, err)
		}
		cancel()
	}
	return runs, errors.Join(errs...)
}

// moveSchedule moves sc on to next if nobody did since it was read.
func (p *Portal) moveSchedule(ctx context.Context, sc hrsync.Schedule, next time.Time) (bool, error) {
	var moved bool
	err := p.write(ctx, func(r storage.Repos) error {
		var err error
		moved, err = r.Org().ClaimSchedule(ctx, sc, next)
		return err
	})
	return moved, err
}

// pullSync pulls src for customer cid and records the run as the
// scheduler, within limit: a source that has not answered by then fails
// the run, which is recorded as failed; a run that cannot be recorded by
// then returns an error.
func (p *Portal) pullSync(ctx context.Context, cid customer.ID, src hrsync.Source, limit time.Duration) error {
	start := time.Now()
	rctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	recs, bad, err := pull(rctx, src)
	if err != nil {
		if ctx.Err() != nil {
			return err // stopped: nothing to record, the sync is due again
		}
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("no answer within %s: %w", limit, err)
		}
		// Recorded after the lease when the source used it all up: only the
		// failure is written, and the next run reads the source afresh.
		_, ferr := p.failedRun(ctx, cid, schedulerActor, src.Name(), err, start)
		return ferr
	}
	return p.write(rctx, func(r storage.Repos) error {
		c, err := getCustomer(rctx, r, cid)
		if err != nil {
			return err
		}
		if err := c.Features.CheckOn(c.ID, customer.FeatureHRSync); err != nil {
			return nil // turned off since it was found due
		}
		_, err = p.recordRun(rctx, r, c, schedulerActor, src.Name(), recs, bad, false, 0, start)
		return err
	})
}

// RunHRSyncScheduler calls RunDueSyncs every poll (default a minute) until
// ctx ends, logging what fails. Run it in every replica: the claims in the
// database keep each due sync to one of them.
func (p *Portal) RunHRSyncScheduler(ctx context.Context, poll time.Duration) error {
	if poll <= 0 {
		poll = time.Minute
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if _, err := p.RunDueSyncs(ctx); err != nil && ctx.Err() == nil {
			p.log.ErrorContext(ctx, "portal: HR sync scheduler", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
