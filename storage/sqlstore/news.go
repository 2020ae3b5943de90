package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/portalkit/portalkit/customer"
	"github.com/portalkit/portalkit/internal/sqlcols"
	"github.com/portalkit/portalkit/news"
	"github.com/portalkit/portalkit/portalerr"
	"github.com/portalkit/portalkit/storage"
)

type newsRepo struct {
	crud[news.Article, news.ID]
}

func (t *txn) News() storage.NewsRepo {
	return newsRepo{crud[news.Article, news.ID]{t, articles}}
}

// articles reads an article together with its audience, in one query, as
// memberships read their site sets: the select adds audienceSQL to the
// columns. The audience's rows are written by writeAudience.
var articles = withAudience(newTable(table[news.Article]{
	name: "news_articles", noun: "article",
	columns: []string{"id", "customer_id", "title", "body", "publish_at", "audience_all", "author", "version", "created_at", "updated_at"},
	values: func(a *news.Article) []any {
		return []any{string(a.ID), nullString(a.CustomerID), a.Title, a.Body, ts(a.PublishAt), a.Audience.All,
			a.Author, a.Version, ts(a.CreatedAt), ts(a.UpdatedAt)}
	},
	dest: func(a *news.Article) []any {
		return []any{&a.ID, scol(&a.CustomerID), &a.Title, &a.Body, tcol(&a.PublishAt), &a.Audience.All,
			&a.Author, &a.Version, tcol(&a.CreatedAt), tcol(&a.UpdatedAt), idSetCol[customer.ID]{&a.Audience.Customers}}
	},
	version: func(a *news.Article) *int64 { return &a.Version },
	keep: func(old news.Article, a *news.Article) {
		a.ID, a.CustomerID, a.CreatedAt = old.ID, old.CustomerID, old.CreatedAt
		a.PublishAt, a.UpdatedAt = storedTime(a.PublishAt), storedTime(a.UpdatedAt)
		a.Audience = a.Audience.Normalize()
		if len(a.Audience.Customers) == 0 {
			a.Audience.Customers = nil
		}
	},
	fkErr: storage.ErrNotFound,
}))

// audienceSQL is the audience of the article a as one text column, built
// as siteSetSQL builds a membership's site set; NULL when it names none.
const audienceSQL = `(SELECT string_agg(replace(replace(na.customer_id, '%', '%25'), ',', '%2C'), ',')
	FROM news_audience na WHERE na.article_id = a.id)`

func withAudience(tb *table[news.Article]) *table[news.Article] {
	tb.selectSQL = `SELECT ` + sqlcols.Qualify("a", tb.cols) + `, ` + audienceSQL + ` FROM news_articles a`
	return tb
}

// idSetCol scans an ID set written as audienceSQL writes it into *p,
// sorted; NULL is nil.
type idSetCol[S ~string] struct{ p *[]S }

func (c idSetCol[S]) Scan(src any) error {
	var ids []customer.SiteID
	if err := (siteSetCol{&ids}).Scan(src); err != nil {
		return err
	}
	if ids == nil {
		*c.p = nil
		return nil
	}
	out := make([]S, len(ids))
	for i, id := range ids {
		out[i] = S(id)
	}
	slices.Sort(out)
	*c.p = out
	return nil
}

// Create stores a and its audience. ErrAlreadyExists when the ID is taken;
// ErrNotFound when a customer it names does not exist.
func (s newsRepo) Create(ctx context.Context, a news.Article) error {
	if err := articles.insert(ctx, s.t, &a); err != nil {
		return err
	}
	return writeAudience(ctx, s.t, "creating article "+string(a.ID), a)
}

// Update reads the article, lets fn change it and writes it back with the
// next version, replacing its audience.
func (s newsRepo) Update(ctx context.Context, id news.ID, fn func(*news.Article) error) (news.Article, error) {
	op := "updating article " + string(id)
	a, err := articles.update(ctx, s.t, string(id), fn)
	if err != nil {
		return news.Article{}, err
	}
	if _, err := s.t.exec(ctx, op, nil, `DELETE FROM news_audience WHERE article_id = ?`, string(id)); err != nil {
		return news.Article{}, err
	}
	if err := writeAudience(ctx, s.t, op, a); err != nil {
		return news.Article{}, err
	}
	return a, nil
}

// writeAudience names the customers of a's audience; one that does not
// exist fails the foreign key and is ErrNotFound.
func writeAudience(ctx context.Context, t *txn, op string, a news.Article) error {
	aud := a.Audience.Normalize()
	if aud.All || len(aud.Customers) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(aud.Customers))
	for _, c := range aud.Customers {
		args = append(args, string(a.ID), string(c))
	}
	_, err := t.exec(ctx, op, storage.ErrNotFound,
		`INSERT INTO news_audience (article_id, customer_id) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?), ", len(aud.Customers)), ", "),
		args...)
	return err
}

// Delete removes the article and, by cascade, its audience.
func (s newsRepo) Delete(ctx context.Context, id news.ID) error {
	return articles.delete(ctx, s.t, string(id), nil)
}

// List returns one page of articles matching f, newest first. The cursor
// is the last row's publish time and ID, so an article published while a
// reader pages on does not shift a page.
func (s newsRepo) List(ctx context.Context, f storage.NewsFilter, p storage.Page) (storage.List[news.Article], error) {
	const op = "listing articles"
	after, limit, err := normalize(p)
	if err != nil {
		return storage.List[news.Article]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, err)
	}
	var w conds
	if after != "" {
		at, id, ok := strings.Cut(after, " ")
		if !ok {
			return storage.List[news.Article]{}, fmt.Errorf("%s: %s: %w", s.t.d.Name, op, portalerr.Invalidf("cursor", "is not a cursor returned by this list"))
		}
		w.and(`(a.publish_at < ? OR (a.publish_at = ? AND a.id < ?))`, []any{at, at, id})
	}
	if f.Reader != "" {
		w.and(`(a.audience_all OR a.id IN (SELECT article_id FROM news_audience WHERE customer_id = ?))`, []any{string(f.Reader)})
	}
	w.eq(`a.customer_id`, string(f.CustomerID))
	if !f.PublishedBy.IsZero() {
		w.and(`a.publish_at <= ?`, []any{ts(f.PublishedBy)})
	}
	q := articles.selectSQL
	if len(w.where) > 0 {
		q += ` WHERE ` + w.String()
	}
	q += ` ORDER BY a.publish_at DESC, a.id DESC LIMIT ?`
	return queryList(ctx, s.t, op, q, append(w.args, limit+1), limit, articles.scan,
		func(a news.Article) string { return ts(a.PublishAt) + " " + string(a.ID) })
}
