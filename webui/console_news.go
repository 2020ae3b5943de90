package webui

import (
	"net/http"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portal"
)

// consoleNewsRoutes registers the console's news pages: every article,
// and the forms of the provider's own.
func (h *handler) consoleNewsRoutes() {
	h.handle("GET /console/news", h.asStaff(h.consoleNewsPage))
	h.handle("POST /console/news", h.asStaff(h.consoleCreateNews))
	h.handle("GET /console/news/{id}", h.asStaff(h.consoleNewsEditPage))
	h.handle("POST /console/news/{id}", h.asStaff(h.consoleUpdateNews))
	h.handle("POST /console/news/{id}/delete", h.asStaff(h.consoleDeleteNews))
}

// consoleNews is the data of the console's news pages: the articles (or
// one), and the customers an audience may name.
type consoleNews struct {
	list[article]
	Article   *article
	Customers []customer.Customer
	Names     map[customer.ID]string
}

// audienceChoices reads the customers an audience may choose from: the
// first page of active ones, which is as many as a form of checkboxes
// can usefully hold; an article for more goes to all customers.
func (h *handler) audienceChoices(r *http.Request, d *consoleNews) error {
	cs, err := h.p.ListCustomers(r.Context(), portal.ListCustomersParams{Statuses: []customer.Status{customer.StatusActive}, Limit: 100})
	if err != nil {
		return err
	}
	d.Customers = cs.Items
	d.Names = make(map[customer.ID]string, len(cs.Items))
	for _, c := range cs.Items {
		d.Names[c.ID] = c.Name
	}
	return nil
}

func (h *handler) consoleNewsPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleNews(w, r, v, http.StatusOK)
}

func (h *handler) showConsoleNews(w http.ResponseWriter, r *http.Request, v *view, status int) {
	l, err := h.p.ListArticles(r.Context(), portal.ListArticlesParams{Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := newList(r, v, l)
	d := consoleNews{list: list[article]{Items: articleViews(v, page.Items, h.p.Now()), Next: page.Next}}
	if err := h.audienceChoices(r, &d); err != nil {
		h.fail(w, r, err)
		return
	}
	if v.Value("audience") == "" {
		v.Form.Set("audience", "all")
	}
	v.Title = v.T("News")
	v.Data = d
	h.renderStatus(w, r, status, "console_news", v)
}

// audienceForm reads the audience fields: all customers, or the ones ticked.
func audienceForm(r *http.Request) news.Audience {
	if r.PostFormValue("audience") == "all" {
		return news.Everyone
	}
	var ids []customer.ID
	for _, id := range r.PostForm["customer"] {
		ids = append(ids, customer.ID(id))
	}
	return news.Only(ids...)
}

func (h *handler) consoleCreateNews(w http.ResponseWriter, r *http.Request, v *view) {
	title, body, publish, err := articleForm(r)
	if err == nil {
		params := portal.CreateArticleParams{Title: title, Body: body, Audience: audienceForm(r)}
		if publish != nil {
			params.PublishAt = *publish
		}
		_, err = h.p.CreateArticle(r.Context(), params)
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleNews(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/news", "created")
}

func (h *handler) consoleNewsEditPage(w http.ResponseWriter, r *http.Request, v *view) {
	h.showConsoleNewsEdit(w, r, v, http.StatusOK)
}

func (h *handler) showConsoleNewsEdit(w http.ResponseWriter, r *http.Request, v *view, status int) {
	a, err := h.p.GetArticle(r.Context(), news.ID(r.PathValue("id")))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		v.Form = articleValues(a)
	}
	av := articleView(v, a, h.p.Now())
	d := consoleNews{Article: &av}
	if err := h.audienceChoices(r, &d); err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Edit the article")
	v.Data = d
	h.renderStatus(w, r, status, "console_news_edit", v)
}

func (h *handler) consoleUpdateNews(w http.ResponseWriter, r *http.Request, v *view) {
	title, body, publish, err := articleForm(r)
	if err == nil {
		params := portal.UpdateArticleParams{Version: version(r), Title: &title, Body: &body, PublishAt: publish}
		if r.PostFormValue("audience") != "" {
			aud := audienceForm(r)
			params.Audience = &aud
		}
		_, err = h.p.UpdateArticle(r.Context(), news.ID(r.PathValue("id")), params)
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showConsoleNewsEdit(w, r, v, status)
		}
		return
	}
	h.redirect(w, r, "/console/news", "saved")
}

func (h *handler) consoleDeleteNews(w http.ResponseWriter, r *http.Request, v *view) {
	if err := h.p.DeleteArticle(r.Context(), news.ID(r.PathValue("id"))); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/console/news", "deleted")
}
