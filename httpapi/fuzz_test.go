package httpapi_test

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"unicode/utf8"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/portal/portaltest"
)

// fuzzOps are the operations FuzzRequestBody sends bodies to: objects,
// nested objects, arrays of strings and of objects, an update with
// If-Match, and a create through the Idempotency-Key path.
var fuzzOps = []struct {
	method, path string
	header       map[string]string
}{
	{http.MethodPost, "/v1/customers", nil},
	{http.MethodPost, "/v1/customers/cus_000001/invitations", nil},
	{http.MethodPost, "/v1/customers/cus_000001/orders", nil},
	{http.MethodPatch, "/v1/customers/cus_000001", map[string]string{"If-Match": `"1"`}},
	{http.MethodPost, "/v1/customers", map[string]string{"Idempotency-Key": "fuzz"}},
}

// FuzzRequestBody sends any body to operations that take one, as an
// anonymous caller, so that whatever passes the checks reaches the portal
// and stops there, unauthenticated, without writing. It checks that
// nothing fails inside (no 500, which is also what a recovered panic
// answers), that every refusal is a problem document, that a body that is
// not exactly one JSON value, or not valid UTF-8, is refused as invalid,
// and, the other way round, that what gets past the checks (to 401) is
// one valid JSON value of valid UTF-8: json.Valid and utf8.Valid are the
// oracle, not the handler's own checker.
func FuzzRequestBody(f *testing.F) {
	h := httpapi.NewHandler(portaltest.New(f, &portaltest.Clock{}), httpapi.WithLogger(slog.New(slog.DiscardHandler)))
	for _, body := range []string{
		`{"name":"Acme GmbH"}`,
		`{"name":"a"}{"name":"b","x":1}`,
		"{\"name\":\"a\"}\n",
		`{"name":"a"} x`,
		`{"name":"a"}]`,
		"{\"name\":\"Acme \xff\"}",
		"{\"name\":\"\xed\xa0\x80\"}",
		`{"name":"\ud800"}`,
		`{"name":"\ud83d\ude00"}`,
		`{"name":"\ud83d\u0041"}`,
		`{"name":"\udc00\ud800"}`,
		`{"name":"x\\u\"y"}`,
		"{\"\xff\":1}",
		`{"name":"Acme","address":{"city":"Köln","country":"DE"}}`,
		`{"email":"a@acme.example","role":"viewer","site_ids":["sit_1","\ud800"]}`,
		`{"lines":[{"product_id":"prd_1","quantity":2}],"recipient":{"name":"Bob"}}`,
		`{"name":1e400}`,
		`{"name":-0.0e-0,"x":[true,false,null,{}]}`,
		`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
		`"just a string"`,
		`null`,
		``,
		` `,
		`{`,
		"\xef\xbb\xbf{\"name\":\"BOM\"}",
	} {
		for op := range fuzzOps {
			f.Add(uint8(op), []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, opIndex uint8, body []byte) {
		op := fuzzOps[int(opIndex)%len(fuzzOps)]
		req := httptest.NewRequestWithContext(t.Context(), op.method, op.path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		for k, v := range op.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", op.method, op.path, body, rec.Code, rec.Body)
		}
		var p client.Problem
		if rec.Code >= 400 {
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
				t.Fatalf("%q: %d with Content-Type %q", body, rec.Code, ct)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Code == "" || p.Status != rec.Code {
				t.Fatalf("%q: %d with a bad problem document (%v): %s", body, rec.Code, err, rec.Body)
			}
		}
		// What gets past the checks reaches the portal, which answers 401.
		oneValue := json.Valid(body) && utf8.Valid(body)
		switch {
		case !oneValue && (rec.Code != http.StatusBadRequest || p.Code != client.ProblemCodeInvalid):
			t.Fatalf("%q is not one JSON value of valid UTF-8, but answers %d %s", body, rec.Code, rec.Body)
		case rec.Code < 400:
			t.Fatalf("%q: an anonymous caller got %d", body, rec.Code)
		}
	})
}
