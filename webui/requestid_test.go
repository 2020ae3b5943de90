package webui_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portal"
)

// TestPagesCarryRequestID checks that every answer of the pages has an
// X-Request-ID (the caller's when it is safe, else a new one), that the
// audit events of what a form did record it, and that error pages show
// it, so that a person can quote it to support.
func TestPagesCarryRequestID(t *testing.T) {
	t.Parallel()
	c := newConsole(t)
	acme := c.customer(t, "Acme", customer.FeaturesPatch{})
	_, adaToken := c.member(t, acme.ID, "ada@acme.example", customer.RoleAdmin)
	send := func(method, path, origin string, form url.Values, id string) (*http.Response, string) {
		t.Helper()
		var body io.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		}
		req, err := http.NewRequestWithContext(t.Context(), method, c.srv.URL+path, body)
		require.NoError(t, err)
		req.AddCookie(&http.Cookie{Name: "portalkit_session", Value: adaToken})
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", origin)
		}
		if id != "" {
			req.Header.Set("X-Request-ID", id)
		}
		res, err := http.DefaultTransport.RoundTrip(req)
		require.NoError(t, err)
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		require.NoError(t, err)
		return res, string(b)
	}
	eventOf := func(action string) string {
		t.Helper()
		l, err := c.p.ListCustomerAuditEvents(c.owner, acme.ID, portal.ListAuditEventsParams{Action: action})
		require.NoError(t, err)
		require.Len(t, l.Items, 1, action)
		return l.Items[0].RequestID
	}

	res, _ := send(http.MethodPost, "/impersonations/policy", c.srv.URL, url.Values{"forbidden": {"on"}}, "")
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	id := res.Header.Get("X-Request-ID")
	assert.Regexp(t, `^req_[0-9a-f]{24}$`, id)
	assert.Equal(t, id, eventOf("impersonation.forbidden"), "the form's audit event records the request")

	res, _ = send(http.MethodPost, "/impersonations/policy", c.srv.URL, url.Values{}, "trace-42:a")
	require.Equal(t, http.StatusSeeOther, res.StatusCode)
	assert.Equal(t, "trace-42:a", res.Header.Get("X-Request-ID"), "the caller's own ID is kept")
	assert.Equal(t, "trace-42:a", eventOf("impersonation.allowed"))

	res, _ = send(http.MethodGet, "/", "", nil, "bad id\t!")
	assert.Regexp(t, `^req_[0-9a-f]{24}$`, res.Header.Get("X-Request-ID"), "an unsafe ID is replaced")

	for name, tc := range map[string]struct {
		method, path, origin string
		status               int
	}{
		"not found":         {http.MethodGet, "/orders/ord_not-there", "", http.StatusNotFound},
		"a cross-site form": {http.MethodPost, "/impersonations/policy", "https://evil.example", http.StatusForbidden},
	} {
		var form url.Values
		if tc.method == http.MethodPost {
			form = url.Values{"forbidden": {"on"}}
		}
		res, body := send(tc.method, tc.path, tc.origin, form, "")
		assert.Equal(t, tc.status, res.StatusCode, name)
		id := res.Header.Get("X-Request-ID")
		require.NotEmpty(t, id, name)
		assert.Contains(t, body, "Request ID: "+id, "%s: the error page shows the request's ID", name)
	}
	assert.Empty(t, func() []string {
		l, err := c.p.ListCustomerAuditEvents(c.owner, acme.ID, portal.ListAuditEventsParams{Action: "impersonation.forbidden", Limit: 10})
		require.NoError(t, err)
		var more []string
		for _, e := range l.Items[1:] {
			more = append(more, e.RequestID)
		}
		return more
	}(), "the refused cross-site form changed nothing")
}
