package mailer_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portalerr"
)

// FuzzOverride parses and renders any override, as staff may save one for
// a customer: Validate when it is saved, Preview when it is looked at, and
// Render when the outbox worker sends mail with it. None may panic; each
// either succeeds or says which part is wrong (an Invalid error naming
// subject, text or html, nothing else). An override Validate accepts must
// render in every locale, within MaxRenderedLen, with a one-line subject;
// and one that does not render with the sample data is not accepted.
func FuzzOverride(f *testing.F) {
	tm, err := mailer.NewTemplates(mailer.TemplateConfig{Branding: testBranding})
	if err != nil {
		f.Fatal(err)
	}
	kinds := mailer.Kinds()
	for _, o := range []mailer.Override{
		{},
		{Subject: "Willkommen bei {{.CustomerName}}"},
		{Text: "Hier entlang: {{.Link}}", HTML: `<p><a href="{{.Link}}">Los geht's</a></p>`},
		{Subject: "{{if .Expires}}Bis {{.Expires}}{{else}}Jetzt{{end}}", Text: "{{with .Message}}{{.}}{{end}} {{.Link}}"},
		{Text: `{{index .Brand.ProductName 0}} {{slice .Link 0 8}} {{len .To}} {{.Link}}`},
		{Text: `{{if and (eq .Role "admin") (not (ne .Role "admin"))}}{{.RoleName}}{{end}}{{.Link}}`},
		{Subject: "{{.Nope}}", Text: "{{.Link", HTML: "<a href='{{.Link}}"},
		{Text: `{{define "x"}}{{end}}{{.Link}}`},
		{Text: `{{template "text_layout" .}}{{.Link}}`},
		{Text: `{{range .Link}}{{.}}{{end}}{{.Link}}`},
		{Text: `{{printf "%s" .Link}}`},
		{HTML: `<script>var l = {{.Link}};</script>{{.Link}}`},
		{HTML: `<a href="{{.Link}}" onclick="{{.CustomerName}}">x</a><style>{{.Brand.Color}}</style>`},
		{HTML: `{{if .Link}}<a href="{{.Link}}">{{else}}<b>{{end}}x`},
		{Subject: "   ", Text: "{{/* nothing */}}{{.Link}}"},
		{Subject: "{{slice .Link 5 2}}", Text: "{{index .To 1000}}{{.Link}}"},
		{Subject: "\x00\xff", Text: "{{.Link}}\xc0"},
		{Subject: "{{- .CustomerName -}}", Text: "{{.Link -}}\n\n"},
	} {
		for i := range kinds {
			f.Add(uint8(i), o.Subject, o.Text, o.HTML)
		}
	}
	locales := mailer.Locales()
	f.Fuzz(func(t *testing.T, kind uint8, subject, text, html string) {
		k := kinds[int(kind)%len(kinds)]
		o := mailer.Override{Subject: subject, Text: text, HTML: html}
		verr := tm.Validate(k, o)
		checkInvalid(t, "Validate", verr)
		for _, loc := range locales {
			c, err := tm.Preview(k, loc, o)
			checkInvalid(t, "Preview in "+loc, err)
			if err != nil && verr == nil {
				t.Fatalf("Validate accepted %#v for %s, which does not render in %s: %v", o, k, loc, err)
			}
			if err != nil {
				continue
			}
			if c.Subject == "" || strings.ContainsAny(c.Subject, "\r\n") {
				t.Fatalf("%#v for %s in %s renders the subject %q", o, k, loc, c.Subject)
			}
			for part, s := range map[string]string{"subject": c.Subject, "text": c.Text, "html": c.HTML} {
				if len(s) > mailer.MaxRenderedLen {
					t.Fatalf("%#v for %s in %s renders %d bytes of %s", o, k, loc, len(s), part)
				}
			}
		}
		// The worker renders with the message's own data, not the sample.
		data := mailer.Data{Token: "pi_token", OrderID: "ord_1", TicketID: "tkt_1", WebhookEndpointID: "wep_1", RecordID: "rec_1"}
		_, err := tm.Render(k, "de-AT", data, o)
		checkInvalid(t, "Render", err)
	})
}

// checkInvalid fails unless err is nil or an Invalid error whose
// violations name only parts of an override.
func checkInvalid(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		return
	}
	if portalerr.CodeOf(err) != portalerr.Invalid {
		t.Fatalf("%s: %v is not invalid", what, err)
	}
	fields := portalerr.FieldsOf(err)
	if len(fields) == 0 {
		t.Fatalf("%s: %v names no part", what, err)
	}
	for _, v := range fields {
		if !slices.Contains([]string{"subject", "text", "html"}, v.Field) {
			t.Fatalf("%s: %v names %q", what, err, v.Field)
		}
	}
}
