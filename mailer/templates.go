package mailer

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"net/mail"
	"net/url"
	"slices"
	"strings"
	"sync"
	texttemplate "text/template"
	"text/template/parse"
	"time"

	"github.com/portalkit/portalkit/internal/valid"
	"github.com/portalkit/portalkit/portalerr"
)

// Kind names a message the portal sends. Each has default templates.
type Kind string

// The kinds of message. Their string values match portal's notification
// kinds and are stable: overrides are stored under them.
const (
	KindInvitation         Kind = "invitation"          // to the invitee: accept with Token
	KindInvitationResent   Kind = "invitation_resent"   // to the invitee: a new Token, the old link is dead
	KindLoginLink          Kind = "login_link"          // a one-time sign-in link
	KindAccessLink         Kind = "access_link"         // a long-lived access link
	KindInvitationAccepted Kind = "invitation_accepted" // to the inviter: Invitee joined
	KindOrderSubmitted     Kind = "order_submitted"     // order OrderID was placed
	KindOrderConfirmed     Kind = "order_confirmed"     // order OrderID was confirmed
	KindOrderRejected      Kind = "order_rejected"      // order OrderID was rejected, for Reason
	KindStaffInvitation    Kind = "staff_invitation"    // to a new staff member: sign in to the console with Token, as Role
	KindStaffLoginLink     Kind = "staff_login_link"    // a staff member's one-time console sign-in link
	KindTicketOpened       Kind = "ticket_opened"       // to the service desk: ticket TicketID was opened
	KindTicketReply        Kind = "ticket_reply"        // to the requester: the service desk replied Message
	KindTicketStatus       Kind = "ticket_status"       // to the requester: ticket TicketID is now TicketStatus, with a note in Reason
	// KindTicketCustomerReply goes to the staff member a ticket is
	// assigned to: the customer replied Message to ticket TicketID.
	KindTicketCustomerReply Kind = "ticket_customer_reply"
	KindWebhookDisabled     Kind = "webhook_disabled" // to staff owners and admins: webhook endpoint WebhookEndpointID was disabled, for Reason

	KindAccessRequestConfirm  Kind = "access_request_confirm"  // to a requester: confirm the address with Token; CustomerName is the company
	KindAccessRequestRejected Kind = "access_request_rejected" // to a requester: the provider said no, with Message
	KindEmailChange           Kind = "email_change"            // to a user's new address: confirm it with Token
	KindPasswordReset         Kind = "password_reset"          // a one-time link to set a new password
	KindStaffPasswordReset    Kind = "staff_password_reset"    // a staff member's one-time link to set a new password
	// KindRecordChangeDecided goes to the customer user who asked for a
	// change of record RecordID that needs approval: staff approved it
	// (Approved) or rejected it, with a note in Reason.
	KindRecordChangeDecided Kind = "record_change_decided"
)

// linkKind says what a kind's link points at.
type linkKind int

const (
	linkHome    linkKind = iota // the portal's start page; the link is optional
	linkToken                   // path?token=Token
	linkOrder                   // path + OrderID
	linkTicket                  // path + TicketID
	linkWebhook                 // path + WebhookEndpointID
	linkRecord                  // path + RecordID
)

type kindSpec struct {
	path string
	link linkKind
}

var kinds = map[Kind]kindSpec{
	KindInvitation:         {"/accept", linkToken},
	KindInvitationResent:   {"/accept", linkToken},
	KindLoginLink:          {"/login", linkToken},
	KindAccessLink:         {"/access", linkToken},
	KindInvitationAccepted: {"/", linkHome},
	KindOrderSubmitted:     {"/orders/", linkOrder},
	KindOrderConfirmed:     {"/orders/", linkOrder},
	KindOrderRejected:      {"/orders/", linkOrder},
	KindStaffInvitation:    {"/console/accept", linkToken},
	KindStaffLoginLink:     {"/console/login", linkToken},
	KindTicketOpened:       {"/console/tickets/", linkTicket},
	KindTicketReply:        {"/tickets/", linkTicket},
	KindTicketStatus:       {"/tickets/", linkTicket},

	// To the assigned staff member, in the console.
	KindTicketCustomerReply: {"/console/tickets/", linkTicket},
	KindWebhookDisabled:     {"/console/webhooks/", linkWebhook},

	KindAccessRequestConfirm:  {"/request-access/confirm", linkToken},
	KindAccessRequestRejected: {"/request-access", linkHome},
	KindEmailChange:           {"/confirm-email", linkToken},
	KindPasswordReset:         {"/reset-password", linkToken},
	KindStaffPasswordReset:    {"/console/reset-password", linkToken},
	KindRecordChangeDecided:   {"/records/", linkRecord},
}

// Kinds returns every kind, sorted.
func Kinds() []Kind {
	ks := make([]Kind, 0, len(kinds))
	for k := range kinds {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// RequiresLink reports whether k's text and HTML bodies must contain the
// link ({{.Link}}): a message whose purpose is the link is useless without it.
func (k Kind) RequiresLink() bool {
	spec, ok := kinds[k]
	return ok && spec.link != linkHome
}

// DefaultLocale is the locale used when neither the recipient's locale nor
// the configured default is available.
const DefaultLocale = "en"

var locales = []string{"en", "de"}

// Locales returns the locales with default templates.
func Locales() []string { return slices.Clone(locales) }

// Branding is the provider's look in every message.
type Branding struct {
	ProductName  string // "Acme Portal"; required
	LogoURL      string // absolute http(s) URL of an image shown atop HTML mails; optional
	Color        string // accent colour, "#rgb" or "#rrggbb"; default "#2563eb"
	SupportEmail string // shown in the footer; optional
	// PublicBaseURL is where the portal is reached, such as
	// "https://portal.example.com"; links are built on it. Required.
	PublicBaseURL string
}

// TemplateConfig configures Templates.
type TemplateConfig struct {
	Branding Branding
	// DefaultLocale is used for recipients without a supported locale;
	// "" means DefaultLocale ("en").
	DefaultLocale string
}

// Data is what a message is about. Which fields matter depends on the Kind.
type Data struct {
	To            string    // the recipient's address
	Token         string    // the secret the link carries (invitations, login and access links)
	ExpiresAt     time.Time // when Token expires; zero if it does not
	CustomerID    string
	CustomerName  string
	Role          string // the role an invitation offers: viewer, maintainer or admin; owner, admin or agent for staff
	Message       string // the inviter's personal note; a ticket's reply
	Invitee       string // who accepted, for KindInvitationAccepted
	OrderID       string // the order's ID, for its link
	OrderNumber   string // the order's number as people know it; default OrderID
	Reason        string // why an order was rejected; the note on a ticket's new status
	TicketID      string // the ticket's ID, for its link
	TicketNumber  string // the ticket's number as people know it; default TicketID
	TicketSubject string
	TicketStatus  string // the ticket's status: open, in_progress, …
	// WebhookEndpointID and WebhookURL name a webhook endpoint, for
	// KindWebhookDisabled.
	WebhookEndpointID string
	WebhookURL        string
	// RecordID and RecordTitle name a record (its type and identifiers,
	// "Contract C-1042, K-7"); RecordChanges says what a change request
	// asked, a line per field ("Billing e-mail: a@x.example →
	// b@x.example"); Approved says what staff decided about it.
	RecordID      string
	RecordTitle   string
	RecordChanges string
	Approved      bool
}

// Override replaces a kind's default subject, text body or HTML body; an
// empty field keeps the default. Overrides are templates that see the
// same values as the defaults:
//
//	{{.Link}}                       the link (required in Text and HTML when Kind.RequiresLink)
//	{{.CustomerName}} {{.To}}       the customer, the recipient
//	{{.Role}} {{.RoleName}}         the role offered, raw and in the message's language
//	{{.Message}} {{.Invitee}}       the inviter's note, who accepted
//	{{.Expires}}                    when the link expires, in the message's language
//	{{.OrderNumber}} {{.Reason}}    the order, why it was rejected (or the note on a ticket's status)
//	{{.TicketNumber}} {{.TicketSubject}} {{.TicketStatus}} {{.TicketStatusName}}
//	                                the ticket, its subject, its status raw and in the message's language
//	{{.WebhookURL}}                 a disabled webhook endpoint's URL (why: {{.Reason}})
//	{{.RecordTitle}} {{.RecordChanges}} {{.Approved}}
//	                                a record, the change asked of it, whether staff approved it (why: {{.Reason}})
//	{{.Brand.ProductName}} {{.Brand.SupportEmail}} {{.Brand.Color}} {{.Brand.LogoURL}} {{.Brand.PublicBaseURL}}
//
// Text and HTML are the message's content: the branded frame (logo,
// colour, footer) stays around them. HTML is an html/template, so values
// are escaped. Overrides may not define or call other templates, loop
// ({{range}}), or call functions other than and, or, not, eq, ne, lt, le,
// gt, ge, len, index and slice: with those, rendering takes time and
// memory in proportion to the override, and each rendered part is at
// most MaxRenderedLen bytes.
type Override struct {
	Subject string
	Text    string
	HTML    string
}

// IsZero reports whether o overrides nothing.
func (o Override) IsZero() bool { return o == Override{} }

// Content is a rendered message.
type Content struct {
	Subject string
	Text    string
	HTML    string
}

// Templates renders messages from the embedded default templates, with
// the provider's branding. It is safe for concurrent use.
type Templates struct {
	brand         Branding
	defaultLocale string
	// The parsed defaults per locale and kind, shared by every Templates
	// (defaultSets). They are never executed, only cloned: html/template
	// refuses to clone an executed template, and a clone is what an
	// override is parsed into.
	text map[setKey]*texttemplate.Template
	html map[setKey]*htmltemplate.Template
	exec parsedSets
}

type setKey struct {
	locale string
	kind   Kind
}

//go:embed templates
var templateFS embed.FS

// NewTemplates parses the default templates. A bad configuration is a
// portalerr Invalid error naming the fields ("branding.public_base_url", …).
func NewTemplates(cfg TemplateConfig) (*Templates, error) {
	b, v := checkBranding(cfg.Branding)
	def := DefaultLocale
	if cfg.DefaultLocale != "" {
		def = baseLanguage(cfg.DefaultLocale)
		if !slices.Contains(locales, def) {
			v = append(v, portalerr.FieldViolation{Field: "default_locale", Message: fmt.Sprintf("must be one of %s", strings.Join(locales, ", "))})
		}
	}
	if err := portalerr.InvalidFields(v...); err != nil {
		return nil, err
	}

	sets, err := defaultSets()
	if err != nil {
		return nil, err
	}
	exec, err := execSets()
	if err != nil {
		return nil, err
	}
	return &Templates{brand: b, defaultLocale: def, text: sets.text, html: sets.html, exec: exec}, nil
}

// checkBranding fills in b's defaults and says what is wrong with it.
func checkBranding(b Branding) (Branding, []portalerr.FieldViolation) {
	if b.Color == "" {
		b.Color = DefaultColor
	}
	b.PublicBaseURL = strings.TrimRight(b.PublicBaseURL, "/")
	var v []portalerr.FieldViolation
	bad := func(field, msg string) {
		v = append(v, portalerr.FieldViolation{Field: field, Message: msg})
	}
	if strings.TrimSpace(b.ProductName) == "" {
		bad("branding.product_name", "is required")
	}
	if !isHTTPURL(b.PublicBaseURL) {
		bad("branding.public_base_url", "must be an absolute http or https URL")
	} else if u, _ := url.Parse(b.PublicBaseURL); u.RawQuery != "" || u.Fragment != "" {
		bad("branding.public_base_url", "must not have a query or fragment")
	}
	if b.LogoURL != "" && !isHTTPURL(b.LogoURL) {
		bad("branding.logo_url", "must be an absolute http or https URL")
	}
	if !valid.Color(b.Color) {
		bad("branding.color", `must look like "#2563eb"`)
	}
	if b.SupportEmail != "" {
		if _, err := mail.ParseAddress(b.SupportEmail); err != nil {
			bad("branding.support_email", "is not an e-mail address")
		}
	}
	return b, v
}

// DefaultColor is the accent colour of a Branding that names none.
const DefaultColor = "#2563eb"

// Branding returns the branding t renders with, its defaults filled in
// (Color) and PublicBaseURL without a trailing slash.
func (t *Templates) Branding() Branding { return t.brand }

// WithBranding returns Templates that render as t does, but with b: the
// look of messages to one customer's people, whose links point at the
// customer's own host (b.PublicBaseURL). It shares t's parsed templates,
// so it costs little. b is checked as NewTemplates checks its branding;
// a bad b is a portalerr Invalid error naming the fields.
func (t *Templates) WithBranding(b Branding) (*Templates, error) {
	b, v := checkBranding(b)
	if err := portalerr.InvalidFields(v...); err != nil {
		return nil, err
	}
	out := *t
	out.brand = b
	return &out, nil
}

// parsedSets are the default templates, parsed once per process: every
// Templates shares them, as they are only ever cloned.
type parsedSets struct {
	text map[setKey]*texttemplate.Template
	html map[setKey]*htmltemplate.Template
}

// defaultSets are cloned for overrides; execSets, parsed apart, are
// executed as they are when there is no override, so html/template
// escapes them once rather than once per message.
var (
	defaultSets = sync.OnceValues(parseSets)
	execSets    = sync.OnceValues(parseSets)
)

func parseSets() (parsedSets, error) {
	sets := parsedSets{
		text: make(map[setKey]*texttemplate.Template),
		html: make(map[setKey]*htmltemplate.Template),
	}
	for _, loc := range locales {
		for k := range kinds {
			files := []string{"templates/" + loc + "/layout.tmpl", "templates/" + loc + "/" + string(k) + ".tmpl"}
			tt, err := texttemplate.New(string(k)).ParseFS(templateFS, files...)
			if err != nil {
				return parsedSets{}, fmt.Errorf("mailer: parse default templates: %w", err)
			}
			ht, err := htmltemplate.New(string(k)).ParseFS(templateFS, files...)
			if err != nil {
				return parsedSets{}, fmt.Errorf("mailer: parse default templates: %w", err)
			}
			sets.text[setKey{loc, k}] = tt
			sets.html[setKey{loc, k}] = ht
		}
	}
	return sets, nil
}

func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// baseLanguage turns "de-AT" or "de_AT" into "de".
func baseLanguage(locale string) string {
	lang, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(locale)), "-")
	lang, _, _ = strings.Cut(lang, "_")
	return lang
}

// Locale returns the locale a message for a recipient with the given
// locale is written in: its language if supported ("de-AT" → "de"),
// otherwise the configured default.
func (t *Templates) Locale(locale string) string {
	if l := baseLanguage(locale); slices.Contains(locales, l) {
		return l
	}
	return t.defaultLocale
}

// Link returns the address the message of kind k about data links to:
// PublicBaseURL plus /accept?token=… for invitations, /login?token=… for
// login links, /access?token=… for access links, /orders/{OrderID} for
// orders, /console/accept?token=… and /console/login?token=… for staff
// invitations and login links, /console/tickets/{TicketID} for the service
// desk's ticket_opened, /tickets/{TicketID} for the requester's ticket
// messages, /console/webhooks/{WebhookEndpointID} for a disabled webhook
// endpoint, /request-access/confirm?token=… and /request-access for access
// requests, /confirm-email?token=… for a new e-mail address,
// /records/{RecordID} for a decided change of a record, and / for the
// rest. It is a portalerr Invalid error when data
// lacks the token or the order ID the link needs.
func (t *Templates) Link(k Kind, data Data) (string, error) {
	spec, ok := kinds[k]
	if !ok {
		return "", portalerr.Invalidf("kind", "unknown kind %q", k)
	}
	switch spec.link {
	case linkToken:
		if data.Token == "" {
			return "", portalerr.Invalidf("token", "is required for %s", k)
		}
		return t.brand.PublicBaseURL + spec.path + "?" + url.Values{"token": {data.Token}}.Encode(), nil
	case linkOrder:
		if data.OrderID == "" {
			return "", portalerr.Invalidf("order_id", "is required for %s", k)
		}
		return t.brand.PublicBaseURL + spec.path + url.PathEscape(data.OrderID), nil
	case linkTicket:
		if data.TicketID == "" {
			return "", portalerr.Invalidf("ticket_id", "is required for %s", k)
		}
		return t.brand.PublicBaseURL + spec.path + url.PathEscape(data.TicketID), nil
	case linkRecord:
		if data.RecordID == "" {
			return "", portalerr.Invalidf("record_id", "is required for %s", k)
		}
		return t.brand.PublicBaseURL + spec.path + url.PathEscape(data.RecordID), nil
	case linkWebhook:
		if data.WebhookEndpointID == "" {
			return "", portalerr.Invalidf("webhook_endpoint_id", "is required for %s", k)
		}
		return t.brand.PublicBaseURL + spec.path + url.PathEscape(data.WebhookEndpointID), nil
	default:
		return t.brand.PublicBaseURL + spec.path, nil
	}
}

// view is what templates see. Its exported fields are the placeholders
// Override documents.
type view struct {
	Brand        Branding
	Link         string
	To           string
	CustomerName string
	Role         string
	RoleName     string
	Message      string
	Invitee      string
	Expires      string
	OrderNumber  string
	Reason       string

	TicketNumber     string
	TicketSubject    string
	TicketStatus     string
	TicketStatusName string

	WebhookURL string

	RecordTitle   string
	RecordChanges string
	Approved      bool
}

// Render renders the message of kind k in the recipient's locale (see
// Locale) about data, with o's parts instead of the defaults. An unknown
// kind, data without the token or order ID the link needs, and an
// override that does not parse or fails to render are portalerr Invalid
// errors; for the override, the violations name "subject", "text" or
// "html", so a caller may fall back to the defaults (Override{}).
func (t *Templates) Render(k Kind, locale string, data Data, o Override) (Content, error) {
	link, err := t.Link(k, data)
	if err != nil {
		return Content{}, err
	}
	loc := t.Locale(locale)
	order := data.OrderNumber
	if order == "" {
		order = data.OrderID
	}
	tkt := data.TicketNumber
	if tkt == "" {
		tkt = data.TicketID
	}
	v := view{
		Brand:        t.brand,
		Link:         link,
		To:           data.To,
		CustomerName: data.CustomerName,
		Role:         data.Role,
		RoleName:     roleName(loc, data.Role),
		Message:      data.Message,
		Invitee:      data.Invitee,
		Expires:      formatTime(loc, data.ExpiresAt),
		OrderNumber:  order,
		Reason:       data.Reason,

		TicketNumber:     tkt,
		TicketSubject:    data.TicketSubject,
		TicketStatus:     data.TicketStatus,
		TicketStatusName: ticketStatusName(loc, data.TicketStatus),

		WebhookURL: data.WebhookURL,

		RecordTitle: data.RecordTitle, RecordChanges: data.RecordChanges, Approved: data.Approved,
	}
	key := setKey{loc, k}
	c, violations := t.render(key, v, o)
	if err := portalerr.InvalidFields(violations...); err != nil {
		return Content{}, err
	}
	return c, nil
}

// render executes the templates for key with o applied. Failures of an
// overridden part are violations; failures of a default are bugs, so
// they are reported too rather than hidden.
func (t *Templates) render(key setKey, v view, o Override) (Content, []portalerr.FieldViolation) {
	var c Content
	var violations []portalerr.FieldViolation
	fail := func(field string, err error) {
		violations = append(violations, portalerr.FieldViolation{Field: field, Message: err.Error()})
	}

	tt, ht := t.exec.text[key], t.exec.html[key]
	if !o.IsZero() {
		tt = texttemplate.Must(t.text[key].Clone())
		ht = htmltemplate.Must(t.html[key].Clone())
	}
	var textOK, htmlOK, subjectOK = true, true, true
	// An override saved before a rule it breaks still reaches the outbox
	// worker: each part is checked again before it runs.
	for _, p := range []struct {
		field, src string
		ok         *bool
	}{{"subject", o.Subject, &subjectOK}, {"text", o.Text, &textOK}, {"html", o.HTML, &htmlOK}} {
		if p.src == "" {
			continue
		}
		if msg := checkOverride(p.src, false); msg != "" {
			fail(p.field, errors.New(msg))
			*p.ok = false
		}
	}
	if o.Subject != "" && subjectOK {
		if _, err := tt.New("subject").Parse(o.Subject); err != nil {
			fail("subject", err)
			subjectOK = false
		}
		// The HTML layout shows the subject as the document title.
		if _, err := ht.New("subject").Parse(o.Subject); err != nil {
			subjectOK = false
		}
	}
	if o.Text != "" && textOK {
		if _, err := tt.New("text").Parse(o.Text); err != nil {
			fail("text", err)
			textOK = false
		}
	}
	if o.HTML != "" && htmlOK {
		if _, err := ht.New("html").Parse(o.HTML); err != nil {
			fail("html", err)
			htmlOK = false
		}
	}

	// The defaults are small; an override is bounded as it renders, so
	// that one cannot make a message of any size.
	buf := &limitedBuffer{max: MaxRenderedLen}
	if subjectOK {
		if err := tt.ExecuteTemplate(buf, "subject", v); err != nil {
			fail("subject", renderError(err))
			subjectOK = false
		} else if c.Subject = strings.Join(strings.Fields(buf.String()), " "); c.Subject == "" {
			fail("subject", errors.New("renders empty"))
			subjectOK = false
		}
	}
	if textOK {
		buf.Reset()
		if err := tt.ExecuteTemplate(buf, "text_layout", v); err != nil {
			fail("text", renderError(err))
		}
		c.Text = buf.String()
	}
	if htmlOK && subjectOK {
		buf.Reset()
		if err := ht.ExecuteTemplate(buf, "html_layout", v); err != nil {
			fail("html", renderError(err))
		}
		c.HTML = buf.String()
	}
	return c, violations
}

// errTooLong stops a rendering that outgrows MaxRenderedLen.
var errTooLong = fmt.Errorf("renders more than %d KiB", MaxRenderedLen>>10)

// renderError says why a part failed to render.
func renderError(err error) error {
	if errors.Is(err, errTooLong) {
		return errTooLong
	}
	return err
}

// limitedBuffer is a bytes.Buffer that refuses to grow beyond max bytes.
type limitedBuffer struct {
	bytes.Buffer
	max int
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, errTooLong
	}
	return b.Buffer.Write(p)
}

// WriteString keeps io.WriteString, which templates use, from
// bypassing Write.
func (b *limitedBuffer) WriteString(s string) (int, error) {
	if b.Len()+len(s) > b.max {
		return 0, errTooLong
	}
	return b.Buffer.WriteString(s)
}

// maxOverrideLen bounds each part of an override.
const maxOverrideLen = 64 << 10

// MaxRenderedLen bounds each rendered part of a message (subject, text,
// HTML) when an override is applied.
const MaxRenderedLen = 256 << 10

// Validate reports whether o can replace k's defaults: every non-empty
// part must parse, must not define or call other templates, must render
// with SampleData in every locale, and, when k.RequiresLink, the text and
// HTML parts must contain {{.Link}}. The error is a portalerr Invalid
// error with violations naming "subject", "text" or "html" (or "kind").
func (t *Templates) Validate(k Kind, o Override) error {
	if _, ok := kinds[k]; !ok {
		return portalerr.Invalidf("kind", "unknown kind %q", k)
	}
	var violations []portalerr.FieldViolation
	failed := map[string]bool{}
	check := func(field, src string, needsLink bool) {
		if src == "" {
			return
		}
		msg := checkOverride(src, needsLink)
		if msg != "" {
			violations = append(violations, portalerr.FieldViolation{Field: field, Message: msg})
			failed[field] = true
		}
	}
	check("subject", o.Subject, false)
	check("text", o.Text, k.RequiresLink())
	check("html", o.HTML, k.RequiresLink())
	if len(violations) == 0 {
		for _, loc := range locales {
			_, vs := t.render(setKey{loc, k}, t.sampleView(loc, k), o)
			for _, v := range vs {
				if !failed[v.Field] {
					failed[v.Field] = true
					violations = append(violations, v)
				}
			}
		}
	}
	return portalerr.InvalidFields(violations...)
}

// sampleView is the view of SampleData(k) in loc.
func (t *Templates) sampleView(loc string, k Kind) view {
	d := SampleData(k)
	link, _ := t.Link(k, d)
	return view{
		Brand: t.brand, Link: link, To: d.To, CustomerName: d.CustomerName,
		Role: d.Role, RoleName: roleName(loc, d.Role), Message: d.Message, Invitee: d.Invitee,
		Expires: formatTime(loc, d.ExpiresAt), OrderNumber: d.OrderNumber, Reason: d.Reason,
	}
}

// checkOverride parses one part of an override on its own and says what
// is wrong with it, or "".
func checkOverride(src string, needsLink bool) string {
	if len(src) > maxOverrideLen {
		return fmt.Sprintf("is longer than %d bytes", maxOverrideLen)
	}
	// Both template packages share this parser; html/template only adds
	// escaping, which rendering checks.
	tmpl, err := texttemplate.New("override").Parse(src)
	if err != nil {
		return strings.TrimPrefix(err.Error(), "template: ")
	}
	if len(tmpl.Templates()) > 1 {
		return "must not define templates"
	}
	var callsTemplate, loops, hasLink bool
	var calls string
	walk(tmpl.Tree.Root, func(n parse.Node) {
		switch n := n.(type) {
		case *parse.TemplateNode:
			callsTemplate = true
		case *parse.RangeNode:
			loops = true
		case *parse.IdentifierNode:
			if !overrideFuncs[n.Ident] && calls == "" {
				calls = n.Ident
			}
		case *parse.FieldNode:
			if len(n.Ident) == 1 && n.Ident[0] == "Link" {
				hasLink = true
			}
		}
	})
	switch {
	case callsTemplate:
		return "must not call other templates"
	case loops:
		return "must not loop ({{range}})"
	case calls != "":
		return fmt.Sprintf("must not call %s; overrides may call %s", calls, overrideFuncList)
	case needsLink && !hasLink:
		return "must contain the link placeholder {{.Link}}"
	}
	return ""
}

// overrideFuncs are the functions an override may call: none returns a
// value longer than its arguments, so the work of rendering an override
// is bounded by its length. print, printf, println and the escapers grow
// values without bound when applied again and again, {{range}} repeats
// without bound, and html/template escapes HTML parts anyway.
var overrideFuncs = map[string]bool{
	"and": true, "or": true, "not": true, "len": true, "index": true, "slice": true,
	"eq": true, "ne": true, "lt": true, "le": true, "gt": true, "ge": true,
}

var overrideFuncList = func() string {
	names := make([]string, 0, len(overrideFuncs))
	for n := range overrideFuncs {
		names = append(names, n)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}()

// walk calls f for n and every node below it.
func walk(n parse.Node, f func(parse.Node)) {
	if n == nil {
		return
	}
	f(n)
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, f)
		}
	case *parse.ActionNode:
		walk(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, f)
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, f)
	case *parse.TemplateNode:
		walk(n.Pipe, f)
	case *parse.ChainNode:
		walk(n.Node, f)
	}
}

func walkBranch(b *parse.BranchNode, f func(parse.Node)) {
	walk(b.Pipe, f)
	walk(b.List, f)
	if b.ElseList != nil {
		walk(b.ElseList, f)
	}
}

// Preview renders kind k in locale with SampleData and o: what staff see
// before saving an override. Errors are Render's.
func (t *Templates) Preview(k Kind, locale string, o Override) (Content, error) {
	return t.Render(k, locale, SampleData(k), o)
}

// SampleData returns plausible data for previews and validation of kind k.
func SampleData(k Kind) Data {
	d := Data{
		To:           "jane.doe@example.com",
		Token:        "pk_sample0123456789abcdef",
		ExpiresAt:    time.Date(2030, time.March, 14, 9, 30, 0, 0, time.UTC),
		CustomerID:   "cus_sample",
		CustomerName: "Example Industries GmbH",
		Role:         "maintainer",
		Message:      "Welcome aboard! You can order laptops for your team here.",
		Invitee:      "jane.doe@example.com",
		OrderID:      "ord_sample",
		OrderNumber:  "PO-1042",
		Reason:       "The requested model is no longer available; please choose its successor.",

		TicketID:      "tkt_sample",
		TicketNumber:  "T-000123",
		TicketSubject: "Display of laptop LAP-14 cracked",
		TicketStatus:  "waiting_on_customer",
	}
	switch k {
	case KindTicketReply:
		d.Message = "Thank you. Could you send us the serial number of the device?"
	case KindTicketStatus:
		d.Reason = "We need the serial number to order a replacement."
	case KindTicketCustomerReply:
		d.Message = "The serial number is 5CG1234XYZ."
	case KindLoginLink, KindStaffLoginLink, KindPasswordReset, KindStaffPasswordReset:
		d.ExpiresAt = time.Date(2030, time.March, 7, 9, 45, 0, 0, time.UTC)
	case KindStaffInvitation:
		d.Role = "agent"
	case KindAccessLink:
		d.ExpiresAt = time.Date(2030, time.September, 7, 9, 30, 0, 0, time.UTC)
	case KindInvitationAccepted:
		d.To = "max.mustermann@example.com"
	case KindWebhookDisabled:
		d.WebhookEndpointID, d.WebhookURL = "wep_sample", "https://erp.example.com/portalkit/events"
		d.Reason = "every delivery failed since 2030-03-11T09:30:00Z"
	case KindAccessRequestConfirm:
		d.ExpiresAt = time.Date(2030, time.March, 15, 9, 30, 0, 0, time.UTC)
	case KindAccessRequestRejected:
		d.Message = "Thank you for your interest. We only serve customers in Germany and Austria at present."
	case KindRecordChangeDecided:
		d.RecordID, d.RecordTitle = "rec_sample", "Contract C-1042, K-7"
		d.RecordChanges = "Billing e-mail: billing@example.com → invoices@example.com"
		d.Reason = "Please give an address of your company's own domain."
	}
	return d
}

var roleNames = map[string]map[string]string{
	"en": {"viewer": "Viewer", "maintainer": "Maintainer", "admin": "Admin", "owner": "Owner", "agent": "Agent"},
	"de": {"viewer": "Betrachter", "maintainer": "Bearbeiter", "admin": "Administrator", "owner": "Inhaber", "agent": "Sachbearbeiter"},
}

func roleName(loc, role string) string {
	if n, ok := roleNames[loc][role]; ok {
		return n
	}
	return role
}

var ticketStatusNames = map[string]map[string]string{
	"en": {"open": "open", "in_progress": "in progress", "waiting_on_customer": "waiting for your answer", "resolved": "resolved", "closed": "closed"},
	"de": {"open": "offen", "in_progress": "in Bearbeitung", "waiting_on_customer": "wartet auf Ihre Antwort", "resolved": "gelöst", "closed": "geschlossen"},
}

// ticketStatusName names a ticket's status in loc; an unknown one stays raw.
func ticketStatusName(loc, status string) string {
	if n, ok := ticketStatusNames[loc][status]; ok {
		return n
	}
	return status
}

var germanMonths = [...]string{"Januar", "Februar", "März", "April", "Mai", "Juni", "Juli",
	"August", "September", "Oktober", "November", "Dezember"}

// formatTime writes t in UTC the way loc's readers expect, or "" for the
// zero time.
func formatTime(loc string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if loc == "de" {
		return fmt.Sprintf("%d. %s %d, %s UTC", t.Day(), germanMonths[t.Month()-1], t.Year(), t.Format("15:04"))
	}
	return t.Format("January 2, 2006, 15:04 UTC")
}
