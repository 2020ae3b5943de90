package portal

import (
	"context"
	"errors"
	"strings"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// StaffSSOConfig is the provider's own OpenID Connect identity provider:
// staff sign in through it with the authorization code flow, PKCE, state
// and nonce, as customers' people do through theirs. The verified e-mail
// address must be of one of Domains and belong to an active staff member;
// nobody becomes staff by signing in.
type StaffSSOConfig struct {
	// Issuer is the provider's issuer URL, where discovery starts; empty
	// turns staff single sign-on off.
	Issuer       string
	ClientID     string
	ClientSecret string
	// Domains are the e-mail domains staff sign in with (at least one).
	Domains []string
	// RedirectURL is the redirect URI to register with the provider.
	// Default: Branding.PublicBaseURL + "/console/sso/callback".
	RedirectURL string
}

// initStaff checks and keeps the provider's own identity provider.
func (s *ssoSetup) initStaff(cfg Config) error {
	sc := cfg.StaffSSO
	if strings.TrimSpace(sc.Issuer) == "" {
		return nil
	}
	redirect := sc.RedirectURL
	if redirect == "" && cfg.Branding.PublicBaseURL != "" {
		redirect = strings.TrimSuffix(cfg.Branding.PublicBaseURL, "/") + "/console/sso/callback"
	}
	if redirect == "" {
		return portalerr.Invalidf("staff_sso", "needs the portal's public address (Branding.PublicBaseURL or StaffSSO.RedirectURL)")
	}
	if sc.ClientSecret == "" {
		return portalerr.Invalidf("staff_sso", "needs a client secret")
	}
	// The customers' checks of issuer, client ID and domains apply.
	c := identity.SSOConfig{Issuer: sc.Issuer, ClientID: sc.ClientID, Domains: append([]string(nil), sc.Domains...)}
	c.Normalize()
	if err := c.Check(); err != nil {
		return err
	}
	s.staffDomains = c
	s.staff = &oidcClient{
		issuer: c.Issuer, clientID: c.ClientID, secret: sc.ClientSecret, redirect: redirect,
		emailClaim: c.EmailClaim, nameClaim: c.NameClaim, logKey: "staff_sso", logValue: c.Issuer,
	}
	return nil
}

var errStaffSSOOff = portalerr.New(portalerr.FailedPrecondition, "staff do not sign in through an identity provider here")

// StaffSSOEnabled reports whether staff may sign in through the
// provider's own identity provider (Config.StaffSSO).
func (p *Portal) StaffSSOEnabled() bool { return p.sso.staff != nil }

// StartStaffSSO starts a staff sign-in through the provider's own identity
// provider (Config.StaffSSO) and returns the URL to send the browser to;
// the provider sends it back to StaffSSO.RedirectURL with the code and
// state for FinishStaffSSO. It needs no principal. FailedPrecondition when
// staff single sign-on is off or the provider cannot be reached;
// RateLimited past the per-client limit.
func (p *Portal) StartStaffSSO(ctx context.Context, clientAddr string) (string, error) {
	if p.sso.staff == nil {
		return "", errStaffSSOOff
	}
	if c := clientKey(clientAddr); c != "" {
		if err := p.allow(ctx, "staffsso:"+c, p.limits.PerClient, p.timestamp()); err != nil {
			return "", err
		}
	}
	return p.beginSSO(ctx, *p.sso.staff, "", "")
}

// FinishStaffSSO completes a sign-in StartStaffSSO began, as FinishSSO
// does (the state works once; the ID token is verified), and opens a
// staff session for the active staff member the verified e-mail address
// names, recording staff.signed_in_by_sso. It never creates staff. It
// needs no principal. Unauthenticated for an unknown, used or expired
// state or an answer that does not check out; PermissionDenied for an
// unverified address, one of a domain not allowed, or an address of no
// active staff member.
func (p *Portal) FinishStaffSSO(ctx context.Context, params FinishSSOParams) (StaffSignIn, error) {
	if err := validStruct(params); err != nil {
		return StaffSignIn{}, err
	}
	if p.sso.staff == nil {
		return StaffSignIn{}, errStaffSSOOff
	}
	st, err := p.consumeSSOState(ctx, params.State)
	if err != nil {
		return StaffSignIn{}, err
	}
	if st.CustomerID != "" {
		return StaffSignIn{}, errSSOState
	}
	email, _, err := p.ssoIdentity(ctx, *p.sso.staff, st, params.Code)
	if err != nil {
		return StaffSignIn{}, err
	}
	if !p.sso.staffDomains.AllowsEmail(email) {
		return StaffSignIn{}, portalerr.New(portalerr.PermissionDenied, "addresses of %s do not sign in to the console", identity.EmailDomain(email))
	}
	errNoStaff := portalerr.New(portalerr.PermissionDenied, "%s is not an active staff member", email)
	var out StaffSignIn
	err = p.write(ctx, func(r storage.Repos) error {
		m, err := r.Staff().GetByEmail(ctx, email)
		if errors.Is(err, storage.ErrNotFound) {
			return errNoStaff
		}
		if err != nil {
			return err
		}
		if m.Status != identity.StaffActive {
			return errNoStaff
		}
		if out, err = p.openStaffSession(ctx, r, m, identity.MethodSSO); err != nil {
			return err
		}
		return p.record(ctx, r, m.Principal("", "").Actor(), "staff.signed_in_by_sso", "", string(m.ID), m)
	})
	return out, err
}
