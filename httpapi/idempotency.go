package httpapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/routers"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

const idempotencyHeader = "Idempotency-Key"

// idempotencyWriteTimeout bounds the bookkeeping writes after a request has
// run; they go on when the caller has gone away, so that a retry finds the
// first answer.
const idempotencyWriteTimeout = 5 * time.Second

// secretObjects names, for the operations whose answer holds a secret
// (by operationId, lower-cased: the generated spec capitalises them), the
// JSON field of the created object. Their answer is not kept; a replay
// answers 409 naming the object instead, as openapi.yaml says.
var secretObjects = map[string]string{
	"createapikey":     "api_key",
	"createaccesslink": "access_link",
}

var (
	errIdempotencyReused = withStatus(http.StatusUnprocessableEntity, &portalerr.Error{
		Code:    portalerr.Invalid,
		Message: "this Idempotency-Key was used with another request body",
		Fields:  []portalerr.FieldViolation{{Field: idempotencyHeader, Message: "was used with another request body"}},
	})
	errIdempotencyInFlight = portalerr.New(portalerr.Conflict,
		"a request with this Idempotency-Key is still running; retry after it has answered")
)

// takesIdempotencyKey reports whether the route's operation declares the
// Idempotency-Key header.
func takesIdempotencyKey(route *routers.Route) bool {
	if route == nil || route.Operation == nil {
		return false
	}
	for _, p := range route.Operation.Parameters {
		if p.Value != nil && p.Value.In == "header" && http.CanonicalHeaderKey(p.Value.Name) == idempotencyHeader {
			return true
		}
	}
	return false
}

// serveIdempotent runs an operation that takes an Idempotency-Key. Without
// the header, or without an authenticated caller, it just runs it. With
// it, the first request with a key runs and its answer is kept for
// storage.IdempotencyTTL; a repeat with the same method, path and body
// gets that answer again with Idempotent-Replayed: true, a repeat with
// another one 422, and a repeat while the first still runs 409. An answer
// with a 5xx status is not kept, so that the request can be retried.
//
// The key is recorded in the transaction of the change it guards
// (portal.WithIdempotencyKey): it is taken if, and only if, the change is
// made, and of two requests with one key only the first to commit makes
// it. A request refused before it changed anything keeps its answer in a
// transaction of its own.
//
// Keys are scoped by the principal: two callers' keys never collide.
func (h *handler) serveIdempotent(w http.ResponseWriter, r *http.Request, op string) {
	key := r.Header.Get(idempotencyHeader)
	p, ok := identity.FromContext(r.Context())
	if key == "" || !ok {
		h.api.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			err = errBodyTooLarge(h.s.maxBody)
		}
		h.s.writeProblem(w, r, err)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))

	now := h.s.p.Now()
	rec := storage.IdempotencyRecord{
		Scope:       p.Actor(),
		Key:         key,
		Fingerprint: fingerprint(r.Method, r.URL.Path, body),
		CreatedAt:   now,
		ExpiresAt:   now.Add(storage.IdempotencyTTL),
	}
	// A key in use is answered from its record, without running again.
	if h.s.replayed(w, r, rec, now) {
		return
	}

	ctx, iw := portal.WithIdempotencyKey(r.Context(), rec)
	buf := &bufferedResponse{header: make(http.Header)}
	h.api.ServeHTTP(buf, r.WithContext(ctx))
	if iw.Taken() {
		// Another request with this key committed its change after the
		// look above; this one changed nothing.
		if !h.s.replayed(w, r, rec, now) {
			h.s.writeProblem(w, r, errIdempotencyInFlight)
		}
		return
	}

	status := buf.statusOr200()
	resp := storage.IdempotencyResponse{
		Status:      status,
		ContentType: buf.header.Get("Content-Type"),
		ETag:        buf.header.Get("ETag"),
		Body:        buf.body.Bytes(),
	}
	if field, ok := secretObjects[strings.ToLower(op)]; ok && status < 300 {
		resp.Body, resp.ObjectID = nil, objectID(buf.body.Bytes(), field)
	}
	switch {
	case iw.Recorded() && status >= 500:
		// The change was made and then the answer failed: the key stays in
		// flight until it expires, so a retry meets 409 rather than make
		// the change twice.
		h.s.log.ErrorContext(r.Context(), "httpapi: an idempotent change was made but not answered",
			"request_id", requestID(r.Context()), "status", status)
	case iw.Recorded():
		h.s.completeIdempotent(r.Context(), rec, resp)
	case status < 500:
		h.s.keepRefusal(r.Context(), rec, resp)
	}

	for k, v := range buf.header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write(buf.body.Bytes())
}

// fingerprint identifies a request by its method, path and body.
func fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// objectID returns the id of the object in field of a JSON answer, or "".
func objectID(body []byte, field string) string {
	var v map[string]struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal(body, &v)
	return v[field].ID
}

// replayed answers the request from the record of rec's key, when there
// is one that has not expired, and reports whether it did. A store that
// cannot be read answers 500.
func (s *Server) replayed(w http.ResponseWriter, r *http.Request, rec storage.IdempotencyRecord, now time.Time) bool {
	ctx := r.Context()
	var prev storage.IdempotencyRecord
	err := s.idem.ReadTx(ctx, func(repos storage.Repos) error {
		var err error
		prev, err = repos.Idempotency().Get(ctx, rec.Scope, rec.Key)
		return err
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return false
	case err != nil:
		s.writeProblem(w, r, err)
		return true
	case !prev.ExpiresAt.After(now):
		return false // the request runs; its change replaces the record
	}
	s.replay(w, r, prev, rec.Fingerprint)
	return true
}

// keepRefusal keeps the answer of a request that changed nothing (a
// refusal, mostly), so that a retry gets it again rather than run. When
// another request has taken the key meanwhile, its record stays.
func (s *Server) keepRefusal(ctx context.Context, rec storage.IdempotencyRecord, resp storage.IdempotencyResponse) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencyWriteTimeout)
	defer cancel()
	err := s.idem.InTx(ctx, func(r storage.Repos) error {
		repo := r.Idempotency()
		prev, err := repo.Get(ctx, rec.Scope, rec.Key)
		switch {
		case errors.Is(err, storage.ErrNotFound):
		case err != nil:
			return err
		case prev.ExpiresAt.After(rec.CreatedAt):
			return nil
		default:
			if err := repo.Delete(ctx, rec.Scope, rec.Key); err != nil {
				return err
			}
		}
		if err := repo.Begin(ctx, rec); err != nil {
			return err
		}
		return repo.Complete(ctx, rec.Scope, rec.Key, resp)
	})
	if err != nil {
		s.log.ErrorContext(ctx, "httpapi: keeping an idempotent answer", "request_id", requestID(ctx), "status", resp.Status, "err", err)
	}
}

// completeIdempotent keeps the answer of rec's request. If that fails after
// a refusal (4xx), which changed nothing, the record is dropped, so that
// retries run again rather than meet 409 for a day. After a success the
// change has happened: the record stays in flight, and retries meet 409
// until it expires rather than do the change a second time (a second
// order, say).
func (s *Server) completeIdempotent(ctx context.Context, rec storage.IdempotencyRecord, resp storage.IdempotencyResponse) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencyWriteTimeout)
	defer cancel()
	err := s.idem.InTx(ctx, func(r storage.Repos) error {
		return r.Idempotency().Complete(ctx, rec.Scope, rec.Key, resp)
	})
	if err == nil {
		return
	}
	s.log.ErrorContext(ctx, "httpapi: keeping an idempotent answer", "request_id", requestID(ctx), "status", resp.Status, "err", err)
	if resp.Status >= 400 {
		s.forgetIdempotent(ctx, rec)
	}
}

// forgetIdempotent deletes rec, so that its key can be used again.
func (s *Server) forgetIdempotent(ctx context.Context, rec storage.IdempotencyRecord) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), idempotencyWriteTimeout)
	defer cancel()
	err := s.idem.InTx(ctx, func(r storage.Repos) error {
		return r.Idempotency().Delete(ctx, rec.Scope, rec.Key)
	})
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		s.log.ErrorContext(ctx, "httpapi: releasing an Idempotency-Key", "request_id", requestID(ctx), "err", err)
	}
}

// replay answers a request whose key was used before, as prev records.
func (s *Server) replay(w http.ResponseWriter, r *http.Request, prev storage.IdempotencyRecord, fp string) {
	switch {
	case prev.Fingerprint != fp:
		s.writeProblem(w, r, errIdempotencyReused)
		return
	case prev.State != storage.IdempotencyDone:
		s.writeProblem(w, r, errIdempotencyInFlight)
		return
	}
	resp := prev.Response
	w.Header().Set("Idempotent-Replayed", "true")
	if resp.Body == nil && resp.ObjectID != "" {
		s.writeProblem(w, r, portalerr.New(portalerr.Conflict,
			"a request with this Idempotency-Key created %s; its secret was shown only in that answer", resp.ObjectID))
		return
	}
	if resp.ContentType != "" {
		w.Header().Set("Content-Type", resp.ContentType)
	}
	if resp.ETag != "" {
		w.Header().Set("ETag", resp.ETag)
	}
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body)
}

// bufferedResponse holds an answer until it has been kept.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) statusOr200() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}
