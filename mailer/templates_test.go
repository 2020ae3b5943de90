package mailer_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/portalerr"
)

var testBranding = mailer.Branding{
	ProductName:   "Acme Portal",
	LogoURL:       "https://acme.example/logo.png",
	Color:         "#0a7d5a",
	SupportEmail:  "help@acme.example",
	PublicBaseURL: "https://portal.acme.example/",
}

func newTemplates(t *testing.T, defaultLocale string) *mailer.Templates {
	t.Helper()
	tm, err := mailer.NewTemplates(mailer.TemplateConfig{Branding: testBranding, DefaultLocale: defaultLocale})
	require.NoError(t, err)
	return tm
}

func fieldsOf(err error) []string {
	var fields []string
	for _, f := range portalerr.FieldsOf(err) {
		fields = append(fields, f.Field)
	}
	return fields
}

func TestRenderEveryKindInEveryLocale(t *testing.T) {
	tm := newTemplates(t, "")
	require.ElementsMatch(t, []string{"en", "de"}, mailer.Locales())
	require.Len(t, mailer.Kinds(), 21)

	for _, kind := range mailer.Kinds() {
		for _, locale := range mailer.Locales() {
			t.Run(fmt.Sprintf("%s/%s", kind, locale), func(t *testing.T) {
				data := mailer.SampleData(kind)
				data.CustomerName = `<script>alert("x")</script> & Co`
				link, err := tm.Link(kind, data)
				require.NoError(t, err)

				c, err := tm.Render(kind, locale, data, mailer.Override{})
				require.NoError(t, err)

				assert.NotEmpty(t, c.Subject)
				assert.NotContains(t, c.Subject, "\n")
				assert.Contains(t, c.Text, link)
				assert.Contains(t, c.HTML, `href="`+link+`"`)
				assert.Contains(t, c.HTML, `<html lang="`+locale+`">`)
				assert.Contains(t, c.HTML, testBranding.Color, "branding colour")
				assert.Contains(t, c.HTML, testBranding.LogoURL, "branding logo")
				assert.Contains(t, c.Text, testBranding.SupportEmail, "footer")
				// The customer's name is escaped in HTML and left alone in
				// text. A login link and an e-mail change are the user's,
				// not the customer's, and staff mail is about no customer.
				assert.NotContains(t, c.HTML, "<script>")
				if kind != mailer.KindLoginLink && kind != mailer.KindStaffInvitation && kind != mailer.KindStaffLoginLink && kind != mailer.KindWebhookDisabled && kind != mailer.KindEmailChange &&
					kind != mailer.KindPasswordReset && kind != mailer.KindStaffPasswordReset {
					assert.Contains(t, c.HTML, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Co")
					assert.Contains(t, c.Text, `<script>alert("x")</script> & Co`)
				}
				assert.NotContains(t, c.Text+c.HTML, "<no value>")
			})
		}
	}
}

func TestRenderLinks(t *testing.T) {
	b := testBranding
	b.PublicBaseURL = "https://acme.example/portal/"
	tm, err := mailer.NewTemplates(mailer.TemplateConfig{Branding: b})
	require.NoError(t, err)
	data := mailer.Data{Token: "pk_a+b/c", OrderID: "ord_1", TicketID: "tkt_1", WebhookEndpointID: "wep_1", RecordID: "rec_1"}

	tests := map[mailer.Kind]string{
		mailer.KindInvitation:         "https://acme.example/portal/accept?token=pk_a%2Bb%2Fc",
		mailer.KindInvitationResent:   "https://acme.example/portal/accept?token=pk_a%2Bb%2Fc",
		mailer.KindLoginLink:          "https://acme.example/portal/login?token=pk_a%2Bb%2Fc",
		mailer.KindAccessLink:         "https://acme.example/portal/access?token=pk_a%2Bb%2Fc",
		mailer.KindInvitationAccepted: "https://acme.example/portal/",
		mailer.KindOrderSubmitted:     "https://acme.example/portal/orders/ord_1",
		mailer.KindOrderConfirmed:     "https://acme.example/portal/orders/ord_1",
		mailer.KindOrderRejected:      "https://acme.example/portal/orders/ord_1",
		mailer.KindStaffInvitation:    "https://acme.example/portal/console/accept?token=pk_a%2Bb%2Fc",
		mailer.KindStaffLoginLink:     "https://acme.example/portal/console/login?token=pk_a%2Bb%2Fc",
		mailer.KindTicketOpened:       "https://acme.example/portal/console/tickets/tkt_1",
		mailer.KindTicketReply:        "https://acme.example/portal/tickets/tkt_1",
		mailer.KindTicketStatus:       "https://acme.example/portal/tickets/tkt_1",

		mailer.KindTicketCustomerReply: "https://acme.example/portal/console/tickets/tkt_1",
		mailer.KindWebhookDisabled:     "https://acme.example/portal/console/webhooks/wep_1",

		mailer.KindAccessRequestConfirm:  "https://acme.example/portal/request-access/confirm?token=pk_a%2Bb%2Fc",
		mailer.KindAccessRequestRejected: "https://acme.example/portal/request-access",
		mailer.KindEmailChange:           "https://acme.example/portal/confirm-email?token=pk_a%2Bb%2Fc",
		mailer.KindPasswordReset:         "https://acme.example/portal/reset-password?token=pk_a%2Bb%2Fc",
		mailer.KindStaffPasswordReset:    "https://acme.example/portal/console/reset-password?token=pk_a%2Bb%2Fc",
		mailer.KindRecordChangeDecided:   "https://acme.example/portal/records/rec_1",
	}
	for kind, want := range tests {
		link, err := tm.Link(kind, data)
		require.NoError(t, err)
		assert.Equal(t, want, link, kind)
	}

	_, err = tm.Render(mailer.KindInvitation, "en", mailer.Data{}, mailer.Override{})
	assert.Equal(t, []string{"token"}, fieldsOf(err))
	_, err = tm.Render(mailer.KindOrderConfirmed, "en", mailer.Data{}, mailer.Override{})
	assert.Equal(t, []string{"order_id"}, fieldsOf(err))
	_, err = tm.Render(mailer.KindTicketStatus, "en", mailer.Data{}, mailer.Override{})
	assert.Equal(t, []string{"ticket_id"}, fieldsOf(err))
	_, err = tm.Render(mailer.KindRecordChangeDecided, "en", mailer.Data{}, mailer.Override{})
	assert.Equal(t, []string{"record_id"}, fieldsOf(err))
	_, err = tm.Render("newsletter", "en", data, mailer.Override{})
	assert.Equal(t, []string{"kind"}, fieldsOf(err))
}

func TestRenderChoosesLocale(t *testing.T) {
	data := mailer.SampleData(mailer.KindLoginLink)
	subject := func(tm *mailer.Templates, locale string) string {
		t.Helper()
		c, err := tm.Render(mailer.KindLoginLink, locale, data, mailer.Override{})
		require.NoError(t, err)
		return c.Subject
	}
	en, de := newTemplates(t, ""), newTemplates(t, "de-DE")

	assert.Equal(t, "Your sign-in link for Acme Portal", subject(en, "en"))
	assert.Equal(t, "Ihr Anmeldelink für Acme Portal", subject(en, "de"))
	assert.Equal(t, "Ihr Anmeldelink für Acme Portal", subject(en, "de_AT"), "region ignored")
	assert.Equal(t, "Your sign-in link for Acme Portal", subject(en, "fr"), "unknown: en")
	assert.Equal(t, "Your sign-in link for Acme Portal", subject(en, ""), "none: en")
	assert.Equal(t, "Ihr Anmeldelink für Acme Portal", subject(de, "fr"), "unknown: configured default")
	assert.Equal(t, "Your sign-in link for Acme Portal", subject(de, "EN-gb"))
}

func TestRenderLocalisesDetails(t *testing.T) {
	tm := newTemplates(t, "")
	data := mailer.SampleData(mailer.KindInvitation) // maintainer, expires 2030-03-14 09:30 UTC

	en, err := tm.Render(mailer.KindInvitation, "en", data, mailer.Override{})
	require.NoError(t, err)
	assert.Contains(t, en.Text, "with the role Maintainer")
	assert.Contains(t, en.Text, "March 14, 2030, 09:30 UTC")
	assert.Contains(t, en.Text, data.Message)

	de, err := tm.Render(mailer.KindInvitation, "de", data, mailer.Override{})
	require.NoError(t, err)
	assert.Contains(t, de.Text, "mit der Rolle Bearbeiter")
	assert.Contains(t, de.Text, "14. März 2030, 09:30 UTC")

	// Without a note and an expiry, their sentences go.
	data.Message, data.ExpiresAt = "", time.Time{}
	en, err = tm.Render(mailer.KindInvitation, "en", data, mailer.Override{})
	require.NoError(t, err)
	assert.NotContains(t, en.Text, "A note from")
	assert.NotContains(t, en.Text, "expires")
	assert.NotContains(t, en.HTML, "blockquote")
}

func TestRenderWithOverride(t *testing.T) {
	tm := newTemplates(t, "")
	data := mailer.SampleData(mailer.KindInvitation)
	data.CustomerName = "<b>Evil</b>"
	o := mailer.Override{
		Subject: "Welcome to {{.Brand.ProductName}}, {{.CustomerName}}",
		Text:    "Join {{.CustomerName}}: {{.Link}}",
		HTML:    `<p>Join {{.CustomerName}}: <a href="{{.Link}}">here</a></p>`,
	}
	require.NoError(t, tm.Validate(mailer.KindInvitation, o))

	c, err := tm.Render(mailer.KindInvitation, "de", data, o)
	require.NoError(t, err)

	link, _ := tm.Link(mailer.KindInvitation, data)
	assert.Equal(t, "Welcome to Acme Portal, <b>Evil</b>", c.Subject)
	assert.True(t, strings.HasPrefix(c.Text, "Join <b>Evil</b>: "+link+"\n"), c.Text)
	assert.Contains(t, c.Text, "help@acme.example", "the footer stays")
	assert.Contains(t, c.HTML, `<p>Join &lt;b&gt;Evil&lt;/b&gt;: <a href="`+link+`">here</a></p>`)
	assert.Contains(t, c.HTML, testBranding.LogoURL, "the branded frame stays")
	assert.Contains(t, c.HTML, "<title>Welcome to Acme Portal, &lt;b&gt;Evil&lt;/b&gt;</title>")

	// Only the subject: the bodies stay the defaults.
	c, err = tm.Render(mailer.KindInvitation, "de", data, mailer.Override{Subject: "Hallo"})
	require.NoError(t, err)
	assert.Equal(t, "Hallo", c.Subject)
	assert.Contains(t, c.Text, "Hier nehmen Sie die Einladung an")

	// A broken override found at render time is reported, not sent.
	_, err = tm.Render(mailer.KindInvitation, "en", data, mailer.Override{Text: "{{.Link"})
	assert.ErrorIs(t, err, portalerr.ErrInvalid)
	assert.Equal(t, []string{"text"}, fieldsOf(err))
}

func TestValidateOverride(t *testing.T) {
	tm := newTemplates(t, "")
	tests := []struct {
		name   string
		kind   mailer.Kind
		o      mailer.Override
		fields []string // nil: valid
	}{
		{"nothing overridden", mailer.KindInvitation, mailer.Override{}, nil},
		{"valid", mailer.KindLoginLink, mailer.Override{Subject: "Sign in", Text: "{{.Link}}", HTML: `<a href="{{.Link}}">Sign in</a>`}, nil},
		{"link with spaces and in a branch", mailer.KindAccessLink, mailer.Override{Text: "{{ if .Expires }}{{ .Link }}{{ else }}{{ .Link }}{{ end }}"}, nil},
		{"no link needed", mailer.KindInvitationAccepted, mailer.Override{Text: "{{.Invitee}} joined.", HTML: "<p>{{.Invitee}} joined.</p>"}, nil},
		{"text does not parse", mailer.KindInvitation, mailer.Override{Text: "{{.Link}} {{if}}"}, []string{"text"}},
		{"html does not parse", mailer.KindInvitation, mailer.Override{HTML: "{{.Link}"}, []string{"html"}},
		{"subject does not parse", mailer.KindInvitation, mailer.Override{Subject: "{{end}}"}, []string{"subject"}},
		{"text without link", mailer.KindInvitation, mailer.Override{Text: "Welcome to {{.CustomerName}}"}, []string{"text"}},
		{"html without link", mailer.KindOrderRejected, mailer.Override{HTML: "<p>Rejected: {{.Reason}}</p>"}, []string{"html"}},
		{"link only as text", mailer.KindLoginLink, mailer.Override{Text: "Link"}, []string{"text"}},
		{"unknown field", mailer.KindInvitation, mailer.Override{Text: "{{.Link}} {{.Password}}"}, []string{"text"}},
		{"html ends inside a tag", mailer.KindInvitation, mailer.Override{HTML: `<a href="{{.Link}}`}, []string{"html"}},
		{"subject renders empty", mailer.KindInvitation, mailer.Override{Subject: "{{if false}}x{{end}}"}, []string{"subject"}},
		{"defines a template", mailer.KindInvitation, mailer.Override{Text: `{{.Link}}{{define "text_layout"}}x{{end}}`}, []string{"text"}},
		{"calls a template", mailer.KindInvitation, mailer.Override{HTML: `{{.Link}}{{template "html_layout" .}}`}, []string{"html"}},
		{"too long", mailer.KindInvitation, mailer.Override{Text: "{{.Link}}" + strings.Repeat("x", 64<<10)}, []string{"text"}},
		{"several", mailer.KindInvitation, mailer.Override{Subject: "{{", Text: "no link", HTML: "no link"}, []string{"subject", "text", "html"}},
		{"loops", mailer.KindInvitation, mailer.Override{HTML: "{{.Link}}{{range 1000000000}}{{end}}"}, []string{"html"}},
		{"loops with a variable", mailer.KindInvitation, mailer.Override{Text: "{{.Link}}{{$n := 1000}}{{range $i := $n}}{{$i}}{{end}}"}, []string{"text"}},
		{"grows a value", mailer.KindInvitation, mailer.Override{Text: `{{.Link}}{{$s := .Link}}{{$s = print $s $s}}{{$s}}`}, []string{"text"}},
		{"pads a value", mailer.KindInvitation, mailer.Override{Subject: `{{printf "%0999999d" 1}}`}, []string{"subject"}},
		{"compares and cuts", mailer.KindInvitation, mailer.Override{Text: `{{if and (gt (len .Message) 10) (ne .Role "admin")}}{{slice .Message 0 10}}{{end}} {{.Link}}`}, nil},
		{"escapes twice", mailer.KindInvitation, mailer.Override{HTML: `{{.Link}}{{js (js .Message)}}`}, []string{"html"}},
		{"renders too much", mailer.KindInvitation, mailer.Override{Text: "{{.Link}}" + strings.Repeat("{{.Reason}}", 5000)}, []string{"text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tm.Validate(tt.kind, tt.o)
			if tt.fields == nil {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, portalerr.ErrInvalid)
			assert.Equal(t, tt.fields, fieldsOf(err), err.Error())
		})
	}

	assert.Equal(t, []string{"kind"}, fieldsOf(tm.Validate("newsletter", mailer.Override{})))

	// A call is found wherever it is, before it runs.
	err := tm.Validate(mailer.KindInvitation, mailer.Override{Subject: `{{(printf "%0999999d" 1).Len}}`})
	require.Len(t, portalerr.FieldsOf(err), 1)
	assert.Contains(t, portalerr.FieldsOf(err)[0].Message, "must not call printf")
}

func TestRenderBoundsOverrides(t *testing.T) {
	tm := newTemplates(t, "")
	data := mailer.SampleData(mailer.KindInvitation)
	data.Message = strings.Repeat("x", 1000)
	tests := []struct {
		name  string
		o     mailer.Override
		field string
	}{
		{"text", mailer.Override{Text: "{{.Link}}" + strings.Repeat("{{.Message}}", 300)}, "text"},
		{"html", mailer.Override{HTML: "{{.Link}}" + strings.Repeat("{{.Message}}", 300)}, "html"},
		{"subject", mailer.Override{Subject: strings.Repeat("{{.Message}}", 300)}, "subject"},
		// An override stored before the rules it breaks: the outbox worker
		// renders it, so Render refuses it too.
		{"loop", mailer.Override{Text: "{{.Link}}{{range 1000000000}}x{{end}}"}, "text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tm.Render(mailer.KindInvitation, "en", data, tt.o)
			require.ErrorIs(t, err, portalerr.ErrInvalid)
			assert.Equal(t, []string{tt.field}, fieldsOf(err), err.Error())
			assert.Equal(t, mailer.Content{}, c)
		})
	}

	// Just below the bound renders.
	data.Message = strings.Repeat("x", mailer.MaxRenderedLen/2)
	c, err := tm.Render(mailer.KindInvitation, "en", data, mailer.Override{Text: "{{.Link}}{{.Message}}"})
	require.NoError(t, err)
	assert.Less(t, len(c.Text), mailer.MaxRenderedLen)
}

func TestPreviewEveryKind(t *testing.T) {
	tm := newTemplates(t, "")
	for _, kind := range mailer.Kinds() {
		c, err := tm.Preview(kind, "de", mailer.Override{})
		require.NoError(t, err, kind)
		assert.NotEmpty(t, c.Subject, kind)
		assert.Contains(t, c.Text, testBranding.ProductName, kind)
		assert.Equal(t, kind != mailer.KindInvitationAccepted && kind != mailer.KindAccessRequestRejected, kind.RequiresLink(), kind)
	}
}

func TestNewTemplatesRefusesBadConfig(t *testing.T) {
	_, err := mailer.NewTemplates(mailer.TemplateConfig{
		Branding: mailer.Branding{
			LogoURL:       "logo.png",
			Color:         "red; background:url(x)",
			SupportEmail:  "help",
			PublicBaseURL: "portal.acme.example",
		},
		DefaultLocale: "fr",
	})
	require.ErrorIs(t, err, portalerr.ErrInvalid)
	assert.Equal(t, []string{
		"branding.product_name", "branding.public_base_url", "branding.logo_url",
		"branding.color", "branding.support_email", "default_locale",
	}, fieldsOf(err))

	_, err = mailer.NewTemplates(mailer.TemplateConfig{Branding: mailer.Branding{
		ProductName: "P", PublicBaseURL: "https://p.example/?x=1",
	}})
	assert.Equal(t, []string{"branding.public_base_url"}, fieldsOf(err))

	tm, err := mailer.NewTemplates(mailer.TemplateConfig{Branding: mailer.Branding{
		ProductName: "P", PublicBaseURL: "http://localhost:8080",
	}})
	require.NoError(t, err, "logo, colour and support address are optional")
	c, err := tm.Preview(mailer.KindInvitation, "en", mailer.Override{})
	require.NoError(t, err)
	assert.Contains(t, c.HTML, "#2563eb", "default colour")
	assert.NotContains(t, c.HTML, "<img")
	assert.NotContains(t, c.Text, "Questions?")
}

func Example() {
	tm, err := mailer.NewTemplates(mailer.TemplateConfig{Branding: mailer.Branding{
		ProductName:   "Acme Portal",
		PublicBaseURL: "https://portal.acme.example",
	}})
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := tm.Render(mailer.KindLoginLink, "de-AT", mailer.Data{Token: "pk_abc"}, mailer.Override{})
	if err != nil {
		fmt.Println(err)
		return
	}
	msg := mailer.Message{
		From:      "Acme Portal <portal@acme.example>",
		To:        []string{"jane.doe@example.com"},
		Subject:   c.Subject,
		Text:      c.Text,
		HTML:      c.HTML,
		MessageID: "out_1@portal.acme.example",
	}
	fmt.Println(msg.Subject)
	fmt.Println(msg.Links())
	// Output:
	// Ihr Anmeldelink für Acme Portal
	// [https://portal.acme.example/login?token=pk_abc]
}

func TestRenderConcurrently(t *testing.T) {
	tm := newTemplates(t, "")
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			kind := mailer.Kinds()[i%len(mailer.Kinds())]
			o := mailer.Override{Subject: fmt.Sprintf("Subject %d", i)}
			c, err := tm.Render(kind, mailer.Locales()[i%2], mailer.SampleData(kind), o)
			if assert.NoError(t, err) {
				assert.Equal(t, o.Subject, c.Subject)
			}
		})
	}
	wg.Wait()
}

func TestWithBranding(t *testing.T) {
	tm := newTemplates(t, "")
	own := mailer.Branding{
		ProductName:   "Globex Portal",
		LogoURL:       "https://cdn.globex.example/logo.svg",
		Color:         "#c0ffee",
		SupportEmail:  testBranding.SupportEmail,
		PublicBaseURL: "https://portal.globex.example/",
	}
	gt, err := tm.WithBranding(own)
	require.NoError(t, err)
	own.PublicBaseURL = "https://portal.globex.example"
	assert.Equal(t, own, gt.Branding())

	data := mailer.SampleData(mailer.KindInvitation)
	c, err := gt.Render(mailer.KindInvitation, "en", data, mailer.Override{})
	require.NoError(t, err)
	assert.Contains(t, c.Text, "https://portal.globex.example/accept?token="+data.Token)
	assert.Contains(t, c.Text, "Globex Portal")
	assert.Contains(t, c.HTML, `src="https://cdn.globex.example/logo.svg"`)
	assert.Contains(t, c.HTML, "border-top:4px solid #c0ffee")
	assert.NotContains(t, c.HTML, "Acme Portal")

	// t itself is unchanged.
	c, err = tm.Render(mailer.KindInvitation, "en", data, mailer.Override{})
	require.NoError(t, err)
	assert.Contains(t, c.Text, "https://portal.acme.example/accept?token=")
	assert.Equal(t, "https://portal.acme.example", tm.Branding().PublicBaseURL)

	_, err = tm.WithBranding(mailer.Branding{ProductName: "x", PublicBaseURL: "https://x.example", Color: "red"})
	assert.Equal(t, []string{"branding.color"}, fieldsOf(err))
	gt, err = tm.WithBranding(mailer.Branding{ProductName: "x", PublicBaseURL: "https://x.example"})
	require.NoError(t, err)
	assert.Equal(t, mailer.DefaultColor, gt.Branding().Color)
}
