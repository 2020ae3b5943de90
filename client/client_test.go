package client_test

import (
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/client"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portal/portaltest"
)

func TestCheckResponse(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   *client.Error
		is     error
	}{
		{
			name:   "success",
			status: http.StatusCreated,
			body:   `{"id":"cus_1"}`,
		},
		{
			name:   "invalid with fields",
			status: http.StatusBadRequest,
			body: `{"type":"urn:portalkit:problem:invalid","title":"Invalid input","status":400,"code":"invalid",
				"detail":"name is required","fields":[{"field":"name","message":"is required"}],"request_id":"req_1"}`,
			want: &client.Error{Status: 400, Code: "invalid", Message: "name is required",
				Fields: []client.FieldViolation{{Field: "name", Message: "is required"}}, RequestID: "req_1"},
			is: client.ErrInvalid,
		},
		{
			name:   "rate limited",
			status: http.StatusTooManyRequests,
			body:   `{"type":"urn:portalkit:problem:rate_limited","title":"Too many requests","status":429,"code":"rate_limited","retry_after_seconds":30}`,
			want:   &client.Error{Status: 429, Code: "rate_limited", Message: "Too many requests", RetryAfter: 30 * time.Second},
			is:     client.ErrRateLimited,
		},
		{
			name:   "not a problem",
			status: http.StatusBadGateway,
			body:   `<html>bad gateway</html>`,
			want:   &client.Error{Status: 502, Code: "internal", Message: "Bad Gateway"},
			is:     client.ErrInternal,
		},
		{
			name:   "empty 404",
			status: http.StatusNotFound,
			want:   &client.Error{Status: 404, Code: "not_found", Message: "Not Found"},
			is:     client.ErrNotFound,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := client.CheckResponse(tt.status, []byte(tt.body))
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			var e *client.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tt.want, e)
			assert.ErrorIs(t, err, tt.is)
			assert.NotErrorIs(t, err, client.ErrConflict)
		})
	}
}

func TestErrorMessage(t *testing.T) {
	err := client.CheckResponse(400, []byte(`{"status":400,"code":"invalid","title":"Invalid input",
		"fields":[{"field":"name","message":"is required"},{"field":"address.country","message":"must be an ISO 3166-1 code"}]}`))
	assert.EqualError(t, err, "portalkit: invalid: Invalid input (name: is required; address.country: must be an ISO 3166-1 code)")
	assert.True(t, errors.Is(err, client.ErrInvalid))
}

func TestNew(t *testing.T) {
	_, err := client.New("127.0.0.1:8080")
	assert.Error(t, err)
	c, err := client.New("http://127.0.0.1:8080", client.WithAPIKey("pk_x"), client.WithHTTPClient(&http.Client{Timeout: time.Second}))
	require.NoError(t, err)
	assert.NotNil(t, c.ClientWithResponses)
}

func TestCheckPassesTransportErrors(t *testing.T) {
	boom := errors.New("dial tcp: refused")
	_, err := client.Check((*client.GetHealthResponse)(nil), boom)
	assert.Same(t, boom, err)
}

func TestAuthAndProblem(t *testing.T) {
	var got string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"type":"urn:portalkit:problem:not_found","title":"Not found","status":404,"code":"not_found","detail":"customer cus_x not found"}`))
	}))
	defer srv.Close()
	for _, opt := range []client.Option{client.WithAPIKey("pk_key"), client.WithSessionToken("pk_key")} {
		c, err := client.New(srv.URL, opt)
		require.NoError(t, err)
		r, err := client.Check(c.GetCustomerWithResponse(t.Context(), "cus_x"))
		assert.ErrorIs(t, err, client.ErrNotFound)
		assert.EqualError(t, err, "portalkit: not_found: customer cus_x not found")
		assert.Nil(t, r.JSON200)
		assert.Equal(t, "Bearer pk_key", got)
	}
}

func TestRateLimitedAgainstHandler(t *testing.T) {
	p, err := portal.New(portal.Config{
		Store: portaltest.Store(t), LoginLinkMinDuration: -1,
		RateLimits: portal.RateLimits{PerEmail: portal.Limit{N: 1, Window: time.Minute}},
	})
	require.NoError(t, err)
	srv := httptest.NewServer(httpapi.NewHandler(p, httpapi.WithLogger(slog.New(slog.DiscardHandler))))
	defer srv.Close()
	c, err := client.New(srv.URL)
	require.NoError(t, err)

	ask := client.RequestLoginLinkRequest{Email: "ada@acme.example"}
	_, err = client.Check(c.RequestLoginLinkWithResponse(t.Context(), ask))
	require.NoError(t, err)
	_, err = client.Check(c.RequestLoginLinkWithResponse(t.Context(), ask))
	require.ErrorIs(t, err, client.ErrRateLimited)
	var e *client.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, http.StatusTooManyRequests, e.Status)
	assert.Positive(t, e.RetryAfter)
	assert.NotEmpty(t, e.RequestID)
}
