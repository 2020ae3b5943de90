package webui

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"

	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/internal/valid"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

//go:embed templates/*.html
var templateFS embed.FS

// pages returns the parsed templates, one per page, each with the layout.
// They are parsed at the first page rendered, not when the program starts:
// a process that serves no page (a CLI command, a server that only answers
// the API, each of the tests' many server processes) does not pay for it.
var pages = sync.OnceValue(func() map[string]*template.Template {
	// Every page gets the layout and the parts (files named _*.html).
	layout := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	m := make(map[string]*template.Template, len(names))
	for _, n := range names {
		name := strings.TrimSuffix(path.Base(n), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		m[name] = template.Must(template.Must(layout.Clone()).ParseFS(templateFS, n))
	}
	return m
})

// funcs are the templates' few helpers beyond view's methods.
var funcs = template.FuncMap{
	// list makes a list of strings to range over: choices of a select.
	"list": func(s ...string) []string { return s },
	// inc counts from one: the address rows of a contact's form.
	"inc": func(i int) int { return i + 1 },
}

// view is what every page's template gets: the page's own Data, and who
// is looking, in which language, under whose branding.
type view struct {
	locale
	Title string
	Brand Branding
	// Me is the signed-in person; nil on the sign-in pages.
	Me *portal.MeInfo
	// Notice confirms what the last form did; Error says why it failed,
	// and Fields which fields were wrong.
	Notice string
	Error  string
	Fields map[string]string
	// Form holds the values of a form sent back with an error.
	Form url.Values
	Data any
	// RequestID is the request's ID (withRequestID), which error pages
	// show so that a person can quote it to support.
	RequestID string

	h       *handler
	staff   *staffState // set by asStaff, for what console pages read lazily
	path    string
	page    string // the page rendered, set by renderStatus
	actions map[portal.Action]bool
}

// view returns the base view of request r for page name.
func (h *handler) view(r *http.Request, name string) *view {
	v := &view{h: h, path: r.URL.Path, Brand: h.brand, Form: url.Values{}, RequestID: portal.RequestID(r.Context())}
	own := ""
	if _, ok := identity.FromContext(r.Context()); ok {
		if me, err := h.p.Me(r.Context()); err == nil {
			v.Me = &me
			own = me.User.Locale
			v.actions = make(map[portal.Action]bool, len(me.Actions))
			for _, a := range me.Actions {
				v.actions[a] = true
			}
		}
	}
	v.Brand = h.brandingFor(r, v.Me)
	v.locale = newLocale(pickLanguage(r, own))
	if n := r.URL.Query().Get("done"); n != "" {
		v.Notice = noticeText(v.locale, n)
	}
	return v
}

// brandingFor returns the look of the pages for a request: a signed-in
// customer user's customer's, else that of the customer whose own host
// name the request came to, else the provider's. A customer's branding
// sets only the fields it has.
func (h *handler) brandingFor(r *http.Request, me *portal.MeInfo) Branding {
	b := h.brand
	var pb portal.Branding
	switch {
	case me != nil && !me.Principal.IsProvider():
		pb = me.Branding
	case me == nil:
		var err error
		if pb, err = h.p.BrandingForHost(r.Context(), r.Host); err != nil {
			h.log.WarnContext(r.Context(), "webui: branding of the host", "host", r.Host, "err", err)
		}
	}
	if pb.CustomerID == "" {
		return b
	}
	b.Name = pb.Name
	if pb.LogoURL != "" {
		b.LogoURL = pb.LogoURL
	}
	if validColor(pb.AccentColor) {
		b.Color = pb.AccentColor
	}
	return b
}

// URL returns the address of a path under the handler's base path; parts
// after the first are joined with "/" and escaped.
func (v *view) URL(p string, parts ...any) string {
	for _, s := range parts {
		p += "/" + url.PathEscape(fmt.Sprint(s))
	}
	return v.h.base + p
}

// Can reports whether the signed-in person may do action now.
func (v *view) Can(action string) bool { return v.actions[portal.Action(action)] }

// Staff reports whether the signed-in person acts for the provider.
func (v *view) Staff() bool { return v.Me != nil && v.Me.Principal.IsProvider() }

// Console reports whether the page belongs to the provider console (its
// sign-in pages included).
func (v *view) Console() bool { return v.path == "/console" || strings.HasPrefix(v.path, "/console/") }

// Current reports whether the page is at or under prefix, for marking
// the navigation's current entry.
func (v *view) Current(prefix string) bool {
	return v.path == prefix || strings.HasPrefix(v.path, prefix+"/")
}

// Field returns the error message of a form field, if any.
func (v *view) Field(name string) string { return v.Fields[name] }

// Value returns the value a form field was sent with.
func (v *view) Value(name string) string { return v.Form.Get(name) }

// render writes page name with v, status 200.
func (h *handler) render(w http.ResponseWriter, r *http.Request, name string, v *view) {
	h.renderStatus(w, r, http.StatusOK, name, v)
}

// renderStatus writes page name with v and status. The page is rendered
// into memory first, so a template error answers 500 instead of half a page.
func (h *handler) renderStatus(w http.ResponseWriter, r *http.Request, status int, name string, v *view) {
	t, ok := pages()[name]
	if !ok {
		panic("webui: no page " + name)
	}
	v.page = name
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		h.log.ErrorContext(r.Context(), "webui: rendering", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Language", v.Lang())
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// formFailed notes in v the failure of a form that is shown again: the
// message, each field's violation and the values sent. It returns the
// page's status, or false when err is for the error page instead (not
// found, internal), which it has then answered.
func (h *handler) formFailed(w http.ResponseWriter, r *http.Request, v *view, err error) (int, bool) {
	code := portalerr.CodeOf(err)
	if code == portalerr.NotFound || code == portalerr.Internal {
		h.fail(w, r, err)
		return 0, false
	}
	v.Fields = map[string]string{}
	fields := portalerr.FieldsOf(err)
	for _, f := range fields {
		v.Fields[f.Field] = v.errorText(f.Message)
	}
	if listsFields(err) {
		// The message only lists the fields' faults, in English; the page
		// lists them below the title, each in the page's language.
		v.Error = v.T(codeTitles[code])
	} else {
		v.Error = errorMessage(v, err)
	}
	v.Form = r.PostForm
	return portalerr.HTTPStatus(code), true
}

// formError renders page name again with the failure of its form (see
// formFailed).
func (h *handler) formError(w http.ResponseWriter, r *http.Request, name string, v *view, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.renderStatus(w, r, status, name, v)
	}
}

// listsFields reports whether err's message does no more than list its
// fields' faults.
func listsFields(err error) bool {
	fields := portalerr.FieldsOf(err)
	return len(fields) > 0 && portalerr.MessageOf(err) == portalerr.MessageOf(portalerr.InvalidFields(fields...))
}

// errorMessage says what went wrong, in the page's language where the
// catalogue has the code's title and the message (see errorText).
func errorMessage(v *view, err error) string {
	code := portalerr.CodeOf(err)
	title := v.T(codeTitles[code])
	if code == portalerr.Internal {
		return title
	}
	if listsFields(err) {
		fields := portalerr.FieldsOf(err)
		faults := make([]string, len(fields))
		for i, f := range fields {
			faults[i] = f.Field + ": " + v.errorText(f.Message)
		}
		return title + ": " + strings.Join(faults, "; ")
	}
	if msg := portalerr.MessageOf(err); msg != "" {
		return title + ": " + v.errorText(msg)
	}
	return title
}

var codeTitles = map[portalerr.Code]string{
	portalerr.Invalid:            "Please check your input",
	portalerr.Unauthenticated:    "Please sign in again",
	portalerr.PermissionDenied:   "You may not do this",
	portalerr.FeatureDisabled:    "This is switched off for your company",
	portalerr.LicenseRequired:    "This needs a licence",
	portalerr.NotFound:           "Not found",
	portalerr.AlreadyExists:      "This exists already",
	portalerr.Conflict:           "Someone else changed this meanwhile; reload and try again",
	portalerr.FailedPrecondition: "Not possible now",
	portalerr.InvitationExpired:  "This invitation has expired; ask for a new one",
	portalerr.InvitationRevoked:  "This invitation was withdrawn",
	portalerr.InvitationUsed:     "This invitation was used already; sign in instead",
	portalerr.RateLimited:        "Too many attempts; try again later",
	portalerr.Internal:           "Something went wrong on our side; please try again",
}

// notices are the confirmations a redirect's done= parameter may ask for.
var notices = map[string]string{
	"link_sent":          "If the address belongs to an account, a sign-in link is on its way. It works once, for 15 minutes.",
	"signed_out":         "You are signed out.",
	"order_placed":       "Your order is placed.",
	"order_cancelled":    "The order is cancelled.",
	"issued":             "The item is issued.",
	"returned":           "The item is back in the warehouse.",
	"retired":            "The item is retired.",
	"invited":            "The invitation is on its way.",
	"resent":             "The invitation was sent again; the old link no longer works.",
	"revoked":            "The invitation is withdrawn.",
	"saved":              "Saved.",
	"password_set":       "Your password is set.",
	"switched":           "You now act for another company.",
	"member_updated":     "The member is updated.",
	"confirmed":          "The order is confirmed.",
	"rejected":           "The order is rejected.",
	"fulfilled":          "The order is fulfilled.",
	"created":            "Created.",
	"retried":            "The message will be sent again.",
	"access_link_made":   "The access link is made.",
	"access_link_sent":   "The access link is on its way.",
	"disabled":           "Disabled.",
	"enabled":            "Enabled.",
	"status_changed":     "The status is changed.",
	"key_revoked":        "The API key is revoked.",
	"stocked_in":         "The items are in the warehouse.",
	"template_deleted":   "The template override is deleted; the built-in text is used again.",
	"product_deactivate": "The product is deactivated.",
	"deleted":            "Deleted.",
	"ticket_opened":      "Your support request is sent.",
	"commented":          "Your reply is sent.",
	"attached":           "The file is attached.",
	"reopened":           "The ticket is open again.",
	"applied":            "The change is applied to the customer.",
	"record_claimed":     "The record is yours now.",
	"record_saved":       "The record is saved.",
	"change_requested":   "Your change waits for the provider's approval.",
	"action_ticket":      "Your request is sent as a support ticket.",
	"action_sent":        "Your request is sent.",
	"change_approved":    "The change is approved and applied.",
	"domain_approved":    "The domain is approved: its people now sign in through the identity provider.",
	"change_rejected":    "The change is rejected.",
	"replayed":           "The delivery will be sent again.",
	"request_sent":       "Thank you. Check your inbox: we sent you a link to confirm your e-mail address. It works for 24 hours.",
	"request_connected":  "The requester is invited.",
	"request_rejected":   "The request is rejected; the requester gets your message.",
	"contact_invited":    "The contact has portal access: an invitation is on its way, or the member is linked.",
	"email_change_sent":  "Saved. The new e-mail address takes effect once it is confirmed through the link sent to it.",
	"reset_sent":         "If the address belongs to an account, a link to choose a new password is on its way. It works once, for 15 minutes.",
	"password_reset":     "Your new password is set and you are signed out everywhere. Sign in with it.",
	"left_session":       "You left the customer's session.",
}

func noticeText(l locale, key string) string {
	if s, ok := notices[key]; ok {
		return l.T(s)
	}
	return ""
}

func validColor(c string) bool { return valid.Color(c) }

// formValue returns a form field without surrounding space.
func formValue(r *http.Request, name string) string {
	return strings.TrimSpace(r.PostFormValue(name))
}

// version reads a form's version field; 0 when missing, which the use
// cases refuse as Invalid.
func version(r *http.Request) int64 {
	n, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return n
}
