package portal

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// idempotencyWriteTimeout bounds the bookkeeping writes after a request has
// run; they go on when the caller has gone away, so that a retry finds the
// first answer.
const idempotencyWriteTimeout = 5 * time.Second

// keyReusedError is what a request whose key was used with another request
// fails with: Invalid, told apart from every other Invalid by its type
// (see IsKeyReused).
type keyReusedError struct{ error }

func (e keyReusedError) Unwrap() error { return e.error }

var (
	errKeyReused error = keyReusedError{&portalerr.Error{
		Code:    portalerr.Invalid,
		Message: "this Idempotency-Key was used with another request body",
		Fields:  []portalerr.FieldViolation{{Field: "Idempotency-Key", Message: "was used with another request body"}},
	}}
	errKeyInFlight = portalerr.New(portalerr.Conflict,
		"a request with this Idempotency-Key is still running; retry after it has answered")
)

// IsKeyReused reports whether err says that an idempotency key was used
// before with another request (an HTTP layer answers 422).
func IsKeyReused(err error) bool { return errors.As(err, new(keyReusedError)) }

// A Rebuild answers a repeat of a request whose change committed but whose
// answer was not kept, from the objects the change was about (see
// idempotency.Record.ObjectIDs): the server stopped between the commit and
// keeping the answer, or the answer held a secret. It reads the object as
// the caller in ctx and returns the answer the request would give now
// (an order as it is now, say), or an error to answer instead.
type Rebuild func(ctx context.Context, objectIDs []string) (idempotency.Response, error)

// Idempotent runs a request at most once per idempotency key of the caller
// in ctx, and answers a repeat with the first answer. fingerprint
// identifies the request (a hash of its method, route and body, say), so
// that a reuse of the key with another request is refused. run performs
// the request under a context that ties the key to its change (see
// WithIdempotencyKey) and returns its answer, to keep for a repeat unless
// it is marked Secret; the caller sends run's own answer itself. rebuild
// answers a repeat whose first answer was not kept; nil answers Conflict
// instead.
//
// Without a key, or without a caller in ctx, run just runs. With one:
//   - a live record of the key answers instead of running: replayed is
//     true and answer is the first answer, or rebuild's answer when the
//     first was not kept; Invalid (IsKeyReused) when the fingerprint
//     differs;
//   - otherwise run runs. Its key is recorded, with the object its change
//     is about, in the transaction of the change, so it is taken if, and
//     only if, the change commits: a process that stops after the commit
//     leaves a record that rebuild answers from. The answer is then kept
//     for idempotency.TTL. A request that changed nothing keeps its answer
//     too when it is a final refusal; a transient failure (5xx, 408, 409,
//     425, 429, or a request whose ctx ended) is not kept, so that a retry
//     runs again.
//
// Keys are scoped by the caller: two callers' keys never collide. err is
// also an internal error when the record cannot be read.
func (p *Portal) Idempotent(ctx context.Context, key, fingerprint string,
	run func(ctx context.Context) idempotency.Response, rebuild Rebuild) (answer idempotency.Response, replayed bool, err error) {
	who, ok := identity.FromContext(ctx)
	if key == "" || !ok {
		run(ctx)
		return idempotency.Response{}, false, nil
	}
	now := p.timestamp()
	rec := idempotency.Record{
		Scope: who.Actor(), Key: key, Fingerprint: fingerprint,
		CreatedAt: now, ExpiresAt: now.Add(idempotency.TTL),
	}
	// A key in use is answered from its record, without running again.
	if prev, live, err := p.idempotencyRecord(ctx, rec, now); err != nil || live {
		return replay(ctx, prev, fingerprint, rebuild, err)
	}

	wctx, iw := WithIdempotencyKey(ctx, rec)
	resp := run(wctx)
	switch {
	case iw.Taken():
		// Another request with this key committed its change after the
		// look above; this one changed nothing.
		prev, live, err := p.idempotencyRecord(ctx, rec, now)
		if err == nil && !live {
			err = errKeyInFlight
		}
		return replay(ctx, prev, fingerprint, rebuild, err)
	case iw.Recorded() && resp.Secret:
		// Never kept: the record, in flight, answers a repeat through
		// rebuild.
	case iw.Recorded() && resp.Status >= 500:
		// The change was made and then the answer failed: the record stays
		// in flight, and a repeat is answered through rebuild.
		p.log.ErrorContext(ctx, "portal: an idempotent change was made but not answered", "status", resp.Status)
	case iw.Recorded():
		p.completeIdempotent(ctx, rec, resp)
	case final(ctx, resp.Status):
		p.keepRefusal(ctx, rec, resp)
	}
	return idempotency.Response{}, false, nil
}

// final reports whether the answer of a request that changed nothing is
// final, and so kept for a repeat: not when it may be different on a retry
// (a server error, a timeout, a conflict, a rate limit) or when the
// request's ctx ended while it ran.
func final(ctx context.Context, status int) bool {
	switch {
	case ctx.Err() != nil, status >= 500:
		return false
	case status == http.StatusRequestTimeout, status == http.StatusConflict,
		status == http.StatusTooEarly, status == http.StatusTooManyRequests:
		return false
	}
	return true
}

// idempotencyRecord returns the record of rec's key and whether it is live.
func (p *Portal) idempotencyRecord(ctx context.Context, rec idempotency.Record, now time.Time) (idempotency.Record, bool, error) {
	var prev idempotency.Record
	err := p.read(ctx, func(r storage.Repos) error {
		var err error
		prev, err = r.Idempotency().Get(ctx, rec.Scope, rec.Key)
		return err
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return prev, false, nil
	case err != nil:
		return prev, false, fmt.Errorf("portal: reading an idempotency key: %w", err)
	}
	return prev, prev.Live(now), nil
}

// replay returns what a repeat of prev's request gets.
func replay(ctx context.Context, prev idempotency.Record, fingerprint string, rebuild Rebuild, err error) (idempotency.Response, bool, error) {
	switch {
	case err != nil:
		return idempotency.Response{}, false, err
	case prev.Fingerprint != fingerprint:
		return idempotency.Response{}, false, errKeyReused
	case prev.State == idempotency.Done:
		return prev.Response, true, nil
	case len(prev.ObjectIDs) == 0 || rebuild == nil:
		return idempotency.Response{}, false, errKeyInFlight
	}
	resp, err := rebuild(ctx, prev.ObjectIDs)
	return resp, true, err
}

// keepRefusal keeps the answer of a request that changed nothing (a
// refusal, mostly), so that a retry gets it again rather than run. When
// another request has taken the key meanwhile, its record stays.
func (p *Portal) keepRefusal(ctx context.Context, rec idempotency.Record, resp idempotency.Response) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencyWriteTimeout)
	defer cancel()
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		took, err := takeKey(ctx, r, rec, rec.CreatedAt)
		if err != nil || !took {
			return err
		}
		return r.Idempotency().Complete(ctx, rec.Scope, rec.Key, resp)
	})
	if err != nil {
		p.log.ErrorContext(ctx, "portal: keeping an idempotent answer", "status", resp.Status, "err", err)
	}
}

// completeIdempotent keeps the answer of rec's request. If that fails after
// a refusal (4xx), which changed nothing, the record is dropped, so that
// retries run again rather than meet 409 for a day. After a success the
// change has happened: the record stays in flight, and a repeat is
// answered from its object rather than make the change a second time (a
// second order, say).
func (p *Portal) completeIdempotent(ctx context.Context, rec idempotency.Record, resp idempotency.Response) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencyWriteTimeout)
	defer cancel()
	err := p.store.InTx(ctx, func(r storage.Repos) error {
		return r.Idempotency().Complete(ctx, rec.Scope, rec.Key, resp)
	})
	if err == nil {
		return
	}
	p.log.ErrorContext(ctx, "portal: keeping an idempotent answer", "status", resp.Status, "err", err)
	if resp.Status >= 400 {
		err := p.store.InTx(ctx, func(r storage.Repos) error {
			return r.Idempotency().Delete(ctx, rec.Scope, rec.Key)
		})
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			p.log.ErrorContext(ctx, "portal: releasing an idempotency key", "err", err)
		}
	}
}
