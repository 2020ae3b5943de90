package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
)

// TestStrictJSONBodies sends bodies that encoding/json, and so kin-openapi
// and the generated code, would read without complaint: a second JSON value
// after the first, and strings that are not valid UTF-8, which it turns
// into U+FFFD. Each is refused as invalid, naming the field, and nothing is
// written; the same text written properly is accepted.
func TestStrictJSONBodies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	owner := e.client(t, e.owner)
	acme := createCustomer(t, owner, "Acme GmbH")
	customers := func() int {
		t.Helper()
		l := must(owner.ListCustomersWithResponse(t.Context(), &client.ListCustomersParams{Limit: ptr(100)}))(t)
		return len(l.JSON200.Items)
	}
	invite := "/v1/customers/" + acme.Id + "/invitations"

	refused := []struct {
		name, path, body string
		header           map[string]string
		field, message   string
	}{
		{name: "a second value", path: "/v1/customers", body: `{"name":"a"}{"name":"b","x":1}`,
			field: "body", message: "must be one JSON value, with nothing after it"},
		{name: "a second value after white space", path: "/v1/customers", body: "{\"name\":\"a\"}\n\n[1]",
			field: "body", message: "must be one JSON value, with nothing after it"},
		{name: "text after the value", path: "/v1/customers", body: `{"name":"a"} trailing`,
			field: "body", message: "must be one JSON value, with nothing after it"},
		{name: "a second value with an Idempotency-Key", path: "/v1/customers", body: `{"name":"a"}{"name":"b"}`,
			header: map[string]string{"Idempotency-Key": "strict-1"},
			field:  "body", message: "must be one JSON value, with nothing after it"},
		{name: "invalid UTF-8", path: "/v1/customers", body: "{\"name\":\"Acme \xff GmbH\"}",
			field: "name", message: "is not valid UTF-8"},
		{name: "a truncated sequence", path: "/v1/customers", body: "{\"name\":\"Acme \xe2\x82\"}",
			field: "name", message: "is not valid UTF-8"},
		{name: "an encoded surrogate", path: "/v1/customers", body: "{\"name\":\"\xed\xa0\x80\"}",
			field: "name", message: "is not valid UTF-8"},
		{name: "an escaped lone surrogate", path: "/v1/customers", body: `{"name":"Acme \ud800"}`,
			field: "name", message: "is not valid UTF-8"},
		{name: "an escaped low surrogate first", path: "/v1/customers", body: `{"name":"\udc00\ud800"}`,
			field: "name", message: "is not valid UTF-8"},
		{name: "nested", path: "/v1/customers", body: "{\"name\":\"Acme\",\"address\":{\"city\":\"K\xf6ln\"}}",
			field: "address.city", message: "is not valid UTF-8"},
		{name: "in an array", path: invite, body: "{\"email\":\"a@acme.example\",\"role\":\"viewer\",\"site_ids\":[\"sit_1\",\"\xc0\xaf\"]}",
			field: "site_ids[1]", message: "is not valid UTF-8"},
		{name: "in a field name", path: "/v1/customers", body: "{\"name\":\"Acme\",\"\xff\":1}",
			field: "body", message: "has a field name that is not valid UTF-8"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			before := customers()
			res, body := e.do(t, http.MethodPost, tc.path, e.owner, strings.NewReader(tc.body), tc.header)
			p := problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
			assert.Equal(t, tc.message, fields(p)[tc.field], "fields: %v", fields(p))
			assert.Equal(t, before, customers(), "nothing is written")
		})
	}

	t.Run("every bad string is named", func(t *testing.T) {
		res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner,
			strings.NewReader("{\"name\":\"\xff\",\"phone\":\"\\udfff\",\"address\":{\"city\":\"ok\",\"line1\":\"\xfe\"}}"), nil)
		p := problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Equal(t, map[string]string{"name": "is not valid UTF-8", "phone": "is not valid UTF-8", "address.line1": "is not valid UTF-8"}, fields(p))
	})

	t.Run("valid text is accepted", func(t *testing.T) {
		for _, tc := range []struct{ body, name string }{
			{"{\"name\":\"K\xc3\xb6ln \xe2\x82\xac \xf0\x9f\x98\x80\"}\n", "Köln € 😀"},
			{`{"name":"K\u00f6ln \u20ac \ud83d\ude00 \"q\" \\u"}`, `Köln € 😀 "q" \u`},
			{` {"name":"Acme Two"} `, "Acme Two"},
		} {
			res, body := e.do(t, http.MethodPost, "/v1/customers", e.owner, strings.NewReader(tc.body), nil)
			require.Equal(t, http.StatusCreated, res.StatusCode, "%s: %s", tc.body, body)
			var c client.Customer
			require.NoError(t, json.Unmarshal(body, &c))
			assert.Equal(t, tc.name, c.Name)
		}
	})

	t.Run("query parameters", func(t *testing.T) {
		res, body := e.do(t, http.MethodGet, "/v1/customers?q=K%F6ln", e.owner, nil, nil)
		p := problem(t, res, body, http.StatusBadRequest, client.ProblemCodeInvalid)
		assert.Equal(t, map[string]string{"q": "is not valid UTF-8"}, fields(p))

		res, body = e.do(t, http.MethodGet, "/v1/customers?q=K%C3%B6ln", e.owner, nil, nil)
		assert.Equal(t, http.StatusOK, res.StatusCode, "body: %s", body)
	})
}

// TestMethodNotAllowed asks known paths, with and without parameters, with
// methods they do not have: 405 with the methods they have in Allow and a
// problem document. An unknown path stays 404.
func TestMethodNotAllowed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	acme := createCustomer(t, e.client(t, e.owner), "Acme GmbH")
	tests := []struct{ method, path, allow string }{
		{http.MethodDelete, "/v1/customers", "GET, POST"},
		// The router would take this for /v1/customers/{customerId} with an empty ID.
		{http.MethodPatch, "/v1/customers", "GET, POST"},
		{http.MethodPut, "/v1/customers/" + acme.Id, "GET, PATCH"},
		{http.MethodDelete, "/v1/customers/cus_unknown", "GET, PATCH"},
		{http.MethodGet, "/v1/auth/logout", "POST"},
		{http.MethodPost, "/healthz", "GET"},
		{http.MethodOptions, "/v1/customers", "GET, POST"},
		{"PURGE", "/v1/customers", "GET, POST"},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			res, body := e.do(t, tc.method, tc.path, e.owner, nil, nil)
			p := problem(t, res, body, http.StatusMethodNotAllowed, client.ProblemCodeInvalid)
			assert.Equal(t, tc.allow, res.Header.Get("Allow"))
			require.NotNil(t, p.Detail)
			assert.Contains(t, *p.Detail, tc.method)
		})
	}

	for _, path := range []string{"/v1/nothing", "/v1/customers/" + acme.Id + "/nothing"} {
		res, body := e.do(t, http.MethodDelete, path, e.owner, nil, nil)
		problem(t, res, body, http.StatusNotFound, client.ProblemCodeNotFound)
		assert.Empty(t, res.Header.Get("Allow"))
	}
}

// TestSecurityHeaders checks that answers of every kind, successes,
// problems and the operations' endpoints outside /v1, tell browsers not to
// sniff content types and not to send a Referer.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct{ method, path, token string }{
		{http.MethodGet, "/v1/customers", e.owner},
		{http.MethodGet, "/v1/customers", ""},
		{http.MethodGet, "/v1/customers", "pk_forged"},
		{http.MethodGet, "/v1/nothing", e.owner},
		{http.MethodDelete, "/v1/customers", e.owner},
		{http.MethodGet, "/healthz", ""},
		{http.MethodGet, "/openapi.yaml", ""},
		{http.MethodGet, "/metrics", ""},
	} {
		res, _ := e.do(t, tc.method, tc.path, tc.token, nil, nil)
		assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"), "%s %s: %d", tc.method, tc.path, res.StatusCode)
		assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"), "%s %s: %d", tc.method, tc.path, res.StatusCode)
	}
}
