package portal

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

// News (issue 16): articles on the portal's start page. Staff admins write
// the provider's articles, for all customers or chosen ones, and every
// staff role reads them all (ActNewsManage, ActNewsAll). A customer's
// people read the published articles addressed to their customer
// (ActNewsRead); its admins write articles for their own customer's people
// (ActNewsWrite), as staff admins may for them. News needs no feature
// switch: a customer without articles sees none.

// PrefixArticle is the prefix of article IDs.
const PrefixArticle = "art"

func errArticleNotFound(id news.ID) error {
	return portalerr.New(portalerr.NotFound, "article %s not found", id)
}

// CreateArticleParams describe a provider's article.
type CreateArticleParams struct {
	Title string `json:"title" validate:"required,max=200,singleline"`
	// Body is Markdown, at most news.MaxBody bytes.
	Body string `json:"body" validate:"required"`
	// PublishAt is when the article shows; zero means now, a future time
	// schedules it.
	PublishAt time.Time `json:"publish_at"`
	// Audience is all customers or the listed ones, which must exist.
	Audience news.Audience `json:"audience"`
}

// CreateArticle writes an article of the provider's. Staff admins may call
// it (ActNewsManage). Invalid for bad fields and for an audience naming a
// customer that does not exist.
func (p *Portal) CreateArticle(ctx context.Context, params CreateArticleParams) (news.Article, error) {
	return p.createArticle(ctx, ActNewsManage, "", params)
}

// CreateCustomerArticleParams describe an article of a customer's, for its
// own people.
type CreateCustomerArticleParams struct {
	Title     string    `json:"title" validate:"required,max=200,singleline"`
	Body      string    `json:"body" validate:"required"`
	PublishAt time.Time `json:"publish_at"`
}

// CreateCustomerArticle writes an article for the people of customer cid.
// The customer's admins and staff admins may call it (ActNewsWrite); the
// customer's admins may change and delete it later. FailedPrecondition for
// an archived customer.
func (p *Portal) CreateCustomerArticle(ctx context.Context, cid customer.ID, params CreateCustomerArticleParams) (news.Article, error) {
	return p.createArticle(ctx, ActNewsWrite, cid, CreateArticleParams{
		Title: params.Title, Body: params.Body, PublishAt: params.PublishAt, Audience: news.Only(cid),
	})
}

func (p *Portal) createArticle(ctx context.Context, act Action, cid customer.ID, params CreateArticleParams) (news.Article, error) {
	params.Title = strings.TrimSpace(params.Title)
	if err := validStruct(params); err != nil {
		return news.Article{}, err
	}
	now := p.timestamp()
	a := news.Article{
		ID:         news.ID(p.ids.NewID(PrefixArticle)),
		CustomerID: cid,
		Title:      params.Title,
		Body:       params.Body,
		PublishAt:  params.PublishAt.UTC().Truncate(time.Microsecond),
		Audience:   params.Audience.Normalize(),
		Version:    1,
		CreatedAt:  now,
		UpdatedAt:  now,
	}
	if a.PublishAt.IsZero() {
		a.PublishAt = now
	}
	if err := a.Validate(); err != nil {
		return news.Article{}, err
	}
	err := p.write(ctx, func(r storage.Repos) error {
		acc, err := p.authorize(ctx, r, act, cid, "")
		if err != nil {
			return err
		}
		if cid != "" {
			c, err := acc.customerOf(ctx, r, cid)
			if err != nil {
				return err
			}
			if err := c.CheckNotArchived(); err != nil {
				return err
			}
		}
		a.Author = acc.who.Actor()
		noteObject(r, string(a.ID))
		if err := audienceErr(r.News().Create(ctx, a)); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, acc, "article.created", cid, string(a.ID), nil, nil, a)
	})
	if err != nil {
		return news.Article{}, err
	}
	return a, nil
}

// ListArticlesParams filter and page the provider's view of all articles.
type ListArticlesParams struct {
	// Reader keeps the articles addressed to this customer.
	Reader customer.ID `json:"reader" validate:"max=100"`
	Cursor string      `json:"cursor" validate:"max=200"`
	Limit  int         `json:"limit" validate:"min=0,max=100"`
}

func (params ListArticlesParams) page() storage.Page {
	return storage.Page{Cursor: params.Cursor, Limit: params.Limit}
}

// ListArticles returns one page of every article, scheduled ones included,
// newest first. Every staff role may call it (ActNewsAll).
func (p *Portal) ListArticles(ctx context.Context, params ListArticlesParams) (List[news.Article], error) {
	if err := validStruct(params); err != nil {
		return List[news.Article]{}, err
	}
	lc, page, err := p.openList(ctx, "articles", "", params)
	if err != nil {
		return List[news.Article]{}, err
	}
	var out List[news.Article]
	err = p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActNewsAll, "", ""); err != nil {
			return err
		}
		var err error
		out, err = listPage(r.News().List(ctx, storage.NewsFilter{Reader: params.Reader}, page))
		return err
	})
	return sealed(ctx, lc, out, err)
}

// GetArticle returns any article. Every staff role may call it
// (ActNewsAll); NotFound for an unknown one.
func (p *Portal) GetArticle(ctx context.Context, id news.ID) (news.Article, error) {
	var out news.Article
	err := p.read(ctx, func(r storage.Repos) error {
		if _, err := p.authorize(ctx, r, ActNewsAll, "", ""); err != nil {
			return err
		}
		var err error
		out, err = getArticle(ctx, r, id)
		return err
	})
	return out, err
}

// UpdateArticleParams change an article; nil fields stay as they are.
type UpdateArticleParams struct {
	// Version, when not zero, must be the article's stored version
	// (Conflict otherwise).
	Version   int64      `json:"version" validate:"min=0"`
	Title     *string    `json:"title" validate:"omitnil,required,max=200,singleline"`
	Body      *string    `json:"body" validate:"omitnil,required"`
	PublishAt *time.Time `json:"publish_at"`
	// Audience readdresses a provider's article. A customer's article
	// keeps its customer as its audience: setting it is Invalid.
	Audience *news.Audience `json:"audience"`
}

// UpdateArticle changes any article. Staff admins may call it
// (ActNewsManage); a customer's article stays addressed to that customer.
func (p *Portal) UpdateArticle(ctx context.Context, id news.ID, params UpdateArticleParams) (news.Article, error) {
	return p.updateArticle(ctx, ActNewsManage, "", id, params)
}

// UpdateCustomerArticle changes an article customer cid's admins wrote
// (ActNewsWrite). NotFound for any other article, the provider's included.
func (p *Portal) UpdateCustomerArticle(ctx context.Context, cid customer.ID, id news.ID, params UpdateArticleParams) (news.Article, error) {
	return p.updateArticle(ctx, ActNewsWrite, cid, id, params)
}

func (p *Portal) updateArticle(ctx context.Context, act Action, cid customer.ID, id news.ID, params UpdateArticleParams) (news.Article, error) {
	if params.Title != nil {
		t := strings.TrimSpace(*params.Title)
		params.Title = &t
	}
	if err := validStruct(params); err != nil {
		return news.Article{}, err
	}
	if cid != "" && params.Audience != nil {
		return news.Article{}, portalerr.Invalidf("audience", "an article of a customer's is for its own people")
	}
	var out news.Article
	err := p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, act, cid, "")
		if err != nil {
			return err
		}
		old, err := getOwnArticle(ctx, r, cid, id)
		if err != nil {
			return err
		}
		out, err = r.News().Update(ctx, id, func(a *news.Article) error {
			if params.Version != 0 {
				if err := checkVersion("article", a.Version, params.Version); err != nil {
					return err
				}
			}
			setIf(&a.Title, params.Title)
			setIf(&a.Body, params.Body)
			if params.PublishAt != nil {
				a.PublishAt = params.PublishAt.UTC().Truncate(time.Microsecond)
			}
			if params.Audience != nil {
				a.Audience = params.Audience.Normalize()
			}
			a.UpdatedAt = p.timestamp()
			return a.Validate()
		})
		if err := audienceErr(err); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "article.updated", cid, string(id), old, out, out)
	})
	return out, err
}

// DeleteArticle deletes any article. Staff admins may call it (ActNewsManage).
func (p *Portal) DeleteArticle(ctx context.Context, id news.ID) error {
	return p.deleteArticle(ctx, ActNewsManage, "", id)
}

// DeleteCustomerArticle deletes an article customer cid's admins wrote
// (ActNewsWrite). NotFound for any other article.
func (p *Portal) DeleteCustomerArticle(ctx context.Context, cid customer.ID, id news.ID) error {
	return p.deleteArticle(ctx, ActNewsWrite, cid, id)
}

func (p *Portal) deleteArticle(ctx context.Context, act Action, cid customer.ID, id news.ID) error {
	return p.write(ctx, func(r storage.Repos) error {
		a, err := p.authorize(ctx, r, act, cid, "")
		if err != nil {
			return err
		}
		gone, err := getOwnArticle(ctx, r, cid, id)
		if err != nil {
			return err
		}
		if err := notFoundAs(r.News().Delete(ctx, id), errArticleNotFound(id)); err != nil {
			return err
		}
		return p.recordDiff(ctx, r, a, "article.deleted", cid, string(id), nil, nil, gone)
	})
}

// ListCustomerNewsParams page a customer's news.
type ListCustomerNewsParams struct {
	// Written lists the articles the customer's admins wrote instead,
	// scheduled ones included: what they may change. It needs ActNewsWrite.
	Written bool   `json:"written"`
	Cursor  string `json:"cursor" validate:"max=200"`
	Limit   int    `json:"limit" validate:"min=0,max=100"`
}

func (params ListCustomerNewsParams) page() storage.Page {
	return storage.Page{Cursor: params.Cursor, Limit: params.Limit}
}

// ListCustomerNews returns one page of the published articles addressed to
// customer cid's people, newest first: the provider's for all customers or
// naming cid, and cid's own. Its people and every staff role may call it
// (ActNewsRead); a user of another customer gets NotFound.
func (p *Portal) ListCustomerNews(ctx context.Context, cid customer.ID, params ListCustomerNewsParams) (List[news.Article], error) {
	act, f := ActNewsRead, storage.NewsFilter{Reader: cid, PublishedBy: p.timestamp()}
	if params.Written {
		act, f = ActNewsWrite, storage.NewsFilter{CustomerID: cid}
	}
	return listIn(ctx, p, "news", act, cid, params, func(r storage.Repos, _ access, page storage.Page) (storage.List[news.Article], error) {
		return r.News().List(ctx, f, page)
	})
}

// GetCustomerArticle returns an article as customer cid's people see it
// (ActNewsRead): published and addressed to cid. An article the customer
// wrote is found before it is published by those who may change it
// (ActNewsWrite). NotFound for anything else.
func (p *Portal) GetCustomerArticle(ctx context.Context, cid customer.ID, id news.ID) (news.Article, error) {
	var out news.Article
	err := p.read(ctx, func(r storage.Repos) error {
		acc, err := p.authorize(ctx, r, ActNewsRead, cid, "")
		if err != nil {
			return err
		}
		if _, err := acc.customerOf(ctx, r, cid); err != nil {
			return err
		}
		a, err := getArticle(ctx, r, id)
		if err != nil {
			return err
		}
		if !a.VisibleTo(cid, p.timestamp()) && (a.CustomerID != cid || !acc.may(ActNewsWrite)) {
			return errArticleNotFound(id)
		}
		out = a
		return nil
	})
	return out, err
}

// may reports whether the authorized caller may also do act.
func (a access) may(act Action) bool {
	rule, ok := policy[act]
	if !ok {
		return false
	}
	if a.user() {
		return userPermits(a.who, rule, a.membership, a.customer) == nil
	}
	return staffPermits(a.who, rule) == nil
}

func getArticle(ctx context.Context, r storage.Repos, id news.ID) (news.Article, error) {
	a, err := r.News().Get(ctx, id)
	return a, notFoundAs(err, errArticleNotFound(id))
}

// getOwnArticle loads an article customer cid wrote; with cid empty, any
// article. Another customer's, or the provider's, is NotFound.
func getOwnArticle(ctx context.Context, r storage.Repos, cid customer.ID, id news.ID) (news.Article, error) {
	a, err := getArticle(ctx, r, id)
	if err != nil {
		return a, err
	}
	if cid != "" && a.CustomerID != cid {
		return news.Article{}, errArticleNotFound(id)
	}
	return a, nil
}

// audienceErr says which field is wrong when a write names a customer that
// does not exist (the audience's foreign key).
func audienceErr(err error) error {
	var pe *portalerr.Error
	if errors.Is(err, storage.ErrNotFound) && errors.As(err, &pe) && pe.Message == "" {
		return &portalerr.Error{
			Code:    portalerr.Invalid,
			Message: "the audience names a customer that does not exist",
			Fields:  []portalerr.FieldViolation{{Field: "audience", Message: "names a customer that does not exist"}},
			Err:     err,
		}
	}
	return err
}
