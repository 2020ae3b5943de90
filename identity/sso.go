package identity

import (
	"net"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

// MethodSSO is the sign-in method of a session opened through a
// customer's OpenID Connect identity provider.
const MethodSSO Method = "sso"

// SSO limits.
const (
	// MaxSSODomains bounds the e-mail domains of one configuration.
	MaxSSODomains = 20
	// SSOStateTTL is how long a started sign-in waits for the identity
	// provider's answer.
	SSOStateTTL = 10 * time.Minute
)

// SSOConfig is a customer's OpenID Connect identity provider: its people
// with a verified e-mail address of one of Domains sign in through it.
// The client secret is kept only sealed (SecretSealed, by the portal with
// a server key), and never shown again once set.
type SSOConfig struct {
	CustomerID   customer.ID
	Issuer       string // the provider's issuer URL, where discovery starts
	ClientID     string
	SecretSealed []byte
	// Domains are the lower-case e-mail domains whose people sign in
	// through this provider; each is active for one customer at most.
	Domains []string
	// Pending are those of Domains that wait for the provider's staff to
	// approve them: a customer's admin could otherwise claim a domain it
	// does not own (gmail.com, a competitor's) and have its people sent
	// to, or joining through, its provider. Until approved nobody is sent
	// to the provider by them, nor signs in through it with an address of
	// them. Domains staff list are active at once.
	Pending []string
	// EmailClaim and NameClaim name the ID token's claims that carry the
	// person's e-mail address and name ("email", "name" by default).
	EmailClaim, NameClaim string
	// JIT lets a person with a verified address of Domains who is neither
	// a member nor invited join on first sign-in, as JITRole; off, the
	// customer stays invite-only.
	JIT     bool
	JITRole customer.Role
	// Required refuses the customer's people every other sign-in method.
	Required  bool
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

var (
	domainRE = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	claimRE  = regexp.MustCompile(`^[A-Za-z0-9_:./-]{1,100}$`)
)

// Normalize fills the defaults (claims "email" and "name", JIT role
// viewer), lower-cases the domains, sorts them and drops duplicates.
func (c *SSOConfig) Normalize() {
	c.Issuer = strings.TrimSpace(c.Issuer)
	c.ClientID = strings.TrimSpace(c.ClientID)
	if c.EmailClaim == "" {
		c.EmailClaim = "email"
	}
	if c.NameClaim == "" {
		c.NameClaim = "name"
	}
	if c.JITRole == "" {
		c.JITRole = customer.RoleViewer
	}
	c.Domains = normalDomains(c.Domains)
	c.Pending = normalDomains(c.Pending)
}

// normalDomains lower-cases, sorts and deduplicates domain names, in place.
func normalDomains(ds []string) []string {
	for i, d := range ds {
		ds[i] = strings.ToLower(strings.TrimSpace(d))
	}
	slices.Sort(ds)
	return slices.Compact(ds)
}

// Check returns an Invalid error naming each bad field: the issuer must be
// an https URL without query or fragment (http only on a loopback host,
// for development and tests), the client ID set, one to MaxSSODomains
// domain names, claim names plain, and the JIT role a customer role.
func (c SSOConfig) Check() error {
	var fields []portalerr.FieldViolation
	bad := func(field, msg string) { fields = append(fields, portalerr.FieldViolation{Field: field, Message: msg}) }
	u, err := url.Parse(c.Issuer)
	switch {
	case err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || len(c.Issuer) > 500:
		bad("issuer", "must be the identity provider's issuer URL, such as https://login.example.com")
	case u.Scheme == "http" && !loopback(u.Hostname()):
		bad("issuer", "must use https")
	case u.Scheme != "https" && u.Scheme != "http":
		bad("issuer", "must use https")
	}
	if c.ClientID == "" || len(c.ClientID) > 200 {
		bad("client_id", "is required, at most 200 characters")
	}
	if len(c.Domains) == 0 || len(c.Domains) > MaxSSODomains {
		bad("domains", "must name 1 to 20 e-mail domains")
	}
	for _, d := range c.Domains {
		if len(d) > 253 || !domainRE.MatchString(d) {
			bad("domains", "must be domain names such as acme.example")
			break
		}
	}
	if !claimRE.MatchString(c.EmailClaim) {
		bad("email_claim", "must be a claim name")
	}
	if !claimRE.MatchString(c.NameClaim) {
		bad("name_claim", "must be a claim name")
	}
	if !c.JITRole.Valid() {
		bad("jit_role", "must be viewer, maintainer or admin")
	}
	if len(fields) > 0 {
		return &portalerr.Error{Code: portalerr.Invalid, Message: "the identity provider's settings are not valid", Fields: fields}
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// ActiveDomains returns the domains that route sign-ins: Domains but the
// Pending ones.
func (c SSOConfig) ActiveDomains() []string {
	out := make([]string, 0, len(c.Domains))
	for _, d := range c.Domains {
		if !slices.Contains(c.Pending, d) {
			out = append(out, d)
		}
	}
	return out
}

// AllowsEmail reports whether the normalised address is of one of the
// configuration's active domains.
func (c SSOConfig) AllowsEmail(email string) bool {
	_, domain, ok := strings.Cut(email, "@")
	return ok && slices.Contains(c.Domains, domain) && !slices.Contains(c.Pending, domain)
}

// EmailDomain returns the domain of a normalised e-mail address.
func EmailDomain(email string) string {
	_, domain, _ := strings.Cut(email, "@")
	return domain
}

// SSOState is a started sign-in through an identity provider, waiting for
// its answer: the state parameter (stored only hashed) finds it again,
// once, before ExpiresAt; Nonce and Verifier (the PKCE code verifier) are
// checked against the provider's answer. CustomerID is the customer whose
// provider it goes through; empty for staff signing in through the
// provider's own (portal.Config.StaffSSO).
type SSOState struct {
	StateHash  string
	CustomerID customer.ID
	Nonce      string
	Verifier   string
	ExpiresAt  time.Time
	UsedAt     time.Time
	CreatedAt  time.Time
}
