package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
)

const secret = "test secret of the application"

var listeningRE = regexp.MustCompile(`^embed listening on (http://\S+) `)

// start runs the real run on a free port and returns its base URL; the
// test's cleanup stops it and checks that it returned nil.
func start(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	r, w := io.Pipe()
	args := []string{"--addr", "127.0.0.1:0", "--db", filepath.Join(t.TempDir(), "embed.db"), "--secret", secret}
	go func() {
		done <- run(ctx, args, w)
		_ = w.Close()
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			if m := listeningRE.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, r)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			assert.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("run did not return within 30s of cancel")
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-done:
		t.Fatalf("run returned before listening: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("run did not listen within 30s")
	}
	return ""
}

// token returns an application token for c, valid for a minute.
func token(c claims) string {
	c.Expires = time.Now().Add(time.Minute).Unix()
	return sign([]byte(secret), c)
}

// call sends a request with a bearer token (none when empty) and returns the
// status, the content type and the decoded JSON answer.
func call(t *testing.T, method, url, bearer, body string) (int, string, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if strings.Contains(resp.Header.Get("Content-Type"), "json") {
		require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), out
}

func TestAppRouteStillWorks(t *testing.T) {
	base := start(t)
	resp, err := http.Get(base + "/app/hello")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "hello from the application\n", string(body))

	status, _, _ := call(t, http.MethodGet, base+"/portal/healthz", "", "")
	assert.Equal(t, http.StatusOK, status, "portalkit's health check under the prefix")
}

func TestAppTokens(t *testing.T) {
	base := start(t)
	admin := token(claims{Subject: "alice", Staff: identity.StaffAdmin})

	status, _, acme := call(t, http.MethodPost, base+"/portal/v1/customers", admin, `{"name":"Acme GmbH"}`)
	require.Equal(t, http.StatusCreated, status, acme)
	status, _, globex := call(t, http.MethodPost, base+"/portal/v1/customers", admin, `{"name":"Globex AG"}`)
	require.Equal(t, http.StatusCreated, status, globex)
	acmeURL := base + "/portal/v1/customers/" + acme["id"].(string)

	t.Run("bad app tokens are 401 problems", func(t *testing.T) {
		payload, sig, _ := strings.Cut(admin, ".")
		owner := b64.EncodeToString([]byte(`{"sub":"alice","staff":"owner","exp":9999999999}`))
		expired := sign([]byte(secret), claims{Subject: "alice", Staff: identity.StaffAdmin, Expires: time.Now().Add(-time.Second).Unix()})
		for name, tok := range map[string]string{
			"payload changed":    owner + "." + sig,
			"signature changed":  payload + "." + b64.EncodeToString([]byte("not the signature")),
			"another key":        sign([]byte("another secret"), claims{Subject: "alice", Staff: identity.StaffAdmin, Expires: time.Now().Add(time.Minute).Unix()}),
			"expired":            expired,
			"no role, no member": token(claims{Subject: "alice"}),
			"unknown staff role": token(claims{Subject: "alice", Staff: "janitor"}),
		} {
			status, ctype, problem := call(t, http.MethodGet, acmeURL, tok, "")
			assert.Equal(t, http.StatusUnauthorized, status, name)
			assert.Equal(t, "application/problem+json", ctype, name)
			assert.Equal(t, "unauthenticated", problem["code"], name)
		}
	})

	t.Run("customer user", func(t *testing.T) {
		status, _, m := call(t, http.MethodPost, acmeURL+"/memberships", admin,
			`{"email":"ada@acme.example","name":"Ada","role":"viewer"}`)
		require.Equal(t, http.StatusCreated, status, m)
		ada := token(claims{
			Subject:    m["user_id"].(string),
			Customer:   customer.ID(acme["id"].(string)),
			Membership: customer.MembershipID(m["id"].(string)),
		})

		status, _, got := call(t, http.MethodGet, acmeURL, ada, "")
		assert.Equal(t, http.StatusOK, status, got)
		assert.Equal(t, acme["id"], got["id"])

		status, ctype, problem := call(t, http.MethodGet, base+"/portal/v1/customers/"+globex["id"].(string), ada, "")
		assert.Equal(t, http.StatusNotFound, status, problem)
		assert.Equal(t, "application/problem+json", ctype)

		// A token naming a membership that is not the subject's is refused.
		status, _, _ = call(t, http.MethodGet, acmeURL, token(claims{
			Subject: "usr_someone-else", Customer: customer.ID(acme["id"].(string)), Membership: customer.MembershipID(m["id"].(string)),
		}), "")
		assert.Equal(t, http.StatusUnauthorized, status)
	})

	t.Run("portalkit's own API keys still work", func(t *testing.T) {
		owner := token(claims{Subject: "olga", Staff: identity.StaffOwner})
		status, _, k := call(t, http.MethodPost, base+"/portal/v1/api-keys", owner, `{"name":"ERP","role":"agent"}`)
		require.Equal(t, http.StatusCreated, status, k)
		key := k["token"].(string)
		require.True(t, strings.HasPrefix(key, "pk_"), key)

		status, _, got := call(t, http.MethodGet, acmeURL, key, "")
		assert.Equal(t, http.StatusOK, status, got)
		status, _, _ = call(t, http.MethodGet, acmeURL, "pk_not-a-key", "")
		assert.Equal(t, http.StatusUnauthorized, status)
	})
}
