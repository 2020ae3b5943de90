package customer

import (
	"net"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/portalkit/portalkit/internal/valid"
	"github.com/portalkit/portalkit/portalerr"
)

// Bounds of a Branding's fields.
const (
	MaxDisplayNameLen = 100
	MaxLogoURLLen     = 2048
	// MaxHostNameLen is the longest DNS name (RFC 1035), without the
	// trailing dot.
	MaxHostNameLen = 253
)

// Branding is a customer's own look: the name, logo and accent colour its
// people see on the sign-in pages and in the mail sent to them, and the
// host name its portal is reached at. An empty field falls back to the
// provider's branding (mailer.Branding); the zero Branding is the
// provider's look throughout.
type Branding struct {
	// DisplayName replaces the provider's product name ("Acme Portal").
	DisplayName string `json:"display_name"`
	// LogoURL is an image shown atop the sign-in pages and HTML mail: an
	// absolute https URL, or http for localhost.
	LogoURL string `json:"logo_url"`
	// AccentColor is "#rgb" or "#rrggbb".
	AccentColor string `json:"accent_color"`
	// HostName is a DNS name, lower case, without scheme, port or path
	// ("portal.acme.example"): requests for this host show this branding,
	// and links in mail to the customer's people point at it. Unique
	// across customers when set.
	HostName string `json:"host_name"`
}

// IsZero reports whether b sets nothing: the provider's look.
func (b Branding) IsZero() bool { return b == Branding{} }

// Normalize trims every field, lower-cases the colour and the host name,
// and drops a host name's trailing dot ("Portal.Acme.Example." →
// "portal.acme.example").
func (b Branding) Normalize() Branding {
	return Branding{
		DisplayName: strings.TrimSpace(b.DisplayName),
		LogoURL:     strings.TrimSpace(b.LogoURL),
		AccentColor: strings.ToLower(strings.TrimSpace(b.AccentColor)),
		HostName:    NormalizeHostName(b.HostName),
	}
}

// NormalizeHostName returns host trimmed, lower-cased and without a
// trailing dot. It keeps anything else, port included: Validate refuses
// it, and HostOf strips the port of a request's Host.
func NormalizeHostName(host string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(host)), ".")
}

// HostOf returns the host name of a request's Host header ("Portal.Acme.Example:8443"
// → "portal.acme.example"), normalised as Branding.HostName is, so the two
// compare equal; "" when hostport names no host.
func HostOf(hostport string) string {
	hostport = strings.TrimSpace(hostport)
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		hostport = h
	}
	return NormalizeHostName(hostport)
}

// Validate checks a normalised Branding. It returns nil, or a portalerr
// Invalid error with one violation per bad field: "display_name",
// "logo_url", "accent_color", "host_name".
func (b Branding) Validate() error {
	var v []portalerr.FieldViolation
	bad := func(field, msg string) {
		v = append(v, portalerr.FieldViolation{Field: field, Message: msg})
	}
	switch {
	case utf8.RuneCountInString(b.DisplayName) > MaxDisplayNameLen:
		bad("display_name", "must be at most 100 characters")
	case !valid.SingleLine(b.DisplayName):
		bad("display_name", "must be a single line of printable text")
	}
	if b.LogoURL != "" {
		if len(b.LogoURL) > MaxLogoURLLen {
			bad("logo_url", "must be at most 2048 characters")
		} else if msg := checkLogoURL(b.LogoURL); msg != "" {
			bad("logo_url", msg)
		}
	}
	if b.AccentColor != "" && !valid.Color(b.AccentColor) {
		bad("accent_color", `must be a colour such as "#2563eb" or "#26e"`)
	}
	if b.HostName != "" {
		if msg := checkHostName(b.HostName); msg != "" {
			bad("host_name", msg)
		}
	}
	return portalerr.InvalidFields(v...)
}

// checkLogoURL says what is wrong with a logo's address, or "". Sign-in
// pages served over https would not load an http image, so http is only
// for a portal on the developer's own machine.
func checkLogoURL(s string) string {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" || u.User != nil {
		return "must be an absolute https URL"
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !isLocalhost(u.Hostname()) {
			return "must be an https URL (http only for localhost)"
		}
	default:
		return "must be an absolute https URL"
	}
	if strings.ContainsAny(s, " \t\r\n\"'<>") {
		return "must not contain spaces, quotes or angle brackets"
	}
	return ""
}

func isLocalhost(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// checkHostName says what is wrong with a normalised host name, or "": it
// must be a DNS name of letters, digits and hyphens in dot-separated
// labels of 1 to 63 characters, not starting or ending with a hyphen,
// with no scheme, port, path or IP address.
func checkHostName(h string) string {
	if strings.ContainsAny(h, "/:?#@") {
		return `must be a host name such as "portal.acme.example", without scheme, port or path`
	}
	if len(h) > MaxHostNameLen {
		return "must be at most 253 characters"
	}
	if net.ParseIP(h) != nil {
		return "must be a host name, not an IP address"
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return "must be dot-separated labels of 1 to 63 letters, digits or hyphens, not starting or ending with a hyphen"
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				return "must be dot-separated labels of 1 to 63 letters, digits or hyphens (use the punycode form of other letters)"
			}
		}
	}
	return ""
}
