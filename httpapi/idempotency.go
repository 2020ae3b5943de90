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

	"github.com/getkin/kin-openapi/routers"

	"github.com/portalkit/portalkit/idempotency"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

const idempotencyHeader = "Idempotency-Key"

// secretOperations are the operations whose answer holds a secret (by
// operationId, lower-cased: the generated spec capitalises them). Their
// answer is not kept; a replay answers 409 naming the object instead, as
// openapi.yaml says.
var secretOperations = map[string]bool{
	"createapikey":     true,
	"createaccesslink": true,
}

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

// serveIdempotent runs an operation that takes an Idempotency-Key through
// portal.Idempotent: the first request with a key runs and its answer is
// kept for idempotency.TTL; a repeat with the same method, path and body
// gets that answer again with Idempotent-Replayed: true, and a repeat with
// another one 422. When the first answer was not kept (the server stopped
// after the change committed, or the answer held a secret), a repeat is
// answered from the object the change made (see rebuild). An answer that
// may differ on a retry (5xx, 409, 429) is not kept. Keys are scoped by
// the principal: two callers' keys never collide.
func (h *handler) serveIdempotent(w http.ResponseWriter, r *http.Request, route *routers.Route) {
	key := r.Header.Get(idempotencyHeader)
	if key == "" {
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

	op := strings.ToLower(route.Operation.OperationID)
	buf := &bufferedResponse{header: make(http.Header)}
	prev, replayed, err := h.s.p.Idempotent(r.Context(), key, fingerprint(r.Method, r.URL.Path, body),
		func(ctx context.Context) idempotency.Response {
			h.api.ServeHTTP(buf, r.WithContext(ctx))
			return idempotency.Response{
				Status:      buf.statusOr200(),
				ContentType: buf.header.Get("Content-Type"),
				ETag:        buf.header.Get("ETag"),
				Body:        buf.body.Bytes(),
				Secret:      secretOperations[op],
			}
		}, h.rebuild(r, op, route))
	if replayed {
		w.Header().Set("Idempotent-Replayed", "true")
	}
	switch {
	case portal.IsKeyReused(err):
		h.s.writeProblem(w, r, withStatus(http.StatusUnprocessableEntity, err))
	case err != nil:
		h.s.writeProblem(w, r, err)
	case replayed:
		if prev.ContentType != "" {
			w.Header().Set("Content-Type", prev.ContentType)
		}
		if prev.ETag != "" {
			w.Header().Set("ETag", prev.ETag)
		}
		w.WriteHeader(prev.Status)
		_, _ = w.Write(prev.Body)
	default:
		for k, v := range buf.header {
			w.Header()[k] = v
		}
		w.WriteHeader(buf.statusOr200())
		_, _ = w.Write(buf.body.Bytes())
	}
}

// rebuild answers a repeat of r, a request of op whose change committed
// but whose answer was not kept, from the objects the change named: what
// GET of the object answers now, with op's own success status. A create
// on a collection (POST …/orders) reads the new object below it
// (…/orders/{id}); an action on an object (POST …/items/{id}/issue) reads
// that object; a stock-in reads each item it made. An operation whose
// answer held a secret answers 409 naming what it created.
func (h *handler) rebuild(r *http.Request, op string, route *routers.Route) portal.Rebuild {
	return func(ctx context.Context, ids []string) (idempotency.Response, error) {
		if secretOperations[op] {
			return idempotency.Response{}, portalerr.New(portalerr.Conflict,
				"a request with this Idempotency-Key created %s; its secret was shown only in that answer", ids[0])
		}
		status := successStatus(route)
		if op == "stockin" {
			items := make([]json.RawMessage, len(ids))
			for i, id := range ids {
				got, err := h.get(ctx, r, r.URL.Path+"/"+id)
				if err != nil {
					return idempotency.Response{}, err
				}
				items[i] = got.Body
			}
			b, err := json.Marshal(map[string][]json.RawMessage{"items": items})
			return idempotency.Response{Status: status, ContentType: "application/json", Body: append(b, '\n')}, err
		}
		path := r.URL.Path + "/" + ids[0]
		if status != http.StatusCreated {
			path = r.URL.Path[:strings.LastIndexByte(r.URL.Path, '/')]
		}
		got, err := h.get(ctx, r, path)
		got.Status = status
		return got, err
	}
}

// get answers a GET of path as the caller of r would get it, or the error
// it answers with.
func (h *handler) get(ctx context.Context, r *http.Request, path string) (idempotency.Response, error) {
	g := r.Clone(ctx)
	g.Method, g.URL.Path, g.URL.RawPath, g.URL.RawQuery = http.MethodGet, path, "", ""
	g.Body, g.ContentLength = http.NoBody, 0
	for _, k := range []string{"Content-Type", "If-Match", idempotencyHeader} {
		g.Header.Del(k)
	}
	buf := &bufferedResponse{header: make(http.Header)}
	h.api.ServeHTTP(buf, g)
	if s := buf.statusOr200(); s != http.StatusOK {
		return idempotency.Response{}, portalerr.New(portalerr.Conflict,
			"a request with this Idempotency-Key made %s, which reads %d now", path, s)
	}
	return idempotency.Response{
		Status: http.StatusOK, ContentType: buf.header.Get("Content-Type"),
		ETag: buf.header.Get("ETag"), Body: buf.body.Bytes(),
	}, nil
}

// successStatus returns the 2xx status route's operation declares; 200
// when it declares none.
func successStatus(route *routers.Route) int {
	for code := http.StatusOK; code < 300; code++ {
		if route.Operation.Responses.Status(code) != nil {
			return code
		}
	}
	return http.StatusOK
}

// fingerprint identifies a request by its method, path and body.
func fingerprint(method, path string, body []byte) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", method, path)
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
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
