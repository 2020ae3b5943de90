package portal

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// Branding is the look of the portal as one audience sees it: the
// provider's (Config.Branding), or a customer's own where that customer
// set it (customer.Branding), each field falling back to the provider's.
// A web UI renders its pages with it; mail to a customer's people is
// rendered with the same values. Every field but LogoURL and SupportEmail
// is always set.
type Branding struct {
	// CustomerID is the customer whose branding this is; empty for the
	// provider's.
	CustomerID customer.ID
	// Name is the product name to show: "Acme Portal".
	Name string
	// LogoURL is the absolute URL of an image to show atop pages and
	// mail; empty for none (show Name instead).
	LogoURL string
	// AccentColor is a colour, "#rgb" or "#rrggbb", safe to put into a
	// style attribute as it is.
	AccentColor string
	// SupportEmail is where people may write with questions; it is the
	// provider's in every Branding. Empty when unset.
	SupportEmail string
	// BaseURL is the address the portal is reached at for this audience,
	// without a trailing slash: the provider's public base URL, or, for a
	// customer with a host name, the same URL on that host
	// ("https://portal.acme.example"). Links to the portal are built on it.
	// Without a public base URL in Config it is "http://localhost".
	BaseURL string
}

// BrandingForHost returns the branding to show for a request whose Host
// header is host, port and letter case ignored: the branding of the
// active customer whose host name it is, else the provider's. It needs no
// caller: it serves the sign-in pages, before anyone has signed in. The
// answer tells nothing a visitor of the host could not see anyway. An
// error means that the store failed.
func (p *Portal) BrandingForHost(ctx context.Context, host string) (Branding, error) {
	h := customer.HostOf(host)
	if h == "" || h == p.providerHost() {
		return p.providerBranding(), nil
	}
	var c customer.Customer
	err := p.read(ctx, func(r storage.Repos) error {
		var err error
		c, err = r.Customers().GetByHostName(ctx, h)
		return err
	})
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return p.providerBranding(), nil
	case err != nil:
		return Branding{}, fmt.Errorf("portal: finding the customer of host %q: %w", h, err)
	}
	return p.brandingOf(c), nil
}

// providerBranding is the provider's look.
func (p *Portal) providerBranding() Branding {
	b := p.mail.templates.Branding()
	return Branding{
		Name: b.ProductName, LogoURL: b.LogoURL, AccentColor: b.Color,
		SupportEmail: b.SupportEmail, BaseURL: b.PublicBaseURL,
	}
}

// brandingOf is the look c's people see: its own while it is active (a
// suspended or archived customer's portal does nothing, so it shows the
// provider's), each empty field the provider's.
func (p *Portal) brandingOf(c customer.Customer) Branding {
	out := p.providerBranding()
	if !c.Active() || c.Branding.IsZero() {
		return out
	}
	cb := c.Branding
	out.CustomerID = c.ID
	out.Name = cmp.Or(cb.DisplayName, out.Name)
	out.LogoURL = cmp.Or(cb.LogoURL, out.LogoURL)
	out.AccentColor = cmp.Or(cb.AccentColor, out.AccentColor)
	if cb.HostName != "" {
		out.BaseURL = onHost(out.BaseURL, cb.HostName)
	}
	return out
}

// onHost returns base with its host name replaced by host; scheme, port
// and path stay, since the same server answers on every host name.
func onHost(base, host string) string {
	u, err := url.Parse(base)
	if err != nil { // mailer.NewTemplates checked it
		return base
	}
	if port := u.Port(); port != "" {
		u.Host = net.JoinHostPort(host, port)
	} else {
		u.Host = host
	}
	return u.String()
}

// providerHost is the host name of the provider's public base URL,
// normalised as customer host names are.
func (p *Portal) providerHost() string {
	u, err := url.Parse(p.mail.templates.Branding().PublicBaseURL)
	if err != nil {
		return ""
	}
	return customer.HostOf(u.Host)
}

// mailBranding is b as mailer renders it.
func (b Branding) mailBranding() mailer.Branding {
	return mailer.Branding{
		ProductName: b.Name, LogoURL: b.LogoURL, Color: b.AccentColor,
		SupportEmail: b.SupportEmail, PublicBaseURL: b.BaseURL,
	}
}

// checkBranding normalises and checks a customer's branding given as
// input; the violations are named "branding.…". A customer may not take
// the provider's own host name: the provider's pages would show the
// customer's look.
func (p *Portal) checkBranding(b *customer.Branding) error {
	*b = b.Normalize()
	if err := b.Validate(); err != nil {
		return prefixFields(err, "branding.")
	}
	if b.HostName != "" && b.HostName == p.providerHost() {
		return portalerr.Invalidf("branding.host_name", "is the provider's own host name")
	}
	return nil
}
