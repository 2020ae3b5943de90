// Package oidctest runs a small but real OpenID Connect provider for
// tests: discovery, a JSON Web Key Set, the authorization endpoint (which
// signs in whoever the test says, at once, as a provider with a
// remembered login does) and the token endpoint of the authorization code
// flow with PKCE (S256), issuing ID tokens signed with RS256 through
// github.com/go-jose/go-jose/v4. A test can make the next ID token wrong
// in one way (audience, expiry, signature, nonce, issuer) to see a relying
// party refuse it.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
)

// User is who signs in at the provider.
type User struct {
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Tamper makes the next ID token wrong in the ways set.
type Tamper struct {
	Audience     string        // another audience than the client's
	Expired      bool          // expired a minute before it was issued
	BadSignature bool          // signed with a key the JWKS does not hold
	Nonce        string        // another nonce than the one asked for
	Issuer       string        // another issuer
	ExpiresIn    time.Duration // lifetime, default 5 minutes
}

// Provider is a running OpenID provider.
type Provider struct {
	// URL is the issuer, the provider's base URL.
	URL string
	// Now is the provider's clock; default time.Now.
	Now func() time.Time

	srv        *httptest.Server
	key, rogue *rsa.PrivateKey

	mu      sync.Mutex
	clients map[string]client
	codes   map[string]grant
	user    User
	tamper  Tamper
	// Redeemed counts codes traded for tokens.
	redeemed int
}

type client struct{ secret, redirect string }

type grant struct {
	clientID, redirect, nonce, challenge string
	user                                 User
}

// keys are the signing key every provider of the process uses and the
// rogue key that signs the tokens meant to fail, made once: generating an
// RSA key pair costs seconds under the race detector. Providers still
// differ in their issuer URLs.
var keys = sync.OnceValues(func() ([2]*rsa.PrivateKey, error) {
	var out [2]*rsa.PrivateKey
	for i := range out {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return out, err
		}
		out[i] = k
	}
	return out, nil
})

// New starts a provider, stopped when the test ends. The providers of one
// process share their signing keys (see keys).
func New(t testing.TB) *Provider {
	t.Helper()
	ks, err := keys()
	if err != nil {
		t.Fatal(err)
	}
	key, rogue := ks[0], ks[1]
	p := &Provider{Now: time.Now, key: key, rogue: rogue, clients: map[string]client{}, codes: map[string]grant{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	p.URL = p.srv.URL
	return p
}

// AddClient registers a relying party.
func (p *Provider) AddClient(id, secret, redirectURL string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clients[id] = client{secret, redirectURL}
}

// SignIn makes u the person the next authorization signs in.
func (p *Provider) SignIn(u User) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if u.Subject == "" {
		u.Subject = "sub-" + u.Email
	}
	p.user = u
}

// SetTamper makes every following ID token wrong as t says; Tamper{}
// makes them right again.
func (p *Provider) SetTamper(t Tamper) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.tamper = t
}

// Redeemed returns how many codes were traded for tokens.
func (p *Provider) Redeemed() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.redeemed
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.URL,
		"authorization_endpoint":                p.URL + "/authorize",
		"token_endpoint":                        p.URL + "/token",
		"jwks_uri":                              p.URL + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
		"scopes_supported":                      []string{"openid", "email", "profile"},
		"token_endpoint_auth_methods_supported": []string{"client_secret_basic", "client_secret_post"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{
		{Key: &p.key.PublicKey, KeyID: "k1", Algorithm: string(jose.RS256), Use: "sig"},
	}})
}

// authorize signs the current user in at once and sends the browser back
// with a code, or with an error for a request it does not accept.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	p.mu.Lock()
	c, ok := p.clients[q.Get("client_id")]
	p.mu.Unlock()
	if !ok || q.Get("redirect_uri") != c.redirect {
		http.Error(w, "unknown client or redirect_uri", http.StatusBadRequest)
		return
	}
	back, _ := url.Parse(c.redirect)
	v := back.Query()
	v.Set("state", q.Get("state"))
	switch {
	case q.Get("response_type") != "code" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "":
		v.Set("error", "invalid_request")
	default:
		code := randomString()
		p.mu.Lock()
		p.codes[code] = grant{clientID: q.Get("client_id"), redirect: c.redirect, nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), user: p.user}
		p.mu.Unlock()
		v.Set("code", code)
	}
	back.RawQuery = v.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// token trades a code for an ID token, once, for the client that asked
// for it, with the PKCE verifier of its challenge.
func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, "invalid_request")
		return
	}
	id, secret, ok := r.BasicAuth()
	if ok {
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	p.mu.Lock()
	c, known := p.clients[id]
	g, found := p.codes[r.PostForm.Get("code")]
	delete(p.codes, r.PostForm.Get("code"))
	t, u := p.tamper, g.user
	if found {
		p.redeemed++
	}
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
	switch {
	case !known || subtle.ConstantTimeCompare([]byte(secret), []byte(c.secret)) != 1:
		w.Header().Set("WWW-Authenticate", "Basic")
		oauthErrorStatus(w, "invalid_client", http.StatusUnauthorized)
		return
	case r.PostForm.Get("grant_type") != "authorization_code" || !found || g.clientID != id || r.PostForm.Get("redirect_uri") != g.redirect:
		oauthError(w, "invalid_grant")
		return
	case base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge:
		oauthError(w, "invalid_grant")
		return
	}
	now := p.Now()
	life := t.ExpiresIn
	if life == 0 {
		life = 5 * time.Minute
	}
	claims := map[string]any{
		"iss": p.URL, "sub": u.Subject, "aud": id, "iat": now.Unix(), "exp": now.Add(life).Unix(), "nonce": g.nonce,
		"email": u.Email, "email_verified": u.EmailVerified, "name": u.Name,
	}
	if t.Audience != "" {
		claims["aud"] = t.Audience
	}
	if t.Expired {
		claims["exp"] = now.Add(-time.Minute).Unix()
	}
	if t.Nonce != "" {
		claims["nonce"] = t.Nonce
	}
	if t.Issuer != "" {
		claims["iss"] = t.Issuer
	}
	key := p.key
	if t.BadSignature {
		key = p.rogue
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	raw, err := jwt.Signed(signer).Claims(claims).Serialize()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"access_token": randomString(), "token_type": "Bearer", "expires_in": 300, "id_token": raw})
}

func oauthError(w http.ResponseWriter, code string) { oauthErrorStatus(w, code, http.StatusBadRequest) }

func oauthErrorStatus(w http.ResponseWriter, code string, status int) {
	writeJSON(w, status, map[string]string{"error": code})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
