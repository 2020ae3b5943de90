package portal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/portalkit/portalkit/audit"
	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/invite"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Single sign-on. A customer may name its OpenID Connect identity
// provider (identity.SSOConfig): its people, found by the domain of their
// e-mail address, then sign in there, with the authorization code flow,
// PKCE (S256), state and nonce. The sign-in's state lives in the database
// (storage.SSORepo), so it works across replicas and is used once. The
// client secret is sealed with AES-256-GCM under a server key kept in the
// database (storage.ServerKeyRepo), bound to the customer it belongs to.

// ssoKeyName is the name the key that seals client secrets is kept under.
const ssoKeyName = "sso_secrets"

var (
	errSSOState    = portalerr.New(portalerr.Unauthenticated, "this sign-in was used already or has expired; start again")
	errSSOAnswer   = portalerr.New(portalerr.Unauthenticated, "the identity provider's answer did not check out; start again")
	errSSORefused  = portalerr.New(portalerr.Unauthenticated, "the identity provider refused the sign-in")
	errSSOProvider = portalerr.New(portalerr.FailedPrecondition, "the identity provider cannot be reached or is not set up right; ask your admin")
)

// ssoSetup is the portal's side of single sign-on.
type ssoSetup struct {
	redirect string      // the redirect URI registered with providers
	staff    *oidcClient // the provider's own, for staff; nil when off
	// staffDomains holds the e-mail domains staff sign in with.
	staffDomains identity.SSOConfig
	client       *http.Client // talks to providers
	mu           sync.Mutex
	key          []byte // seals client secrets, once loaded
}

func (s *ssoSetup) init(cfg Config) {
	s.redirect, s.client = cfg.SSORedirectURL, cfg.SSOHTTPClient
	if s.redirect == "" && cfg.Branding.PublicBaseURL != "" {
		s.redirect = strings.TrimSuffix(cfg.Branding.PublicBaseURL, "/") + "/sso/callback"
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
}

// SSORedirectURL returns the redirect URI to register with customers'
// identity providers: Config.SSORedirectURL, or Branding.PublicBaseURL
// with /sso/callback; empty when neither is set (single sign-on is then
// off).
func (p *Portal) SSORedirectURL() string { return p.sso.redirect }

// ssoAEAD returns the cipher that seals client secrets.
func (p *Portal) ssoAEAD(ctx context.Context) (cipher.AEAD, error) {
	p.sso.mu.Lock()
	defer p.sso.mu.Unlock()
	if p.sso.key == nil {
		fresh := make([]byte, 32)
		_, _ = rand.Read(fresh)
		var key []byte
		err := p.store.InTx(ctx, func(r storage.Repos) error {
			var err error
			key, err = r.ServerKeys().GetOrCreate(ctx, ssoKeyName, fresh)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("portal: loading the key of client secrets: %w", err)
		}
		p.sso.key = key
	}
	block, err := aes.NewCipher(p.sso.key)
	if err != nil {
		return nil, fmt.Errorf("portal: the key of client secrets: %w", err)
	}
	return cipher.NewGCM(block)
}

// sealSecret seals a client secret for customer cid: nonce, then sealed text.
func (p *Portal) sealSecret(ctx context.Context, cid customer.ID, secret string) ([]byte, error) {
	aead, err := p.ssoAEAD(ctx)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	_, _ = rand.Read(nonce)
	return aead.Seal(nonce, nonce, []byte(secret), []byte("portalkit sso "+cid)), nil
}

// openSecret opens what sealSecret sealed for cid.
func (p *Portal) openSecret(ctx context.Context, cid customer.ID, sealed []byte) (string, error) {
	aead, err := p.ssoAEAD(ctx)
	if err != nil {
		return "", err
	}
	if len(sealed) < aead.NonceSize() {
		return "", errors.New("portal: a sealed client secret too short")
	}
	plain, err := aead.Open(nil, sealed[:aead.NonceSize()], sealed[aead.NonceSize():], []byte("portalkit sso "+cid))
	if err != nil {
		return "", fmt.Errorf("portal: opening a client secret: %w", err)
	}
	return string(plain), nil
}

// SSOSettings is a customer's identity provider as shown: the stored
// configuration without the secret, which is never shown again.
type SSOSettings struct {
	identity.SSOConfig
	// HasSecret reports whether a client secret is set.
	HasSecret bool
	// RedirectURL is the redirect URI to register with the provider.
	RedirectURL string
}

func (p *Portal) settingsOf(c identity.SSOConfig) SSOSettings {
	has := len(c.SecretSealed) > 0
	c.SecretSealed = nil
	return SSOSettings{SSOConfig: c, HasSecret: has, RedirectURL: p.sso.redirect}
}

// GetSSOConfig returns customer cid's identity provider. Staff and the
// customer's admins may call it (ActSSORead). NotFound when the customer
// has none (or is not the caller's).
func (p *Portal) GetSSOConfig(ctx context.Context, cid customer.ID) (SSOSettings, error) {
	var out SSOSettings
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActSSORead, cid, ""); err != nil {
			return err
		}
		c, err := r.SSO().Get(ctx, cid)
		if err != nil {
			return notFoundAs(err, portalerr.New(portalerr.NotFound, "customer %s has no identity provider", cid))
		}
		out = p.settingsOf(c)
		return nil
	})
	return out, err
}

// PutSSOConfigParams set a customer's identity provider.
type PutSSOConfigParams struct {
	Issuer   string `json:"issuer" validate:"required,max=500"`
	ClientID string `json:"client_id" validate:"required,max=200"`
	// ClientSecret is required for a new configuration; empty keeps the
	// stored one.
	ClientSecret string   `json:"client_secret" validate:"max=500"`
	Domains      []string `json:"domains" validate:"required,max=20,dive,max=253"`
	EmailClaim   string   `json:"email_claim" validate:"max=100"`
	NameClaim    string   `json:"name_claim" validate:"max=100"`
	// JIT lets people with a verified address of Domains join as JITRole
	// (default viewer) on their first sign-in; off, only members and
	// invited people sign in.
	JIT     bool          `json:"jit"`
	JITRole customer.Role `json:"jit_role" validate:"max=20"`
	// Required refuses the customer's people every other sign-in method;
	// saving it on ends their sessions opened by another method.
	Required bool `json:"required"`
	// Version is the stored configuration's, to replace it; 0 creates one.
	Version int64 `json:"version" validate:"min=0"`
}

// PutSSOConfig creates or replaces customer cid's identity provider and
// records who did it (never the secret). Domains staff add are active at
// once; those the customer's admin adds wait for staff to approve them
// (ApproveSSODomain), and domains listed before keep their state. With
// Required set, which needs an active domain, it ends, in
// the same transaction, the customer's sessions opened by another method
// than single sign-on (staff impersonating a member keep theirs). Staff admins and owners and the
// customer's admins may call it (ActSSOManage). Invalid for bad settings
// or a missing secret on create; Conflict for a stale Version (or 0 when
// one exists); AlreadyExists when a domain staff add is active for
// another customer's provider; FailedPrecondition for Required without an
// active domain; NotFound for a customer not the caller's.
func (p *Portal) PutSSOConfig(ctx context.Context, cid customer.ID, params PutSSOConfigParams) (SSOSettings, error) {
	if err := validStruct(params); err != nil {
		return SSOSettings{}, err
	}
	next := identity.SSOConfig{
		CustomerID: cid, Issuer: params.Issuer, ClientID: params.ClientID, Domains: append([]string(nil), params.Domains...),
		EmailClaim: strings.TrimSpace(params.EmailClaim), NameClaim: strings.TrimSpace(params.NameClaim),
		JIT: params.JIT, JITRole: params.JITRole, Required: params.Required,
	}
	next.Normalize()
	if err := next.Check(); err != nil {
		return SSOSettings{}, err
	}
	var sealed []byte
	if params.ClientSecret != "" {
		var err error
		if sealed, err = p.sealSecret(ctx, cid, params.ClientSecret); err != nil {
			return SSOSettings{}, err
		}
	}
	var out SSOSettings
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSSOManage, cid, "")
		if err != nil {
			return err
		}
		c, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := c.CheckNotArchived(); err != nil {
			return err
		}
		now := p.timestamp()
		old, err := r.SSO().Get(ctx, cid)
		switch {
		case errors.Is(err, storage.ErrNotFound):
			if params.Version != 0 {
				return portalerr.New(portalerr.Conflict, "customer %s has no identity provider any more; reload", cid)
			}
			if sealed == nil {
				return portalerr.Invalidf("client_secret", "is required")
			}
			next.Version, next.CreatedAt = 1, now
		case err != nil:
			return err
		case params.Version != old.Version:
			return portalerr.New(portalerr.Conflict, "the identity provider was changed meanwhile; reload and try again")
		default:
			next.Version, next.CreatedAt = old.Version+1, old.CreatedAt
			if sealed == nil {
				sealed = old.SecretSealed
			}
		}
		next.SecretSealed, next.UpdatedAt = sealed, now
		next.Pending = pendingDomains(old, next.Domains, a.who.IsProvider())
		if next.Required && len(next.ActiveDomains()) == 0 {
			return errSSONoActiveDomain
		}
		if err := r.SSO().Put(ctx, next); errors.Is(err, storage.ErrAlreadyExists) {
			return portalerr.New(portalerr.AlreadyExists, "one of the domains is active for another customer's identity provider")
		} else if err != nil {
			return err
		}
		changes := ssoChanges(old, next)
		if next.Required {
			n, err := endNonSSOSessions(ctx, r, cid)
			if err != nil {
				return err
			}
			if n > 0 {
				changes = append(changes, audit.Change{Field: "sessions_ended", After: strconv.Itoa(n)})
			}
		}
		out = p.settingsOf(next)
		return p.recordChanges(ctx, r, a.who.Actor(), "sso.configured", cid, string(cid), changes)
	})
	return out, err
}

var errSSONoActiveDomain = portalerr.New(portalerr.FailedPrecondition,
	"single sign-on can be required once one of its domains is approved; until then its people could not sign in at all")

// pendingDomains returns which of domains wait for approval once saved by
// a staff member (staff) or a customer's admin: a domain listed before
// keeps its state; a new one is active at once when staff list it, and
// pending when the customer's admin does (ApproveSSODomain).
func pendingDomains(old identity.SSOConfig, domains []string, staff bool) []string {
	pending := []string{}
	for _, d := range domains {
		listed := slices.Contains(old.Domains, d)
		if (listed && slices.Contains(old.Pending, d)) || (!listed && !staff) {
			pending = append(pending, d)
		}
	}
	return pending
}

// ApproveSSODomain makes domain, which customer cid's admin listed for its
// identity provider, active: the sign-in page then sends people of it to
// the provider, and they sign in (and, with JIT, join) through it. Staff
// admins and owners may call it (ActSSODomainApprove), having made sure
// the customer owns the domain; it is recorded. NotFound when the customer
// has no identity provider or the domain is not one of its pending ones;
// AlreadyExists when the domain is active for another customer, which must
// drop it first.
func (p *Portal) ApproveSSODomain(ctx context.Context, cid customer.ID, domain string) (SSOSettings, error) {
	domain = strings.ToLower(strings.TrimSpace(domain))
	var out SSOSettings
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSSODomainApprove, cid, "")
		if err != nil {
			return err
		}
		c, err := a.customerOf(ctx, r, cid)
		if err != nil {
			return err
		}
		if err := c.CheckNotArchived(); err != nil {
			return err
		}
		old, err := r.SSO().Get(ctx, cid)
		if err != nil {
			return notFoundAs(err, portalerr.New(portalerr.NotFound, "customer %s has no identity provider", cid))
		}
		if !slices.Contains(old.Pending, domain) {
			return portalerr.New(portalerr.NotFound, "customer %s has no domain %q waiting for approval", cid, domain)
		}
		next := old
		next.Pending = slices.DeleteFunc(slices.Clone(old.Pending), func(d string) bool { return d == domain })
		next.Version, next.UpdatedAt = old.Version+1, p.timestamp()
		if err := r.SSO().Put(ctx, next); errors.Is(err, storage.ErrAlreadyExists) {
			return portalerr.New(portalerr.AlreadyExists, "%s is active for another customer's identity provider; it must drop it first", domain)
		} else if err != nil {
			return err
		}
		out = p.settingsOf(next)
		return p.recordChanges(ctx, r, a.who.Actor(), "sso.domain_approved", cid, string(cid), ssoChanges(old, next))
	})
	return out, err
}

// endNonSSOSessions ends the sessions of customer cid's people that were
// not opened through its identity provider (a password, a link, an
// invitation, an access link): once the customer requires single sign-on
// they must not outlive the choice. Staff acting as a member
// (impersonation) are left alone, as are staff members' own sessions,
// which belong to no customer. It returns how many it ended.
func endNonSSOSessions(ctx context.Context, r storage.Repos, cid customer.ID) (int, error) {
	n, err := r.Sessions().DeleteMatching(ctx, storage.SessionFilter{
		CustomerID: cid, ExceptMethods: []identity.Method{identity.MethodSSO, identity.MethodImpersonation},
	})
	if err != nil {
		return 0, fmt.Errorf("portal: ending sessions not opened through single sign-on: %w", err)
	}
	return n, nil
}

// ssoChanges are the audit log's changes of a configuration: every field
// but the secret, which is never recorded.
func ssoChanges(before, after identity.SSOConfig) []audit.Change {
	fields := func(c identity.SSOConfig) map[string]string {
		if c.Version == 0 {
			return map[string]string{}
		}
		return map[string]string{
			"issuer": c.Issuer, "client_id": c.ClientID, "domains": strings.Join(c.Domains, " "),
			"email_claim": c.EmailClaim, "name_claim": c.NameClaim, "jit": fmt.Sprint(c.JIT),
			"jit_role": string(c.JITRole), "required": fmt.Sprint(c.Required), "pending_domains": strings.Join(c.Pending, " "),
		}
	}
	return audit.Diff([]string{"issuer", "client_id", "domains", "pending_domains", "email_claim", "name_claim", "jit", "jit_role", "required"},
		fields(before), fields(after))
}

// DeleteSSOConfig removes customer cid's identity provider: its people
// sign in as before it. Who may call it as for PutSSOConfig; NotFound
// when there is none.
func (p *Portal) DeleteSSOConfig(ctx context.Context, cid customer.ID) error {
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, ActSSOManage, cid, "")
		if err != nil {
			return err
		}
		if err := r.SSO().Delete(ctx, cid); err != nil {
			return notFoundAs(err, portalerr.New(portalerr.NotFound, "customer %s has no identity provider", cid))
		}
		return p.record(ctx, r, a.who.Actor(), "sso.deleted", cid, string(cid))
	})
}

// StartSSOParams start a sign-in through the identity provider of the
// address's domain.
type StartSSOParams struct {
	Email string `json:"email" validate:"required,max=254"`
	// ClientAddr is the caller's network address, for rate limiting.
	ClientAddr string `json:"-"`
}

// SSOStart is a started sign-in: send the person's browser to
// AuthorizationURL; the provider sends it back to SSORedirectURL with the
// code and state for FinishSSO.
type SSOStart struct {
	AuthorizationURL string
	CustomerID       customer.ID
	// Required reports whether the customer allows no other sign-in.
	Required bool
}

// StartSSO finds the identity provider of the e-mail address's domain and
// starts a sign-in there (authorization code flow with PKCE, state and
// nonce; the state works once, for identity.SSOStateTTL). It needs no
// principal. NotFound when no customer's provider lists the domain;
// FailedPrecondition when the portal has no redirect URL or the provider
// cannot be reached; Invalid for a malformed address; RateLimited past
// the per-e-mail or per-client limits.
func (p *Portal) StartSSO(ctx context.Context, params StartSSOParams) (SSOStart, error) {
	if err := validStruct(params); err != nil {
		return SSOStart{}, err
	}
	email, err := customer.NormalizeEmail(params.Email)
	if err != nil {
		return SSOStart{}, err
	}
	if err := p.limit(ctx, "sso", email, params.ClientAddr); err != nil {
		return SSOStart{}, err
	}
	if p.sso.redirect == "" {
		return SSOStart{}, portalerr.New(portalerr.FailedPrecondition, "single sign-on needs the portal's public address (Branding.PublicBaseURL or SSORedirectURL)")
	}
	var cfg identity.SSOConfig
	err = p.read(ctx, func(r storage.Repos) error {
		var err error
		cfg, err = r.SSO().GetByDomain(ctx, identity.EmailDomain(email))
		return notFoundAs(err, portalerr.New(portalerr.NotFound, "no single sign-on for addresses of %s", identity.EmailDomain(email)))
	})
	if err != nil {
		return SSOStart{}, err
	}
	c, err := p.customerClient(ctx, cfg)
	if err != nil {
		return SSOStart{}, err
	}
	u, err := p.beginSSO(ctx, c, cfg.CustomerID, email)
	if err != nil {
		return SSOStart{}, err
	}
	return SSOStart{AuthorizationURL: u, CustomerID: cfg.CustomerID, Required: cfg.Required}, nil
}

// oidcClient is the portal as a client of one identity provider: a
// customer's, or the provider's own for staff.
type oidcClient struct {
	issuer, clientID, secret, redirect string
	emailClaim, nameClaim              string
	logKey, logValue                   string // what log lines name it by
}

// customerClient is the portal as a client of cfg's provider.
func (p *Portal) customerClient(ctx context.Context, cfg identity.SSOConfig) (oidcClient, error) {
	secret, err := p.openSecret(ctx, cfg.CustomerID, cfg.SecretSealed)
	if err != nil {
		return oidcClient{}, err
	}
	return oidcClient{
		issuer: cfg.Issuer, clientID: cfg.ClientID, secret: secret, redirect: p.sso.redirect,
		emailClaim: cfg.EmailClaim, nameClaim: cfg.NameClaim, logKey: "customer_id", logValue: string(cfg.CustomerID),
	}, nil
}

// oauthConfig discovers c's provider and returns the OAuth 2 client
// configuration for it, with the provider.
func (p *Portal) oauthConfig(ctx context.Context, c oidcClient) (*oauth2.Config, *oidc.Provider, error) {
	prov, err := oidc.NewProvider(oidc.ClientContext(ctx, p.sso.client), c.issuer)
	if err != nil {
		p.log.WarnContext(ctx, "portal: discovering an identity provider", c.logKey, c.logValue, "issuer", c.issuer, "err", err)
		return nil, nil, errSSOProvider
	}
	return &oauth2.Config{
		ClientID: c.clientID, ClientSecret: c.secret, Endpoint: prov.Endpoint(), RedirectURL: c.redirect,
		Scopes: []string{oidc.ScopeOpenID, "email", "profile"},
	}, prov, nil
}

// beginSSO starts a sign-in through c's provider (authorization code flow
// with PKCE, state and nonce): it stores the state, for customer cid
// (empty for staff), and returns the provider's authorization URL.
func (p *Portal) beginSSO(ctx context.Context, c oidcClient, cid customer.ID, loginHint string) (string, error) {
	oc, _, err := p.oauthConfig(ctx, c)
	if err != nil {
		return "", err
	}
	state, _ := invite.NewToken("")
	nonce, _ := invite.NewToken("")
	verifier := oauth2.GenerateVerifier()
	now := p.timestamp()
	err = p.write(ctx, func(r storage.Repos) error {
		return r.SSO().CreateState(ctx, identity.SSOState{
			StateHash: string(invite.HashToken(state)), CustomerID: cid, Nonce: nonce, Verifier: verifier,
			ExpiresAt: now.Add(identity.SSOStateTTL), CreatedAt: now,
		})
	})
	if err != nil {
		return "", err
	}
	opts := []oauth2.AuthCodeOption{oidc.Nonce(nonce), oauth2.S256ChallengeOption(verifier)}
	if loginHint != "" {
		opts = append(opts, oauth2.SetAuthURLParam("login_hint", loginHint))
	}
	return oc.AuthCodeURL(state, opts...), nil
}

// consumeSSOState uses up the started sign-in of this state (once; a
// replay is refused), in a transaction of its own: a failed sign-in
// cannot be replayed either.
func (p *Portal) consumeSSOState(ctx context.Context, state string) (identity.SSOState, error) {
	var st identity.SSOState
	err := p.write(ctx, func(r storage.Repos) error {
		var err error
		st, err = r.SSO().ConsumeState(ctx, string(invite.HashToken(state)), p.timestamp())
		return notFoundAs(err, errSSOState)
	})
	return st, err
}

// FinishSSOParams are what the identity provider sent back to the
// redirect URL.
type FinishSSOParams struct {
	State string `json:"state" validate:"required,max=200"`
	Code  string `json:"code" validate:"required,max=2000"`
}

// FinishSSO completes a sign-in StartSSO began: it uses the state up
// (once; a replay is refused), trades the code for tokens with the PKCE
// verifier, verifies the ID token (signature, issuer, audience, expiry,
// nonce) and opens a session for the person its verified e-mail address
// names: a member of the provider's customer, or an invited person (the
// invitation is accepted), or, with the customer's just-in-time
// membership on, anybody of its domains (as its JIT role). It needs no
// principal. Unauthenticated for an unknown, used or expired state, a
// refused code or an ID token that does not check out; PermissionDenied
// for an unverified address, one of a domain the customer does not list,
// or a person who is neither member nor invited while JIT is off.
func (p *Portal) FinishSSO(ctx context.Context, params FinishSSOParams) (SignIn, error) {
	if err := validStruct(params); err != nil {
		return SignIn{}, err
	}
	st, err := p.consumeSSOState(ctx, params.State)
	if err != nil {
		return SignIn{}, err
	}
	var cfg identity.SSOConfig
	if err := p.read(ctx, func(r storage.Repos) error {
		var err error
		cfg, err = r.SSO().Get(ctx, st.CustomerID)
		return notFoundAs(err, errSSOState)
	}); err != nil {
		return SignIn{}, err
	}
	if st.CustomerID == "" {
		return SignIn{}, errSSOState
	}
	c, err := p.customerClient(ctx, cfg)
	if err != nil {
		return SignIn{}, err
	}
	email, name, err := p.ssoIdentity(ctx, c, st, params.Code)
	if err != nil {
		return SignIn{}, err
	}
	if !cfg.AllowsEmail(email) {
		return SignIn{}, portalerr.New(portalerr.PermissionDenied, "addresses of %s do not sign in through this identity provider", identity.EmailDomain(email))
	}
	var out SignIn
	err = p.write(ctx, func(r storage.Repos) error {
		m, err := p.ssoMembership(ctx, r, cfg, email, name)
		if err != nil {
			return err
		}
		out, err = p.openSession(ctx, r, m, identity.MethodSSO, nil)
		return err
	})
	return out, err
}

// ssoIdentity trades the code for tokens and returns the verified e-mail
// address and the name the ID token carries.
func (p *Portal) ssoIdentity(ctx context.Context, c oidcClient, st identity.SSOState, code string) (email, name string, err error) {
	oc, prov, err := p.oauthConfig(ctx, c)
	if err != nil {
		return "", "", err
	}
	cctx := oidc.ClientContext(ctx, p.sso.client)
	tok, err := oc.Exchange(cctx, code, oauth2.VerifierOption(st.Verifier))
	if err != nil {
		p.log.InfoContext(ctx, "portal: an identity provider refused a code", c.logKey, c.logValue, "err", err)
		return "", "", errSSORefused
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok {
		return "", "", errSSOAnswer
	}
	idt, err := prov.VerifierContext(cctx, &oidc.Config{ClientID: c.clientID, Now: p.now}).Verify(cctx, raw)
	if err != nil {
		p.log.InfoContext(ctx, "portal: an ID token did not verify", c.logKey, c.logValue, "err", err)
		return "", "", errSSOAnswer
	}
	if idt.Nonce != st.Nonce {
		p.log.InfoContext(ctx, "portal: an ID token with another nonce", c.logKey, c.logValue)
		return "", "", errSSOAnswer
	}
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return "", "", errSSOAnswer
	}
	if v, _ := claims["email_verified"].(bool); !v {
		return "", "", portalerr.New(portalerr.PermissionDenied, "your identity provider has not verified your e-mail address")
	}
	addr, _ := claims[c.emailClaim].(string)
	email, err = customer.NormalizeEmail(addr)
	if err != nil {
		return "", "", portalerr.New(portalerr.PermissionDenied, "your identity provider sent no usable e-mail address")
	}
	name, _ = claims[c.nameClaim].(string)
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 || strings.ContainsAny(name, "\r\n") {
		name, _, _ = strings.Cut(email, "@")
	}
	return email, name, nil
}

// ssoMembership returns the membership of cfg's customer that a verified
// address signs in through: the person's own, or one made now from a
// pending invitation, or, with JIT on, a new one.
func (p *Portal) ssoMembership(ctx context.Context, r storage.Repos, cfg identity.SSOConfig, email, name string) (customer.Membership, error) {
	now := p.timestamp()
	c, err := r.Customers().Get(ctx, cfg.CustomerID)
	if err != nil {
		return customer.Membership{}, err
	}
	if !c.Active() {
		return customer.Membership{}, portalerr.New(portalerr.Unauthenticated, "this account can no longer sign in")
	}
	u, err := r.Users().GetByEmail(ctx, email)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		u = customer.User{}
	case err != nil:
		return customer.Membership{}, err
	default:
		if err := u.CheckActive(); err != nil {
			return customer.Membership{}, portalerr.New(portalerr.Unauthenticated, "this account can no longer sign in")
		}
		if m, ok, err := activeMembership(ctx, r, u.ID, c.ID); err != nil || ok {
			return m, err
		}
	}
	invs, err := r.Invitations().List(ctx, storage.InvitationFilter{CustomerID: c.ID, Email: email, State: invite.StatePending, Now: now},
		storage.Page{Limit: 1})
	if err != nil {
		return customer.Membership{}, err
	}
	if len(invs.Items) == 0 && !cfg.JIT {
		return customer.Membership{}, portalerr.New(portalerr.PermissionDenied,
			"%s is not a member of %s; ask its admin for an invitation", email, c.Name)
	}
	if u.ID == "" {
		u = p.newUser(email, name, now)
		if err := r.Users().Create(ctx, u); err != nil {
			return customer.Membership{}, fmt.Errorf("portal: creating user: %w", err)
		}
	}
	if len(invs.Items) > 0 {
		inv := invs.Items[0]
		if err := claimInvitation(ctx, r, inv.ID, u.ID, now); err != nil {
			return customer.Membership{}, err
		}
		m, err := p.addInvitee(ctx, r, inv, u.ID, now)
		if err != nil {
			return customer.Membership{}, err
		}
		return m, p.notifyInviter(ctx, r, inv, c, u)
	}
	hasAdmin, err := hasWorkingAdmin(ctx, r, c.ID, "", "")
	if err != nil {
		return customer.Membership{}, err
	}
	m := customer.Membership{
		ID: customer.MembershipID(p.ids.NewID(PrefixMembership)), UserID: u.ID, CustomerID: c.ID,
		Role: customer.NewMemberRole(cfg.JITRole, hasAdmin), Status: customer.MembershipActive, Version: 1, CreatedAt: now, UpdatedAt: now,
	}
	if err := r.Memberships().Create(ctx, m); err != nil {
		return customer.Membership{}, fmt.Errorf("portal: creating membership: %w", err)
	}
	return m, p.record(ctx, r, identity.Principal{Kind: identity.KindUser, ID: string(u.ID)}.Actor(), "membership.joined_by_sso", c.ID, string(m.ID))
}

// checkSSORequired refuses a sign-in by method into customer cid when the
// customer requires its identity provider.
func checkSSORequired(ctx context.Context, r storage.Repos, cid customer.ID, method identity.Method) error {
	if method == identity.MethodSSO {
		return nil
	}
	cfg, err := r.SSO().Get(ctx, cid)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return nil
	case err != nil:
		return err
	case cfg.Required:
		return portalerr.New(portalerr.PermissionDenied, "your company requires you to sign in through its identity provider")
	}
	return nil
}
