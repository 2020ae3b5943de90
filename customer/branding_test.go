package customer_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/portalerr"
)

func TestBrandingNormalize(t *testing.T) {
	b := customer.Branding{
		DisplayName: "  Acme Portal ",
		LogoURL:     " https://cdn.acme.example/logo.png ",
		AccentColor: " #FF8800 ",
		HostName:    " Portal.ACME.example. ",
	}.Normalize()
	assert.Equal(t, customer.Branding{
		DisplayName: "Acme Portal",
		LogoURL:     "https://cdn.acme.example/logo.png",
		AccentColor: "#ff8800",
		HostName:    "portal.acme.example",
	}, b)
	assert.NoError(t, b.Validate())
	assert.False(t, b.IsZero())
	assert.True(t, customer.Branding{}.IsZero())
	assert.NoError(t, customer.Branding{}.Validate())
}

func TestBrandingValidate(t *testing.T) {
	tests := []struct {
		name  string
		b     customer.Branding
		field string // "" when valid
	}{
		{"short colour", customer.Branding{AccentColor: "#f80"}, ""},
		{"colour without hash", customer.Branding{AccentColor: "ff8800"}, "accent_color"},
		{"colour with alpha", customer.Branding{AccentColor: "#ff880080"}, "accent_color"},
		{"colour name", customer.Branding{AccentColor: "red"}, "accent_color"},
		{"colour css injection", customer.Branding{AccentColor: "#fff;background:url(x)"}, "accent_color"},
		{"name too long", customer.Branding{DisplayName: strings.Repeat("ä", 101)}, "display_name"},
		{"name of 100 letters", customer.Branding{DisplayName: strings.Repeat("ä", 100)}, ""},
		{"name on two lines", customer.Branding{DisplayName: "Acme\nPortal"}, "display_name"},
		{"logo https", customer.Branding{LogoURL: "https://cdn.acme.example/l.svg?v=2"}, ""},
		{"logo http localhost", customer.Branding{LogoURL: "http://localhost:8080/logo.png"}, ""},
		{"logo http loopback", customer.Branding{LogoURL: "http://127.0.0.1/logo.png"}, ""},
		{"logo http elsewhere", customer.Branding{LogoURL: "http://cdn.acme.example/logo.png"}, "logo_url"},
		{"logo relative", customer.Branding{LogoURL: "/logo.png"}, "logo_url"},
		{"logo javascript", customer.Branding{LogoURL: "javascript:alert(1)"}, "logo_url"},
		{"logo data", customer.Branding{LogoURL: "data:image/png;base64,AAAA"}, "logo_url"},
		{"logo with user", customer.Branding{LogoURL: "https://a:b@cdn.acme.example/l.png"}, "logo_url"},
		{"logo too long", customer.Branding{LogoURL: "https://cdn.acme.example/" + strings.Repeat("a", 2048)}, "logo_url"},
		{"host", customer.Branding{HostName: "portal.acme.example"}, ""},
		{"host single label", customer.Branding{HostName: "acme"}, ""},
		{"host punycode", customer.Branding{HostName: "xn--mller-kva.example"}, ""},
		{"host with port", customer.Branding{HostName: "portal.acme.example:8443"}, "host_name"},
		{"host with scheme", customer.Branding{HostName: "https://portal.acme.example"}, "host_name"},
		{"host with path", customer.Branding{HostName: "portal.acme.example/x"}, "host_name"},
		{"host upper case", customer.Branding{HostName: "Portal.acme.example"}, "host_name"},
		{"host ip", customer.Branding{HostName: "10.0.0.1"}, "host_name"},
		{"host empty label", customer.Branding{HostName: "portal..example"}, "host_name"},
		{"host hyphen", customer.Branding{HostName: "-portal.example"}, "host_name"},
		{"host underscore", customer.Branding{HostName: "my_portal.example"}, "host_name"},
		{"host umlaut", customer.Branding{HostName: "müller.example"}, "host_name"},
		{"host label too long", customer.Branding{HostName: strings.Repeat("a", 64) + ".example"}, "host_name"},
		{"host too long", customer.Branding{HostName: strings.Repeat("a.", 127) + "ab"}, "host_name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.b.Validate()
			if tt.field == "" {
				assert.NoError(t, err)
				return
			}
			assert.Equal(t, portalerr.Invalid, portalerr.CodeOf(err))
			fields := portalerr.FieldsOf(err)
			if assert.Len(t, fields, 1) {
				assert.Equal(t, tt.field, fields[0].Field)
			}
		})
	}
}

func TestBrandingValidateEveryField(t *testing.T) {
	err := customer.Branding{
		DisplayName: "a\tb", LogoURL: "ftp://x", AccentColor: "blue", HostName: "a b",
	}.Validate()
	var got []string
	for _, f := range portalerr.FieldsOf(err) {
		got = append(got, f.Field)
	}
	assert.Equal(t, []string{"display_name", "logo_url", "accent_color", "host_name"}, got)
}

func TestHostOf(t *testing.T) {
	for in, want := range map[string]string{
		"portal.acme.example":       "portal.acme.example",
		"Portal.Acme.Example:8443":  "portal.acme.example",
		"portal.acme.example.":      "portal.acme.example",
		"portal.acme.example.:443":  "portal.acme.example",
		"[::1]:8080":                "::1",
		"":                          "",
		" localhost:8080 ":          "localhost",
		"portal.acme.example:":      "portal.acme.example",
		"portal.acme.example:notno": "portal.acme.example",
	} {
		assert.Equal(t, want, customer.HostOf(in), "HostOf(%q)", in)
	}
}
