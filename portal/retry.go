package portal

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/portalkit/portalkit/portalerr"
)

// retryPolicy is how a worker of rows written in a use case's transaction
// claims, sends and retries them: the part that OutboxOptions (mail) and
// WebhookOptions (webhooks) share, with one normalize for both. Each
// options type has its own defaults (retryDefaults) and its own name for
// the timeout of one send.
type retryPolicy struct {
	BatchSize    int
	Concurrency  int
	Timeout      time.Duration
	Lease        time.Duration
	MaxAttempts  int
	BaseDelay    time.Duration
	MaxDelay     time.Duration
	Jitter       func(d time.Duration) time.Duration
	PollInterval time.Duration
}

// retryDefaults are the defaults of one options type; timeoutField names
// its timeout in violations ("send_timeout", "timeout").
type retryDefaults struct {
	BatchSize, Concurrency, MaxAttempts int
	Timeout, BaseDelay, MaxDelay        time.Duration
	timeoutField                        string
}

// normalize fills in the defaults of zero fields and checks rp: a portalerr
// Invalid error with a violation per bad field (batch_size, concurrency,
// max_attempts, the timeout, lease, base_delay, max_delay, poll_interval).
// A zero Lease becomes DefaultOutboxLease, or twice the longest pass when
// that is longer.
func (rp retryPolicy) normalize(def retryDefaults) (retryPolicy, error) {
	orDef := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if rp.BatchSize == 0 {
		rp.BatchSize = def.BatchSize
	}
	if rp.Concurrency == 0 {
		rp.Concurrency = def.Concurrency
	}
	if rp.MaxAttempts == 0 {
		rp.MaxAttempts = def.MaxAttempts
	}
	orDef(&rp.Timeout, def.Timeout)
	orDef(&rp.BaseDelay, def.BaseDelay)
	orDef(&rp.MaxDelay, def.MaxDelay)
	orDef(&rp.PollInterval, DefaultOutboxPoll)
	if rp.Jitter == nil {
		rp.Jitter = func(d time.Duration) time.Duration { return rand.N(d + 1) }
	}
	var v []portalerr.FieldViolation
	bad := func(field, msg string) { v = append(v, portalerr.FieldViolation{Field: field, Message: msg}) }
	batchOK := rp.BatchSize >= 1 && rp.BatchSize <= MaxOutboxBatchSize
	if !batchOK {
		bad("batch_size", fmt.Sprintf("must be between 1 and %d", MaxOutboxBatchSize))
	}
	if rp.Concurrency < 1 {
		bad("concurrency", "must be at least 1")
	}
	if rp.MaxAttempts < 1 {
		bad("max_attempts", "must be at least 1")
	}
	for _, d := range []struct {
		field string
		d     time.Duration
	}{
		{def.timeoutField, rp.Timeout}, {"lease", rp.Lease}, {"base_delay", rp.BaseDelay},
		{"max_delay", rp.MaxDelay}, {"poll_interval", rp.PollInterval},
	} {
		if d.d < 0 {
			bad(d.field, "must be positive")
		}
	}
	if rp.MaxDelay < rp.BaseDelay {
		bad("max_delay", "must be at least base_delay")
	}
	if !batchOK || rp.Concurrency < 1 || rp.Timeout < 0 {
		return rp, portalerr.InvalidFields(v...)
	}
	pass, ok := rp.longestPass()
	if rp.Lease == 0 {
		rp.Lease = DefaultOutboxLease
		if ok && pass > rp.Lease/2 {
			rp.Lease = 2 * min(pass, math.MaxInt64/2)
		}
	}
	if !ok || rp.Lease <= pass {
		bad("lease", fmt.Sprintf("must be longer than a pass can take, %s × (batch_size + concurrency − 1) / concurrency (%s), or a slow pass loses its rows to another worker", def.timeoutField, pass))
	}
	return rp, portalerr.InvalidFields(v...)
}

// longestPass is how long a pass can take to send its batch when every
// row takes the whole Timeout: each sender starts the next row as soon as
// it is free, so when the last row starts every sender has been busy with
// the others' (BatchSize − 1) · Timeout of work, and the last one ends at
// most Timeout after. ok is false when that overflows a Duration.
// BatchSize and Concurrency must be positive.
func (rp retryPolicy) longestPass() (d time.Duration, ok bool) {
	c := int64(min(rp.Concurrency, rp.BatchSize))
	n := int64(rp.BatchSize) + c - 1
	t := int64(rp.Timeout)
	if t > math.MaxInt64/n {
		return time.Duration(math.MaxInt64), false
	}
	return time.Duration(t * n / c), true
}
