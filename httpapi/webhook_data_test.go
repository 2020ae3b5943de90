package httpapi_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/hrsync"
	"github.com/portalkit/portalkit/httpapi"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/webhook"
)

// TestEventDataShowsNoSecrets feeds EventData the objects of events that
// carry a secret or what checks one (a token's hash, a signing secret, a
// sealed client secret) and checks that the data has no field named for a
// secret and none of the secrets' values: a receiver never learns one.
// (has_secret, a bool saying one is set, and previous_secret_until, when
// the old secret stops signing, are the names of no secret.)
func TestEventDataShowsNoSecrets(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value-never-shown"
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	objects := map[string]any{
		"invitation":  invite.Invitation{ID: "inv_1", CustomerID: "cus_1", Email: "a@b.example", TokenHash: invite.Hash(secret), CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)},
		"access link": invite.AccessLink{ID: "acl_1", CustomerID: "cus_1", TokenHash: invite.Hash(secret), CreatedAt: now, UpdatedAt: now},
		"API key":     identity.APIKey{ID: "key_1", Name: "ERP", Role: identity.StaffAdmin, TokenHash: secret, CreatedAt: now},
		"SCIM token":  hrsync.Token{ID: "sct_1", CustomerID: "cus_1", Name: "Entra", TokenHash: secret, CreatedAt: now},
		"SSO":         portal.SSOSettings{SSOConfig: identity.SSOConfig{CustomerID: "cus_1", Issuer: "https://idp.example", ClientID: "portal", SecretSealed: []byte(secret)}, HasSecret: true},
		"endpoint": portal.WebhookEndpoint{Endpoint: webhook.Endpoint{ID: "wep_1", URL: "https://erp.example/hooks", Types: webhook.Types,
			Secret: secret, PreviousSecret: secret + "-old", PreviousUntil: now.Add(time.Hour), CreatedAt: now, UpdatedAt: now}},
	}
	for name, obj := range objects {
		v, err := httpapi.EventData(obj)
		require.NoError(t, err, name)
		b, err := json.Marshal(v)
		require.NoError(t, err, name)
		assert.NotContains(t, string(b), secret, "%s: a secret's value", name)
		var data any
		require.NoError(t, json.Unmarshal(b, &data))
		assert.Empty(t, secretNames("data", data), "%s: fields named for a secret", name)
	}
}

// notSecret are the field names that hold a secret's word but no secret.
var notSecret = map[string]bool{"has_secret": true, "previous_secret_until": true}

// secretNames are the paths of the fields of decoded JSON v, at any
// depth, named for a secret, notSecret aside.
func secretNames(path string, v any) []string {
	var out []string
	switch o := v.(type) {
	case map[string]any:
		for k, x := range o {
			n := strings.ToLower(k)
			for _, w := range []string{"secret", "token", "password", "hash"} {
				if strings.Contains(n, w) && !notSecret[n] {
					out = append(out, path+"."+k)
				}
			}
			out = append(out, secretNames(path+"."+k, x)...)
		}
	case []any:
		for _, x := range o {
			out = append(out, secretNames(path+"[]", x)...)
		}
	}
	return out
}
