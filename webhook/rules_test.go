package webhook_test

import (
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/webhook"
)

func TestBlocked(t *testing.T) {
	for _, s := range []string{
		"127.0.0.1", "127.255.0.1", "::1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
		"fe80::1", "fc00::1", "fd12::1", "0.0.0.0", "::", "100.64.0.1", "224.0.0.1", "255.255.255.255",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a00:1", "ff02::1",
	} {
		assert.True(t, webhook.Blocked(netip.MustParseAddr(s)), s)
	}
	for _, s := range []string{"93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8", "172.32.0.1"} {
		assert.False(t, webhook.Blocked(netip.MustParseAddr(s)), s)
	}
}

// The dialer refuses the resolved address, whatever name led to it.
func TestDialControlRefusesLoopback(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	client := &http.Client{Transport: &http.Transport{DialContext: (&net.Dialer{Control: webhook.DialControl}).DialContext}}
	for _, host := range []string{"127.0.0.1", "localhost"} {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, "http://"+net.JoinHostPort(host, port), nil)
		require.NoError(t, err)
		res, err := client.Do(req)
		if err == nil {
			res.Body.Close()
		}
		assert.ErrorIs(t, err, webhook.ErrBlockedAddress, host)
	}
	// The same server is reached without the control: the refusal above
	// is the control's.
	res, err := srv.Client().Post(srv.URL, "application/json", nil)
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNoContent, res.StatusCode)
}

func TestEndpointValidate(t *testing.T) {
	ok := webhook.Endpoint{URL: "https://erp.example.com/hooks", Types: []webhook.Type{webhook.OrderSubmitted}}
	assert.NoError(t, ok.Validate(false))
	tests := []struct {
		name      string
		e         webhook.Endpoint
		allowHTTP bool
		field     string
	}{
		{"http refused", webhook.Endpoint{URL: "http://erp.example.com", Types: ok.Types}, false, "url"},
		{"ftp", webhook.Endpoint{URL: "ftp://erp.example.com", Types: ok.Types}, true, "url"},
		{"no host", webhook.Endpoint{URL: "https:///x", Types: ok.Types}, false, "url"},
		{"credentials", webhook.Endpoint{URL: "https://u:p@erp.example.com", Types: ok.Types}, false, "url"},
		{"relative", webhook.Endpoint{URL: "/hooks", Types: ok.Types}, false, "url"},
		{"no types", webhook.Endpoint{URL: ok.URL}, false, "event_types"},
		{"unknown type", webhook.Endpoint{URL: ok.URL, Types: []webhook.Type{"order.eaten"}}, false, "event_types"},
		{"repeated type", webhook.Endpoint{URL: ok.URL, Types: []webhook.Type{webhook.OrderSubmitted, webhook.OrderSubmitted}}, false, "event_types"},
	}
	for _, tt := range tests {
		err := tt.e.Validate(tt.allowHTTP)
		require.Error(t, err, tt.name)
		assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err), tt.name)
		require.NotEmpty(t, portalerr.FieldsOf(err), tt.name)
		assert.Equal(t, tt.field, portalerr.FieldsOf(err)[0].Field, tt.name)
	}
	assert.NoError(t, webhook.Endpoint{URL: "http://127.0.0.1:8080/x", Types: ok.Types}.Validate(true), "http when allowed")
}

func TestEndpointReceives(t *testing.T) {
	e := webhook.Endpoint{Enabled: true, Types: []webhook.Type{webhook.OrderSubmitted}}
	assert.True(t, e.Receives(webhook.OrderSubmitted, "cus_1"))
	assert.False(t, e.Receives(webhook.OrderConfirmed, "cus_1"), "not subscribed")
	e.CustomerID = "cus_2"
	assert.False(t, e.Receives(webhook.OrderSubmitted, "cus_1"), "another customer's")
	assert.True(t, e.Receives(webhook.OrderSubmitted, "cus_2"))
	e.Disable("gone")
	assert.False(t, e.Receives(webhook.OrderSubmitted, "cus_2"), "disabled")
}

func TestRotateOverlap(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	first, second := webhook.NewSecret(), webhook.NewSecret()
	e := webhook.Endpoint{Secret: first}
	require.NoError(t, e.Rotate(second, now, time.Hour))
	assert.Equal(t, []string{second, first}, e.Secrets(now.Add(59*time.Minute)), "both sign during the overlap")
	assert.Equal(t, []string{second}, e.Secrets(now.Add(time.Hour)), "the old one stops at its end")
	third := webhook.NewSecret()
	require.NoError(t, e.Rotate(third, now, 0))
	assert.Equal(t, []string{third}, e.Secrets(now), "no overlap")
	assert.Error(t, e.Rotate(webhook.NewSecret(), now, webhook.MaxOverlap+time.Second))
	assert.Error(t, e.Rotate(webhook.NewSecret(), now, -time.Second))
	assert.Equal(t, third, e.Secret, "a refused rotation changes nothing")
}

func TestFailingFor(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	e := webhook.Endpoint{Enabled: true}
	e.Failed(now)
	e.Failed(now.Add(time.Hour))
	assert.Equal(t, now, e.FailingSince, "the first failure counts")
	assert.False(t, e.FailingFor(72*time.Hour, now.Add(71*time.Hour)))
	assert.True(t, e.FailingFor(72*time.Hour, now.Add(72*time.Hour)))
	e.Succeeded()
	assert.False(t, e.FailingFor(72*time.Hour, now.Add(100*time.Hour)))
}

func TestClipBody(t *testing.T) {
	long := make([]byte, 2000)
	for i := range long {
		long[i] = 'a'
	}
	assert.Len(t, webhook.ClipBody(long), webhook.MaxResponseBody)
	umlauts := []byte("ä")
	for len(umlauts) < 1100 {
		umlauts = append(umlauts, "ä"...)
	}
	assert.Len(t, webhook.ClipBody(umlauts), webhook.MaxResponseBody, "1024 is a boundary of two-byte characters")
	assert.Equal(t, "short", webhook.ClipBody([]byte("short")))
}
