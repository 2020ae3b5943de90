package webui

import (
	"net/http"
	"net/url"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/identity"
	"github.com/portalkit/portalkit/mailer"
	"github.com/portalkit/portalkit/outbox"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// mailRoutes registers the outbox pages.
func (h *handler) mailRoutes() {
	h.handle("GET /console/mail", h.asStaff(h.mailList))
	h.handle("POST /console/mail/{mid}/retry", h.asStaff(h.retryMail))
}

// mailTemplateRoutes registers a customer's mail template pages.
func (h *handler) mailTemplateRoutes() {
	h.handle("GET /console/customers/{id}/mail-templates", h.asStaff(h.mailTemplates))
	h.handle("GET /console/customers/{id}/mail-templates/{kind}/{locale}", h.asStaff(h.mailTemplatePage))
	h.handle("POST /console/customers/{id}/mail-templates/{kind}/{locale}", h.asStaff(h.saveMailTemplate))
	h.handle("POST /console/customers/{id}/mail-templates/{kind}/{locale}/preview", h.asStaff(h.previewMailTemplate))
	h.handle("POST /console/customers/{id}/mail-templates/{kind}/{locale}/delete", h.asStaff(h.deleteMailTemplate))
}

func (h *handler) mailList(w http.ResponseWriter, r *http.Request, v *view) {
	q := r.URL.Query()
	l, err := h.p.ListMail(r.Context(), portal.ListMailParams{
		Status: outbox.Status(q.Get("status")), CustomerID: customer.ID(q.Get("customer")), Cursor: q.Get("cursor"), Limit: pageLimit,
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Mail")
	v.Form = q
	v.Data = newList(r, v, l)
	h.render(w, r, "console_mail", v)
}

func (h *handler) retryMail(w http.ResponseWriter, r *http.Request, v *view) {
	if _, err := h.p.RetryMail(r.Context(), outbox.ID(r.PathValue("mid"))); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/console/mail", "retried")
}

// templateRow is one kind of message in one locale, and whether the
// customer overrides it.
type templateRow struct {
	Kind, Locale string
	Override     *customer.MailTemplate
}

// mailTemplatesPage is the mail templates page's data.
type mailTemplatesPage struct {
	customerHead
	Rows []templateRow
}

func (h *handler) mailTemplates(w http.ResponseWriter, r *http.Request, v *view) {
	head, ok := h.loadCustomer(w, r, v, "mail-templates")
	if !ok {
		return
	}
	ts, err := h.p.ListMailTemplates(r.Context(), head.Customer.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	d := mailTemplatesPage{customerHead: head}
	for _, k := range mailer.Kinds() {
		for _, loc := range mailer.Locales() {
			row := templateRow{Kind: string(k), Locale: loc}
			for i := range ts {
				if ts[i].Kind == string(k) && ts[i].Locale == loc {
					row.Override = &ts[i]
				}
			}
			d.Rows = append(d.Rows, row)
		}
	}
	v.Title = v.T("Mail templates of %s", head.Customer.Name)
	v.Data = d
	h.render(w, r, "console_mail_templates", v)
}

// mailTemplatePage is a template's page's data.
type mailTemplatePage struct {
	customerHead
	Kind, Locale string
	// Override is the stored override, nil when the customer uses the
	// default.
	Override *customer.MailTemplate
	// Preview is the message as rendered with the form's parts, when asked.
	Preview *mailer.Content
}

func (h *handler) mailTemplatePage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showMailTemplate(w, r, v, http.StatusOK, nil)
}

func (h *handler) showMailTemplate(w http.ResponseWriter, r *http.Request, v *view, status int, preview *mailer.Content) {
	head, ok := h.loadCustomer(w, r, v, "mail-templates")
	if !ok {
		return
	}
	kind, locale := mailer.Kind(r.PathValue("kind")), r.PathValue("locale")
	d := mailTemplatePage{customerHead: head, Kind: string(kind), Locale: locale, Preview: preview}
	t, err := h.p.GetMailTemplate(r.Context(), head.Customer.ID, kind, locale)
	switch {
	case err == nil:
		d.Override = &t
	case portalerr.CodeOf(err) == portalerr.NotFound:
		// The customer uses the default. (A made-up kind or locale is
		// Invalid, for the error page.)
	default:
		h.fail(w, r, err)
		return
	}
	if v.Form.Get("subject") == "" && v.Form.Get("text") == "" && v.Form.Get("html") == "" && d.Override != nil {
		v.Form = url.Values{"subject": {t.Subject}, "text": {t.Text}, "html": {t.HTML}}
	}
	v.Title = v.T("Mail template %s (%s)", v.T("mail:"+string(kind)), locale)
	v.Data = d
	h.renderStatus(w, r, status, "console_mail_template", v)
}

func templateParams(r *http.Request) portal.MailTemplateParams {
	return portal.MailTemplateParams{Subject: r.PostFormValue("subject"), Text: r.PostFormValue("text"), HTML: r.PostFormValue("html")}
}

func (h *handler) mailTemplateFailed(w http.ResponseWriter, r *http.Request, v *view, err error) {
	if status, ok := h.formFailed(w, r, v, err); ok {
		h.showMailTemplate(w, r, v, status, nil)
	}
}

func (h *handler) saveMailTemplate(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	kind, locale := mailer.Kind(r.PathValue("kind")), r.PathValue("locale")
	if _, err := h.p.PutMailTemplate(r.Context(), id, kind, locale, templateParams(r)); err != nil {
		h.mailTemplateFailed(w, r, v, err)
		return
	}
	h.redirect(w, r, customerPath(id, "mail-templates/"+url.PathEscape(string(kind))+"/"+url.PathEscape(locale)), "saved")
}

// previewMailTemplate shows the message as the form's parts render it,
// with the form as it was: nothing is saved.
func (h *handler) previewMailTemplate(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	kind, locale := mailer.Kind(r.PathValue("kind")), r.PathValue("locale")
	c, err := h.p.PreviewMailTemplate(r.Context(), id, kind, locale, templateParams(r))
	if err != nil {
		h.mailTemplateFailed(w, r, v, err)
		return
	}
	v.Form = r.PostForm
	h.showMailTemplate(w, r, v, http.StatusOK, &c)
}

func (h *handler) deleteMailTemplate(w http.ResponseWriter, r *http.Request, v *view) {
	id := customer.ID(r.PathValue("id"))
	kind, locale := mailer.Kind(r.PathValue("kind")), r.PathValue("locale")
	if err := h.p.DeleteMailTemplate(r.Context(), id, kind, locale); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, customerPath(id, "mail-templates"), "template_deleted")
}

// apiKeyRoutes registers the API key pages.
func (h *handler) apiKeyRoutes() {
	h.handle("GET /console/api-keys", h.asStaff(h.apiKeys))
	h.handle("POST /console/api-keys", h.asStaff(h.createAPIKey))
	h.handle("POST /console/api-keys/{kid}/revoke", h.asStaff(h.revokeAPIKey))
}

// apiKeysPage is the API keys page's data.
type apiKeysPage struct {
	list[identity.APIKey]
	Roles []identity.StaffRole
	// Secret is the token of a key just made, shown this once.
	Secret string
}

func (h *handler) apiKeys(w http.ResponseWriter, r *http.Request, v *view) {
	h.showAPIKeys(w, r, v, http.StatusOK, "")
}

func (h *handler) showAPIKeys(w http.ResponseWriter, r *http.Request, v *view, status int, secret string) {
	l, err := h.p.ListAPIKeys(r.Context(), portal.ListAPIKeysParams{Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("API keys")
	v.Data = apiKeysPage{
		list: newList(r, v, l), Secret: secret,
		Roles: []identity.StaffRole{identity.StaffAgent, identity.StaffAdmin, identity.StaffOwner},
	}
	h.renderStatus(w, r, status, "console_api_keys", v)
}

// createAPIKey makes a key and shows its token in the answer to the form,
// this once: only its hash is kept.
func (h *handler) createAPIKey(w http.ResponseWriter, r *http.Request, v *view) {
	s, err := h.p.CreateAPIKey(r.Context(), portal.CreateAPIKeyParams{
		Name: formValue(r, "name"), Role: identity.StaffRole(r.PostFormValue("role")),
	})
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showAPIKeys(w, r, v, status, "")
		}
		return
	}
	v.Notice = noticeText(v.locale, "created")
	h.showAPIKeys(w, r, v, http.StatusCreated, s.Token)
}

func (h *handler) revokeAPIKey(w http.ResponseWriter, r *http.Request, v *view) {
	if _, err := h.p.RevokeAPIKey(r.Context(), identity.APIKeyID(r.PathValue("kid"))); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/console/api-keys", "key_revoked")
}
