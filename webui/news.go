package webui

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portal"
	"github.com/portalkit/portalkit/portalerr"
)

// newsRoutes registers the customer admins' pages for their own news.
func (h *handler) newsRoutes() {
	h.handle("GET /news", h.asUser(h.newsPage))
	h.handle("POST /news", h.asUser(h.createNews))
	h.handle("GET /news/{id}", h.asUser(h.newsEditPage))
	h.handle("POST /news/{id}", h.asUser(h.updateNews))
	h.handle("POST /news/{id}/delete", h.asUser(h.deleteNews))
}

// homeNews is how many articles the start page shows.
const homeNews = 10

// article is an article as a page shows it: its body rendered and
// sanitized by news.Render, the one place Markdown becomes HTML.
type article struct {
	news.Article
	HTML      template.HTML
	Published string
	Scheduled bool
}

func articleView(v *view, a news.Article, now time.Time) article {
	return article{Article: a, HTML: news.Render(a.Body), Published: v.Time(a.PublishAt), Scheduled: !a.Published(now)}
}

func articleViews(v *view, as []news.Article, now time.Time) []article {
	out := make([]article, len(as))
	for i, a := range as {
		out[i] = articleView(v, a, now)
	}
	return out
}

// startPage is the portal's start page: the customer's latest published
// news, and links to the person's main areas.
func (h *handler) startPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	l, err := h.p.ListCustomerNews(r.Context(), cid, portal.ListCustomerNewsParams{Limit: homeNews})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	v.Title = v.T("Start")
	v.Data = articleViews(v, l.Items, h.p.Now())
	h.render(w, r, "home", v)
}

// newsList is the news page's data: the articles the customer's admins
// wrote, scheduled ones included.
type newsList struct {
	list[article]
}

func (h *handler) newsPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showNews(w, r, v, cid, http.StatusOK)
}

func (h *handler) showNews(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, status int) {
	l, err := h.p.ListCustomerNews(r.Context(), cid, portal.ListCustomerNewsParams{Written: true, Cursor: r.URL.Query().Get("cursor"), Limit: pageLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	page := newList(r, v, l)
	v.Title = v.T("News for your people")
	v.Data = newsList{list: list[article]{Items: articleViews(v, page.Items, h.p.Now()), Next: page.Next}}
	h.renderStatus(w, r, status, "news", v)
}

// articleForm reads the fields every article form has. A publish time is
// a datetime-local value, read as UTC as the pages show times.
func articleForm(r *http.Request) (title, body string, publish *time.Time, err error) {
	title, body = formValue(r, "title"), r.PostFormValue("body")
	body = strings.ReplaceAll(body, "\r\n", "\n")
	if s := formValue(r, "publish_at"); s != "" {
		t, perr := time.ParseInLocation("2006-01-02T15:04", s, time.UTC)
		if perr != nil {
			return "", "", nil, portalerr.Invalidf("publish_at", "is not a date and time")
		}
		publish = &t
	}
	return title, body, publish, nil
}

func (h *handler) createNews(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	title, body, publish, err := articleForm(r)
	if err == nil {
		params := portal.CreateCustomerArticleParams{Title: title, Body: body}
		if publish != nil {
			params.PublishAt = *publish
		}
		_, err = h.p.CreateCustomerArticle(r.Context(), cid, params)
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showNews(w, r, v, cid, status)
		}
		return
	}
	h.redirect(w, r, "/news", "created")
}

func (h *handler) newsEditPage(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	h.showNewsEdit(w, r, v, cid, http.StatusOK)
}

// showNewsEdit shows the form of one of the customer's own articles; any
// other article is not found here.
func (h *handler) showNewsEdit(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID, status int) {
	a, err := h.p.GetCustomerArticle(r.Context(), cid, news.ID(r.PathValue("id")))
	if err == nil && a.CustomerID != cid {
		err = portalerr.New(portalerr.NotFound, "article %s not found", a.ID)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if r.Method == http.MethodGet {
		v.Form = articleValues(a)
	}
	v.Title = v.T("Edit the article")
	v.Data = articleView(v, a, h.p.Now())
	h.renderStatus(w, r, status, "news_edit", v)
}

// articleValues are an article's fields as its form holds them.
func articleValues(a news.Article) url.Values {
	q := url.Values{
		"title":      {a.Title},
		"body":       {a.Body},
		"publish_at": {a.PublishAt.UTC().Format("2006-01-02T15:04")},
		"version":    {strconv.FormatInt(a.Version, 10)},
	}
	for _, c := range a.Audience.Customers {
		q.Add("customer", string(c))
	}
	if a.Audience.All {
		q.Set("audience", "all")
	} else {
		q.Set("audience", "chosen")
	}
	return q
}

func (h *handler) updateNews(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	title, body, publish, err := articleForm(r)
	if err == nil {
		_, err = h.p.UpdateCustomerArticle(r.Context(), cid, news.ID(r.PathValue("id")), portal.UpdateArticleParams{
			Version: version(r), Title: &title, Body: &body, PublishAt: publish,
		})
	}
	if err != nil {
		if status, ok := h.formFailed(w, r, v, err); ok {
			h.showNewsEdit(w, r, v, cid, status)
		}
		return
	}
	h.redirect(w, r, "/news", "saved")
}

func (h *handler) deleteNews(w http.ResponseWriter, r *http.Request, v *view, cid customer.ID) {
	if err := h.p.DeleteCustomerArticle(r.Context(), cid, news.ID(r.PathValue("id"))); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/news", "deleted")
}
