package webhook_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/webhook"
)

// The test vector the Standard Webhooks specification's libraries publish
// (libraries/go/webhook_test.go, TestWebhookSign, and the same values in
// the other languages' suites).
const (
	specSecret    = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
	specID        = "msg_p5jXN8AQM9LWM0D4loKWxJek"
	specTimestamp = 1614265330
	specPayload   = `{"test": 2432232314}`
	specSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
	// specWrong is the signature the spec's suites use as a wrong one.
	specWrong = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
)

func TestSignSpecVector(t *testing.T) {
	sig, err := webhook.Sign(specSecret, specID, time.Unix(specTimestamp, 0), []byte(specPayload))
	require.NoError(t, err)
	assert.Equal(t, specSignature, sig)

	sig, err = webhook.Sign(strings.TrimPrefix(specSecret, webhook.SecretPrefix), specID, time.Unix(specTimestamp, 0), []byte(specPayload))
	require.NoError(t, err)
	assert.Equal(t, specSignature, sig, "the secret without its prefix")
}

func specHeader(sig string) http.Header {
	h := http.Header{}
	h.Set("webhook-id", specID)
	h.Set("webhook-timestamp", fmt.Sprint(specTimestamp))
	h.Set("webhook-signature", sig)
	return h
}

func TestVerifySpecCases(t *testing.T) {
	at := time.Unix(specTimestamp, 0)
	tol := webhook.DefaultTolerance
	tests := []struct {
		name   string
		now    time.Time
		header func() http.Header
		body   string
		want   error
	}{
		{"valid signature is valid", at, func() http.Header { return specHeader(specSignature) }, specPayload, nil},
		{"missing id", at, func() http.Header { h := specHeader(specSignature); h.Del("webhook-id"); return h }, specPayload, webhook.ErrMissingHeaders},
		{"missing timestamp", at, func() http.Header { h := specHeader(specSignature); h.Del("webhook-timestamp"); return h }, specPayload, webhook.ErrMissingHeaders},
		{"missing signature", at, func() http.Header { h := specHeader(specSignature); h.Del("webhook-signature"); return h }, specPayload, webhook.ErrMissingHeaders},
		{"timestamp not a number", at, func() http.Header { h := specHeader(specSignature); h.Set("webhook-timestamp", "yesterday"); return h }, specPayload, webhook.ErrMissingHeaders},
		{"invalid signature is invalid", at, func() http.Header { return specHeader(specWrong) }, specPayload, webhook.ErrSignature},
		{"changed body", at, func() http.Header { return specHeader(specSignature) }, `{"test": 2432232315}`, webhook.ErrSignature},
		{"re-encoded body", at, func() http.Header { return specHeader(specSignature) }, `{"test":2432232314}`, webhook.ErrSignature},
		{"other id", at, func() http.Header { h := specHeader(specSignature); h.Set("webhook-id", "msg_other"); return h }, specPayload, webhook.ErrSignature},
		{"old timestamp fails", at.Add(tol + time.Second), func() http.Header { return specHeader(specSignature) }, specPayload, webhook.ErrTimestamp},
		{"new timestamp fails", at.Add(-tol - time.Second), func() http.Header { return specHeader(specSignature) }, specPayload, webhook.ErrTimestamp},
		{"at the edge of the tolerance", at.Add(tol), func() http.Header { return specHeader(specSignature) }, specPayload, nil},
		{"valid multi sig is valid", at, func() http.Header {
			return specHeader(strings.Join([]string{specWrong, "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", specSignature, specWrong}, " "))
		}, specPayload, nil},
		{"right signature under another version", at, func() http.Header {
			return specHeader("v1a," + strings.TrimPrefix(specSignature, "v1,"))
		}, specPayload, webhook.ErrSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := webhook.Verifier{Now: func() time.Time { return tt.now }}
			err := v.Verify(specSecret, tt.header(), []byte(tt.body))
			if tt.want == nil {
				assert.NoError(t, err)
			} else {
				assert.ErrorIs(t, err, tt.want)
			}
		})
	}
}

func TestVerifyIgnoringTimestamp(t *testing.T) {
	v := webhook.Verifier{Tolerance: -1, Now: func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }}
	assert.NoError(t, v.Verify(specSecret, specHeader(specSignature), []byte(specPayload)))
	assert.ErrorIs(t, v.Verify(specSecret, specHeader(specWrong), []byte(specPayload)), webhook.ErrSignature)
}

func TestHeadersSignWithEverySecret(t *testing.T) {
	oldSecret, newSecret := webhook.NewSecret(), webhook.NewSecret()
	require.NotEqual(t, oldSecret, newSecret)
	at := time.Now()
	body := []byte(`{"type":"order.submitted"}`)
	h, err := webhook.Headers("evt_1", at, body, newSecret, oldSecret)
	require.NoError(t, err)
	assert.Len(t, strings.Fields(h.Get(webhook.HeaderSignature)), 2)
	assert.NoError(t, webhook.Verify(newSecret, h, body), "the new secret")
	assert.NoError(t, webhook.Verify(oldSecret, h, body), "the old secret, during the overlap")
	assert.ErrorIs(t, webhook.Verify(webhook.NewSecret(), h, body), webhook.ErrSignature, "a third secret")

	_, err = webhook.Headers("evt.1", at, body, newSecret)
	assert.Error(t, err, "an ID with a full stop")
	_, err = webhook.Headers("evt_1", at, body)
	assert.Error(t, err, "no secret")
	_, err = webhook.Headers("evt_1", at, body, "whsec_short")
	assert.ErrorIs(t, err, webhook.ErrSecret)
}

func TestParseSecret(t *testing.T) {
	s := webhook.NewSecret()
	assert.True(t, strings.HasPrefix(s, "whsec_"))
	key, err := webhook.ParseSecret(s)
	require.NoError(t, err)
	assert.Len(t, key, 32)
	for _, bad := range []string{"", "whsec_", "whsec_!!!", "whsec_c2hvcnQ=", "whsec_" + strings.Repeat("QUFB", 30)} {
		_, err := webhook.ParseSecret(bad)
		assert.ErrorIs(t, err, webhook.ErrSecret, bad)
	}
	assert.ErrorIs(t, webhook.Verify("nope", specHeader(specSignature), []byte(specPayload)), webhook.ErrSecret)
}

// A receiver checks each request with Verify before it trusts the body,
// and drops repeats by webhook-id.
func ExampleVerify() {
	secret := "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" // as the console showed it once
	body := []byte(`{"test": 2432232314}`)
	h, _ := webhook.Headers("msg_p5jXN8AQM9LWM0D4loKWxJek", time.Now(), body, secret)

	fmt.Println(webhook.Verify(secret, h, body))
	fmt.Println(webhook.Verify(secret, h, []byte(`{"test": 1}`)))
	// Output:
	// <nil>
	// webhook: no matching signature
}
