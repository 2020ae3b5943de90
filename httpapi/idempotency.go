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
)

const idempotencyHeader = "Idempotency-Key"

// secretObjects names, for the operations whose answer holds a secret
// (by operationId, lower-cased: the generated spec capitalises them), the
// JSON field of the created object. Their answer is not kept; a replay
// answers 409 naming the object instead, as openapi.yaml says.
var secretObjects = map[string]string{
	"createapikey":     "api_key",
	"createaccesslink": "access_link",
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
// gets that answer again with Idempotent-Replayed: true, a repeat with
// another one 422, and a repeat while the first still runs 409. An answer
// with a 5xx status is not kept, so that the request can be retried. An
// operation whose answer holds a secret (secretObjects) keeps it out of
// the record. Keys are scoped by the principal: two callers' keys never
// collide.
func (h *handler) serveIdempotent(w http.ResponseWriter, r *http.Request, op string) {
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

	buf := &bufferedResponse{header: make(http.Header)}
	prev, replayed, err := h.s.p.Idempotent(r.Context(), key, fingerprint(r.Method, r.URL.Path, body),
		func(ctx context.Context) idempotency.Response {
			h.api.ServeHTTP(buf, r.WithContext(ctx))
			resp := idempotency.Response{
				Status:      buf.statusOr200(),
				ContentType: buf.header.Get("Content-Type"),
				ETag:        buf.header.Get("ETag"),
				Body:        buf.body.Bytes(),
			}
			if field, ok := secretObjects[strings.ToLower(op)]; ok && resp.Status < 300 {
				resp.Body, resp.ObjectID = nil, objectID(resp.Body, field)
			}
			return resp
		})
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
