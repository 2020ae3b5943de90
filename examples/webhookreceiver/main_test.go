package main

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/webhook"
)

func TestReceiver(t *testing.T) {
	secret := webhook.NewSecret()
	srv := httptest.NewServer(newReceiver(secret, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	body := []byte(`{"id":"evt_1","type":"order.submitted","customer_id":"cus_1","data":{}}`)

	post := func(h http.Header, body []byte) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, srv.URL, bytes.NewReader(body))
		require.NoError(t, err)
		for k, v := range h {
			req.Header[k] = v
		}
		res, err := srv.Client().Do(req)
		require.NoError(t, err)
		res.Body.Close()
		return res.StatusCode
	}
	h, err := webhook.Headers("evt_1", time.Now(), body, secret)
	require.NoError(t, err)
	assert.Equal(t, http.StatusNoContent, post(h, body))
	assert.Equal(t, http.StatusNoContent, post(h, body), "a repeat is acknowledged")
	assert.Equal(t, http.StatusUnauthorized, post(h, append([]byte(" "), body...)), "a changed body")
	assert.Equal(t, http.StatusBadRequest, post(http.Header{}, body), "no headers")
	other, err := webhook.Headers("evt_2", time.Now(), body, webhook.NewSecret())
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, post(other, body), "another secret")
	old, err := webhook.Headers("evt_3", time.Now().Add(-time.Hour), body, secret)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, post(old, body), "an old timestamp")
}
