package main

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSignInPagesCannotBeFramed checks the headers of the pages the links
// in mail open, which hold the link's token: no site may frame them, and
// browsers neither sniff their type nor send their URL as the Referer. The
// API's answers on the same server carry the last two as well.
func TestSignInPagesCannotBeFramed(t *testing.T) {
	t.Parallel()
	s := start(t, t.TempDir())
	for _, path := range []string{"/accept", "/login", "/access", "/v1/me"} {
		t.Run(path, func(t *testing.T) {
			res, err := http.Get(s.url + path + "?token=pi_sample")
			require.NoError(t, err)
			_ = res.Body.Close()
			if path != "/v1/me" {
				require.Equal(t, http.StatusOK, res.StatusCode)
				assert.Contains(t, res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'")
			}
			assert.Equal(t, "nosniff", res.Header.Get("X-Content-Type-Options"))
			assert.Equal(t, "no-referrer", res.Header.Get("Referrer-Policy"))
		})
	}
}
